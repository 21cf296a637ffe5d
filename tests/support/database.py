"""The one throwaway server of a test process, and a fresh database on it per test."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from tests.support import drivers, fingerprint, throwaway, transcript
from tests.support.paths import PROJECT

_server: throwaway.Server | None = None


def server() -> throwaway.Server:
    """The one server of this test process, started on first use; its client tools go on PATH."""
    global _server
    if _server is None:
        _server = throwaway.start()
        if _server.bin_dir is not None:
            os.environ["PATH"] = f"{_server.bin_dir}{os.pathsep}{os.environ['PATH']}"
    return _server


def started_server() -> throwaway.Server | None:
    """The server of this process if it has started one."""
    return _server


def stop_server() -> None:
    if _server is not None:
        _server.stop()


@dataclass
class Database:
    """A fresh database for one test: its name, a SQLAlchemy engine, and the PG* environment.

    ``engine`` goes through this run's driver (``PG_DRIVER``): it is what tests hand to the code
    under test. ``sql``, ``scalar`` and ``fingerprint`` are the harness's own instruments and go
    through ``harness`` (psycopg 3) when it is set, so a setup script of several statements runs
    the same under every driver (asyncpg prepares each statement, and refuses several in one).
    """

    name: str
    engine: sa.Engine
    env: dict[str, str]
    harness: sa.Engine | None = None

    @property
    def instrument(self) -> sa.Engine:
        return self.harness or self.engine

    @property
    def url(self) -> str:
        return self.env["DATABASE_URL"]

    def run(self, args: Sequence[str], cwd: Path = PROJECT, display: str | None = None) -> transcript.Run:
        """Run a command against this database; stdout and stderr merged."""
        return transcript.run(args, env=self.env, cwd=cwd, display=display)

    def shell(self, command: str, cwd: Path = PROJECT) -> transcript.Run:
        """``command`` as typed into bash against this database."""
        return transcript.shell(command, env=self.env, cwd=cwd)

    def alembic(self, *args: str, cwd: Path = PROJECT, subprocess: bool = False) -> transcript.Run:
        """``alembic ARGS`` in ``cwd`` (the example project by default) against this database."""
        return transcript.alembic(*args, env=self.env, cwd=cwd, subprocess=subprocess)

    def psql(self, *args: str, cwd: Path = PROJECT) -> transcript.Run:
        """``psql ARGS`` run from ``cwd``, so ``-f file.sql`` names a file as the page shows it."""
        return transcript.run(["psql", *args], env=self.env, cwd=cwd)

    def load(self, sql_file: Path) -> None:
        """Run an SQL file with psql, stopping at the first error (which fails the test)."""
        done = self.psql("--quiet", "--set", "ON_ERROR_STOP=1", "--file", str(sql_file))
        assert done.returncode == 0, done.output

    def sql(self, statement: str, **params: object) -> sa.Result[Any]:
        """Run ``statement`` and commit; its rows are fetched first (psycopg2 closes the cursor with the connection)."""
        with self.instrument.begin() as conn:
            result = conn.execute(sa.text(statement), params)
            return result.freeze()() if result.returns_rows else result

    def scalar(self, statement: str, **params: object) -> object:
        with self.instrument.connect() as conn:
            return conn.execute(sa.text(statement), params).scalar()

    def alone(self) -> str:
        """This database's URL once no other session is connected to it (`wait_until_alone`)."""
        wait_until_alone(self.name)
        return self.url

    def fingerprint(self, history: bool = False) -> fingerprint.Fingerprint:
        """Schema, row counts, alembic_version; ``history``: with the attempt history (alembic_history) too."""
        return fingerprint.take(self.instrument, self.env, history)


def wait_until_alone(database: str, timeout: float = 10) -> None:
    """Wait (bounded) until no session is connected to ``database``; asked over the server's admin connection.

    A closed connection's backend leaves pg_stat_activity a moment after its client has gone, as a reader's
    previous command has long ended when they type the next: a command that looks at who else is connected
    (``rehearse`` copies a busy database by dump instead of cloning it) may see it if asked at once.
    """
    deadline = time.monotonic() + timeout
    # The sessions rehearse counts (helpers/tools/shared/database.other_sessions): client backends, not an
    # autovacuum worker of a DATABASE_URL server. That function asks over a connection to the database itself,
    # which would leave its own closing backend behind: this asks over the admin connection instead.
    others = sa.text(
        "SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE datname = :name AND backend_type = 'client backend'"
    )
    with server().admin.connect() as conn:
        while conn.execute(others, {"name": database}).scalar():
            if time.monotonic() > deadline:
                raise AssertionError(f"other sessions still connected to {database} after {timeout:.0f} s")
            time.sleep(0.01)


@contextmanager
def fresh_database() -> Iterator[Database]:
    """A database cloned from the server's template, discarded afterwards."""
    srv = server()
    name = srv.create_database()
    engine = drivers.engine(srv.url(name))
    harness = sa.create_engine(srv.admin_url.set(database=name), poolclass=sa.NullPool) if drivers.is_async() else None
    try:
        yield Database(name, engine, {**os.environ, **srv.env(name)}, harness)
    finally:
        engine.dispose()
        if harness is not None:
            harness.dispose()
        srv.discard_database(name)


def run_script(conn: sa.Connection, script: str) -> None:
    """Setup SQL of several statements separated by ``;`` (none inside a literal), one execute each.

    asyncpg prepares every statement and refuses several in one; psycopg runs them either way.
    """
    for statement in script.split(";"):
        if statement.strip():
            conn.exec_driver_sql(statement)
