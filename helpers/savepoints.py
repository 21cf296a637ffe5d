"""Savepoints inside the migration's transaction, for a partial rollback.

Rolling back to a savepoint undoes the steps after it and leaves the transaction usable;
the migration keeps what came before only if it then carries on instead of re-raising.
"""

from __future__ import annotations

import logging

from sqlalchemy.engine import Connection

from .identifiers import check_savepoint_name

logger = logging.getLogger("alembic.helpers")


def _run(conn: Connection, statement: str, name: str) -> None:
    quoted = conn.dialect.identifier_preparer.quote(check_savepoint_name(name))
    conn.exec_driver_sql(f"{statement} {quoted}")
    logger.info("%s %s", statement, quoted)


def ensure_transaction_savepoint(conn: Connection, name: str) -> None:
    """Open a transaction if none is open, then set savepoint ``name`` in it."""
    check_savepoint_name(name)
    if not conn.in_transaction():
        conn.begin()
    _run(conn, "SAVEPOINT", name)


def rollback_to_savepoint(conn: Connection, name: str) -> None:
    """Undo everything done since savepoint ``name``; the transaction stays open and usable."""
    _run(conn, "ROLLBACK TO SAVEPOINT", name)


def release_savepoint(conn: Connection, name: str) -> None:
    """Forget savepoint ``name``, keeping what was done since it."""
    _run(conn, "RELEASE SAVEPOINT", name)
