"""Key events by (id, created_at), ready for partitioning by time (fails: events has a primary key).

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
    op.create_primary_key("pk_events", "events", ["id", "created_at"])


def downgrade() -> None:
    op.drop_constraint("pk_events", "events", type_="primary")
