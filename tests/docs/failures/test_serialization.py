"""docs/failures/serialization.md: a SERIALIZABLE migration meets a row the application changed (40001); retry.

Nothing is kept; the retry reaches head and keeps the application's change; PGOPTIONS gives a run READ COMMITTED.
"""

from __future__ import annotations

from pathlib import Path

from tests.support import sessions
from tests.support.console import check_console_blocks
from tests.support.database import Database
from tests.support.ordinary import from_last_exception
from tests.support.paths import page, snippet_dir
from tests.support.project import project_with
from tests.support.scenario import Captures, at_revision
from tests.support.transcript import Background, Run, shell

PAGE = page("failures/serialization")
FILES = snippet_dir(PAGE)
REVISION = FILES / "versions" / "0010_camera_status_changed_at.py"
MESSAGE = "could not serialize access due to concurrent update"


def test_console_blocks(update_snapshots: bool) -> None:
    check_console_blocks(PAGE, update_snapshots)


def _upgrade_while_the_application_writes(database: Database, cwd: Path, command: str) -> Run:
    """``alembic upgrade head`` whose ALTER TABLE waits for the application's open UPDATE, which then commits.

    The migration's snapshot is taken at its first statement ("Before migration"), before the application's
    commit; its own UPDATE then meets the row the application changed since, and SERIALIZABLE refuses it.
    """
    with (
        sessions.blocker(database, FILES / "app.sql") as app,
        Background(["bash", "-c", command], env=database.env, cwd=cwd) as bg,
    ):
        bg.display = command
        sessions.wait_until_waiting(database, "ALTER TABLE cameras ADD COLUMN status_changed_at%")
        app.execute("COMMIT")
        return bg.finish()


def test_a_serialization_failure_is_retried(database: Database, update_snapshots: bool, tmp_path: Path) -> None:
    captures = Captures(PAGE, update_snapshots)
    workdir = project_with(tmp_path, REVISION)
    at_revision(database, "0009", FILES / "bad-data.sql", cwd=workdir)
    before = database.fingerprint()

    failed = captures.check(
        "upgrade.txt", _upgrade_while_the_application_writes(database, workdir, "alembic upgrade head")
    )
    assert failed.returncode == 1
    assert f"ERROR - Migration failed due to serialization failure: {MESSAGE}" in failed.output
    assert "SEE: http://127.0.0.1:8000/failures/serialization/" in failed.output
    # Nothing of the migration was kept (schema, row counts, alembic_version); the application's change was.
    assert database.fingerprint() == before
    assert database.scalar("SELECT status FROM cameras WHERE id = 1") == "maintenance"
    database.sql("UPDATE cameras SET status = 'active' WHERE id = 1")  # back to the data the stock run starts from

    stock = project_with(tmp_path, REVISION, name="stock", stock_env=True)
    plain = captures.check(
        "stock.txt",
        _upgrade_while_the_application_writes(database, stock, from_last_exception("alembic upgrade head")),
    )
    assert f"(psycopg.errors.SerializationFailure) {MESSAGE}" in plain.output
    assert database.fingerprint() == before

    retry = captures.check("retry.txt", database.alembic("upgrade", "head", cwd=workdir))
    assert retry.returncode == 0, retry.output
    assert database.scalar("SELECT count(*) FROM cameras WHERE status_changed_at IS NULL") == 0
    assert database.scalar("SELECT status FROM cameras WHERE id = 1") == "maintenance"


def test_pgoptions_runs_the_migration_at_read_committed(database: Database) -> None:
    """The page's way to stop a recurring 40001: this run's sessions at READ COMMITTED, the database's default kept."""
    assert database.alembic("upgrade", "0009").returncode == 0
    assert database.psql("-v", "ON_ERROR_STOP=1", "-q", "-f", str(FILES / "bad-data.sql")).returncode == 0
    line = "PGOPTIONS='-c default_transaction_isolation=read\\ committed' psql -Atc 'SHOW transaction_isolation'"
    assert shell(line, env=database.env).output.strip() == "read committed"
    assert shell("psql -Atc 'SHOW transaction_isolation'", env=database.env).output.strip() == "serializable"
