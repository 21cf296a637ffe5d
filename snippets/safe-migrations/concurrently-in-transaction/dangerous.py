"""Index events.kind concurrently inside the revision's transaction (fails with 25001).

Revision ID: 0010
Revises: 0009
"""

from alembic import op

revision = "0010"
down_revision = "0009"


def upgrade() -> None:
    op.create_index("ix_events_kind", "events", ["kind"], postgresql_concurrently=True)


def downgrade() -> None:
    op.drop_index("ix_events_kind", table_name="events")
