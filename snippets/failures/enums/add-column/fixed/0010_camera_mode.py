"""Add cameras.mode as an Enum, its type created first and dropped after.

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

CAMERA_MODE = sa.Enum("day", "night", name="camera_mode")


def upgrade() -> None:
    CAMERA_MODE.create(op.get_bind(), checkfirst=False)  # add_column would not
    op.add_column("cameras", sa.Column("mode", CAMERA_MODE))


def downgrade() -> None:
    op.drop_column("cameras", "mode")
    CAMERA_MODE.drop(op.get_bind(), checkfirst=False)  # drop_column would not
