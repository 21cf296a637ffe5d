"""docs/helpers/column-operations.md: the page's revision adds the column, is a no-op over the same
column, and refuses one of another type without changing anything."""

from __future__ import annotations

from pathlib import Path

from tests.support.console import check_console_blocks
from tests.support.database import Database
from tests.support.paths import page, snippet_dir
from tests.support.project import project_with

PAGE = page("helpers/column-operations")
FILES = snippet_dir(PAGE)
REVISION = FILES / "versions" / "0010_add_camera_serial.py"


def test_console_blocks(update_snapshots: bool) -> None:
    check_console_blocks(PAGE, update_snapshots)


def test_column_add_with_conflicting_type_changes_nothing(database: Database, tmp_path: Path) -> None:
    workdir = project_with(tmp_path, REVISION)
    assert database.alembic("upgrade", "0009", cwd=workdir).returncode == 0
    database.load(FILES / "serial_number_wrong_type.sql")
    before = database.fingerprint()

    result = database.alembic("upgrade", "head", cwd=workdir)

    assert result.returncode == 1
    assert "already exists in 'public.cameras' as integer NOT NULL" in result.output
    assert database.fingerprint() == before


def test_column_added_by_hand_with_the_same_type_is_a_no_op(database: Database, tmp_path: Path) -> None:
    workdir = project_with(tmp_path, REVISION)
    assert database.alembic("upgrade", "0009", cwd=workdir).returncode == 0
    database.load(FILES / "serial_number_by_hand.sql")

    result = database.alembic("upgrade", "head", cwd=workdir)

    assert result.returncode == 0, result.output
    assert "already exists as character varying(255) NULL, nothing to do" in result.output
    assert database.scalar("SELECT version_num FROM alembic_version") == "0010"
