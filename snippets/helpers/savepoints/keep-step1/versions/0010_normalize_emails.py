"""Normalise emails, keeping step 1 when step 2 fails on duplicates.

Revision ID: 0010
Revises: 0009
"""

import logging
from collections.abc import Sequence

from alembic import op
from sqlalchemy.exc import IntegrityError

from helpers import (
    MigrationContext,
    diagnose,
    ensure_transaction_savepoint,
    release_savepoint,
    rollback_to_savepoint,
)

logger = logging.getLogger("alembic.migration")

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with MigrationContext("normalize_emails") as ctx:
        conn = ctx.connection

        # Step 1 - must happen
        ctx.safe_column_add("users", "email_normalized", "TEXT")
        ctx.execute("UPDATE users SET email_normalized = lower(email)")
        ensure_transaction_savepoint(conn, "after_step1")

        try:
            # Step 2 - optional: fails while two emails differ only in case
            ctx.execute("CREATE UNIQUE INDEX ux_users_email_normalized ON users (email_normalized)")
            release_savepoint(conn, "after_step1")
        except IntegrityError as exc:  # only the failure we expect; anything else still fails
            rollback_to_savepoint(conn, "after_step1")  # step 2 undone, transaction usable
            logger.warning("Step 2 skipped, step 1 kept: %s", diagnose(exc).message)
            # No raise: the migration commits step 1 and is recorded as applied.


def downgrade() -> None:
    op.drop_index("ux_users_email_normalized", table_name="users", if_exists=True)
    op.drop_column("users", "email_normalized")
