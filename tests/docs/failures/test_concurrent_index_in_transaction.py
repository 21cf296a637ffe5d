"""docs/failures/concurrent-index-in-transaction.md: CREATE INDEX CONCURRENTLY in the migration's transaction; 25001."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import drivers, sessions
from tests.support.database import Database
from tests.support.paths import SNIPPETS, page
from tests.support.project import project_with
from tests.support.scenario import Captures, at_revision, break_at, stock_traceback

PAGE = page("failures/concurrent-index-in-transaction")
FOLDER = "failures/concurrent-index-in-transaction"
BAD = f"{FOLDER}/bad/versions/0010_index_events_by_kind.py"
FIXED = f"{FOLDER}/fixed/versions/0010_index_events_by_kind.py"
MESSAGE = "CREATE INDEX CONCURRENTLY cannot run inside a transaction block"


def test_concurrent_index_in_transaction(database: Database, tmp_path: Path, update_snapshots: bool) -> None:
    captures = Captures(PAGE, update_snapshots)
    bad = project_with(tmp_path, BAD)
    label = "a statement that cannot run inside a transaction"
    failed = break_at(database, captures, "0008", label, MESSAGE, data="data.sql", cwd=bad)
    assert "SEE: http://127.0.0.1:8000/failures/concurrent-index-in-transaction/" in failed

    # The same revision under the env.py `alembic init` writes: a traceback, and nothing kept either.
    stock = project_with(tmp_path, BAD, name="stock", stock_env=True)
    stock_traceback(database, captures, stock, MESSAGE, error="ActiveSqlTransaction")

    current = captures.check("current.txt", database.alembic("current", cwd=bad))
    assert current.output.rstrip().endswith("0008")

    fixed = project_with(tmp_path, FIXED, name="fixed")
    retry = captures.check("retry.txt", database.alembic("upgrade", "head", cwd=fixed))
    assert retry.returncode == 0
    assert "After migration: revision 0010, 4 tables" in retry.output
    assert "0010 (head)" in database.alembic("current", cwd=fixed).output
    checked = captures.check("check-index.txt", captures.psql(database, "-f", "check-index.sql"))
    assert " ix_events_kind | t" in checked.output


def test_an_interrupted_concurrent_build_leaves_an_invalid_index(
    database: Database, tmp_path: Path, update_snapshots: bool
) -> None:
    if drivers.is_async():
        pytest.skip("asyncpg does not read PGOPTIONS, which sets the statement_timeout that interrupts the build")
    captures = Captures(PAGE, update_snapshots)
    fixed = project_with(tmp_path, FIXED)
    at_revision(database, "0008", captures.dir / "data.sql", cwd=fixed)

    # The build waits for the open write transaction; statement_timeout ends the wait after 5 s
    # (a margin: every other statement of the run takes milliseconds).
    with sessions.blocker(database, captures.dir / "interrupted" / "writer.sql"):
        interrupted = captures.check(
            "interrupted/upgrade.txt",
            database.shell("PGOPTIONS='-c statement_timeout=5s' alembic upgrade head", cwd=fixed),
        )
    assert interrupted.returncode == 1
    assert "Migration failed due to statement timeout: canceling statement due to statement timeout" in (
        interrupted.output
    )
    # autocommit_block committed 0009 before the build; the build committed its INVALID index entry.
    assert captures.check("interrupted/current.txt", database.alembic("current", cwd=fixed)).output.endswith("0009\n")
    invalid = captures.check("interrupted/check-index.txt", captures.psql(database, "-f", "check-index.sql"))
    assert " ix_events_kind | f" in invalid.output

    rerun = captures.check("interrupted/rerun.txt", database.alembic("upgrade", "head", cwd=fixed))
    assert rerun.returncode == 1
    assert 'relation "ix_events_kind" already exists' in rerun.output

    dropped = captures.check(
        "interrupted/drop-invalid.txt", captures.psql(database, "-c", "DROP INDEX CONCURRENTLY ix_events_kind")
    )
    assert dropped.returncode == 0
    retry = captures.check("interrupted/retry.txt", database.alembic("upgrade", "head", cwd=fixed))
    assert retry.returncode == 0
    assert " ix_events_kind | t" in captures.psql(database, "-f", "check-index.sql").output


def test_the_autocommit_block_runs_without_the_lock_timeout_env_py_set(database: Database, tmp_path: Path) -> None:
    """The page's note: env.py's SET LOCAL lock_timeout ends with the commit that opens the block."""
    fixed = SNIPPETS / FIXED
    probe = tmp_path / "0010_index_events_by_kind.py"
    build = 'op.create_index("ix_events_kind", "events", ["kind"], postgresql_concurrently=True)'
    show = 'print("lock_timeout in the block:", op.get_bind().exec_driver_sql("SHOW lock_timeout").scalar())'
    assert build in fixed.read_text()
    probe.write_text(fixed.read_text().replace(build, show, 1))
    result = database.alembic("upgrade", "head", cwd=project_with(tmp_path, probe))
    assert result.returncode == 0, result.output
    assert "lock_timeout in the block: 0\n" in result.output
