"""Lock timeouts with retries: take a lock briefly or give way, instead of queueing everyone behind you.

Each attempt runs in a savepoint under ``SET LOCAL lock_timeout``; an attempt that times out
(SQLSTATE 55P03) is rolled back to its savepoint, which also releases the locks it took, and
retried after a pause with a longer timeout. The ``lock_timeout`` in force before is restored.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection

from .diagnosis import sqlstate_of
from .errors import MigrationHelperError

logger = logging.getLogger("alembic.helpers")

T = TypeVar("T")

LOCK_NOT_AVAILABLE = "55P03"

_CURRENT = sa.text("SELECT current_setting('lock_timeout')")
_SET_LOCAL = sa.text("SELECT set_config('lock_timeout', :value, true)")
_BLOCKERS = sa.text(
    """
    SELECT a.pid, a.application_name, a.state, a.query
    FROM pg_catalog.pg_stat_activity a
    WHERE a.pid = ANY (pg_catalog.pg_blocking_pids(:pid))
    ORDER BY a.pid
    """
)


def growing_schedule(
    attempts: int = 8, first: float = 0.05, factor: float = 2.0, longest: float = 3.0
) -> tuple[float, ...]:
    """Lock timeouts in seconds, one per attempt: ``first``, then times ``factor``, at most ``longest``.

    ```python
    from helpers import growing_schedule

    assert growing_schedule(6, first=0.1, longest=2.0) == (0.1, 0.2, 0.4, 0.8, 1.6, 2.0)
    ```
    """
    if not isinstance(attempts, int) or attempts < 1:
        raise MigrationHelperError(f"attempts must be a whole number of at least 1, not {attempts!r}.")
    for label, value in (("first", first), ("longest", longest)):
        if not isinstance(value, int | float) or value <= 0:
            raise MigrationHelperError(f"{label} must be a positive number of seconds, not {value!r}.")
    if not isinstance(factor, int | float) or factor < 1:
        raise MigrationHelperError(f"factor must be a number of at least 1, not {factor!r}.")
    return tuple(min(first * factor**i, longest) for i in range(attempts))


DEFAULT_SCHEDULE = growing_schedule()
"""The lock timeouts ``with_lock_retries`` tries by default: 50 ms, 100 ms, 200 ms ... capped at 3 s.

