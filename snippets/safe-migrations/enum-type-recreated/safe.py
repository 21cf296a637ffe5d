"""Log camera mode changes, using the camera_mode type revision 0010 created.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0011"
down_revision = "0010"


def upgrade() -> None:
    op.create_table(
        "camera_mode_changes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("camera_id", sa.Integer, nullable=False),
        sa.Column("mode", postgresql.ENUM("day", "night", name="camera_mode", create_type=False), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("camera_mode_changes")
