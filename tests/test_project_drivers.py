"""The example project's env.py with what readers hand it, and its async variant (env_async.py) through asyncpg.

env.py takes a Connection, an Engine or an AsyncEngine in ``config.attributes["connection"]``
(pytest-alembic hands an Engine), and the driver of ``DATABASE_URL``'s scheme. env_async.py is
the shape ``alembic init -t async`` produces; copied as a project's env.py, it prints what env.py
prints: the duplicate-key page's captured failure and retry, line for line.
"""

from __future__ import annotations

import ast
import asyncio
import re
import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.util import CommandError

from tests.support.database import Database, server
from tests.support.paths import PROJECT, page, snippet_dir
from tests.support.project import project_with
from tests.support.snapshots import check_file
from tests.support.transcript import alembic

_T = TypeVar("_T")
ENV = PROJECT / "env.py"
ENV_ASYNC = PROJECT / "env_async.py"
DUPLICATE_KEY = snippet_dir(page("failures/duplicate-key"))
#: What env_async.py has of its own: where the connection comes from. Every other function is env.py's, to the letter.
ASYNC_OWN = {"database_url", "run_async_migrations", "run_migrations_online"}


def in_a_thread(fn: Callable[[], _T]) -> _T:
    """Call ``fn`` in a thread with no event loop running (env.py's ``asyncio.run`` needs that), even under asyncpg."""
    results: list[_T] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            results.append(fn())
        except BaseException as exc:
            errors.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    if errors:
        raise errors[0]
    return results[0]


def config(workdir: Path = PROJECT) -> Config:
    cfg = Config(str(workdir / "alembic.ini"))
    cfg.attributes["configure_logger"] = False
    return cfg


def libpq_url(database: Database) -> str:
    """The database's URL in libpq's form, ``postgresql://`` (each env.py picks its driver)."""
    return sa.make_url(database.url).set(drivername="postgresql").render_as_string(hide_password=False)


def async_url(database: Database) -> sa.URL:
    return sa.make_url(database.url).set(drivername="postgresql+asyncpg")


def test_env_takes_an_engine_as_pytest_alembic_hands_it(database: Database) -> None:
    cfg = config()
    engine = sa.create_engine(sa.make_url(database.url).set(drivername="postgresql+psycopg"), poolclass=sa.NullPool)
    cfg.attributes["connection"] = engine
    try:
        command.upgrade(cfg, "0002")
    finally:
        engine.dispose()
    assert database.scalar("SELECT version_num FROM alembic_version") == "0002"  # committed


def test_env_takes_an_async_engine(database: Database) -> None:
    pytest.importorskip("asyncpg")
    from sqlalchemy.ext.asyncio import create_async_engine

    def upgrade() -> None:
        cfg = config()
        engine = create_async_engine(async_url(database), poolclass=sa.NullPool)
        cfg.attributes["connection"] = engine
        command.upgrade(cfg, "0002")
        asyncio.run(engine.dispose())

    in_a_thread(upgrade)
    assert database.scalar("SELECT version_num FROM alembic_version") == "0002"


def test_env_refuses_anything_else_in_one_sentence() -> None:
    cfg = config()
    cfg.attributes["connection"] = "postgresql://user@host/security"
    with pytest.raises(CommandError) as refused:
        command.upgrade(cfg, "0002")
    assert str(refused.value) == (
        'config.attributes["connection"] is a str; hand over a Connection, an Engine or an AsyncEngine '
        "(from async code: await conn.run_sync(...) with its sync Connection)."
    )


@pytest.mark.parametrize("driver", ["psycopg", "psycopg2", "asyncpg"])
def test_env_uses_the_driver_of_the_url_scheme(database: Database, driver: str) -> None:
    pytest.importorskip({"psycopg": "psycopg", "psycopg2": "psycopg2", "asyncpg": "asyncpg"}[driver])
    url = sa.make_url(database.url).set(drivername=f"postgresql+{driver}").render_as_string(hide_password=False)
    env = {**database.env, "DATABASE_URL": url}
    result = in_a_thread(lambda: alembic("upgrade", "0002", env=env))
    assert result.returncode == 0, result.output
    assert database.scalar("SELECT version_num FROM alembic_version") == "0002"


