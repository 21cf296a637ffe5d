"""One session per job. `nox` runs every check; `nox -s serve` serves the guide."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import nox

nox.options.default_venv_backend = "venv"
nox.options.reuse_existing_virtualenvs = True
#: PostgreSQL majors the guide is checked on in containers (nox -s pg-15 ...); `tests` uses the embedded 18.
MAJORS = ("15", "17", "18")
nox.options.sessions = ["lint", "tests", *(f"pg-{m}" for m in MAJORS), "faults", "docs", "browser", "docs-zensical"]
NO_ENGINE = (
    "no Docker engine answers: the PostgreSQL {major} container cannot start. Start one with "
    "`sudo bash containers/engine.sh` (Debian's docker.io), or run against your own server with DATABASE_URL=..."
)

#: The fault tests (pytest marker `faults`): a container each, faults that last seconds; `faults` runs
#: them, `tests` and `pg-*` leave them out. 18 first: its output is the reference of the captured files.
FAULT_TESTS = ("tests/docs/failures/test_server_faults.py", "tests/docs/test_big_tables.py")
FAULT_MAJORS = ("18", "15", "17")
NOT_FAULTS = ("-m", "not faults")

#: One nox session per documented failure scenario: name -> one-line description.
SCENARIOS = {
    "duplicate-key": "23505: a unique index over duplicated emails; find, clean up, retry",
    "foreign-key": "23503: orphaned rows under a new foreign key, and a delete of referenced rows",
    "already-exists": "42P07/42701: an object created outside the migration; stamp or drop and retry",
    "connection-lost": "the connection cut mid-migration (terminated backend, TCP cut, SSL cut); retry",
    "lock-timeout": "55P03: another session holds the table's lock; find it, end it, retry",
    "statement-timeout": "57014: a backfill past the statement_timeout; find where it is set, retry with more time",
    "deadlock": "40P01: the migration and the application lock users and cameras in opposite orders; read, retry",
    "insufficient-privilege": "42501: no CREATE on schema public, and a role that does not own the table; grant, retry",
    "server-faults": "the server breaks mid-run (crash, OOM, full disk, partition, pause); nothing kept, retry",
    "unknown-revision": "Can't locate revision: alembic_version names a revision the code lacks; git, stamp --purge",
    "multiple-heads": "Multiple head revisions: two branches each added a revision; merge heads or re-parent",
    "not-up-to-date": "Target database is not up to date: autogenerate and alembic check on a database behind head",
    "downgrade-target": "a downgrade target above the current revision, -N too far, -1 from a merge point",
    "revision-file": "a revision file with a syntax error, a failed import or a missing name; the line that matters",
    "concurrent-index-in-transaction": "25001: CREATE INDEX CONCURRENTLY in the migration's transaction; "
    "autocommit_block, and the INVALID index an interrupted build leaves",
    "aborted-transaction": "25P02: a revision catches a failed statement and goes on; find the first error, "
    "catch it only around a savepoint",
    "pending-trigger-events": "55006: data and schema changed in one transaction under a deferred foreign key; "
    "split them and SET CONSTRAINTS ALL IMMEDIATE",
    "not-null": "23502: NOT NULL over rows with NULLs (new column, existing column); default or backfill, retry",
    "check-violation": "23514: a check constraint over rows that break it; find them, fix, retry",
    "type-change": "42804/22P02: a type change without a cast, a cast a row cannot take; find the rows, USING, retry",
    "enums": "42710/42704/55P04: an enum type created twice or missing, a value used too early, removed, renamed",
}


#: Drivers besides psycopg 3 (every other session's): `driver-<name>` runs the tests that must pass through
#: each, the helpers' and the failure pages' with driver tabs (PG_DRIVER, tests/support/drivers.py).
DRIVERS = ("psycopg2", "asyncpg")
#: The tests of the helpers (tests/test_<module>.py), which the driver and oldest-version sessions run.
HELPER_TESTS = tuple(
    f"tests/test_{name}.py"
    for name in (
        "advisory", "backfill", "catalog", "column_types", "constraints", "context", "diagnosis",
        "identifiers", "indexes", "locks", "savepoints",
    )
)
DRIVER_TESTS = (
    *HELPER_TESTS,
    "tests/docs/failures/test_duplicate_key.py",
    "tests/docs/failures/test_connection_lost.py",
    # The stock env.py's traceback in each driver's words (the pages' driver tabs).
    "tests/docs/failures/test_concurrent_index_in_transaction.py::test_concurrent_index_in_transaction",
    "tests/docs/failures/test_aborted_transaction.py::test_aborted_transaction",
    "tests/docs/failures/test_pending_trigger_events.py::test_pending_trigger_events",
)
nox.options.sessions += [f"driver-{d}" for d in DRIVERS]


def _driver_session(driver: str) -> None:
    def run(session: nox.Session) -> None:
        session.install("-e", f".[test,{driver}]")
        session.run("pytest", *DRIVER_TESTS, *session.posargs, env={"PG_DRIVER": driver})

    run.__doc__ = f"The helpers' tests and the duplicate-key and connection-lost pages through {driver}."
    nox.session(name=f"driver-{driver}")(run)


for _driver in DRIVERS:
    _driver_session(_driver)


#: pytest-alembic's built-in tests on the example project (tests/peers): pinned, it breaks on pytest 9.2.
PYTEST_ALEMBIC = ("pytest-alembic==0.13.1", "pytest<9.2")
nox.options.sessions += ["pytest-alembic"]


@nox.session(name="pytest-alembic")
def pytest_alembic(session: nox.Session) -> None:
    """pytest-alembic's built-in tests (and the experimental one) on the example project, as the testing page shows."""
    session.install("-e", ".[test]", *PYTEST_ALEMBIC)
    session.run("pytest", "tests/peers", "-rA", *session.posargs)


