"""Add cameras.serial in SQL that is not SQL.

Revision ID: 0010
Revises: 0009
"""

from alembic import op

revision = "0010"
down_revision = "0009"


def upgrade() -> None:
    op.execute("ALTER TABLE cameras ADD COLUMN serial")


def downgrade() -> None:
    op.execute("ALTER TABLE cameras DROP COLUMN serial")
