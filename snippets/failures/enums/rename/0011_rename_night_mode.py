"""Rename the night mode to dark (one statement, in the migration's transaction).

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
    op.execute("ALTER TYPE camera_mode RENAME VALUE 'night' TO 'dark'")


def downgrade() -> None:
    op.execute("ALTER TYPE camera_mode RENAME VALUE 'dark' TO 'night'")
