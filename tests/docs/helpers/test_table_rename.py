"""docs/helpers/table-rename.md: the page's revision renames and renames back, refuses when both exist."""

from __future__ import annotations

from pathlib import Path

from tests.support.console import check_console_blocks
from tests.support.database import Database
from tests.support.paths import page, snippet_dir
from tests.support.project import project_with

PAGE = page("helpers/table-rename")
FILES = snippet_dir(PAGE)
REVISION = FILES / "versions" / "0010_rename_users_table.py"


def test_console_blocks(update_snapshots: bool) -> None:
    check_console_blocks(PAGE, update_snapshots)


def _tables(database: Database) -> set[str]:
    return {row[0] for row in database.sql("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}


def test_rename_then_downgrade_renames_back(database: Database, tmp_path: Path) -> None:
    workdir = project_with(tmp_path, REVISION)

    assert database.alembic("upgrade", "head", cwd=workdir).returncode == 0
    assert "accounts" in _tables(database) and "users" not in _tables(database)
    assert database.alembic("downgrade", "-1", cwd=workdir).returncode == 0
    assert "users" in _tables(database) and "accounts" not in _tables(database)


def test_rename_refuses_when_both_tables_exist_and_changes_nothing(database: Database, tmp_path: Path) -> None:
    workdir = project_with(tmp_path, REVISION)
    assert database.alembic("upgrade", "0009", cwd=workdir).returncode == 0
    database.load(FILES / "accounts_by_hand.sql")
    before = database.fingerprint()

    result = database.alembic("upgrade", "head", cwd=workdir)

    assert result.returncode == 1
    assert "both tables exist" in result.output
    assert database.fingerprint() == before
