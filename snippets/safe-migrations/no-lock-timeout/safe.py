"""Add cameras.serial, giving up after 5 s of waiting for the lock.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"


def upgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.add_column("cameras", sa.Column("serial", sa.Text))


def downgrade() -> None:
    op.drop_column("cameras", "serial")
