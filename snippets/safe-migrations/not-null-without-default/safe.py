"""Add users.plan NOT NULL with a constant default (no rewrite since PostgreSQL 11).

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"


def upgrade() -> None:
    op.add_column("users", sa.Column("plan", sa.Text, nullable=False, server_default="free"))


def downgrade() -> None:
    op.drop_column("users", "plan")
