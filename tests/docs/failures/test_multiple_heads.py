"""docs/failures/multiple-heads.md: two revisions on top of 0009; merge heads, re-parent, upgrade heads."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from alembic.util import CommandError

from helpers import diagnose, failures
from tests.support.console import check_console_blocks
from tests.support.database import Database
from tests.support.paths import page, snippet_dir
from tests.support.project import project_with
from tests.support.scenario import at_revision, fails

PAGE = page("failures/multiple-heads")
VERSIONS = snippet_dir(PAGE) / "versions"
BRANCHES = (VERSIONS / "0010_add_camera_model.py", VERSIONS / "0011_add_user_locale.py")


def test_console_blocks(update_snapshots: bool) -> None:
    check_console_blocks(PAGE, update_snapshots)


def _columns(database: Database) -> set[tuple[str, str]]:
    rows = database.sql(
        "SELECT table_name::text, column_name::text FROM information_schema.columns WHERE table_schema = 'public'"
    )
    return {tuple(row) for row in rows}  # type: ignore[misc]


def test_upgrade_head_changes_nothing_and_the_merge_brings_both_branches(database: Database, tmp_path: Path) -> None:
    workdir = project_with(tmp_path, *BRANCHES)
    at_revision(database, "0009", cwd=workdir)
    heads = "Multiple head revisions are present"
    fails(database, None, "multiple heads", heads, cwd=workdir, rollback="Nothing ran: ")

    assert database.alembic("merge", "heads", "--rev-id", "0012", "-m", "merge", cwd=workdir).returncode == 0
    assert database.alembic("upgrade", "head", cwd=workdir).returncode == 0
    assert {("cameras", "model"), ("users", "locale")} <= _columns(database)
    assert database.scalar("SELECT version_num FROM alembic_version") == "0012"


def test_diagnose_names_this_page_for_the_exception_alembic_raises(database: Database, tmp_path: Path) -> None:
    workdir = project_with(tmp_path, *BRANCHES)
    config = Config(str(workdir / "alembic.ini"))
    config.attributes["configure_logger"] = False
    with pytest.raises(CommandError) as caught:
        command.revision(config, message="Add events.severity")
    assert type(caught.value.__cause__).__name__ == "MultipleHeads"
    diagnosis = diagnose(caught.value)
    assert diagnosis.category is failures.MULTIPLE_HEADS
    assert diagnosis.lines()[-1].endswith("/failures/multiple-heads/")
