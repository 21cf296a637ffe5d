"""Fixtures shared by every test: the throwaway server, a fresh database, the snapshot flag.

Shared code lives in tests/support/; this file holds fixtures and pytest hooks only.
"""

from __future__ import annotations

import gc
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.support import drivers, throwaway
from tests.support.database import Database, fresh_database, server, started_server, stop_server
from tests.support.throwaway import Server

TESTS = Path(__file__).resolve().parent
#: The harness's and the site's own tests (tests/harness/, tests/site/), the same on every server and driver, are
#: marked `once` (so is a test that uses no server and costs much, by hand): `nox -s once` runs them, every other
#: session leaves them out (`-m "not once"`).
ONCE_FOLDERS = {"site", "harness"}


#: The checkout's helpers/ as the programs the tests start import it, ``helpers``, the way a vendored copy beside a
#: project is imported (``python -m helpers``, the example project's ``from helpers import MigrationContext``): the
#: installed distribution names it ``migration_rollback_helpers`` (pyproject.toml), never ``helpers``.
ROOT = TESTS.parent
#: The run's XDG_CACHE_HOME (pytest_configure), removed at the end.
_CACHE_HOME: list[str] = [""]


def pytest_configure(config: pytest.Config) -> None:
    throwaway.temporary_files_in_memory()
    paths = os.environ.get("PYTHONPATH", "").split(os.pathsep)
    if str(ROOT) not in paths:
        os.environ["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, paths)])
    config.addinivalue_line("markers", "once: the same on every server; run by nox -s once only (tests/conftest.py)")
    # What the commands the tests run cache (identify's schemas: helpers/tools/schema/cache.py) stays in the run's
    # own folder, never the user's ~/.cache; tests of the cache set their own (tests/tools/schema/conftest.py).
    if not hasattr(config, "workerinput"):
        os.environ["XDG_CACHE_HOME"] = _CACHE_HOME[0] = tempfile.mkdtemp(prefix="mrp-cache-")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        path = item.path
        if TESTS in path.parents and ONCE_FOLDERS & set(path.relative_to(TESTS).parts):
            item.add_marker("once")


def pytest_collection_finish(session: pytest.Session) -> None:
    """From here on no compiled module (.pyc) is written, by this process or the commands it starts.

    What was imported so far (and pytest's rewritten test modules) is cached for the next run (nox keeps the cache,
    noxfile.py); what tests import from now on are mostly revision files they write and edit in working copies, and
    a .pyc is trusted while its source keeps its size and its second: a `sed` that changes one digit of a
    down_revision, then `alembic heads` within the second, would read the old revision.
    """
    sys.dont_write_bytecode = True
    os.environ["PYTHONDONTWRITEBYTECODE"] = "1"
    # What was imported and collected stays: the garbage collector no longer walks it, and runs less often
    # (the suite's Python processes: about 5 % less CPU, commit a0d990b).
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


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
    driver = f"Driver: {drivers.name()} (PG_DRIVER)"
    if config.getoption("numprocesses", None):  # pytest-xdist's controller: each worker starts its own server
        return [f"PostgreSQL: {planned()}one server per pytest-xdist worker (named at the end)", driver]
    return [f"PostgreSQL: {described(server())}", driver]


def planned() -> str:
    """Before the workers start: the image ``PG_MAJOR`` runs from and the package it holds, when a container's."""
    major = os.environ.get("PG_MAJOR", "")
    if os.environ.get("DATABASE_URL") or not major.isdigit() or int(major) in throwaway.WHEEL_MAJORS:
        return ""
    from tests.support import images

    try:
        image = images.image_for(int(major))
        package = images.packaged_version(image)
    except Exception:  # no engine, no image: the workers' own errors say it better
        return ""
    return f"{major} from {image}{f' (package {package})' if package else ''}, "


def described(srv: Server) -> str:
    return f"{srv.version} from {srv.provider}"


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist's worker sends its output to the controller
def pytest_sessionfinish(session: pytest.Session) -> None:
    if hasattr(session.config, "workeroutput") and (srv := started_server()) is not None:
        session.config.workeroutput["postgres"] = described(srv)  # to the controller: pytest_testnodedown


def pytest_unconfigure(config: pytest.Config) -> None:
    stop_server()
    drivers.close()
    if _CACHE_HOME[0]:
        shutil.rmtree(_CACHE_HOME[0], ignore_errors=True)


_worker_servers: dict[str, str] = {}


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """pytest-xdist's controller, as a worker ends: which server it ran on."""
    output = getattr(node, "workeroutput", {})
    if "postgres" in output:
        _worker_servers[node.gateway.id] = output["postgres"]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for described_server in sorted(set(_worker_servers.values())):
        workers = sorted(w for w, d in _worker_servers.items() if d == described_server)
        terminalreporter.write_line(f"PostgreSQL: {described_server} ({', '.join(workers)})")


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
