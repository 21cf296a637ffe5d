"""Create camera_schedules and camera_overrides, each with a mode from one Enum, in one revision.

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "camera_schedules",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("camera_id", sa.Integer, sa.ForeignKey("cameras.id"), nullable=False),
        sa.Column("mode", sa.Enum("day", "night", name="camera_mode"), nullable=False),
    )
    op.create_table(
        "camera_overrides",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("camera_id", sa.Integer, sa.ForeignKey("cameras.id"), nullable=False),
        sa.Column("mode", sa.Enum("day", "night", name="camera_mode"), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("camera_overrides")
    op.drop_table("camera_schedules")
