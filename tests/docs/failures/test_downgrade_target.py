"""docs/failures/downgrade-target.md: downgrade targets Alembic will not walk to, and -1 from a merge point."""

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

PAGE = page("failures/downgrade-target")
MERGED = sorted((snippet_dir(PAGE) / "versions").glob("*.py"))


def test_console_blocks(update_snapshots: bool) -> None:
    check_console_blocks(PAGE, update_snapshots)


@pytest.mark.parametrize(
    ("start", "target", "words"),
    [
        ("0007", "0009", "Destination 0009 is not a valid downgrade target from current head(s)"),
        ("0002", "-5", "Relative revision -5 didn't produce 5 migrations"),
        ("0012", "-1", "Ambiguous walk"),
    ],
)
def test_a_refused_downgrade_changes_nothing_and_is_diagnosed(
    database: Database, tmp_path: Path, start: str, target: str, words: str
) -> None:
    workdir = project_with(tmp_path, *MERGED)
    at_revision(database, start, cwd=workdir)
    downgrade = ("downgrade", target)
    fails(database, None, "a bad downgrade target", words, args=downgrade, cwd=workdir, rollback="Nothing ran: ")

    config = Config(str(workdir / "alembic.ini"))
    config.attributes["configure_logger"] = False
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        with pytest.raises(CommandError) as caught:
            command.downgrade(config, target)
    assert diagnose(caught.value).category is failures.DOWNGRADE_TARGET
    assert diagnose(caught.value).lines()[-1].endswith("/failures/downgrade-target/")


def test_one_branch_off_keeps_the_other(database: Database, tmp_path: Path) -> None:
    workdir = project_with(tmp_path, *MERGED)
    assert database.alembic("upgrade", "head", cwd=workdir).returncode == 0
    assert database.alembic("downgrade", "0010", cwd=workdir).returncode == 0
    assert database.alembic("downgrade", "0011@0009", cwd=workdir).returncode == 0
    assert [tuple(r) for r in database.sql("SELECT version_num FROM alembic_version")] == [("0010",)]
    columns = {row[0] for row in database.sql(
        "SELECT table_name || '.' || column_name FROM information_schema.columns WHERE table_schema = 'public'"
    )}
    assert "cameras.model" in columns and "users.locale" not in columns
