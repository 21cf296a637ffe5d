"""Rebuild events' indexes concurrently, outside the transaction.

Revision ID: 0010
Revises: 0009
"""

from alembic import op

revision = "0010"
down_revision = "0009"


def upgrade() -> None:
    with op.get_context().autocommit_block():
        op.execute("REINDEX TABLE CONCURRENTLY events")


def downgrade() -> None:
    pass  # nothing to undo: REINDEX changes no schema
