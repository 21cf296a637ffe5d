"""Delete test cameras; the downgrade silently does nothing.

Revision ID: 0010
Revises: 0009
"""

from alembic import op

revision = "0010"
down_revision = "0009"


def upgrade() -> None:
    op.execute("DELETE FROM cameras WHERE name LIKE 'test-%'")


def downgrade() -> None:
    pass
