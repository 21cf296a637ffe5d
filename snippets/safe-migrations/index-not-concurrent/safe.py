"""Index events.kind concurrently, outside the transaction (writes go on).

Revision ID: 0010
Revises: 0009
"""

from alembic import op

revision = "0010"
down_revision = "0009"


def upgrade() -> None:
    with op.get_context().autocommit_block():
        op.create_index("ix_events_kind", "events", ["kind"], postgresql_concurrently=True, if_not_exists=True)


def downgrade() -> None:
    with op.get_context().autocommit_block():
        op.drop_index("ix_events_kind", table_name="events", postgresql_concurrently=True)
