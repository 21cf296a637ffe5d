"""Fixtures shared by every test: the throwaway server, a fresh database, the example project."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests import fingerprint, throwaway

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ROOT / "snippets" / "project"
_server: throwaway.Server | None = None


def server() -> throwaway.Server:
    """The one server of this test process, started on first use."""
    global _server
    if _server is None:
        _server = throwaway.start()
        if _server.bin_dir is not None:
            os.environ["PATH"] = f"{_server.bin_dir}{os.pathsep}{os.environ['PATH']}"
    return _server


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-snapshots",
        action="store_true",
        help="rewrite documented outputs (console blocks, scenario captures) from a fresh run",
    )


@pytest.fixture
def update_snapshots(request: pytest.FixtureRequest) -> bool:
    """True when the run should rewrite documented outputs instead of comparing them."""
    return bool(request.config.getoption("--update-snapshots"))


def pytest_report_header(config: pytest.Config) -> str:
    srv = server()
    return f"PostgreSQL: {srv.version} from {srv.provider}"


def pytest_unconfigure(config: pytest.Config) -> None:
    if _server is not None:
        _server.stop()


def alembic_path() -> str:
    """The alembic script of the running interpreter's environment."""
    return str(Path(sys.executable).parent / "alembic")


@dataclass
class Database:
    """A fresh database for one test: its name, a SQLAlchemy engine, and the PG* environment."""

    name: str
    engine: sa.Engine
    env: dict[str, str]

    @property
    def url(self) -> str:
        return self.env["DATABASE_URL"]

    def run(
        self, command: Sequence[str], cwd: Path = PROJECT, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run a command against this database, output captured as text (stderr kept apart)."""
        return subprocess.run(
            list(command),
            cwd=cwd,
            env=self.env if env is None else env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    alembic_path = property(lambda self: alembic_path())

    def alembic(self, *args: str) -> subprocess.CompletedProcess[str]:
        """``alembic ARGS`` in the example project, as a reader would type it."""
        return self.run([alembic_path(), *args])

    def sql(self, statement: str, **params: object) -> sa.CursorResult[object]:
        with self.engine.begin() as conn:
            return conn.execute(sa.text(statement), params)

    def scalar(self, statement: str, **params: object) -> object:
        with self.engine.connect() as conn:
            return conn.execute(sa.text(statement), params).scalar()

    def fingerprint(self) -> fingerprint.Fingerprint:
        return fingerprint.take(self.engine, self.env)


@pytest.fixture
def database() -> Iterator[Database]:
    srv = server()
    name = srv.create_database()
    engine = sa.create_engine(srv.url(name), poolclass=sa.NullPool)
    env = {**os.environ, **srv.env(name)}
    try:
        yield Database(name, engine, env)
    finally:
        engine.dispose()
        srv.discard_database(name)


@pytest.fixture
def connection(database: Database) -> Iterator[sa.Connection]:
    """A connection to a fresh database, in a transaction the test may commit or not."""
    with database.engine.connect() as conn:
        yield conn
