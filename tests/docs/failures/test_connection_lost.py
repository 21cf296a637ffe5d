"""docs/failures/connection-lost.md: the migration's connection is cut mid-run, three ways.

The migration is made to wait (the lock-timeout scenario's blocking session holds a lock revision
0009 needs, and the run may wait a minute), then its connection is cut: the backend terminated,
the TCP connection closed under the client by a proxy, and the same over SSL. Each time the
transaction is rolled back, and the retry reaches head.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa

from tests.support import drivers, sessions, ssl_server
from tests.support.database import Database
from tests.support.paths import page, snippet_dir
from tests.support.proxy import Proxy
from tests.support.scenario import Captures, at_revision
from tests.support.transcript import Background, Run, alembic, alembic_path

PAGE = page("failures/connection-lost")
HEAD = "0009"
BLOCKER = snippet_dir(page("failures/lock-timeout")) / "blocker.sql"
MIGRATION = "%ALTER TABLE %cameras%"
#: How each driver reports each cut (the first line of the diagnosis); the page shows them in tabs.
SAYS = {
    "terminated": {
        "psycopg": "terminating connection due to administrator command",
        "psycopg2": "server closed the connection unexpectedly",  # the server's reason is not passed on
        "asyncpg": "connection was closed in the middle of operation: "
        "terminating connection due to administrator command",
    },
    "tcp-cut": {
        "psycopg": "server closed the connection unexpectedly",
        "psycopg2": "server closed the connection unexpectedly",
        "asyncpg": "connection was closed in the middle of operation",
    },
    "ssl-cut": {
        # Not the source text's "SSL connection has been closed unexpectedly" (older libpq/OpenSSL).
        "psycopg": "SSL error: unexpected eof while reading",
        "psycopg2": "SSL SYSCALL error: EOF detected",
        "asyncpg": "connection was closed in the middle of operation",
    },
}


def says(cut: str) -> str:
    return SAYS[cut][drivers.name()]


def prepare(database: Database) -> None:
    at_revision(database, "0007")
    database.sql("INSERT INTO users (id, email, name) VALUES (1, 'ann@example.com', 'Ann')")
    database.sql("INSERT INTO cameras (id, owner_id, name) VALUES (1, 1, 'Front door'), (2, 1, 'Garage')")


def lose_connection(
    database: Database,
    captures: Captures,
    name: str,
    cut: Callable[[int], None],
    migrate_env: dict[str, str] | None = None,
    leftover: bool = False,
) -> str:
    """Run the migration, cut its connection while it waits, and prove the rollback; returns its output."""
    prepare(database)
    with sessions.blocker(database, BLOCKER):
        before = database.fingerprint()
        args = [alembic_path(), "-x", "lock_timeout=1min", "upgrade", "head"]
        with Background(args, env=migrate_env or database.env) as migration:
            pid = sessions.wait_until_waiting(database, MIGRATION)
            cut(pid)
            lost = captures.check(f"{name}.txt", migration.finish())
        assert lost.returncode == 1
        assert "ERROR - Migration failed due to lost connection: " in lost.output
        assert "ROLLBACK: The connection was lost before COMMIT" in lost.output

        alive = database.scalar("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid", pid=pid)
        if leftover:
            # The server has not noticed: the migration's backend still waits, holding its locks.
            assert alive == 1
            end_leftover(database, captures, name, pid)
        sessions.wait_until_gone(database, pid)
        assert database.fingerprint() == before  # rolled back: 0008's column is gone too
        current = database.alembic("current")
        assert "0007" in current.output and "(head)" not in current.output
        if name == "terminated":
            captures.check("current.txt", current)

    retry = captures.check("retry.txt", run_alembic(database, migrate_env, "upgrade", "head"))
    assert retry.returncode == 0
    assert f"{HEAD} (head)" in database.alembic("current").output
    assert database.scalar("SELECT count(*) FROM cameras") == 2
    return lost.output


def run_alembic(database: Database, env: dict[str, str] | None, *args: str) -> Run:
    return alembic(*args, env=env) if env is not None else database.alembic(*args)


def end_leftover(database: Database, captures: Captures, name: str, pid: int) -> None:
    """Find the leftover migration session with the page's query and end it (captured for TCP)."""
    found = captures.psql(database, "-x", "-f", "find-leftover.sql")
    assert found.returncode == 0, found.output
    assert f"pid             | {pid}" in found.output
    ended = captures.psql(database, "-v", f"pid={pid}", "-f", "end-leftover.sql")
    assert ended.returncode == 0, ended.output
    if name == "tcp-cut":
        captures.check("find-leftover.txt", found)
        captures.check("end-leftover.txt", ended)


def terminate(database: Database) -> Callable[[int], None]:
    def cut(pid: int) -> None:
        assert database.scalar("SELECT pg_terminate_backend(:pid)", pid=pid) is True

    return cut


def test_terminated_backend(database: Database, update_snapshots: bool) -> None:
    captures = Captures(PAGE, update_snapshots)
    output = lose_connection(database, captures, "terminated", terminate(database))
    assert says("terminated") in output


def server_address(database: Database) -> Path | tuple[str, int]:
    """Where the proxy forwards to: the server's unix socket, or its TCP address (a container)."""
    host, port = database.env["PGHOST"], int(database.env.get("PGPORT", "5432"))
    return Path(host) / f".s.PGSQL.{port}" if host.startswith("/") else (host, port)


def test_tcp_connection_cut(database: Database, update_snapshots: bool) -> None:
    captures = Captures(PAGE, update_snapshots)
    with Proxy(server_address(database)) as proxy:
        url = sa.make_url(database.url).set(host="127.0.0.1", port=proxy.port, query={})
        env = {**database.env, "DATABASE_URL": url.render_as_string(hide_password=False)}
        output = lose_connection(
            database, captures, "tcp-cut", lambda pid: proxy.cut(), migrate_env=env, leftover=True
        )
    assert says("tcp-cut") in output


@pytest.fixture
def ssl_database() -> Iterator[Database]:
    """A fresh database on a PostgreSQL server with SSL (skipped where there is none)."""
    reason = ssl_server.unavailable()
    if reason:
        pytest.skip(reason)
    with ssl_server.ssl_server() as server:
        with psycopg.connect(server.url("postgres"), autocommit=True) as conn:
            conn.execute("CREATE DATABASE security")
        engine = drivers.engine(server.url("security"))
        # DATABASE_URL in libpq's form (sslmode=require) with this run's driver: env.py adapts it for asyncpg.
        url = drivers.url(server.url("security")).render_as_string(hide_password=False)
        yield Database("security", engine, {**os.environ, **server.env("security"), "DATABASE_URL": url})
        engine.dispose()


def test_ssl_connection_cut(ssl_database: Database, update_snapshots: bool) -> None:
    captures = Captures(PAGE, update_snapshots)
    port = int(ssl_database.env["PGPORT"])
    with Proxy(("127.0.0.1", port)) as proxy:
        url = ssl_database.env["DATABASE_URL"].replace(f":{port}/", f":{proxy.port}/")
        env = {**ssl_database.env, "DATABASE_URL": url}
        output = lose_connection(
            ssl_database, captures, "ssl-cut", lambda pid: proxy.cut(), migrate_env=env, leftover=True
        )
    assert says("ssl-cut") in output
