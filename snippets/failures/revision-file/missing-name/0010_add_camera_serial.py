"""Add cameras.serial (import sqlalchemy as sa forgotten).

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("cameras", sa.Column("serial", sa.String(64)))  # noqa: F821


def downgrade() -> None:
    op.drop_column("cameras", "serial")
