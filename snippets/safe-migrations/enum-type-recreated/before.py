"""Give cameras a mode, of a new enum type camera_mode.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"


def upgrade() -> None:
    sa.Enum("day", "night", name="camera_mode").create(op.get_bind())
    op.add_column("cameras", sa.Column("mode", sa.Enum("day", "night", name="camera_mode")))


def downgrade() -> None:
    op.drop_column("cameras", "mode")
    op.execute("DROP TYPE camera_mode")
