"""docs/helpers/table-rename.md and column-operations.md: the guide's revision files, run for real."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Database
from tests.project_copy import alembic, project_with, psql_file


def _tables(database: Database) -> set[str]:
    return {row[0] for row in database.sql("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}


def test_rename_then_downgrade_renames_back(database: Database, tmp_path: Path) -> None:
    workdir = project_with(tmp_path, "guide/rename_users_table.py")

    assert alembic(database, workdir, "upgrade", "head").returncode == 0
    assert "accounts" in _tables(database) and "users" not in _tables(database)
    assert alembic(database, workdir, "downgrade", "-1").returncode == 0
    assert "users" in _tables(database) and "accounts" not in _tables(database)


def test_rename_refuses_when_both_tables_exist_and_changes_nothing(database: Database, tmp_path: Path) -> None:
    workdir = project_with(tmp_path, "guide/rename_users_table.py")
    assert alembic(database, workdir, "upgrade", "0009").returncode == 0
    psql_file(database, "guide/data/accounts_by_hand.sql")
    before = database.fingerprint()

    result = alembic(database, workdir, "upgrade", "head")

    assert result.returncode == 1
    assert "both tables exist" in result.stderr
    assert database.fingerprint() == before


def test_column_add_with_conflicting_type_changes_nothing(database: Database, tmp_path: Path) -> None:
    workdir = project_with(tmp_path, "guide/add_camera_serial.py")
    assert alembic(database, workdir, "upgrade", "0009").returncode == 0
    psql_file(database, "guide/data/serial_number_wrong_type.sql")
    before = database.fingerprint()

    result = alembic(database, workdir, "upgrade", "head")

    assert result.returncode == 1
    assert "already exists in 'public.cameras' as integer NOT NULL" in result.stderr
    assert database.fingerprint() == before
