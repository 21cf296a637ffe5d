"""Add users.plan NOT NULL without a default (fails once users has a row).

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"


def upgrade() -> None:
    op.add_column("users", sa.Column("plan", sa.Text, nullable=False))


def downgrade() -> None:
    op.drop_column("users", "plan")
