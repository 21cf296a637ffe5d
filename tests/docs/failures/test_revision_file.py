"""docs/failures/revision-file.md: a revision with a syntax error, a failed import, a missing name."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config

from helpers import diagnose, failures
from tests.support.console import check_console_blocks
from tests.support.database import Database
from tests.support.paths import page, snippet_dir
from tests.support.project import project_with
from tests.support.scenario import at_revision, fails

PAGE = page("failures/revision-file")
FILES = snippet_dir(PAGE)
CASES = {"syntax-error": SyntaxError, "missing-module": ModuleNotFoundError, "missing-name": NameError}


def test_console_blocks(update_snapshots: bool) -> None:
    check_console_blocks(PAGE, update_snapshots)


@pytest.mark.parametrize("case", CASES)
def test_the_failed_upgrade_changes_nothing_and_names_the_file_and_this_page(
    database: Database, tmp_path: Path, case: str
) -> None:
    workdir = project_with(tmp_path)
    at_revision(database, "0009", cwd=workdir)
    (workdir / "versions" / "0010_add_camera_serial.py").write_text(
        (FILES / case / "0010_add_camera_serial.py").read_text()
    )
    failed = fails(database, None, "a broken revision file", cwd=workdir)
    assert "0010_add_camera_serial.py, line " in failed

    config = Config(str(workdir / "alembic.ini"))
    config.attributes["configure_logger"] = False
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        with pytest.raises(CASES[case]) as caught:
            command.upgrade(config, "head")
    diagnosis = diagnose(caught.value)
    assert diagnosis.category is failures.REVISION_FILE
    assert diagnosis.message.startswith(f"{CASES[case].__name__}: ")
    assert diagnosis.lines()[-1].endswith("/failures/revision-file/")
