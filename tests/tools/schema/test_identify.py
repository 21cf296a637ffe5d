"""helpers/tools/schema/identify.py: ``python -m helpers identify``: which revision the database's schema matches.

On the ordinary project (tests/support/ordinary.py), linear and with two heads, and on the example
project: a database whose alembic_version is missing, wrong or unknown. Every test proves the
source database was only read.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers.tools.schema.identify import identify, lines
from tests.support.cli import cli
from tests.support.database import Database
from tests.support.ordinary import BASE_FUNCTION, BASE_SQL, BRANCHES, REWRITING, ordinary_project
from tests.support.paths import PROJECT


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    return ordinary_project(tmp_path)


def test_a_lost_alembic_version_is_found_again(database: Database, shop: Path) -> None:
    assert database.alembic("upgrade", "8a4e6d2c1b05", cwd=shop).returncode == 0
    database.sql("DROP TABLE alembic_version")
    before = database.fingerprint(history=True)

    result = cli("identify", cwd=shop, env=database.env)

    assert result.status == 0, (result.out, result.err)
    shown = result.out.splitlines()
    assert shown[0].startswith("Built 3 revisions one after another in an empty database on the same server in ")
    assert shown[1:] == [
        "alembic_version says: nothing (no alembic_version).",
        "Matches: the database's schema is what revision 8a4e6d2c1b05 builds.",
        "alembic_version does not say so: python -m helpers stamp 8a4e6d2c1b05 puts it right.",
    ]
    assert database.fingerprint(history=True) == before


def test_an_unknown_revision_then_stamp(database: Database, shop: Path) -> None:
    """The recovery issue 20 asks for: identify names the revision, stamp replaces the unknown one."""
    assert database.alembic("upgrade", "head", cwd=shop).returncode == 0
    database.sql("UPDATE alembic_version SET version_num = '0badc0ffee00'")

    found = identify(shop / "alembic.ini", database.url)

    assert [state.name for state in found.matches] == [REWRITING] and found.unknown == ["0badc0ffee00"]
    assert "alembic_version says: 0badc0ffee00 (a revision this project's scripts do not have)." in lines(found)
    assert cli("stamp", REWRITING, cwd=shop, env=database.env).status == 0
    assert database.scalar("SELECT version_num FROM alembic_version") == REWRITING


def test_no_match_names_the_closest_and_what_differs(database: Database, shop: Path) -> None:
    assert database.alembic("upgrade", "head", cwd=shop).returncode == 0
    database.sql("ALTER TABLE orders ADD COLUMN note text")
    before = database.fingerprint(history=True)

    result = cli("identify", "--json", cwd=shop, env=database.env)

    assert result.status == 1, result.err
    found = json.loads(result.out)
    assert (found["matches"], found["closest"], found["alembic_version"]) == ([], REWRITING, [REWRITING])
    assert found["differences"] == [
        {"object": "table public.orders", "what": "column note", "revision_has": None, "database_has": "text NULL"}
    ]
    text = cli("identify", cwd=shop, env=database.env).out.splitlines()
    assert text[-1] == f"No match: no revision builds this schema; the closest is {REWRITING} (1 difference, above)."
    assert "  column note: revision c7d93e4f0a21 has nothing / the database has text NULL" in text
    assert cli("identify", "--ignore-objects", "orders.note", cwd=shop, env=database.env).status == 0
    old = cli("identify", "--ignore", "orders.note", cwd=shop, env=database.env)  # the old spelling, one release
    assert (old.status, old.err) == (
        0, "python -m helpers identify: --ignore orders.note is now --ignore-objects orders.note; --ignore will stop "
        "meaning object patterns in the next release.\n"
    )
    assert database.fingerprint(history=True) == before


def test_the_example_project_at_head_with_alembic_version_emptied(database: Database) -> None:
    """Every revision of the example project builds on an empty database (its env.py, one transaction)."""
    assert database.alembic("upgrade", "0009").returncode == 0
    database.sql("DELETE FROM alembic_version")

    found = identify(PROJECT / "alembic.ini", database.url)

    assert found.matches and found.matches[-1].name == "0009"
    assert found.unbuilt is None


def test_two_heads(database: Database, tmp_path: Path) -> None:
    root = ordinary_project(tmp_path, branched=True)
    first, second = sorted(BRANCHES)
    assert database.alembic("upgrade", "heads", cwd=root).returncode == 0
    database.sql("DELETE FROM alembic_version")

    found = identify(root / "alembic.ini", database.url)

    assert [state.name for state in found.matches] == [f"{first}+{second}"]


def test_alembic_version_is_preferred_among_equal_schemas(database: Database) -> None:
    """0006 only adds data: at 0005 the schema is 0006's too; identify agrees with alembic_version."""
    assert database.alembic("upgrade", "0005").returncode == 0

    shown = lines(identify(PROJECT / "alembic.ini", database.url))

    assert shown[1:] == [
        "alembic_version says: 0005.",
        "Matches: the database's schema is what revision 0005 builds, as alembic_version says "
        "(so does 0006: the same schema).",
    ]


