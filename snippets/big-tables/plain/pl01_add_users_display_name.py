"""Add users.display_name (plain Alembic).

Revision ID: pl01
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "pl01"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# --8<-- [start:upgrade]
def upgrade() -> None:
    op.add_column("users", sa.Column("display_name", sa.Text))
# --8<-- [end:upgrade]


def downgrade() -> None:
    op.drop_column("users", "display_name")
