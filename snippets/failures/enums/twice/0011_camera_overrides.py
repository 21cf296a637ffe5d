"""Create camera_overrides with the same Enum (fails when camera_mode was created by an earlier run).

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "camera_overrides",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("camera_id", sa.Integer, sa.ForeignKey("cameras.id"), nullable=False),
        sa.Column("mode", sa.Enum("day", "night", name="camera_mode"), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("camera_overrides")
