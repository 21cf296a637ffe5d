"""docs/monitoring.md: the source text's [logger_alembic] prints every line twice; propagate = 0 fixes it."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import Database
from tests.project_copy import SNIPPETS, alembic, project_with

SECTION = re.compile(r"# --8<-- \[start:logger_alembic\]\n.*?# --8<-- \[end:logger_alembic\]\n", re.S)


def _with_source_section(workdir: Path) -> None:
    ini = workdir / "alembic.ini"
    source = (SNIPPETS / "guide" / "logging" / "logger_alembic_as_written.ini").read_text()
    text, replaced = SECTION.subn(source, ini.read_text())
    assert replaced == 1
    ini.write_text(text)


def test_source_logger_section_prints_each_line_twice(database: Database, tmp_path: Path) -> None:
    workdir = project_with(tmp_path)
    _with_source_section(workdir)

    result = alembic(database, workdir, "upgrade", "0001")

    assert result.returncode == 0
    assert result.stderr.count("INFO - Running upgrade  -> 0001, Create users.") == 2


def test_project_logger_section_prints_each_line_once(database: Database, tmp_path: Path) -> None:
    result = alembic(database, project_with(tmp_path), "upgrade", "0001")

    assert result.returncode == 0
    assert result.stderr.count("INFO - Running upgrade  -> 0001, Create users.") == 1
