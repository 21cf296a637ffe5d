"""Add cameras.serial, with nothing on the path setting lock_timeout.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"


def upgrade() -> None:
    op.add_column("cameras", sa.Column("serial", sa.Text))


def downgrade() -> None:
    op.drop_column("cameras", "serial")
