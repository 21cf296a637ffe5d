"""docs/big-tables.md: its revisions (snippets/big-tables/versions), run by the alembic CLI after 0009.

They live outside the example project so its head stays 0009; a config made for the test adds
their folder to the project's version_locations, and env.py runs them as it runs any revision.

The page shows lines these runs print, captured in snippets/big-tables/
(lock-retries-exhausted.txt, backfill-progress.txt): each run compares them with what it printed,
normalised by tests.support.normalize; ``--update-snapshots`` rewrites them.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa

from tests.support import faults, reflink, sessions
from tests.support.console import check_console_blocks
from tests.support.database import Database, server
from tests.support.faults import FaultServer
from tests.support.normalize import normalize
from tests.support.paths import PROJECT, SNIPPETS, page, snippet_dir
from tests.support.snapshots import check_file
from tests.support.transcript import Background, Run, alembic, alembic_path, helpers, run

PAGE = page("big-tables")
FILES = snippet_dir(PAGE)
GUIDE = FILES / "versions"
LOCK_RETRIES_EXHAUSTED = FILES / "lock-retries-exhausted.txt"
BACKFILL_PROGRESS = FILES / "backfill-progress.txt"
CRASH_LEFTOVERS = FILES / "crash-leftovers.sql"
CLONE_REHEARSAL = FILES / "rehearse-clone.txt"
SAMPLE_DATA = SNIPPETS / "data" / "sample_data.sql"
CLONE_FALLBACK = FILES / "rehearse-clone-fallback.txt"


@pytest.fixture
def ini(tmp_path: Path) -> Path:
    text = (PROJECT / "alembic.ini").read_text()
    text = text.replace(
        "script_location = %(here)s",
        f"script_location = {PROJECT}\nversion_locations = {PROJECT / 'versions'}{os.pathsep}{GUIDE}",
    )
    path = tmp_path / "alembic.ini"
    path.write_text(text)
    return path


def excerpt(output: str, first: str, stop: str | None = None) -> str:
    """The lines of ``output`` from the first one starting with ``first`` up to (not including) the
    first later one starting with ``stop`` (or to the end), normalised as a captured file."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(first))
    end = next((i for i in range(start + 1, len(lines)) if stop and lines[i].startswith(stop)), len(lines))
    return normalize("\n".join(lines[start:end])).rstrip() + "\n"


def bring_to_0009(database: Database) -> Database:
    """Revision 0009 with 2500 users, a camera, 100 events and an audit row."""
    assert database.alembic("upgrade", "0009").returncode == 0
    database.sql(
        """
        INSERT INTO users (id, email, name) SELECT g, 'u' || g || '@example.com', 'User ' || g
        FROM generate_series(1, 2500) g;
        INSERT INTO cameras (id, owner_id, name) VALUES (1, 1, 'hall');
        INSERT INTO events (camera_id, kind) SELECT 1, 'motion' FROM generate_series(1, 100);
        INSERT INTO audit_log (user_id, action) VALUES (1, 'login');
        """
    )
    return database


@pytest.fixture
def at_0009(database: Database) -> Database:
    return bring_to_0009(database)


def test_every_revision_upgrades_and_downgrades(at_0009: Database, ini: Path, update_snapshots: bool) -> None:
    up = at_0009.alembic("-c", str(ini), "upgrade", "heads")
    assert up.returncode == 0, up.output
    # The backfill's lines between its context's start and its summary (whose duration varies).
    progress = excerpt(
        up.output,
        "WARNING - backfill_display_name: committing the migration's work so far: backfill",
        "INFO - backfill_display_name: backfilled ",
    )
    check_file(BACKFILL_PROGRESS, progress, update_snapshots, major=server().major)
    assert "committing the migration's work so far: CREATE INDEX CONCURRENTLY ix_events_camera_created" in up.output
    assert (
        "INFO - backfill_display_name: backfill public.users batch 3: 500 rows (2500 so far), id up to 2500 of 2500"
    ) in up.output.splitlines()
    assert "set public.users.display_name NOT NULL (through validated check users_display_name_not_null)" in up.output
    assert at_0009.scalar("SELECT version_num FROM alembic_version") == "bt04"
    assert at_0009.scalar("SELECT count(*) FROM users WHERE display_name = name") == 2500
    validated = at_0009.sql(
        "SELECT conname, convalidated FROM pg_constraint WHERE conname IN ('ck_cameras_status', "
        "'fk_audit_log_user_cascade') ORDER BY 1"
    ).all()
    assert [tuple(r) for r in validated] == [("ck_cameras_status", True), ("fk_audit_log_user_cascade", True)]

    down = at_0009.alembic("-c", str(ini), "downgrade", "0009")
    assert down.returncode == 0, down.output
    assert at_0009.scalar("SELECT version_num FROM alembic_version") == "0009"


