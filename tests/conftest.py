"""Fixtures shared by every test: the throwaway server, a fresh database, the snapshot flag.

Shared code lives in tests/support/; this file holds fixtures and pytest hooks only.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from tests.support import drivers
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


def pytest_report_header(config: pytest.Config) -> list[str]:
    srv = server()
    return [f"PostgreSQL: {srv.version} from {srv.provider}", f"Driver: {drivers.name()} (PG_DRIVER)"]


def pytest_unconfigure(config: pytest.Config) -> None:
    stop_server()
    drivers.close()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> bool | None:
    """Under asyncpg, each test (setup, call, teardown) runs in a greenlet: see tests/support/drivers.py."""
    if not drivers.is_async():
        return None
    from _pytest.runner import runtestprotocol

    item.ihook.pytest_runtest_logstart(nodeid=item.nodeid, location=item.location)
    drivers.run_in_greenlet(runtestprotocol, item, nextitem=nextitem)
    item.ihook.pytest_runtest_logfinish(nodeid=item.nodeid, location=item.location)
    return True


@pytest.fixture
def database() -> Iterator[Database]:
    with fresh_database() as db:
        yield db


@pytest.fixture
def connection(database: Database) -> Iterator[sa.Connection]:
    """A connection to a fresh database, in a transaction the test may commit or not."""
    with database.engine.connect() as conn:
        yield conn
