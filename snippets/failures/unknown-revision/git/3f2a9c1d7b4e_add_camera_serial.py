"""Add cameras.serial (branch feature/camera-serial).

Revision ID: 3f2a9c1d7b4e
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3f2a9c1d7b4e"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("cameras", sa.Column("serial", sa.String(64)))


def downgrade() -> None:
    op.drop_column("cameras", "serial")