def test_lock_retries_give_up_cleanly_when_a_session_holds_the_table(
    at_0009: Database, ini: Path, update_snapshots: bool
) -> None:
    before = at_0009.fingerprint()
    with at_0009.engine.connect() as holder:
        holder.execute(sa.text("SET application_name = 'nightly-report'"))
        holder.execute(sa.text("SELECT count(*) FROM users"))  # idle in transaction, holding ACCESS SHARE
        result = at_0009.alembic("-c", str(ini), "upgrade", "bt01")
        holder.rollback()

    assert result.returncode == 1
    assert "add_users_display_name: lock_timeout 50ms ran out on attempt 1 of 5; retrying in 0.05s" in result.output
    assert (
        "ERROR - Migration failed due to lock timeout: add_users_display_name: could not get its locks in "
        "5 attempts (lock_timeout 50ms to 800ms); blocked by pid "
    ) in result.output
    assert (
        "(application_name 'nightly-report', state 'idle in transaction', query 'SELECT count(*) FROM users'). "
        "Nothing was changed."
    ) in result.output
    assert "Traceback" not in result.output
    # What the run prints once the last attempt has failed (the earlier attempts' lines name the
    # blocker only once the watching connection has seen it, so they are not captured).
    check_file(LOCK_RETRIES_EXHAUSTED, excerpt(result.output, "ERROR - "), update_snapshots, major=server().major)
    assert at_0009.fingerprint() == before

    retry = at_0009.alembic("-c", str(ini), "upgrade", "bt01")
    assert retry.returncode == 0, retry.output


def test_a_failed_concurrent_index_is_rebuilt_on_the_rerun(at_0009: Database, ini: Path) -> None:
    assert at_0009.alembic("-c", str(ini), "upgrade", "bt01").returncode == 0
    # A concurrent build that failed part-way (here: division by zero in its predicate) leaves an INVALID index.
    with at_0009.engine.connect() as conn, pytest.raises(sa.exc.DataError):
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(sa.text(
            "CREATE INDEX CONCURRENTLY ix_events_camera_created ON events (camera_id, created_at) "
            "WHERE 1 / (camera_id - 1) > 0"
        ))
    assert at_0009.scalar(
        "SELECT indisvalid FROM pg_index WHERE indexrelid = 'ix_events_camera_created'::regclass"
    ) is False

    result = at_0009.alembic("-c", str(ini), "upgrade", "bt02")

    assert result.returncode == 0, result.output
    assert "dropping INVALID index ix_events_camera_created left by a failed build" in result.output
    assert at_0009.scalar(
        "SELECT indisvalid FROM pg_index WHERE indexrelid = 'ix_events_camera_created'::regclass"
    ) is True


@pytest.mark.once  # a server of its own, the embedded 18, whichever server the session runs
def test_a_rehearsal_server_on_xfs_with_reflink_clones_the_copy(update_snapshots: bool) -> None:
    """The page's steps, as root: clone-server.sh (XFS with reflink=1 on a file, mounted, a server on it), the
    example project at 0007 with the sample rows, ``rehearse --copy clone`` (the report the page shows: the copy's
    blocks shared with the source), then clone-server-remove.sh (nothing left mounted)."""
    if reason := reflink.unavailable():
        pytest.skip(reason)
    with reflink.clone_server() as url:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE DATABASE security")
        source = url.replace("/postgres?", "/security?")
        env = {**os.environ, "DATABASE_URL": source.replace("postgresql://", "postgresql+psycopg://")}
        assert alembic("upgrade", "0007", env=env).returncode == 0
        loaded = run(["psql", "-q", "-v", "ON_ERROR_STOP=1", "-d", source, "-f", str(SAMPLE_DATA)], env=env)
        assert loaded.returncode == 0, loaded.output
        rehearsed = helpers("rehearse", "--copy", "clone", env=env)
        mounted = Path(url.rpartition("host=")[2]).parent

    assert rehearsed.returncode == 0, rehearsed.output
    assert " shared with the source, " in rehearsed.output.splitlines()[0]
    check_file(CLONE_REHEARSAL, normalize(rehearsed.output), update_snapshots)
    assert not mounted.exists() or not os.path.ismount(mounted)


