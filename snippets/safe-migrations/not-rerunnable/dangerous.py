"""Index events by kind and by creation time, concurrently (a retry after a failure fails on the first).

Revision ID: 0010
Revises: 0009
"""

from alembic import op

revision = "0010"
down_revision = "0009"


def upgrade() -> None:
    with op.get_context().autocommit_block():
        op.create_index("ix_events_kind", "events", ["kind"], postgresql_concurrently=True)
        op.create_index("ix_events_created_at", "events", ["created_at"], postgresql_concurrently=True)


def downgrade() -> None:
    with op.get_context().autocommit_block():
        op.drop_index("ix_events_created_at", table_name="events", postgresql_concurrently=True, if_exists=True)
        op.drop_index("ix_events_kind", table_name="events", postgresql_concurrently=True, if_exists=True)
