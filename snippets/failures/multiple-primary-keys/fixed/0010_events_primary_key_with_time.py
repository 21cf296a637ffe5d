"""Key events by (id, created_at), ready for partitioning by time (the old key dropped first).

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
    # A table has one primary key: replace it, in the same transaction (find-key.sql gave its name).
    op.drop_constraint("events_pkey", "events", type_="primary")
    op.create_primary_key("pk_events", "events", ["id", "created_at"])


def downgrade() -> None:
    op.drop_constraint("pk_events", "events", type_="primary")
    op.create_primary_key("events_pkey", "events", ["id"])