def test_a_schema_made_outside_the_revisions_shows_the_first_differences(database: Database, shop: Path) -> None:
    """JupyterHub makes its tables with create_all(): hundreds of differences; the terminal shows the first."""
    database.sql(";".join(f"CREATE TABLE made_{i} (id int PRIMARY KEY, name text, seen date)" for i in range(20)))

    result = cli("identify", cwd=shop, env=database.env)

    assert result.status == 1
    assert "more lines (--json lists every difference)" in result.out
    found = json.loads(cli("identify", "--json", cwd=shop, env=database.env).out)
    assert len(found["differences"]) > 40


@pytest.fixture
def base_outside(database: Database, tmp_path: Path) -> Path:
    """The project whose base (customers) is made outside the revisions; the database at its head, its
    alembic_version lost."""
    shop = ordinary_project(tmp_path, base_outside=True)
    database.sql(BASE_SQL)
    assert database.alembic("upgrade", "head", cwd=shop).returncode == 0
    database.sql("DROP TABLE alembic_version")
    return shop


def test_a_base_made_outside_the_revisions_stops_the_build_and_suggests_seed(
    database: Database, base_outside: Path
) -> None:
    result = cli("identify", cwd=base_outside, env=database.env)

    assert result.status == 1, result.err
    assert result.out.splitlines()[1] == (
        'Stopped: revision 3f1c2a9b7d10 fails on an empty database: relation "customers" does not exist; if the '
        "revisions build on a schema made outside them (metadata.create_all()), give it with --seed FILE.sql or "
        "--seed module:function; later revisions were not compared."
    )


def test_seed_makes_the_base_and_identify_finds_the_revision(database: Database, base_outside: Path) -> None:
    before = database.fingerprint(history=True)

    result = cli("identify", "--seed", "base.sql", cwd=base_outside, env=database.env)

    assert result.status == 0, (result.out, result.err)
    shown = result.out.splitlines()
    assert shown[0].startswith(
        "Built 3 revisions one after another in a database on the same server seeded from base.sql in "
    )
    assert shown[1:] == [
        "alembic_version says: nothing (no alembic_version).",
        f"Matches: the database's schema is what revision {REWRITING} builds.",
        f"alembic_version does not say so: python -m helpers stamp {REWRITING} --seed base.sql puts it right.",
    ]
    assert database.fingerprint(history=True) == before
    assert cli("stamp", REWRITING, "--seed", "base.sql", cwd=base_outside, env=database.env).status == 0


def test_with_a_seed_base_is_the_seeds_schema(database: Database, tmp_path: Path) -> None:
    """A database the application made but never migrated: only the base, which is what --seed makes."""
    shop = ordinary_project(tmp_path, base_outside=True)
    database.sql(BASE_SQL)

    found = identify(shop / "alembic.ini", database.url, seed=BASE_FUNCTION)

    assert [state.name for state in found.matches] == ["base"]
    assert found.as_json()["seed"] == BASE_FUNCTION
