"""Fixtures shared by every test: the throwaway server, a fresh database, the snapshot flag.

Shared code lives in tests/support/; this file holds fixtures and pytest hooks only.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from tests.support.database import Database, fresh_database, server, stop_server


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-snapshots",
        action="store_true",
        help="rewrite documented outputs (console blocks, captured files) from a fresh run",
    )


@pytest.fixture
def update_snapshots(request: pytest.FixtureRequest) -> bool:
    """True when the run should rewrite documented outputs instead of comparing them."""
    return bool(request.config.getoption("--update-snapshots"))


def pytest_report_header(config: pytest.Config) -> str:
    srv = server()
    return f"PostgreSQL: {srv.version} from {srv.provider}"


def pytest_unconfigure(config: pytest.Config) -> None:
    stop_server()


@pytest.fixture
def database() -> Iterator[Database]:
    with fresh_database() as db:
        yield db


@pytest.fixture
def connection(database: Database) -> Iterator[sa.Connection]:
    """A connection to a fresh database, in a transaction the test may commit or not."""
    with database.engine.connect() as conn:
        yield conn
