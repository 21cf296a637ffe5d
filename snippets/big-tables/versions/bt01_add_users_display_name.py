"""Add users.display_name, giving way to long transactions instead of queueing writers behind them.

Revision ID: bt01
Revises: 0009
"""

from collections.abc import Sequence

from alembic import op

from helpers import MigrationContext, growing_schedule

revision: str = "bt01"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# --8<-- [start:upgrade]
def upgrade() -> None:
    with MigrationContext("add_users_display_name") as ctx:
        # lock_timeout 50ms, 100ms ... 800ms; after each miss, a pause as long, then the next attempt.
        ctx.with_lock_retries(
            lambda: ctx.safe_column_add("users", "display_name", "TEXT"),
            schedule=growing_schedule(attempts=5, first=0.05, longest=1.0),
        )
# --8<-- [end:upgrade]


def downgrade() -> None:
    op.drop_column("users", "display_name")
