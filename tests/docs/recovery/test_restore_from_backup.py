"""docs/recovery/restore-from-backup.md: the backup and restore drill, run with the page's own commands."""

from __future__ import annotations

from pathlib import Path

from tests.support.console import check_console_blocks, commands
from tests.support.database import Database
from tests.support.paths import SHARED_DATA, page
from tests.support.project import project_with
from tests.support.transcript import Run

PAGE = page("recovery/restore-from-backup")


def test_console_blocks(update_snapshots: bool) -> None:
    check_console_blocks(PAGE, update_snapshots)


def _run(database: Database, workdir: Path, block_id: str) -> list[Run]:
    """The commands of the page's block ``block_id``, typed into bash as a reader would."""
    return [database.shell(command, cwd=workdir) for command in commands(PAGE, block_id)]


def _with_data(database: Database) -> None:
    assert database.alembic("upgrade", "0007").returncode == 0
    database.load(SHARED_DATA / "sample_data.sql")


def test_drill_backup_drop_create_restore_brings_back_schema_rows_and_revision(
    database: Database, tmp_path: Path
) -> None:
    _with_data(database)
    workdir = project_with(tmp_path)
    before = database.fingerprint()
    assert sum(before.row_counts.values()) > 500 and before.alembic_version == ("0007",)

    backup = _run(database, workdir, "backup")
    assert [r.returncode for r in backup] == [0, 0]
    assert backup[1].output.strip() == "1"  # the completeness check finds the last comment
    restore = _run(database, workdir, "restore")
    assert [r.returncode for r in restore] == [0, 0, 0], [r.output for r in restore]

    assert database.fingerprint() == before


def test_restore_into_existing_database_stops_with_status_3_and_changes_nothing(
    database: Database, tmp_path: Path
) -> None:
    _with_data(database)
    workdir = project_with(tmp_path)
    before = database.fingerprint()

    dump, restore = _run(database, workdir, "existing")

    assert dump.returncode == 0
    assert restore.returncode == 3
    # The first table of the dump (alphabetical): env.py's attempt history (helpers.history).
    assert 'relation "alembic_history" already exists' in restore.output
    assert database.fingerprint() == before


def test_restore_from_missing_file_runs_nothing(database: Database, tmp_path: Path) -> None:
    _with_data(database)
    before = database.fingerprint()

    (missing,) = _run(database, project_with(tmp_path), "missing")

    assert missing.returncode == 1
    assert "No such file or directory" in missing.output
    assert database.fingerprint() == before


def test_truncated_backup_fails_the_check_but_restores_partially_with_status_0(
    database: Database, tmp_path: Path
) -> None:
    _with_data(database)
    workdir = project_with(tmp_path)
    assert all(r.returncode == 0 for r in _run(database, workdir, "backup"))

    _cut, check, _drop, _create, restore, listing = _run(database, workdir, "truncated")

    assert (check.returncode, check.output.strip()) == (1, "0")
    assert restore.returncode == 0  # psql cannot tell: the truncated file is a valid script
    restored = set(listing.output.split())
    assert restored and restored < {"alembic_history", "alembic_version", "users", "cameras", "events", "audit_log"}
