"""Add users.last_seen_at, audit_log.ip and cameras.last_seen_at.

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
    # Each ADD COLUMN takes an ACCESS EXCLUSIVE lock on its table, held until the run commits.
    op.add_column("users", sa.Column("last_seen_at", sa.DateTime(timezone=True)))
    op.add_column("audit_log", sa.Column("ip", sa.String(45)))
    op.add_column("cameras", sa.Column("last_seen_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    op.drop_column("cameras", "last_seen_at")
    op.drop_column("audit_log", "ip")
    op.drop_column("users", "last_seen_at")
