"""Make cameras.location required, without holding an exclusive lock for the scan.

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from helpers import MigrationContext

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with MigrationContext("require_camera_location") as ctx:
        # CHECK (location IS NOT NULL) NOT VALID, VALIDATE (no exclusive lock), SET NOT NULL (no scan), drop the check.
        ctx.set_not_null("cameras", "location")


def downgrade() -> None:
    op.alter_column("cameras", "location", existing_type=sa.Text(), nullable=True)
