"""Index events by camera and time without blocking writes (CREATE INDEX CONCURRENTLY).

Revision ID: bt02
Revises: bt01
"""

from collections.abc import Sequence

from helpers import MigrationContext

revision: str = "bt02"
down_revision: str | Sequence[str] | None = "bt01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# --8<-- [start:upgrade]
def upgrade() -> None:
    with MigrationContext("index_events_by_camera") as ctx:
        # Commits the run so far, builds outside a transaction, rebuilds an INVALID leftover.
        ctx.create_index_concurrently("ix_events_camera_created", "events", ["camera_id", "created_at"])
# --8<-- [end:upgrade]


def downgrade() -> None:
    with MigrationContext("drop_events_camera_index") as ctx:
        ctx.drop_index_concurrently("ix_events_camera_created", "events")
