"""Rebuild events' indexes in the transaction (REINDEX: writes to events wait).

Revision ID: 0010
Revises: 0009
"""

from alembic import op

revision = "0010"
down_revision = "0009"


def upgrade() -> None:
    op.execute("REINDEX TABLE events")


def downgrade() -> None:
    pass  # nothing to undo: REINDEX changes no schema