def test_clone_where_the_file_system_cannot_says_so(database: Database, update_snapshots: bool) -> None:
    """``rehearse --copy clone`` on the session's server, whose data directory is in memory (tmpfs): a full copy,
    and the report's sentence that says so (the page's second capture)."""
    if server().major < 18:
        pytest.skip("file_copy_method is PostgreSQL 18's")
    assert database.alembic("upgrade", "0007").returncode == 0
    database.load(SAMPLE_DATA)
    database.alone()

    result = helpers("rehearse", "--copy", "clone", env=database.env)

    assert result.returncode == 0, result.output
    first = result.output.replace(database.name, "security").splitlines()[:2]
    if first[1].startswith("Whether the file system cloned cannot be seen from here"):
        pytest.skip("the server's data directory is not on this machine (a container): the rate is all there is")
    check_file(CLONE_FALLBACK, normalize("\n".join(first)) + "\n", update_snapshots)


# -- What a crash leaves behind: the server killed (SIGKILL) while a helper works outside the --------
# -- migration's transaction, started again, and the migration run again. A container of its own ----
# -- per test (tests/support/faults.py); marked `faults`, run by `nox -s faults`. ---------------------


@pytest.fixture
def crashable(ini: Path) -> Iterator[tuple[FaultServer, Database]]:
    """A fault server of this run's PostgreSQL major at revision 0009 with the page's data, or a skip."""
    if reason := faults.unavailable():
        pytest.skip(reason)
    with FaultServer(server().major) as srv:
        yield srv, bring_to_0009(srv.database())


def crash_while(srv: FaultServer, db: Database, ini: Path, target: str, waiting_on: str) -> tuple[str, float]:
    """Run ``alembic upgrade target``, SIGKILL the server once the run waits on a lock running
    ``waiting_on``, start it again; what the run printed, and when the server was started again."""
    with Background([alembic_path(), "-c", str(ini), "-x", "lock_timeout=1min", "upgrade", target], env=db.env) as run:
        sessions.wait_until_waiting(db, waiting_on)
        srv.kill()
        crashed = run.finish(30)
    # The run fails as a lost connection, also inside a helper's autocommit block (where Alembic's
    # reopening of its transaction used to hide it behind a PendingRollbackError).
    assert crashed.returncode == 1
    assert "ERROR - Migration failed due to lost connection: " in crashed.output
    assert "PendingRollbackError" not in crashed.output
    restarted = time.monotonic()
    srv.restart_after_crash()
    return crashed.output, restarted


def leftovers(db: Database) -> Run:
    """The page's query for what a crash left behind (crash-leftovers.sql), run with psql from the page's folder."""
    found = db.psql("-f", CRASH_LEFTOVERS.name, cwd=FILES)
    assert found.returncode == 0, found.output
    return found


def assert_migration_lock_free(db: Database, rerun: str) -> None:
    """The session-level migration lock ended with the crashed session: nobody holds it, the rerun did not wait."""
    assert db.scalar("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'") == 0
    assert "Another migration run holds the migration lock" not in rerun


