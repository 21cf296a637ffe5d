"""docs/helpers/savepoints.md: the source text's savepoint pattern keeps nothing; ours keeps step 1."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Database
from tests.project_copy import alembic, project_with, psql_file

DATA = "guide/data/case_duplicate_emails.sql"


def _columns(database: Database) -> set[str]:
    rows = database.sql("SELECT column_name FROM information_schema.columns WHERE table_name = 'users'")
    return {row[0] for row in rows}


def _indexes(database: Database) -> set[str]:
    return {row[0] for row in database.sql("SELECT indexname FROM pg_indexes WHERE tablename = 'users'")}


def test_as_written_reraises_so_step_1_is_rolled_back_too(database: Database, tmp_path: Path) -> None:
    workdir = project_with(tmp_path, "guide/savepoint_as_written.py")
    assert alembic(database, workdir, "upgrade", "0009").returncode == 0
    psql_file(database, DATA)
    before = database.fingerprint()

    result = alembic(database, workdir, "upgrade", "head")

    assert result.returncode == 1
    assert "ROLLBACK TO SAVEPOINT after_step1" in result.stderr
    assert "email_normalized" not in _columns(database)
    assert database.fingerprint() == before


def test_keep_step1_commits_step_1_without_step_2(database: Database, tmp_path: Path) -> None:
    workdir = project_with(tmp_path, "guide/savepoint_keep_step1.py")
    assert alembic(database, workdir, "upgrade", "0009").returncode == 0
    psql_file(database, DATA)

    result = alembic(database, workdir, "upgrade", "head")

    assert result.returncode == 0, result.stderr
    assert "email_normalized" in _columns(database)
    assert "ux_users_email_normalized" not in _indexes(database)
    assert database.scalar("SELECT count(*) FROM users WHERE email_normalized = lower(email)") == 3
    assert database.scalar("SELECT version_num FROM alembic_version") == "0010"


def test_keep_step1_builds_the_index_when_nothing_is_duplicated(database: Database, tmp_path: Path) -> None:
    workdir = project_with(tmp_path, "guide/savepoint_keep_step1.py")

    result = alembic(database, workdir, "upgrade", "head")

    assert result.returncode == 0, result.stderr
    assert "Step 2 skipped" not in result.stderr
    assert "ux_users_email_normalized" in _indexes(database)