def functions(path: Path) -> dict[str, str]:
    """Each top-level function's source, without the guide's section markers (``# --8<-- [start:...]``)."""
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    return {
        node.name: re.sub(r"(?m)^[ \t]*# --8<-- \[.*\n", "", ast.get_source_segment(source, node) or "")
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }


def test_env_async_shares_every_other_function_with_env_to_the_letter() -> None:
    sync, asynchronous = functions(ENV), functions(ENV_ASYNC)
    shared = set(asynchronous) - ASYNC_OWN
    assert {"run_on", "fail", "log_state", "lock_timeout"} <= shared
    different = sorted(name for name in shared if sync.get(name) != asynchronous[name])
    assert different == [], f"env_async.py differs from env.py in {different}: copy env.py's version over"
    assert {"run_async_migrations", "run_migrations_online"} <= set(asynchronous)  # the template's names


@pytest.fixture
def async_project(tmp_path: Path) -> Path:
    """A copy of the example project whose env.py is env_async.py."""
    pytest.importorskip("asyncpg")
    workdir = project_with(tmp_path)
    shutil.copy(ENV_ASYNC, workdir / "env.py")
    return workdir


def test_env_async_prints_what_env_prints_on_the_duplicate_key_page(database: Database, async_project: Path) -> None:
    env = {**database.env, "DATABASE_URL": libpq_url(database)}  # postgresql:// is asyncpg in env_async.py

    def run(*args: str) -> str:
        result = in_a_thread(lambda: alembic(*args, env=env, cwd=async_project))
        return result.transcript

    assert "Running upgrade" in run("upgrade", "0003")
    assert database.psql("-v", "ON_ERROR_STOP=1", "-q", "-f", "bad-data.sql", cwd=DUPLICATE_KEY).returncode == 0
    before = database.fingerprint()
    check_file(DUPLICATE_KEY / "upgrade.txt", run("upgrade", "head"), update=False, major=server().major)
    assert database.fingerprint() == before
    assert database.psql("-v", "ON_ERROR_STOP=1", "-q", "-f", "keep-oldest.sql", cwd=DUPLICATE_KEY).returncode == 0
    check_file(DUPLICATE_KEY / "retry.txt", run("upgrade", "head"), update=False, major=server().major)
    assert database.scalar("SELECT version_num FROM alembic_version") == "0009"


def test_env_async_from_async_code_through_run_sync(database: Database, async_project: Path) -> None:
    """The programmatic recipe for async applications: the sync Connection of ``run_sync``."""
    from sqlalchemy.ext.asyncio import create_async_engine

    async def main() -> None:
        engine = create_async_engine(async_url(database), poolclass=sa.NullPool)
        async with engine.connect() as conn:

            def upgrade(sync_connection: sa.Connection) -> None:
                cfg = config(async_project)
                cfg.attributes["connection"] = sync_connection
                command.upgrade(cfg, "0004")

            await conn.run_sync(upgrade)
            await conn.commit()
        await engine.dispose()

    in_a_thread(lambda: asyncio.run(main()))
    assert database.scalar("SELECT version_num FROM alembic_version") == "0004"


def test_env_async_refuses_a_sync_driver(database: Database, async_project: Path) -> None:
    url = sa.make_url(database.url).set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    env = {**database.env, "DATABASE_URL": url}
    result = in_a_thread(lambda: alembic("upgrade", "0001", env=env, cwd=async_project))
    assert result.returncode != 0
    assert "DATABASE_URL names the driver 'psycopg'; this env.py needs asyncpg." in result.output
