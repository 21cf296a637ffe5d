"""Add cameras.serial_number (a no-op if a hotfix already added it).

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

from alembic import op

from helpers import MigrationContext

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with MigrationContext("add_camera_serial_number") as ctx:
        # Already there with the same type and nullability: logged, nothing to do.
        # There with another type or NOT NULL: fails before changing anything.
        ctx.safe_column_add(
            "cameras",
            "serial_number",
            "VARCHAR(255)",
            nullable=True,
        )
        ctx.verify_column_exists("cameras", "serial_number")


def downgrade() -> None:
    op.drop_column("cameras", "serial_number")