Eight attempts, about 12 s of waiting in all.
"""


@dataclass(frozen=True)
class BlockingSession:
    """A session seen holding a lock the migration waited for, from ``pg_stat_activity``."""

    pid: int
    application_name: str
    state: str | None
    query: str

    def __str__(self) -> str:
        query = " ".join(self.query.split())
        query = query if len(query) <= 80 else query[:77] + "..."
        return (
            f"pid {self.pid} (application_name {self.application_name!r}, state {self.state!r}, "
            f"query {query!r})"
        )


class LockRetriesExhaustedError(MigrationHelperError):
    """Every attempt timed out waiting for a lock; the work was rolled back to before the first one.

    Carries SQLSTATE 55P03, so the diagnosis files it under "lock timeout".
    """

    sqlstate = LOCK_NOT_AVAILABLE

    def __init__(self, message: str, blockers: Sequence[BlockingSession]) -> None:
        super().__init__(message)
        self.blockers = list(blockers)


def _milliseconds(seconds: float) -> str:
    return f"{max(1, round(seconds * 1000))}ms"


def current_lock_timeout(conn: Connection) -> str:
    """The ``lock_timeout`` in force on ``conn``, as PostgreSQL spells it (``"5s"``, ``"0"``)."""
    return str(conn.execute(_CURRENT).scalar_one())


def set_local_lock_timeout(conn: Connection, value: str) -> None:
    """``SET LOCAL lock_timeout`` for the rest of the current transaction; the value is a bound parameter."""
    conn.execute(_SET_LOCAL, {"value": value})


class _BlockerWatch:
    """Polls ``pg_blocking_pids`` for ``pid`` from a second connection while the attempts wait.

    Through an async driver (asyncpg, under ``run_sync``) the engine cannot be used from another
    thread, so the watch opens its own async engine on the same URL there.
    """

    def __init__(self, engine: sa.Engine, pid: int) -> None:
        self._engine = engine
        self._pid = pid
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._seen: dict[int, BlockingSession] = {}
        self._thread = threading.Thread(target=self._run, name="lock-retries-watch", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def take(self) -> list[BlockingSession]:
        """Sessions seen blocking since the last call."""
        with self._lock:
            seen, self._seen = list(self._seen.values()), {}
        return seen

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _record(self, rows: Iterable[sa.Row[Any]]) -> None:
        for row in rows:
            session = BlockingSession(row.pid, row.application_name or "", row.state, row.query or "")
            with self._lock:
                self._seen[session.pid] = session

    def _run(self) -> None:
        try:
            if self._engine.dialect.is_async:  # asyncpg: this thread has no greenlet, so an engine of its own
                asyncio.run(self._run_async())
                return
            with self._engine.connect() as conn:
                conn = conn.execution_options(isolation_level="AUTOCOMMIT")
                while not self._stop.is_set():
                    self._record(conn.execute(_BLOCKERS, {"pid": self._pid}))
                    self._stop.wait(0.02)
        except Exception as exc:  # diagnostics only: never let the watch break the migration
            logger.debug("could not watch for blocking sessions: %s", exc)

    async def _run_async(self) -> None:
        from sqlalchemy.ext.asyncio import create_async_engine  # needs greenlet, there with any async driver

        engine = create_async_engine(self._engine.url, poolclass=sa.NullPool)
        try:
            async with engine.connect() as conn:
                conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
                while not self._stop.is_set():
                    self._record(await conn.execute(_BLOCKERS, {"pid": self._pid}))
                    await asyncio.sleep(0.02)
        finally:
            await engine.dispose()


def with_lock_retries(
    conn: Connection,
    operation: Callable[[], T],
    *,
    schedule: Sequence[float] = DEFAULT_SCHEDULE,
    pause: Callable[[int, float], float] | None = None,
    what: str = "operation",
) -> T:
    """Run ``operation()`` with a short ``lock_timeout``, retrying on 55P03 with the next, longer one.

    ``schedule`` gives each attempt's timeout in seconds; after a failed attempt the pause is
    ``pause(attempt, timeout)`` seconds (by default as long as the timeout just tried). When every
    attempt times out, ``LockRetriesExhaustedError`` names the blocking sessions; nothing
    ``operation`` did is kept. ``operation`` must do its work on ``conn``.
    """
    timeouts = list(schedule)
    if not timeouts or not all(isinstance(t, int | float) and t > 0 for t in timeouts):
        raise MigrationHelperError(
            f"The lock retry schedule {schedule!r} is not valid; give one or more positive "
            "timeouts in seconds."
        )
    previous = current_lock_timeout(conn)
    watch: _BlockerWatch | None = None
    blockers: list[BlockingSession] = []
    last: BaseException | None = None
    try:
        for attempt, timeout in enumerate(timeouts, start=1):
            savepoint = conn.begin_nested()
            try:
                set_local_lock_timeout(conn, _milliseconds(timeout))
                result = operation()
            except sa_exc.DBAPIError as exc:
                if sqlstate_of(exc) != LOCK_NOT_AVAILABLE:
                    savepoint.rollback()
                    raise
                savepoint.rollback()  # undoes SET LOCAL too, and releases the locks this attempt took
                last = exc
            else:
                savepoint.commit()
                set_local_lock_timeout(conn, previous)  # a released savepoint keeps SET LOCAL: undo it
                if attempt > 1:
                    logger.info("%s: got its locks on attempt %d of %d", what, attempt, len(timeouts))
                return result
            if watch is not None:
                blockers = watch.take() or blockers
            who = "; blocked by " + ", ".join(str(b) for b in blockers) if blockers else ""
            if attempt == len(timeouts):
                break
            wait = pause(attempt, timeout) if pause is not None else timeout
            logger.warning(
                "%s: lock_timeout %s ran out on attempt %d of %d%s; retrying in %.2fs",
                what,
                _milliseconds(timeout),
                attempt,
                len(timeouts),
                who,
                wait,
            )
            if watch is None:
                pid = int(conn.execute(sa.text("SELECT pg_backend_pid()")).scalar_one())
                watch = _BlockerWatch(conn.engine, pid)
                watch.start()
            time.sleep(wait)
    finally:
        if watch is not None:
            watch.stop()
    names = ", ".join(str(b) for b in blockers) if blockers else "a session that could not be identified"
    raise LockRetriesExhaustedError(
        f"{what}: could not get its locks in {len(timeouts)} attempts (lock_timeout "
        f"{_milliseconds(timeouts[0])} to {_milliseconds(max(timeouts))}); blocked by {names}. "
        "Nothing was changed.",
        blockers,
    ) from last
