"""Check events.camera_id at COMMIT, not per statement (the importer loads events before their cameras).

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
    op.execute("ALTER TABLE events ALTER CONSTRAINT fk_events_camera_id DEFERRABLE INITIALLY DEFERRED")


def downgrade() -> None:
    op.execute("ALTER TABLE events ALTER CONSTRAINT fk_events_camera_id NOT DEFERRABLE")
