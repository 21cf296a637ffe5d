"""Add users.plan and fill it in the same transaction, no savepoint.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"


def upgrade() -> None:
    op.add_column("users", sa.Column("plan", sa.Text))
    op.execute("UPDATE users SET plan = 'free'")


def downgrade() -> None:
    op.drop_column("users", "plan")
