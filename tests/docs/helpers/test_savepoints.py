"""docs/helpers/savepoints.md: the source text's savepoint pattern keeps nothing; ours keeps step 1."""

from __future__ import annotations

from pathlib import Path

from tests.support.console import check_console_blocks
from tests.support.database import Database
from tests.support.paths import page, snippet_dir
from tests.support.project import project_with

PAGE = page("helpers/savepoints")
FILES = snippet_dir(PAGE)
AS_WRITTEN = FILES / "as-written" / "versions" / "0010_normalize_emails.py"
KEEP_STEP1 = FILES / "keep-step1" / "versions" / "0010_normalize_emails.py"
DATA = FILES / "case_duplicate_emails.sql"


def test_console_blocks(update_snapshots: bool) -> None:
    check_console_blocks(PAGE, update_snapshots)


def _columns(database: Database) -> set[str]:
    rows = database.sql("SELECT column_name FROM information_schema.columns WHERE table_name = 'users'")
    return {row[0] for row in rows}


def _indexes(database: Database) -> set[str]:
    return {row[0] for row in database.sql("SELECT indexname FROM pg_indexes WHERE tablename = 'users'")}


def test_as_written_reraises_so_step_1_is_rolled_back_too(database: Database, tmp_path: Path) -> None:
    workdir = project_with(tmp_path, AS_WRITTEN)
    assert database.alembic("upgrade", "0009", cwd=workdir).returncode == 0
    database.load(DATA)
    before = database.fingerprint()

    result = database.alembic("upgrade", "head", cwd=workdir)

    assert result.returncode == 1
    assert "ROLLBACK TO SAVEPOINT after_step1" in result.output
    assert "email_normalized" not in _columns(database)
    assert database.fingerprint() == before


def test_keep_step1_commits_step_1_without_step_2(database: Database, tmp_path: Path) -> None:
    workdir = project_with(tmp_path, KEEP_STEP1)
    assert database.alembic("upgrade", "0009", cwd=workdir).returncode == 0
    database.load(DATA)

    result = database.alembic("upgrade", "head", cwd=workdir)

    assert result.returncode == 0, result.output
    assert "email_normalized" in _columns(database)
    assert "ux_users_email_normalized" not in _indexes(database)
    assert database.scalar("SELECT count(*) FROM users WHERE email_normalized = lower(email)") == 3
    assert database.scalar("SELECT version_num FROM alembic_version") == "0010"


def test_keep_step1_builds_the_index_when_nothing_is_duplicated(database: Database, tmp_path: Path) -> None:
    workdir = project_with(tmp_path, KEEP_STEP1)

    result = database.alembic("upgrade", "head", cwd=workdir)

    assert result.returncode == 0, result.output
    assert "Step 2 skipped" not in result.output
    assert "ux_users_email_normalized" in _indexes(database)
