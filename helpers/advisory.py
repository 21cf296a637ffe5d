"""One migration run at a time: a session-level advisory lock held for the whole run.

Alembic itself does not stop two ``alembic upgrade head`` started together (its issue #633).
A session lock, unlike ``pg_advisory_xact_lock``, survives the commits of an ``autocommit_block``
(concurrent indexes), and PostgreSQL drops it when the session ends, even after a crash.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection

from .errors import MigrationHelperError
from .locks import BlockingSession

logger = logging.getLogger("alembic.helpers")

_TRY_LOCK = sa.text("SELECT pg_try_advisory_lock(:key)")
_UNLOCK = sa.text("SELECT pg_advisory_unlock(:key)")
_HOLDERS = sa.text(
    """
    SELECT a.pid, a.application_name, a.state, a.query
    FROM pg_catalog.pg_locks l
    JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
    WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
      AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())
      AND ((l.classid::bigint << 32) | l.objid::bigint) = :key
    """
)


class MigrationLockTimeoutError(MigrationHelperError):
    """Another migration run held the lock for longer than this run was willing to wait."""


def lock_key(name: str) -> int:
    """The advisory lock key for ``name``: the first 63 bits of its SHA-256, the same in every process."""
    if not isinstance(name, str) or not name:
        raise MigrationHelperError(f"The migration lock name {name!r} is not valid; give a non-empty string.")
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big") >> 1


def lock_holders(conn: Connection, name: str) -> list[BlockingSession]:
    """The sessions holding the migration lock ``name`` (at most one), from ``pg_locks``."""
    rows = conn.execute(_HOLDERS, {"key": lock_key(name)})
    return [BlockingSession(r.pid, r.application_name or "", r.state, r.query or "") for r in rows]


def _try_lock(conn: Connection, key: int, was_in_transaction: bool) -> bool:
    got = bool(conn.execute(_TRY_LOCK, {"key": key}).scalar_one())
    if not was_in_transaction:
        conn.commit()  # the lock belongs to the session; leave no transaction open behind it
    return got


@contextmanager
def migration_lock(
    conn: Connection, name: str = "alembic_version", wait: float = 60.0, poll: float = 0.2
) -> Iterator[None]:
    """Hold advisory lock ``name`` for the block; wait at most ``wait`` seconds for another run to finish.

    Raises ``MigrationLockTimeoutError`` naming the session that holds it when the wait runs out.
    """
    if not isinstance(wait, int | float) or wait < 0:
        raise MigrationHelperError(f"The migration lock wait {wait!r} is not valid; give seconds, 0 or more.")
    key = lock_key(name)
    was_in_transaction = conn.in_transaction()
    started = time.monotonic()
    if not _try_lock(conn, key, was_in_transaction):
        holders = lock_holders(conn, name)
        if not was_in_transaction:
            conn.commit()
        who = ", ".join(str(h) for h in holders) or "a session that has just finished"
        logger.info("Another migration run holds the migration lock: %s; waiting up to %gs", who, wait)
        while True:
            elapsed = time.monotonic() - started
            if elapsed >= wait:
                raise MigrationLockTimeoutError(
                    f"Another migration run still holds the migration lock after {wait:g}s ({who}); "
                    "this run changed nothing. Let it finish, check alembic current, then retry."
                )
            time.sleep(min(poll, wait - elapsed))
            if _try_lock(conn, key, was_in_transaction):
                break
        logger.info("Got the migration lock after %.1fs", time.monotonic() - started)
    try:
        yield
    finally:
        # A lost connection: the server drops the lock with the session. Executing on it would open a
        # new connection, which after a network partition hangs until connect_timeout.
        if not (conn.invalidated or conn.closed):
            try:
                conn.execute(_UNLOCK, {"key": key})
                if not was_in_transaction and conn.in_transaction():
                    conn.commit()
            except sa_exc.DBAPIError as exc:  # lost while unlocking: the session's end releases it
                logger.debug("could not release the migration lock (%s); the session's end releases it", exc)
