"""Run a step outside the migration's transaction, the way CONCURRENTLY and long scans need.

Alembic's ``autocommit_block`` commits the migration's transaction so far; what follows runs in
a new one. This wrapper also carries the ``lock_timeout`` that was in force across that commit.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from alembic.runtime.migration import MigrationContext as AlembicMigrationContext
from sqlalchemy import exc as sa_exc

from .errors import MigrationHelperError
from .locks import current_lock_timeout, set_local_lock_timeout

if TYPE_CHECKING:
    from .step import Step

logger = logging.getLogger("alembic.helpers")


def alembic_owns_transaction(alembic_context: AlembicMigrationContext) -> bool:
    """True when the transaction open on the connection is the one Alembic began (and may commit).

    Alembic has no public way to ask this; ``autocommit_block`` asserts it (an AssertionError
    otherwise), so it is read here, the one place the helpers touch Alembic's private state.
    """
    return getattr(alembic_context, "_transaction", None) is not None


@contextmanager
def outside_transaction(step: Step, why: str) -> Iterator[None]:
    """Commit what the migration did so far, run the block in autocommit mode, then open a new transaction."""
    alembic_context = step.ops.get_context()
    if step.offline:  # Alembic writes COMMIT and BEGIN around the block into the script
        with alembic_context.autocommit_block():
            yield
        return
    conn = step.connection
    in_transaction = conn.in_transaction()
    if in_transaction and not alembic_owns_transaction(alembic_context):
        raise MigrationHelperError(
            f"{why} must run outside a transaction, and the one open on this connection is not "
            "Alembic's to commit; commit it first, or call this from a migration."
        )
    previous = current_lock_timeout(conn) if in_transaction else None
    if in_transaction:
        logger.warning("%s: committing the migration's work so far: %s runs outside a transaction", step.name, why)
    try:
        with alembic_context.autocommit_block():
            yield
    except sa_exc.PendingRollbackError as exc:
        # Alembic reopens its transaction on the way out; after a lost connection that fails with
        # "Can't reconnect until invalid transaction is rolled back", hiding what really happened.
        if isinstance(exc.__context__, sa_exc.DBAPIError):
            raise exc.__context__ from None
        raise
    if previous is not None:
        set_local_lock_timeout(conn, previous)
