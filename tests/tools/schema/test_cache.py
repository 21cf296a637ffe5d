"""helpers/tools/schema/cache.py: ``identify`` keeps the schemas it built, and builds again only when an input changed.

Whether a call built the history is seen from the project: its env.py appends a line to ``builds.log`` each time it
runs, and every build runs it (an Alembic upgrade on a scratch database); a call that read the cache leaves the
file as it was. Each test has its own cache folder (``conftest.cache_home``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import cast

import pytest
from sqlalchemy.engine import Connection

from helpers.tools.schema import cache
from helpers.tools.schema.identify import identify
from helpers.tools.shared import snapshot
from helpers.tools.shared.scratch import Seed
from helpers.tools.shared.scripts import load_scripts
from tests.support.cli import cli
from tests.support.database import Database
from tests.support.ordinary import REWRITING, ordinary_project

#: What hits and misses the cache is the same on every server (the major is a part of the key, checked by key).
pytestmark = pytest.mark.once

#: Put first in env.py: one line in builds.log (beside alembic.ini) each time env.py runs.
_COUNTED = 'import pathlib\npathlib.Path(__file__).parent.parent.joinpath("builds.log").open("a").write("ran\\n")\n'


def counted(root: Path) -> Path:
    env_py = root / "migrations" / "env.py"
    env_py.write_text(_COUNTED + env_py.read_text())
    return root


def builds(root: Path) -> int:
    log = root / "builds.log"
    return len(log.read_text().splitlines()) if log.exists() else 0


def entries(home: Path) -> list[Path]:
    return sorted(home.rglob(f"*{cache._SUFFIX}"))


@pytest.fixture
def shop(database: Database, tmp_path: Path) -> Path:
    """The ordinary project, counted; the database at its head with its alembic_version lost."""
    root = counted(ordinary_project(tmp_path))
    assert database.alembic("upgrade", "head", cwd=root).returncode == 0
    database.sql("DROP TABLE alembic_version")
    (root / "builds.log").unlink()
    return root


def test_a_second_call_on_unchanged_inputs_builds_nothing(database: Database, shop: Path, cache_home: Path) -> None:
    before = database.fingerprint(history=True)

    bypassed = cli("identify", "--no-cache", cwd=shop, env=database.env)
    assert (bypassed.status, builds(shop), entries(cache_home)) == (0, 1, [])  # --no-cache keeps nothing
    first = cli("identify", cwd=shop, env=database.env)
    second = cli("identify", cwd=shop, env=database.env)

    assert (first.status, second.status) == (0, 0), (first.err, second.err)
    assert builds(shop) == 2  # the first built (env.py ran), the second read the cache
    assert first.out.splitlines()[0].startswith("Built 3 revisions one after another in an empty database on ")
    said = second.out.splitlines()
    assert said[0].startswith("Read 3 revisions from the cache in ")
    assert "(built one after another in an empty database on the same server in " in said[0]
    assert said[0].endswith("; --no-cache builds them again), comparing the database with each.")
    assert said[1:] == first.out.splitlines()[1:] == bypassed.out.splitlines()[1:]
    assert said[2] == f"Matches: the database's schema is what revision {REWRITING} builds."
    [entry] = entries(cache_home)
    assert entry.is_relative_to(cache_home / "migration-rollback" / "identify")
    found = json.loads(cli("identify", "--json", cwd=shop, env=database.env).out)
    assert found["cache"] == {"file": str(entry), "hit": True, "built_at": found["cache"]["built_at"]}
    assert found["matches"] == [REWRITING] and builds(shop) == 2
    assert cli("identify", "--no-cache", cwd=shop, env=database.env).status == 0
    assert builds(shop) == 3
    assert database.fingerprint(history=True) == before  # the cache is files: nothing written to the database


def test_a_changed_revision_file_builds_again(database: Database, shop: Path) -> None:
    assert cli("identify", cwd=shop, env=database.env).status == 0
    [revision] = (shop / "migrations" / "versions").glob(f"{REWRITING}_*.py")
    revision.write_text(revision.read_text().replace("sa.Numeric(12, 2)", "sa.Numeric(140, 2)", 1))

    result = cli("identify", cwd=shop, env=database.env)

    assert builds(shop) == 2
    assert result.status == 1  # from the cache it would still have matched
    assert (
        f"  column amount: revision {REWRITING} has numeric(140,2) NOT NULL / the database has numeric(12,2) NOT NULL"
        in result.out.splitlines()
    )


def test_a_changed_env_py_builds_again(database: Database, shop: Path) -> None:
    assert cli("identify", cwd=shop, env=database.env).status == 0
    env_py = shop / "migrations" / "env.py"
    env_py.write_text(env_py.read_text() + "\n# reviewed\n")

    assert cli("identify", cwd=shop, env=database.env).status == 0
    assert builds(shop) == 2
    assert cli("identify", cwd=shop, env=database.env).status == 0
    assert builds(shop) == 2


def test_a_changed_seed_builds_again(database: Database, tmp_path: Path) -> None:
    shop = counted(ordinary_project(tmp_path, base_outside=True))
    database.sql((shop / "base.sql").read_text())
    assert database.alembic("upgrade", "head", cwd=shop).returncode == 0
    database.sql("DROP TABLE alembic_version")
    (shop / "builds.log").unlink()
    assert [cli("identify", "--seed", "base.sql", cwd=shop, env=database.env).status for _ in range(2)] == [0, 0]
    assert builds(shop) == 1
    (shop / "base.sql").write_text("CREATE TABLE customers (id serial PRIMARY KEY, vip boolean);\n")

    result = cli("identify", "--seed", "base.sql", cwd=shop, env=database.env)

    assert builds(shop) == 2
    assert result.status == 1
    assert f"  column vip: revision {REWRITING} has boolean NULL / the database has nothing" in result.out.splitlines()
    assert cli("identify", cwd=shop, env=database.env).status == 1  # no seed is another key: built again (and stops)
    assert builds(shop) == 3


def test_a_seed_functions_module_is_in_the_key(tmp_path: Path) -> None:
    scripts = load_scripts(ordinary_project(tmp_path, base_outside=True) / "alembic.ini")
    module = scripts.ini.parent / "base_schema.py"
    namespace: dict[str, object] = {"__file__": str(module)}
    exec(compile(module.read_text(), str(module), "exec"), namespace)  # its function, defined in that file
    seed = Seed("base_schema:create_base", function=cast(Callable[[Connection], object], namespace["create_base"]))
    first = cache.key(scripts, seed, 18)

    module.write_text(module.read_text() + "\n# the application's tables changed\n")

    assert cache.key(scripts, seed, 18) != first
    assert cache.key(scripts, Seed("base.sql", sql=b"CREATE TABLE a (id int);\n"), 18) != cache.key(
        scripts, Seed("base.sql", sql=b"CREATE TABLE a (id bigint);\n"), 18
    )


def test_another_server_major_is_another_entry(database: Database, shop: Path) -> None:
    """The same project on a server of another major misses (its types, defaults and catalog differ); the test's
    server is one major, so the entry it wrote is looked up under the next one."""
    found = identify(shop / "alembic.ini", database.url)
    assert found.cache_file is not None and found.cached is None
    major = int(database.scalar("SHOW server_version_num")) // 10000
    scripts = load_scripts(shop / "alembic.ini")

    same, other = cache.Cache(scripts, None, major), cache.Cache(scripts, None, major + 1)

    assert str(same.path) == found.cache_file and same.load() is not None
    assert other.path != same.path and other.load() is None
    assert identify(shop / "alembic.ini", database.url).cached is not None and builds(shop) == 1


def test_an_entry_that_cannot_be_read_is_built_again(database: Database, shop: Path, cache_home: Path) -> None:
    assert cli("identify", cwd=shop, env=database.env).status == 0
    [entry] = entries(cache_home)
    entry.write_bytes(b"not gzip")

    assert cli("identify", cwd=shop, env=database.env).status == 0
    assert builds(shop) == 2
    assert cli("identify", cwd=shop, env=database.env).status == 0  # written again, whole
    assert builds(shop) == 2


def test_a_cache_that_cannot_be_written_is_a_note(database: Database, shop: Path, tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    env = {**database.env, "XDG_CACHE_HOME": str(blocked)}

    result = cli("identify", "--json", cwd=shop, env=env)

    assert result.status == 0, result.err
    assert json.loads(result.out)["cache"] is None
    assert result.err.startswith(f"note: the identify cache cannot be written in {blocked}/migration-rollback/identify")
    assert result.err.endswith("; the next call builds the history again (--no-cache skips the cache)\n")


def test_old_entries_and_gone_projects_are_removed(tmp_path: Path, cache_home: Path) -> None:
    """A project keeps its newest KEEP entries; a project whose alembic.ini is gone loses its folder."""
    (tmp_path / "kept").mkdir()
    (tmp_path / "gone").mkdir()
    scripts = load_scripts(ordinary_project(tmp_path / "kept") / "alembic.ini")
    gone = load_scripts(ordinary_project(tmp_path / "gone") / "alembic.ini")
    built = cache.Built([((), "", snapshot.Schema({}))], frozenset({"alembic_version"}), "nowhere", 0.0, cache.now())
    assert cache.Cache(gone, None, 18).save(built) is None
    gone.ini.unlink()
    made = []
    for age, major in enumerate(range(10, 11 + cache.KEEP)):  # KEEP + 1 entries, oldest first
        made.append(cache.Cache(scripts, None, major))
        assert made[-1].save(built) is None
        os.utime(made[-1].path, (1_000_000 + age, 1_000_000 + age))

    assert entries(cache_home) == sorted(c.path for c in made[1:])
    assert made[-1].load() == built
