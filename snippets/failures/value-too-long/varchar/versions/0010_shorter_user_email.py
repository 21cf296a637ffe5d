"""Emails in 50 characters (fails while a longer one is stored).

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
    op.alter_column("users", "email", type_=sa.String(50), existing_type=sa.String(255), existing_nullable=False)


def downgrade() -> None:
    op.alter_column("users", "email", type_=sa.String(255), existing_type=sa.String(50), existing_nullable=False)
