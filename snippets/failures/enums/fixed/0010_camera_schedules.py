"""Create camera_schedules with an Enum column; the type is created and dropped explicitly.

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CAMERA_MODE = postgresql.ENUM("day", "night", name="camera_mode", create_type=False)


def upgrade() -> None:
    # checkfirst=False: a leftover type fails here (42710) rather than being reused with other values.
    CAMERA_MODE.create(op.get_bind(), checkfirst=False)
    op.create_table(
        "camera_schedules",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("camera_id", sa.Integer, sa.ForeignKey("cameras.id"), nullable=False),
        sa.Column("mode", CAMERA_MODE, nullable=False),  # create_type=False: no second CREATE TYPE
    )


def downgrade() -> None:
    op.drop_table("camera_schedules")
    CAMERA_MODE.drop(op.get_bind())
