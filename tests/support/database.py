"""The one throwaway server of a test process, and a fresh database on it per test."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from tests.support import fingerprint, throwaway, transcript
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


def stop_server() -> None:
    if _server is not None:
        _server.stop()


@dataclass
class Database:
    """A fresh database for one test: its name, a SQLAlchemy engine, and the PG* environment."""

    name: str
    engine: sa.Engine
    env: dict[str, str]

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

    def sql(self, statement: str, **params: object) -> sa.CursorResult[object]:
        with self.engine.begin() as conn:
            return conn.execute(sa.text(statement), params)

    def scalar(self, statement: str, **params: object) -> object:
        with self.engine.connect() as conn:
            return conn.execute(sa.text(statement), params).scalar()

    def fingerprint(self) -> fingerprint.Fingerprint:
        return fingerprint.take(self.engine, self.env)


@contextmanager
def fresh_database() -> Iterator[Database]:
    """A database cloned from the server's template, discarded afterwards."""
    srv = server()
    name = srv.create_database()
    engine = sa.create_engine(srv.url(name), poolclass=sa.NullPool)
    try:
        yield Database(name, engine, {**os.environ, **srv.env(name)})
    finally:
        engine.dispose()
        srv.discard_database(name)
