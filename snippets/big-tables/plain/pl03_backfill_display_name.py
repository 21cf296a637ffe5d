"""Fill users.display_name in one UPDATE, then make it NOT NULL (plain Alembic).

Revision ID: pl03
Revises: pl02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "pl03"
down_revision: str | Sequence[str] | None = "pl02"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# --8<-- [start:upgrade]
def upgrade() -> None:
    op.execute("UPDATE users SET display_name = name")
    op.alter_column("users", "display_name", nullable=False)
# --8<-- [end:upgrade]


def downgrade() -> None:
    op.alter_column("users", "display_name", nullable=True)
