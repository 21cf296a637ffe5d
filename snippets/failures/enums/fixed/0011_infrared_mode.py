"""Add the infrared mode (committed on its own, before anything uses it).

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Commits the migration's work so far, adds the value outside a transaction, then begins a new one.
    with op.get_context().autocommit_block():
        op.execute("ALTER TYPE camera_mode ADD VALUE IF NOT EXISTS 'infrared'")


def downgrade() -> None:
    pass  # PostgreSQL cannot remove an enum value (see "Removing a value")
