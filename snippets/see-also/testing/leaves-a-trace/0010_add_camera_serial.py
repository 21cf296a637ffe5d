"""Add cameras.serial (its downgrade forgets the column).

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("cameras", sa.Column("serial", sa.Text(), nullable=True))
    op.create_index("ix_cameras_serial", "cameras", ["serial"])


def downgrade() -> None:
    op.drop_index("ix_cameras_serial", table_name="cameras")