@pytest.mark.faults
def test_a_crash_during_create_index_concurrently_leaves_an_invalid_index_the_rerun_rebuilds(
    crashable: tuple[FaultServer, Database], ini: Path, update_snapshots: bool
) -> None:
    srv, db = crashable
    assert db.alembic("-c", str(ini), "upgrade", "bt01").returncode == 0
    # A write in flight: the concurrent build waits for it, its INVALID index already committed.
    with contextlib.closing(psycopg.connect(sessions.libpq_conninfo(db))) as writer:
        writer.execute("INSERT INTO events (camera_id, kind) VALUES (1, 'motion')")
        _, restarted = crash_while(srv, db, ini, "bt02", "CREATE INDEX CONCURRENTLY%")
    db = srv.database()
    left = leftovers(db)
    check_file(FILES / "crash-leftovers-index.txt", left.transcript, update_snapshots, major=srv.major)
    assert " index | ix_events_camera_created | events" in left.output
    assert "bt01" in db.alembic("current").output  # bt01 was committed before the build began

    rerun = db.alembic("-c", str(ini), "upgrade", "bt02")
    assert rerun.returncode == 0, rerun.output
    faults.record("crash in CREATE INDEX CONCURRENTLY", srv.major, "one valid index", _index_state(db),
                  time.monotonic() - restarted)
    check_file(FILES / "crash-index-rerun.txt", excerpt(rerun.output, "INFO - Running upgrade bt01 -> bt02",
               "INFO - After migration"), update_snapshots, major=srv.major)
    assert "dropping INVALID index ix_events_camera_created left by a failed build" in rerun.output
    assert _index_state(db) == "one valid index"
    assert_migration_lock_free(db, rerun.output)


def _index_state(db: Database) -> str:
    rows = db.sql(
        "SELECT indisvalid FROM pg_index WHERE indexrelid IN (SELECT oid FROM pg_class WHERE relname = "
        "'ix_events_camera_created')"
    ).scalars().all()
    return "one valid index" if rows == [True] else f"indisvalid {rows}"


COUNT_WRITES = """
CREATE TABLE display_name_writes (user_id int NOT NULL);
CREATE FUNCTION count_display_name_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO display_name_writes VALUES (NEW.id);
    RETURN NEW;
END $$;
CREATE TRIGGER count_display_name_write AFTER UPDATE OF display_name ON users
    FOR EACH ROW EXECUTE FUNCTION count_display_name_write();
"""


@pytest.mark.faults
def test_a_crash_in_a_backfill_keeps_committed_batches_and_the_rerun_updates_each_row_once(
    crashable: tuple[FaultServer, Database], ini: Path, update_snapshots: bool
) -> None:
    srv, db = crashable
    assert db.alembic("-c", str(ini), "upgrade", "bt02").returncode == 0
    db.sql(COUNT_WRITES)  # every UPDATE of a row's display_name leaves one row here, in the same transaction
    # Row 2001 locked by another session: batch 3 waits for it, batches 1 and 2 are committed.
    with contextlib.closing(psycopg.connect(sessions.libpq_conninfo(db))) as holder:
        holder.execute("SELECT 1 FROM users WHERE id = 2001 FOR UPDATE")
        crashed, restarted = crash_while(srv, db, ini, "bt03", "UPDATE %users%")
    progress = excerpt(crashed, "INFO - backfill_display_name: backfill public.users", "ERROR - ")
    check_file(FILES / "crash-backfill.txt", progress, update_snapshots, major=srv.major)
    assert "batch 2: 1000 rows (2000 so far)" in crashed
    db = srv.database()
    kept = db.scalar("SELECT count(*) FROM users WHERE display_name IS NOT NULL")
    assert kept == 2000  # the two committed batches survived the crash; the third was rolled back
    assert "bt02" in db.alembic("current").output
    assert db.scalar("SELECT count(*) FROM display_name_writes") == 2000

    rerun = db.alembic("-c", str(ini), "upgrade", "bt03")
    assert rerun.returncode == 0, rerun.output
    writes = db.sql(
        "SELECT count(*) AS writes, count(DISTINCT user_id) AS users, max(n) AS most FROM "
        "(SELECT user_id, count(*) OVER (PARTITION BY user_id) AS n FROM display_name_writes) w"
    ).one()
    faults.record("crash in a batched backfill", srv.major, (2000, 2500, 1), (kept, writes.users, writes.most),
                  time.monotonic() - restarted)
    check_file(FILES / "crash-backfill-rerun.txt", excerpt(rerun.output,
               "INFO - backfill_display_name: backfill public.users", "INFO - backfill_display_name: backfilled "),
               update_snapshots, major=srv.major)
    assert "batch 1: 500 rows (500 so far), id up to 2500 of 2500" in rerun.output  # only what was left
    assert (writes.writes, writes.users, writes.most) == (2500, 2500, 1)  # every row updated exactly once
    assert db.scalar("SELECT count(*) FROM users WHERE display_name IS DISTINCT FROM name") == 0
    assert_migration_lock_free(db, rerun.output)


