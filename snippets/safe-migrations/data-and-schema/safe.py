"""Add users.plan, then fill it inside a savepoint the revision releases.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"


def upgrade() -> None:
    op.add_column("users", sa.Column("plan", sa.Text))
    op.execute("SAVEPOINT fill_plan")
    op.execute("UPDATE users SET plan = 'free'")
    op.execute("RELEASE SAVEPOINT fill_plan")


def downgrade() -> None:
    op.drop_column("users", "plan")