#: pytest-markdown-docs: Python written inline on the pages, and the ```python examples in the helpers' docstrings.
MARKDOWN_DOCS = (
    "--markdown-docs", "-p", "tests.support.markdown_docs", "docs", "helpers", "--ignore=helpers/__main__.py"
)
nox.options.sessions += ["markdown-docs"]


@nox.session(name="markdown-docs")
def markdown_docs(session: nox.Session) -> None:
    """Python written on the pages and the helpers' docstring examples, run by pytest-markdown-docs."""
    session.install("-e", ".[test]")
    session.run("python", "-m", "pytest", *MARKDOWN_DOCS, *session.posargs)  # -m: the plugin imports from tests/


#: The lowest versions pyproject.toml allows of what the helpers and env.py run on, and the oldest Python.
#: Why each bound is what it is: README, "Oldest supported versions".
OLDEST = ("alembic==1.13.0", "SQLAlchemy==2.0.0", "psycopg[binary]==3.3.0")
OLDEST_DRIVERS = ("psycopg2-binary==2.9.5", "asyncpg==0.32.0")
nox.options.sessions += ["oldest"]


@nox.session(python="3.11")
def oldest(session: nox.Session) -> None:
    """The helpers' tests and the failure pages on the oldest versions allowed, Python 3.11, and through each driver."""
    session.install("-e", ".[test,psycopg2,asyncpg]", *OLDEST, *OLDEST_DRIVERS)
    versions = "import alembic as a, sqlalchemy as s, psycopg as p; print(a.__version__, s.__version__, p.__version__)"
    session.run("python", "-c", versions)
    session.run("pytest", *HELPER_TESTS, "tests/docs/failures", "-m", "not faults", *session.posargs)
    for driver in DRIVERS:
        session.run("pytest", *DRIVER_TESTS, *session.posargs, env={"PG_DRIVER": driver})


@nox.session
def tests(session: nox.Session) -> None:
    """Every page, helper and project test against the embedded PostgreSQL 18 (browser, Zensical: own sessions)."""
    session.install("-e", ".[test]")
    session.run("pytest", "--ignore=tests/browser", "--ignore=tests/zensical", *NOT_FAULTS, *session.posargs)


def _engine_answers(session: nox.Session) -> bool:
    answers = session.run(
        "python", "-c", "from tests.support.images import engine_answers; print(engine_answers())", silent=True
    )
    return "True" in str(answers)


def _major_session(major: str) -> None:
    def run(session: nox.Session) -> None:
        session.install("-e", ".[test]")
        if not _engine_answers(session):
            session.skip(NO_ENGINE.format(major=major))
        session.run(
            "pytest", "--ignore=tests/browser", "--ignore=tests/zensical", "--ignore=tests/site", *NOT_FAULTS,
            *session.posargs, env={"PG_MAJOR": major},
        )

    run.__doc__ = f"The pages, helpers and project on PostgreSQL {major} in a container (testcontainers)."
    nox.session(name=f"pg-{major}")(run)


for _major in MAJORS:
    _major_session(_major)


@nox.session
def faults(session: nox.Session) -> None:
    """Server faults for real (crash, OOM, full disk, partition, pause), each on a container of its own.

    On PostgreSQL 18, 15 and 17 in turn (PG_MAJOR=15 picks one); prints each fault's figures.
    """
    session.install("-e", ".[test]")
    if not _engine_answers(session):
        session.skip(
            "no Docker engine answers: the fault tests break containers. Start one with "
            "`sudo bash containers/engine.sh` (Debian's docker.io)"
        )
    majors = [os.environ["PG_MAJOR"]] if os.environ.get("PG_MAJOR") else FAULT_MAJORS
    for major in majors:
        session.run("pytest", "-m", "faults", *FAULT_TESTS, *session.posargs, env={"PG_MAJOR": major})


