"""docs/failures/aborted-transaction.md: a revision catches a failed statement and goes on; 25P02."""

from __future__ import annotations

from pathlib import Path

from tests.support.database import Database
from tests.support.paths import page
from tests.support.project import project_with
from tests.support.scenario import Captures, break_at, stock_traceback

PAGE = page("failures/aborted-transaction")
FOLDER = "failures/aborted-transaction"
BAD = f"{FOLDER}/bad/versions/0010_camera_names_and_serials.py"
FIXED = f"{FOLDER}/fixed/versions/0010_camera_names_and_serials.py"
ABORTED = "current transaction is aborted, commands ignored until end of transaction block"


def _columns(database: Database) -> set[str]:
    rows = database.sql("SELECT column_name FROM information_schema.columns WHERE table_name = 'cameras'")
    return {row[0] for row in rows}


def test_aborted_transaction(database: Database, tmp_path: Path, update_snapshots: bool) -> None:
    captures = Captures(PAGE, update_snapshots)
    bad = project_with(tmp_path, BAD)
    failed = break_at(database, captures, "0009", "an aborted transaction", ABORTED, cwd=bad)
    assert "NEXT: This is not the real error" in failed
    assert "SEE: http://127.0.0.1:8000/failures/aborted-transaction/" in failed
    assert "could not create unique index" not in failed  # the real error: swallowed
    before = database.fingerprint()

    stock = project_with(tmp_path, BAD, name="stock", stock_env=True)
    traceback = stock_traceback(database, captures, stock, ABORTED, error="InFailedSqlTransaction")
    assert "[SQL: ALTER TABLE cameras ADD COLUMN serial_number VARCHAR(64)]" in traceback.output
    # The whole traceback points at the statement after the caught one, never at the caught one.
    whole = database.shell("alembic upgrade head", cwd=stock).output
    assert 'op.add_column("cameras", sa.Column("serial_number", sa.String(64)))' in whole
    assert "op.create_index(" not in whole
    assert database.fingerprint() == before

    offline = captures.check("statements.txt", database.alembic("upgrade", "0009:0010", "--sql", cwd=bad))
    assert offline.output.index("CREATE UNIQUE INDEX ux_cameras_owner_name") < offline.output.index(
        "ALTER TABLE cameras ADD COLUMN serial_number"
    )
    first = captures.check("first-error.txt", captures.psql(database, "-f", "first-error.sql"))
    assert 'ERROR:  could not create unique index "ux_cameras_owner_name"' in first.output
    assert "DETAIL:  Key (owner_id, name)=(1, Front door) is duplicated." in first.output
    assert database.fingerprint() == before

    fixed = project_with(tmp_path, FIXED, name="fixed")
    retry = captures.check("retry.txt", database.alembic("upgrade", "head", cwd=fixed))
    assert retry.returncode == 0
    assert "WARNING - Unique camera names skipped: could not create unique index" in retry.output
    assert "0010 (head)" in database.alembic("current", cwd=fixed).output
    assert "serial_number" in _columns(database)
    assert database.scalar("SELECT count(*) FROM pg_indexes WHERE indexname = 'ux_cameras_owner_name'") == 0


def test_the_fixed_revision_builds_the_index_when_the_names_are_unique(database: Database, tmp_path: Path) -> None:
    fixed = project_with(tmp_path, FIXED)
    result = database.alembic("upgrade", "head", cwd=fixed)
    assert result.returncode == 0, result.output
    assert "skipped" not in result.output
    assert database.scalar("SELECT count(*) FROM pg_indexes WHERE indexname = 'ux_cameras_owner_name'") == 1
