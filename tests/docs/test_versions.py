"""docs/versions.md: each difference between PostgreSQL versions the page lists, checked on the
server of this run (nox -s pg-15, pg-17, pg-18 run it on each)."""

from __future__ import annotations

import re

from tests.support.database import Database, server
from tests.support.paths import ROOT, page

PAGE = page("versions")


def _tool_major(database: Database, tool: str) -> tuple[int, int]:
    version = database.run([tool, "--version"]).output
    major, minor = re.search(r"\(PostgreSQL\) (\d+)\.(\d+)", version).groups()  # type: ignore[union-attr]
    return int(major), int(minor)


def test_transaction_timeout_is_known_from_17(database: Database) -> None:
    result = database.shell("psql -Atc 'SHOW transaction_timeout'")
    if server().major < 17:
        assert result.returncode == 1
        assert 'unrecognized configuration parameter "transaction_timeout"' in result.output
    else:
        assert (result.returncode, result.output.strip()) == (0, "0")


def test_pg_dump_sets_transaction_timeout_from_17(database: Database) -> None:
    dump = database.run(["pg_dump", "--schema-only"]).output
    major, _ = _tool_major(database, "pg_dump")
    assert ("SET transaction_timeout = 0;" in dump.splitlines()) == (major >= 17)


def test_plain_dumps_carry_restrict_lines(database: Database) -> None:
    dump = database.run(["pg_dump", "--schema-only"]).output.splitlines()
    first_with_it = {15: 14, 16: 10, 17: 6}
    major, minor = _tool_major(database, "pg_dump")
    expected = major >= 18 or minor >= first_with_it.get(major, 99)
    assert any(line.startswith("\\restrict ") for line in dump) == expected
    assert any(line.startswith("\\unrestrict ") for line in dump) == expected


def test_the_page_names_the_versions_the_matrix_runs() -> None:
    majors = re.search(r"MAJORS = \(([^)]*)\)", (ROOT / "noxfile.py").read_text()).group(1)  # type: ignore[union-attr]
    listed = re.findall(r'"(\d+)"', majors)
    assert f"PostgreSQL {', '.join(listed[:-1])} and {listed[-1]}" in PAGE.read_text(encoding="utf-8")


def test_a_one_table_views_columns_are_qualified_on_15_only(database: Database) -> None:
    database.sql("CREATE TABLE cameras (id integer, name text)")
    database.sql("CREATE VIEW camera_names AS SELECT id, name FROM cameras")
    definition = str(database.scalar("SELECT pg_get_viewdef('camera_names')"))
    assert definition.split() == (
        ["SELECT", "cameras.id,", "cameras.name", "FROM", "cameras;"]
        if server().major < 16
        else ["SELECT", "id,", "name", "FROM", "cameras;"]
    )
