"""Only known camera statuses (fails while cameras hold others).

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_check_constraint("ck_cameras_status", "cameras", "status IN ('active', 'maintenance', 'retired')")


def downgrade() -> None:
    op.drop_constraint("ck_cameras_status", "cameras", type_="check")
