"""Add events.day, filled from created_at in one statement (too long for the database's statement_timeout).

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
    op.add_column("events", sa.Column("day", sa.Date))
    op.execute("UPDATE events SET day = created_at::date")


def downgrade() -> None:
    op.drop_column("events", "day")
