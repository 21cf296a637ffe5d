"""docs/failures/version-table.md: alembic_version with a revision and its ancestor; a version table elsewhere.

Alembic's "Requested revision ... overlaps" and a version table in a schema this env.py does not name: each failed
run changes nothing, and is resolved (compare and stamp --purge; the table moved back).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from alembic.util import CommandError

from helpers import diagnose, failures
from tests.support.console import check_console_blocks
from tests.support.database import Database
from tests.support.paths import PROJECT, page, snippet_dir
from tests.support.project import project_with
from tests.support.scenario import at_revision, fails

PAGE = page("failures/version-table")
FILES = snippet_dir(PAGE)
OVERLAPS = "Requested revision 0009 overlaps with other requested revisions 0008"


def test_console_blocks(update_snapshots: bool) -> None:
    check_console_blocks(PAGE, update_snapshots)


def test_overlapping_rows_change_nothing_and_a_stock_env_py_prints_alembics_line(
    database: Database, tmp_path: Path
) -> None:
    at_revision(database, "0009", FILES / "two-rows.sql")
    before = database.fingerprint()
    nothing_ran = "Nothing ran"
    failed = fails(database, None, "overlapping revisions in alembic_version", OVERLAPS, rollback=nothing_ran)
    assert "SEE: http://127.0.0.1:8000/failures/version-table/" in failed
    stock = database.alembic("upgrade", "head", cwd=project_with(tmp_path, name="stock", stock_env=True))
    assert (stock.returncode, stock.output.strip().splitlines()[-1]) == (255, f"FAILED: {OVERLAPS}")
    assert database.fingerprint() == before


def test_diagnose_files_the_command_error_under_this_page(database: Database) -> None:
    """From Python: Alembic's CommandError, raised from its RevisionError, by the message's opening words."""
    assert database.alembic("upgrade", "0009").returncode == 0
    database.load(FILES / "two-rows.sql")
    config = Config(str(PROJECT / "alembic.ini"))
    config.attributes["configure_logger"] = False
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        with pytest.raises(CommandError) as caught:
            command.upgrade(config, "head")
    diagnosis = diagnose(caught.value)
    assert diagnosis.category is failures.OVERLAPPING_REVISIONS
    assert diagnosis.message == OVERLAPS
    assert diagnosis.lines()[-1].endswith("/failures/version-table/")


def test_a_version_table_in_another_schema_runs_from_base_and_changes_nothing(database: Database) -> None:
    at_revision(database, "0009", FILES / "other-schema.sql")
    failed = fails(database, None, "schema conflict", 'relation "users" already exists')
    assert "INFO - Before migration: revision base, 4 tables" in failed
    assert database.scalar("SELECT to_regclass('public.alembic_version') IS NULL") is True
