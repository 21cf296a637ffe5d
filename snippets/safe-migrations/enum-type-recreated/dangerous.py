"""Log camera mode changes, declaring camera_mode again (fails with 42710).

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"


def upgrade() -> None:
    op.create_table(
        "camera_mode_changes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("camera_id", sa.Integer, nullable=False),
        sa.Column("mode", sa.Enum("day", "night", name="camera_mode"), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("camera_mode_changes")
