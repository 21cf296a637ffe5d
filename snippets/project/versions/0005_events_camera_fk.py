"""Make events.camera_id a foreign key (fails while orphaned events exist).

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_foreign_key("fk_events_camera_id", "events", "cameras", ["camera_id"], ["id"])


def downgrade() -> None:
    op.drop_constraint("fk_events_camera_id", "events", type_="foreignkey")
