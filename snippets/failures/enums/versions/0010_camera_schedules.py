"""Create camera_schedules with an Enum column, as autogenerate writes it.

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
    # create_table creates the type too (CREATE TYPE camera_mode AS ENUM ...), every time.
    op.create_table(
        "camera_schedules",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("camera_id", sa.Integer, sa.ForeignKey("cameras.id"), nullable=False),
        sa.Column("mode", sa.Enum("day", "night", name="camera_mode"), nullable=False),
    )


def downgrade() -> None:
    # drop_table does not drop the type: camera_mode stays behind.
    op.drop_table("camera_schedules")
