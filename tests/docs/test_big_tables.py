"""docs/big-tables.md: its revisions (snippets/big-tables/versions), run by the alembic CLI after 0009.

They live outside the example project so its head stays 0009; a config made for the test adds
their folder to the project's version_locations, and env.py runs them as it runs any revision.

The page shows lines these runs print, captured in snippets/big-tables/
(lock-retries-exhausted.txt, backfill-progress.txt): each run compares them with what it printed,
normalised by tests.support.normalize; ``--update-snapshots`` rewrites them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.support.console import check_console_blocks
from tests.support.database import Database, server
from tests.support.normalize import normalize
from tests.support.paths import PROJECT, page, relative, snippet_dir
from tests.support.snapshots import check_file, mismatch_message

PAGE = page("big-tables")
FILES = snippet_dir(PAGE)
GUIDE = FILES / "versions"
LOCK_RETRIES_EXHAUSTED = FILES / "lock-retries-exhausted.txt"
BACKFILL_PROGRESS = FILES / "backfill-progress.txt"


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


@pytest.fixture
def at_0009(database: Database) -> Database:
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


@pytest.mark.parametrize("captured", [LOCK_RETRIES_EXHAUSTED, BACKFILL_PROGRESS], ids=lambda p: p.name)
def test_a_changed_word_in_a_captured_output_fails_naming_the_page(captured: Path, tmp_path: Path) -> None:
    assert relative(PAGE) in mismatch_message(captured, tmp_path)


def test_console_blocks(update_snapshots: bool) -> None:
    """The rehearsals the page shows: plain operations, then the helpers, on the same rows."""
    check_console_blocks(PAGE, update_snapshots)
