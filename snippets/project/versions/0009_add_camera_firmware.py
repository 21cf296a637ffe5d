"""Add cameras.firmware_version through the helpers (safe to re-run).

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

from alembic import op

from helpers import MigrationContext

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with MigrationContext("add_camera_firmware_version") as ctx:
        ctx.safe_column_add("cameras", "firmware_version", "VARCHAR(64)", nullable=True)
        ctx.verify_column_exists("cameras", "firmware_version")


def downgrade() -> None:
    op.drop_column("cameras", "firmware_version")
