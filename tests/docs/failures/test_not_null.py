"""docs/failures/not-null.md: NOT NULL over rows that hold NULLs (23502), both ways a revision meets it.

- new column: add_column(nullable=False) without a default on a table with rows; the fixed
  revision gives it a server default.
- existing column: alter_column(nullable=False) over NULLs; found, backfilled, retried (plain, and
  through the helpers' set_not_null).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.support.database import Database
from tests.support.paths import page, snippet_dir
from tests.support.project import project_with
from tests.support.scenario import Captures, at_revision, break_at, stock_symptom

PAGE = page("failures/not-null")
FILES = snippet_dir(PAGE)
LABEL = "NULLs in a NOT NULL column"
NEW_COLUMN = FILES / "new-column" / "versions" / "0010_add_camera_retention.py"
EXISTING = FILES / "existing-column" / "versions" / "0010_require_camera_location.py"


def retry(database: Database, captures: Captures, case: str, workdir: Path) -> None:
    result = captures.check(f"{case}/retry.txt", database.alembic("upgrade", "head", cwd=workdir))
    assert result.returncode == 0, result.output
    assert "0010 (head)" in database.alembic("current", cwd=workdir).output


def test_new_not_null_column_without_a_default(database: Database, update_snapshots: bool, tmp_path: Path) -> None:
    captures = Captures(PAGE, update_snapshots)
    workdir = project_with(tmp_path, NEW_COLUMN)
    failed = break_at(database, captures, "0009", LABEL, case="new-column", cwd=workdir)
    assert 'column "retention_days" of relation "cameras" contains null values' in failed
    assert "SEE: http://127.0.0.1:8000/failures/not-null/" in failed

    shutil.copy(FILES / "new-column" / "fixed" / NEW_COLUMN.name, workdir / "versions" / NEW_COLUMN.name)
    filenode = "SELECT pg_relation_filenode('cameras')"
    file_before = database.scalar(filenode)
    retry(database, captures, "new-column", workdir)
    assert database.scalar(filenode) == file_before  # a constant default: the table was not rewritten
    assert [r[0] for r in database.sql("SELECT retention_days FROM cameras ORDER BY id")] == [30, 30, 30]


def test_existing_column_over_nulls(database: Database, update_snapshots: bool, tmp_path: Path) -> None:
    captures = Captures(PAGE, update_snapshots)
    workdir = project_with(tmp_path, EXISTING)
    failed = break_at(database, captures, "0009", LABEL, case="existing-column", cwd=workdir)
    assert 'column "location" of relation "cameras" contains null values' in failed
    stock_symptom(database, captures, "existing-column/stock.txt", tmp_path, EXISTING, error="NotNullViolation")

    found = captures.check(
        "existing-column/find-nulls.txt", captures.psql(database, "-f", "existing-column/find-nulls.sql")
    )
    assert "(2 rows)" in found.output
    filled = captures.check(
        "existing-column/backfill.txt",
        captures.psql(database, "-v", "ON_ERROR_STOP=1", "-f", "existing-column/backfill.sql"),
    )
    assert "UPDATE 2" in filled.output
    retry(database, captures, "existing-column", workdir)
    assert database.scalar("SELECT count(*) FROM cameras WHERE location = 'unknown'") == 2


def test_set_not_null_through_the_helpers(database: Database, update_snapshots: bool, tmp_path: Path) -> None:
    """The big-table way: over NULLs it fails too (its check, 23514), and passes once they are backfilled."""
    captures = Captures(PAGE, update_snapshots)
    workdir = project_with(tmp_path, FILES / "existing-column" / "helpers" / EXISTING.name)
    at_revision(database, "0009", FILES / "existing-column" / "bad-data.sql", cwd=workdir)
    before = database.fingerprint()
    failed = captures.check("existing-column/helpers-upgrade.txt", database.alembic("upgrade", "head", cwd=workdir))
    assert failed.returncode == 1
    assert 'check constraint "cameras_location_not_null" of relation "cameras" is violated by some row' in failed.output
    # Validating commits the work before it (outside a transaction): the NOT VALID check stays, nothing else.
    after = database.fingerprint()
    assert (after.row_counts, after.alembic_version) == (before.row_counts, before.alembic_version)
    validated = "SELECT convalidated FROM pg_constraint WHERE conname = 'cameras_location_not_null'"
    assert database.scalar(validated) is False

    database.load(FILES / "existing-column" / "backfill.sql")
    result = captures.check("existing-column/helpers-retry.txt", database.alembic("upgrade", "head", cwd=workdir))
    assert result.returncode == 0, result.output
    assert "set public.cameras.location NOT NULL (through validated check cameras_location_not_null)" in result.output
    assert database.scalar(
        "SELECT is_nullable FROM information_schema.columns WHERE table_name = 'cameras' AND column_name = 'location'"
    ) == "NO"
    assert database.scalar("SELECT count(*) FROM pg_constraint WHERE conname = 'cameras_location_not_null'") == 0
