"""docs/failures/value-too-long.md: a shorter varchar (22001), a smallint backfill overflowed (22003); widen, retry.

The rows are found, the revision given a type that holds them and retried, every row kept whole.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.support.database import Database
from tests.support.paths import page, snippet_dir
from tests.support.project import project_with
from tests.support.scenario import Captures, break_at, stock_symptom

PAGE = page("failures/value-too-long")
FILES = snippet_dir(PAGE)
LABEL = "a value too big for its type"


def test_a_varchar_shortened_below_a_stored_value(database: Database, update_snapshots: bool, tmp_path: Path) -> None:
    captures = Captures(PAGE, update_snapshots)
    revision = FILES / "varchar" / "versions" / "0010_shorter_user_email.py"
    workdir = project_with(tmp_path, revision)
    failed = break_at(
        database, captures, "0009", LABEL, "value too long for type character varying(50)", case="varchar", cwd=workdir
    )
    assert "SEE: http://127.0.0.1:8000/failures/value-too-long/" in failed
    stock_symptom(database, captures, "varchar/stock.txt", tmp_path, revision, error="StringDataRightTruncation")

    found = captures.check("varchar/find-long.txt", captures.psql(database, "-f", "varchar/find-long.sql"))
    assert "  2 |     52 | bartholomew." in found.output and "      52" in found.output

    shutil.copy(FILES / "varchar" / "fixed" / revision.name, workdir / "versions" / revision.name)
    retry = captures.check("varchar/retry.txt", database.alembic("upgrade", "head", cwd=workdir))
    assert retry.returncode == 0, retry.output
    assert (
        database.scalar(
            "SELECT character_maximum_length FROM information_schema.columns "
            "WHERE table_name = 'users' AND column_name = 'email'"
        )
        == 64
    )
    assert database.scalar("SELECT count(*) FROM users") == 2  # nothing cut, nothing lost


def test_a_backfill_past_a_smallints_range(database: Database, update_snapshots: bool, tmp_path: Path) -> None:
    captures = Captures(PAGE, update_snapshots)
    revision = FILES / "smallint" / "versions" / "0010_camera_event_count.py"
    workdir = project_with(tmp_path, revision)
    failed = break_at(database, captures, "0009", LABEL, "smallint out of range", case="smallint", cwd=workdir)
    assert "SEE: http://127.0.0.1:8000/failures/value-too-long/" in failed
    stock_symptom(database, captures, "smallint/stock.txt", tmp_path, revision, error="NumericValueOutOfRange")

    found = captures.check("smallint/find-large.txt", captures.psql(database, "-f", "smallint/find-large.sql"))
    assert "         1 |  40000" in found.output and "(1 row)" in found.output

    shutil.copy(FILES / "smallint" / "fixed" / revision.name, workdir / "versions" / revision.name)
    retry = captures.check("smallint/retry.txt", database.alembic("upgrade", "head", cwd=workdir))
    assert retry.returncode == 0, retry.output
    counts = [tuple(r) for r in database.sql("SELECT id, event_count FROM cameras ORDER BY id")]
    assert counts == [(1, 40000), (2, 2)]


def test_the_tables_messages_are_postgresqls(database: Database) -> None:
    """Each message in the page's table, from the statement it names; and an explicit cast that cuts quietly."""
    text = PAGE.read_text(encoding="utf-8")
    for statement, sqlstate, message in (
        (
            "CREATE TEMP TABLE t (v varchar(50)); INSERT INTO t VALUES (repeat('x', 51))",
            "22001",
            "value too long for type character varying(50)",
        ),
        ("SELECT 40000::smallint", "22003", "smallint out of range"),
        ("SELECT 3000000000::integer", "22003", "integer out of range"),
        ("SELECT 123.45::numeric(4, 2)", "22003", "numeric field overflow"),
    ):
        ran = database.psql("-v", "VERBOSITY=verbose", "-c", statement)
        assert f"ERROR:  {sqlstate}: {message}" in ran.output, ran.output
        assert f"`{message}`" in text, message
    assert database.scalar("SELECT length(repeat('x', 60)::varchar(50))") == 50  # the cast cuts, and says nothing
