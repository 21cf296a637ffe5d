"""Other sessions around a migration: one that holds a lock, and waiting for the migration to queue.

Every wait here is bounded; a test that would hang fails with a message instead.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import psycopg
import sqlalchemy as sa

from tests.support.database import Database

#: The application name the blocking session reports in pg_stat_activity.
BLOCKER_APP = "nightly-report"
_WAITING = sa.text(
    """
    SELECT pid FROM pg_stat_activity
    WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE :query
    """
)


def libpq_conninfo(db: Database, **extra: str) -> str:
    """A libpq connection string for ``db`` (psycopg's own, not SQLAlchemy's URL)."""
    url = db.engine.url
    params = {
        "host": url.host or str(url.query.get("host", "")),
        "port": str(url.port or ""),
        "user": url.username or "",
        "password": url.password or "",
        "dbname": url.database or "",
        **extra,
    }
    return psycopg.conninfo.make_conninfo(**{k: v for k, v in params.items() if v})


def statements(sql_file: Path) -> list[str]:
    """The statements of a simple SQL file (no semicolons inside them), comments dropped."""
    lines = [line for line in sql_file.read_text().splitlines() if not line.lstrip().startswith("--")]
    return [s.strip() + ";" for s in "\n".join(lines).split(";") if s.strip()]


@contextmanager
def blocker(db: Database, sql_file: Path) -> Iterator[psycopg.Connection]:
    """A session that runs ``sql_file`` (which opens a transaction and leaves it open).

    The locks its statements took are held until the block ends (or someone terminates the session).
    """
    conn = psycopg.connect(libpq_conninfo(db, application_name=BLOCKER_APP), autocommit=True)
    try:
        for statement in statements(sql_file):
            conn.execute(statement)
        yield conn
    finally:
        with suppress(psycopg.OperationalError):  # terminated: nothing left to roll back
            conn.execute("ROLLBACK")
        conn.close()


def backend_pid(conn: psycopg.Connection) -> int:
    return conn.info.backend_pid


def wait_until_waiting(db: Database, query_like: str, timeout: float = 20) -> int:
    """The pid of the session of ``db`` whose statement matches ``query_like`` once it waits on a lock."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with db.engine.connect() as conn:
            pid = conn.execute(_WAITING, {"query": query_like}).scalar()
        if pid is not None:
            return int(pid)
        time.sleep(0.05)
    raise AssertionError(f"no session waited on a lock running {query_like!r} within {timeout}s")


def wait_until_gone(db: Database, pid: int, timeout: float = 20) -> None:
    """Return once backend ``pid`` has ended (its transaction rolled back)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not db.scalar("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid", pid=pid):
            return
        time.sleep(0.05)
    raise AssertionError(f"backend {pid} was still there after {timeout}s")


def terminate(db: Database, pid: int) -> None:
    """``pg_terminate_backend(pid)`` and wait until the backend is gone."""
    assert db.scalar("SELECT pg_terminate_backend(:pid)", pid=pid) is True
    wait_until_gone(db, pid)
