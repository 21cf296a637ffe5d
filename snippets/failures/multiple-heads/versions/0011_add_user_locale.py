"""Add users.locale (branch feature/user-locale, also written on top of 0009).

Revision ID: 0011
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("users", sa.Column("locale", sa.String(16), server_default="en", nullable=False))


def downgrade() -> None:
    op.drop_column("users", "locale")
