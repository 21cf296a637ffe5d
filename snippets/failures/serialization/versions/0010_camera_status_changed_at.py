"""Record when each camera's status last changed (fails at SERIALIZABLE when the application changes a camera).

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("cameras", sa.Column("status_changed_at", sa.DateTime(timezone=True)))
    op.execute("UPDATE cameras SET status_changed_at = now()")


def downgrade() -> None:
    op.drop_column("cameras", "status_changed_at")
