"""Add cameras.serial (imports the application's models, which are not on the path here).

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from security.models import SERIAL_LENGTH

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("cameras", sa.Column("serial", sa.String(SERIAL_LENGTH)))


def downgrade() -> None:
    op.drop_column("cameras", "serial")
