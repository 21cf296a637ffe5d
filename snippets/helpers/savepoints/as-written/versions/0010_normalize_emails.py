"""Normalise emails, the source text's savepoint pattern (re-raises: nothing is kept).

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

from alembic import op

from helpers import (
    MigrationContext,
    ensure_transaction_savepoint,
    release_savepoint,
    rollback_to_savepoint,
)

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with MigrationContext("normalize_emails") as ctx:
        conn = ctx.connection

        # Step 1 - safe
        ctx.safe_column_add("users", "email_normalized", "TEXT")
        ctx.execute("UPDATE users SET email_normalized = lower(email)")
        ensure_transaction_savepoint(conn, "after_step1")

        try:
            # Step 2 - might fail
            ctx.execute("CREATE UNIQUE INDEX ux_users_email_normalized ON users (email_normalized)")
            release_savepoint(conn, "after_step1")
        except Exception:
            # Undoes step 2 only...
            rollback_to_savepoint(conn, "after_step1")
            # ...but re-raising fails the migration: its whole transaction rolls back, step 1 too.
            raise


def downgrade() -> None:
    op.drop_index("ux_users_email_normalized", table_name="users", if_exists=True)
    op.drop_column("users", "email_normalized")
