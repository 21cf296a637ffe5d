"""docs/monitoring.md: the source text's [logger_alembic] prints every line twice; propagate = 0 fixes it."""

from __future__ import annotations

import re
from pathlib import Path

from tests.support.console import check_console_blocks
from tests.support.database import Database
from tests.support.paths import page, snippet_dir
from tests.support.project import project_with

PAGE = page("monitoring")

SECTION = re.compile(r"# --8<-- \[start:logger_alembic\]\n.*?# --8<-- \[end:logger_alembic\]\n", re.S)


def _with_source_section(workdir: Path) -> None:
    ini = workdir / "alembic.ini"
    source = (snippet_dir(PAGE) / "logger_alembic_as_written.ini").read_text()
    text, replaced = SECTION.subn(source, ini.read_text())
    assert replaced == 1
    ini.write_text(text)


def test_source_logger_section_prints_each_line_twice(database: Database, tmp_path: Path) -> None:
    workdir = project_with(tmp_path)
    _with_source_section(workdir)

    result = database.alembic("upgrade", "0001", cwd=workdir)

    assert result.returncode == 0
    assert result.output.count("INFO - Running upgrade  -> 0001, Create users.") == 2


def test_project_logger_section_prints_each_line_once(database: Database, tmp_path: Path) -> None:
    result = database.alembic("upgrade", "0001", cwd=project_with(tmp_path))

    assert result.returncode == 0
    assert result.output.count("INFO - Running upgrade  -> 0001, Create users.") == 1


def test_console_blocks(update_snapshots: bool) -> None:
    check_console_blocks(PAGE, update_snapshots)
