"""Give events a uid: the column first, the default for new rows after (no rewrite).

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0010"
down_revision = "0009"


def upgrade() -> None:
    op.add_column("events", sa.Column("uid", postgresql.UUID))
    op.alter_column("events", "uid", server_default=sa.text("gen_random_uuid()"))


def downgrade() -> None:
    op.drop_column("events", "uid")