@nox.session(default=False)
def scenarios(session: nox.Session) -> None:
    """Run every failure scenario end to end: break, fail, unchanged, resolve, retry."""
    session.install("-e", ".[test]")
    session.run("pytest", "tests/docs/failures", *session.posargs)


def _scenario_session(name: str, description: str) -> None:
    def run(session: nox.Session) -> None:
        session.install("-e", ".[test]")
        session.run("pytest", f"tests/docs/failures/test_{name.replace('-', '_')}.py", *session.posargs)

    run.__doc__ = description
    nox.session(name=f"scenario-{name}", default=False)(run)


for _name, _description in SCENARIOS.items():
    _scenario_session(_name, _description)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff and mypy over the helpers, tests and example project."""
    session.install("-e", ".[lint,test]")
    session.run("ruff", "check", "helpers", "tests", "snippets", "benchmarks", "noxfile.py")
    session.run("mypy")
    # squawk over the SQL the example project would run (rules turned off, with reasons: .squawk.toml).
    sql = Path(session.create_tmp()) / "upgrade-head.sql"
    with sql.open("w") as out, session.chdir("snippets/project"):
        session.run("alembic", "upgrade", "head", "--sql", stdout=out, stderr=subprocess.DEVNULL)
    session.run("squawk", "--config", ".squawk.toml", "--reporter", "gcc", str(sql))


@nox.session
def docs(session: nox.Session) -> None:
    """Build the guide with `mkdocs build --strict`."""
    session.install("-e", ".[docs]")
    session.run("mkdocs", "build", "--strict", env={"NO_MKDOCS_2_WARNING": "1"})


@nox.session
def browser(session: nox.Session) -> None:
    """The built guide in headless Chromium: pages, links, search, copy buttons, palettes, phone width, requests.

    Uses the system's Chromium (Debian: apt-get install chromium; or CHROMIUM=/path); screenshots and
    the request log go to artifacts/.
    """
    session.install("-e", ".[browser]")
    session.run("pytest", "tests/browser", *session.posargs, env={"NO_MKDOCS_2_WARNING": "1"})


@nox.session(name="docs-zensical")
def docs_zensical(session: nox.Session) -> None:
    """Build the guide with Zensical (Material's successor) and compare pages and code blocks with MkDocs."""
    session.install("-e", ".[zensical]")
    session.run("zensical", "--version")
    session.run("pytest", "tests/zensical", "-rA", *session.posargs, env={"NO_MKDOCS_2_WARNING": "1"})


@nox.session
def serve(session: nox.Session) -> None:
    """Serve the guide on http://127.0.0.1:8000."""
    session.install("-e", ".[docs]")
    session.run("mkdocs", "serve", "--dev-addr", "127.0.0.1:8000", env={"NO_MKDOCS_2_WARNING": "1"})


@nox.session
def benchmarks(session: nox.Session) -> None:
    """Print the provisioning and helper-overhead figures (not part of the default run)."""
    session.install("-e", ".[test]")
    session.run("python", "benchmarks/provision.py")


@nox.session(name="benchmark-locks", default=False)
def benchmark_locks(session: nox.Session) -> None:
    """How long each operation blocks a concurrent writer, plain Alembic vs helper (10k/100k/1M rows)."""
    session.install("-e", ".[test]")
    session.run("python", "benchmarks/locks.py", *session.posargs)


@nox.session(name="benchmark-versions", default=False)
def benchmark_versions(session: nox.Session) -> None:
    """Per PostgreSQL version: server start, fresh database per test, failure pages' wall time."""
    session.install("-e", ".[test]")
    session.run("python", "benchmarks/versions.py", *session.posargs)


@nox.session(name="benchmark-lint", default=False)
def benchmark_lint(session: nox.Session) -> None:
    """python -m helpers lint on a 120-revision history: our rules, with squawk, one file (pre-commit)."""
    session.install("-e", ".[test]")
    session.run("python", "benchmarks/lint.py", *session.posargs)


@nox.session(name="benchmark-rehearse", default=False)
def benchmark_rehearse(session: nox.Session) -> None:
    """python -m helpers rehearse: tracing cost against a plain upgrade, copy time of 1M rows by each method."""
    session.install("-e", ".[test]")
    session.run("python", "benchmarks/rehearse.py", *session.posargs)
