"""Add users.plan, then fill it inside a savepoint the revision releases.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

from helpers import ensure_transaction_savepoint, release_savepoint

revision = "0010"
down_revision = "0009"


def upgrade() -> None:
    op.add_column("users", sa.Column("plan", sa.Text))
    connection = op.get_bind()
    ensure_transaction_savepoint(connection, "fill_plan")
    op.execute("UPDATE users SET plan = 'free'")
    release_savepoint(connection, "fill_plan")


def downgrade() -> None:
    op.drop_column("users", "plan")
