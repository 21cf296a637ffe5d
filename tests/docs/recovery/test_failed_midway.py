"""docs/recovery/failed-midway.md: every command the page shows, run against a database in the state it declares,
and what its prose says of the half-applied revision: a plain retry fails on what committed; ``--plan`` writes
nothing."""

from __future__ import annotations

from pathlib import Path

from tests.support.cli import cli
from tests.support.console import check_console_blocks
from tests.support.database import Database
from tests.support.paths import SNIPPETS, page
from tests.support.project import project_with

PAGE = page("recovery/failed-midway")
HERE = SNIPPETS / "recovery" / "failed-midway"


def test_console_blocks(update_snapshots: bool) -> None:
    check_console_blocks(PAGE, update_snapshots)


def test_after_the_partial_failure_a_plain_retry_fails_and_the_plan_writes_nothing(
    database: Database, tmp_path: Path
) -> None:
    project = project_with(tmp_path, "recovery/failed-midway/versions/0010_index_concurrently.py")
    assert database.alembic("upgrade", "0009", cwd=project).returncode == 0
    database.load(HERE / "shared_phone.sql")
    assert database.alembic("upgrade", "head", cwd=project).returncode == 1
    database.sql("UPDATE users SET phone = NULL WHERE email = 'bob@example.com'")  # the page's fix
    before = database.fingerprint(history=True)

    assert cli("resume", "--plan", cwd=project, env=database.env).status == 0
    assert database.fingerprint(history=True) == before

    retry = database.alembic("upgrade", "head", cwd=project)
    assert retry.returncode == 1
    assert 'relation "ix_events_camera_id" already exists' in retry.output