@pytest.mark.faults
def test_a_crash_during_validation_leaves_a_not_valid_constraint_the_rerun_validates(
    crashable: tuple[FaultServer, Database], ini: Path, update_snapshots: bool
) -> None:
    srv, db = crashable
    assert db.alembic("-c", str(ini), "upgrade", "bt03").returncode == 0
    reader = psycopg.connect(sessions.libpq_conninfo(db))  # a report holding cameras: ADD CONSTRAINT queues
    queued = psycopg.connect(sessions.libpq_conninfo(db))  # a session that will hold cameras during VALIDATE
    try:
        reader.execute("SELECT count(*) FROM cameras")
        with Background([alembic_path(), "-c", str(ini), "-x", "lock_timeout=1min", "upgrade", "bt04"],
                        env=db.env) as run:
            sessions.wait_until_waiting(db, "ALTER TABLE%cameras%ADD CONSTRAINT%")
            # Queued behind the migration's ACCESS EXCLUSIVE, it gets the table when ADD CONSTRAINT
            # commits, before VALIDATE (which then waits for it) asks.
            lock = threading.Thread(
                target=_quietly, args=(queued, "LOCK TABLE cameras IN SHARE UPDATE EXCLUSIVE MODE"), daemon=True
            )
            lock.start()
            sessions.wait_until_waiting(db, "LOCK TABLE cameras%")
            reader.rollback()
            sessions.wait_until_waiting(db, "%VALIDATE CONSTRAINT%")
            srv.kill()
            crashed = run.finish(30)
            lock.join(30)
    finally:
        for conn in (reader, queued):
            with contextlib.suppress(psycopg.Error):
                conn.close()
    assert crashed.returncode == 1
    restarted = time.monotonic()
    srv.restart_after_crash()
    db = srv.database()
    left = leftovers(db)
    check_file(FILES / "crash-leftovers-constraint.txt", left.transcript, update_snapshots, major=srv.major)
    assert "constraint | ck_cameras_status | cameras" in left.output
    assert "bt03" in db.alembic("current").output

    rerun = db.alembic("-c", str(ini), "upgrade", "bt04")
    assert rerun.returncode == 0, rerun.output
    validated = db.sql(
        "SELECT conname, convalidated FROM pg_constraint WHERE conname IN ('ck_cameras_status', "
        "'fk_audit_log_user_cascade') ORDER BY 1"
    ).all()
    faults.record("crash in VALIDATE CONSTRAINT", srv.major, [("ck_cameras_status", True),
                  ("fk_audit_log_user_cascade", True)], [tuple(r) for r in validated], time.monotonic() - restarted)
    check_file(FILES / "crash-validate-rerun.txt", excerpt(rerun.output, "INFO - Running upgrade bt03 -> bt04",
               "INFO - After migration"), update_snapshots, major=srv.major)
    assert [tuple(r) for r in validated] == [("ck_cameras_status", True), ("fk_audit_log_user_cascade", True)]
    assert_migration_lock_free(db, rerun.output)


def _quietly(conn: psycopg.Connection, statement: str) -> None:
    """Run ``statement`` on ``conn``; the server may be killed meanwhile."""
    with contextlib.suppress(psycopg.Error):
        conn.execute(statement)


@pytest.fixture(scope="module", autouse=True)
def _figures(request: pytest.FixtureRequest) -> Iterator[None]:
    """Print what each crash left behind and how long the rerun took (the run's fault figures)."""
    yield from faults.figures(request.config)


CRASH_CAPTURES = sorted(FILES.glob("crash-*.txt"))


def test_console_blocks(update_snapshots: bool) -> None:
    """The rehearsals the page shows: plain operations, then the helpers, on the same rows."""
    check_console_blocks(PAGE, update_snapshots)
