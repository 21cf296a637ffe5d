"""Emails in 64 characters (the longest stored one fits).

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
    op.alter_column("users", "email", type_=sa.String(64), existing_type=sa.String(255), existing_nullable=False)


def downgrade() -> None:
    op.alter_column("users", "email", type_=sa.String(255), existing_type=sa.String(64), existing_nullable=False)
