"""docs/failures/check-violation.md: a check constraint over rows that break it (23514); find, fix, retry.

The rows are found with the page's query, fixed, and the revision retried up to head.
"""

from __future__ import annotations

from pathlib import Path

from tests.support.database import Database
from tests.support.paths import page, snippet_dir
from tests.support.project import project_with
from tests.support.scenario import Captures, break_at, stock_symptom

PAGE = page("failures/check-violation")
FILES = snippet_dir(PAGE)
REVISION = FILES / "versions" / "0010_camera_status_check.py"


def test_check_constraint_over_rows_that_break_it(database: Database, update_snapshots: bool, tmp_path: Path) -> None:
    captures = Captures(PAGE, update_snapshots)
    workdir = project_with(tmp_path, REVISION)
    violated = 'check constraint "ck_cameras_status" of relation "cameras" is violated by some row'
    failed = break_at(database, captures, "0009", "rows that break a check constraint", violated, cwd=workdir)
    assert "SEE: http://127.0.0.1:8000/failures/check-violation/" in failed
    stock_symptom(database, captures, "stock.txt", tmp_path, REVISION, error="CheckViolation")

    found = captures.check("find-violations.txt", captures.psql(database, "-f", "find-violations.sql"))
    assert "Active |     1 | {2}" in found.output and "broken |     1 | {3}" in found.output
    fixed = captures.check("fix-values.txt", captures.psql(database, "-v", "ON_ERROR_STOP=1", "-f", "fix-values.sql"))
    assert fixed.returncode == 0
    assert "(0 rows)" in captures.psql(database, "-f", "find-violations.sql").output

    retry = captures.check("retry.txt", database.alembic("upgrade", "head", cwd=workdir))
    assert retry.returncode == 0, retry.output
    assert "0010 (head)" in database.alembic("current", cwd=workdir).output
    statuses = [tuple(r) for r in database.sql("SELECT id, status FROM cameras ORDER BY id")]
    assert statuses == [(1, "active"), (2, "active"), (3, "maintenance"), (4, "retired")]
    # The page's other wording of 23514: an INSERT that breaks the check, with its DETAIL.
    insert = database.psql("-c", "INSERT INTO cameras (owner_id, name, status) VALUES (1, 'Shed', 'broken')")
    assert 'new row for relation "cameras" violates check constraint "ck_cameras_status"' in insert.output
    assert "DETAIL:  Failing row contains (" in insert.output
