"""Run a step outside the migration's transaction, the way CONCURRENTLY and long scans need.

Alembic's ``autocommit_block`` commits the migration's transaction so far; what follows runs in
a new one. This wrapper also carries the ``lock_timeout`` that was in force across that commit.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from .errors import MigrationHelperError
from .locks import current_lock_timeout, set_local_lock_timeout

if TYPE_CHECKING:
    from .context import MigrationContext

logger = logging.getLogger("alembic.helpers")


@contextmanager
def outside_transaction(ctx: MigrationContext, why: str) -> Iterator[None]:
    """Commit what the migration did so far, run the block in autocommit mode, then open a new transaction."""
    alembic_context = ctx.ops.get_context()
    if ctx.offline:
        with alembic_context.autocommit_block():
            yield
        return
    conn = ctx.connection
    in_transaction = conn.in_transaction()
    if in_transaction and getattr(alembic_context, "_transaction", None) is None:
        raise MigrationHelperError(
            f"{why} must run outside a transaction, and the one open on this connection is not "
            "Alembic's to commit; commit it first, or call this from a migration."
        )
    previous = current_lock_timeout(conn) if in_transaction else None
    if in_transaction:
        logger.warning("%s: committing the migration's work so far: %s runs outside a transaction", ctx.name, why)
    with alembic_context.autocommit_block():
        yield
    if previous is not None:
        set_local_lock_timeout(conn, previous)
