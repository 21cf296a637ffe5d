"""Which PostgreSQL driver the tests run through: ``PG_DRIVER=psycopg`` (the default), ``psycopg2`` or ``asyncpg``.

The driver is the scheme of every URL handed to what is under test (``DATABASE_URL``, the
``database.engine`` of a test), so the example project's env.py and the helpers run through it.
The server's own admin connection (creating databases) stays on psycopg 3: it is the harness,
not the subject.

asyncpg is async only: SQLAlchemy's synchronous API reaches it inside a greenlet with an event
loop running (what ``AsyncConnection.run_sync`` does). Under asyncpg each test runs whole (setup,
call, teardown) inside one (``run_in_greenlet``, from tests/conftest.py), as SQLAlchemy's own test
suite runs its sync tests on async drivers; Alembic's command line, whose env.py calls
``asyncio.run``, runs in a thread of its own (tests/support/transcript.py). A second session a test
starts in a thread (a lock holder) goes through the harness's engine, ``Database.instrument``.
"""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url

_T = TypeVar("_T")

#: PG_DRIVER value -> SQLAlchemy's driver name in a URL scheme.
SCHEMES = {"psycopg": "postgresql+psycopg", "psycopg2": "postgresql+psycopg2", "asyncpg": "postgresql+asyncpg"}
DEFAULT = "psycopg"


def name() -> str:
    """The driver of this run, from ``PG_DRIVER`` (psycopg 3 when unset)."""
    value = os.environ.get("PG_DRIVER", "").strip() or DEFAULT
    if value not in SCHEMES:
        raise ValueError(f"PG_DRIVER={value!r} is not a driver the tests know; use one of {', '.join(SCHEMES)}.")
    return value


def is_async() -> bool:
    return name() == "asyncpg"


def url(value: URL | str) -> URL:
    """``value`` with this run's driver in its scheme (``postgresql+asyncpg://...``)."""
    return make_url(value).set(drivername=SCHEMES[name()])


def engine(value: URL | str) -> sa.Engine:
    """A synchronous Engine through this run's driver (for asyncpg, an AsyncEngine's ``sync_engine``)."""
    if is_async():
        from sqlalchemy.ext.asyncio import create_async_engine

        target = url(value)
        if "sslmode" in target.query:  # asyncpg spells libpq's sslmode "ssl" (env.py does the same)
            target = target.difference_update_query(["sslmode"]).update_query_dict({"ssl": target.query["sslmode"]})
        return create_async_engine(target, poolclass=sa.NullPool).sync_engine
    return sa.create_engine(url(value), poolclass=sa.NullPool)


_runner: asyncio.Runner | None = None


def run_in_greenlet(fn: Callable[..., _T], *args: Any, **kwargs: Any) -> _T:
    """Call ``fn`` where SQLAlchemy's sync API can reach an async driver: a greenlet on this thread's loop."""
    from sqlalchemy.util.concurrency import greenlet_spawn

    global _runner
    if threading.current_thread() is not threading.main_thread():
        return asyncio.run(greenlet_spawn(fn, *args, **kwargs))
    if _runner is None:
        _runner = asyncio.Runner()
    return _runner.run(greenlet_spawn(fn, *args, **kwargs))


def close() -> None:
    global _runner
    if _runner is not None:
        _runner.close()
        _runner = None


def loop_running() -> bool:
    """True inside a test run by ``run_in_greenlet``: ``asyncio.run`` cannot be called here."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def until_closed_seen(dbapi_connection: Any, timeout: float = 10) -> None:
    """Under asyncpg, wait (bounded) until the driver has read that the server closed the connection.

    asyncpg reads its socket only while the event loop runs: through SQLAlchemy's sync API, only while
    a query of some connection waits. Between reading the server's farewell (an ErrorResponse while
    idle) and reading the socket's end, its next query fails with ``InternalClientError: cannot switch
    to state 11; another operation (2) is in progress`` instead of "connection is closed". psycopg 3 and
    psycopg2 read nothing until the next query: nothing to wait for.
    """
    if not is_async():
        return
    from sqlalchemy.util import await_only

    driver_connection = dbapi_connection.driver_connection
    deadline = time.monotonic() + timeout
    while not driver_connection.is_closed():
        if time.monotonic() > deadline:
            raise TimeoutError(f"asyncpg did not see its connection closed within {timeout} s")
        await_only(asyncio.sleep(0.01))


def raw_socket(dbapi_connection: Any) -> socket.socket:
    """A duplicate of the socket under a DBAPI connection, whichever driver made it."""
    if hasattr(dbapi_connection, "fileno"):  # psycopg 3, psycopg2
        fileno = dbapi_connection.fileno()
    else:  # SQLAlchemy's asyncpg adapter: the asyncpg connection's transport
        transport = dbapi_connection.driver_connection._transport
        fileno = transport.get_extra_info("socket").fileno()
    return socket.socket(fileno=os.dup(fileno))
