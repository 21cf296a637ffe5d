"""Index events by camera and time (plain Alembic: CREATE INDEX, writes wait for the build).

Revision ID: pl02
Revises: pl01
"""

from collections.abc import Sequence

from alembic import op

revision: str = "pl02"
down_revision: str | Sequence[str] | None = "pl01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# --8<-- [start:upgrade]
def upgrade() -> None:
    op.create_index("ix_events_camera_created", "events", ["camera_id", "created_at"])
# --8<-- [end:upgrade]


def downgrade() -> None:
    op.drop_index("ix_events_camera_created", table_name="events")
