"""Delete retired cameras (fails while events still reference them).

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("DELETE FROM cameras WHERE status = 'retired'")


def downgrade() -> None:
    # Deleted rows cannot be brought back by a migration; restore them from a backup if needed.
    pass
