"""Count each camera's events in cameras.event_count (an integer: no camera is near its limit).

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("cameras", sa.Column("event_count", sa.Integer, nullable=False, server_default="0"))
    op.execute("UPDATE cameras SET event_count = (SELECT count(*) FROM events WHERE events.camera_id = cameras.id)")


def downgrade() -> None:
    op.drop_column("cameras", "event_count")
