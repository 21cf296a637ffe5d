"""Store cameras.firmware_version as a build number (fails: text to integer needs a cast).

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
    op.alter_column("cameras", "firmware_version", type_=sa.Integer, existing_type=sa.String(64))


def downgrade() -> None:
    op.alter_column("cameras", "firmware_version", type_=sa.String(64), existing_type=sa.Integer)
