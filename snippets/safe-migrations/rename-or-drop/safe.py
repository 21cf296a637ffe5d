"""Drop users.phone, released after the code that stopped reading it (release 2.4).

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"


def upgrade() -> None:
    op.drop_column("users", "phone")  # noqa: ML008 - release 2.4 stopped reading users.phone


def downgrade() -> None:
    op.add_column("users", sa.Column("phone", sa.String(32)))
