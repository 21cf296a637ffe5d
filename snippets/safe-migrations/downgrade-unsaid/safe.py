"""Delete test cameras; the downgrade says what it cannot bring back.

Revision ID: 0010
Revises: 0009
"""

from alembic import op

revision = "0010"
down_revision = "0009"


def upgrade() -> None:
    op.execute("DELETE FROM cameras WHERE name LIKE 'test-%'")


def downgrade() -> None:
    # The deleted cameras cannot be brought back by a migration; restore them from a backup if needed.
    pass
