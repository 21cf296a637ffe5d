"""docs/failures/pending-trigger-events.md: data and schema changed in one transaction under a deferred check; 55006."""

from __future__ import annotations

from pathlib import Path

from tests.support.database import Database
from tests.support.paths import page
from tests.support.project import project_with
from tests.support.scenario import Captures, at_revision, fails, stock_traceback

PAGE = page("failures/pending-trigger-events")
FOLDER = "failures/pending-trigger-events"
DEFER = f"{FOLDER}/versions/0010_defer_event_camera_check.py"
BAD = f"{FOLDER}/bad/versions/0011_merge_duplicate_cameras.py"
SPLIT = (
    f"{FOLDER}/split/versions/0011_merge_duplicate_cameras.py",
    f"{FOLDER}/split/versions/0012_unique_camera_names.py",
)
FIXED = (f"{FOLDER}/fixed/versions/0011_merge_duplicate_cameras.py", SPLIT[1])
PENDING = 'cannot ALTER TABLE "cameras" because it has pending trigger events'


def _merged(database: Database) -> None:
    assert database.scalar("SELECT count(*) FROM cameras") == 2
    assert database.scalar("SELECT count(*) FROM events WHERE camera_id = 1") == 2
    assert database.scalar("SELECT count(*) FROM pg_constraint WHERE conname = 'uq_cameras_owner_name'") == 1


def test_pending_trigger_events(database: Database, tmp_path: Path, update_snapshots: bool) -> None:
    captures = Captures(PAGE, update_snapshots)
    bad = project_with(tmp_path, DEFER, BAD)
    at_revision(database, "0010", captures.dir / "bad-data.sql", cwd=bad)
    failed = fails(database, captures, "an object in use", PENDING, cwd=bad)
    assert "SEE: http://127.0.0.1:8000/failures/pending-trigger-events/" in failed
    before = database.fingerprint()

    stock = project_with(tmp_path, DEFER, BAD, name="stock", stock_env=True)
    stock_traceback(database, captures, stock, PENDING, error="ObjectInUse")

    deferred = captures.check("pending.txt", captures.psql(database, "-f", "pending.sql"))
    assert " events | fk_events_camera_id | t" in deferred.output
    savepoint = captures.check("with-savepoint.txt", captures.psql(database, "-f", "with-savepoint.sql"))
    assert f"ERROR:  {PENDING}" in savepoint.output
    assert database.fingerprint() == before

    # Two revisions, one transaction (env.py runs every pending revision in one): the same failure.
    split = project_with(tmp_path, DEFER, *SPLIT, name="split")
    fails(database, captures, "an object in use", PENDING, capture="split-upgrade.txt", cwd=split)
    assert database.fingerprint() == before

    fixed = project_with(tmp_path, DEFER, *FIXED, name="fixed")
    retry = captures.check("retry.txt", database.alembic("upgrade", "head", cwd=fixed))
    assert retry.returncode == 0
    assert "0012 (head)" in database.alembic("current", cwd=fixed).output
    _merged(database)


def test_the_split_revisions_pass_when_each_is_committed_alone(
    database: Database, tmp_path: Path, update_snapshots: bool
) -> None:
    captures = Captures(PAGE, update_snapshots)
    split = project_with(tmp_path, DEFER, *SPLIT)
    at_revision(database, "0010", captures.dir / "bad-data.sql", cwd=split)
    first = captures.check(
        "split-one-at-a-time.txt", database.shell("alembic upgrade 0011 && alembic upgrade head", cwd=split)
    )
    assert first.returncode == 0
    assert "0012 (head)" in database.alembic("current", cwd=split).output
    _merged(database)
