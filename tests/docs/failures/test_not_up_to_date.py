"""docs/failures/not-up-to-date.md: autogenerate and alembic check refuse a database behind head."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from alembic.util import CommandError

from helpers import diagnose, failures
from tests.support.console import check_console_blocks
from tests.support.database import Database
from tests.support.ordinary import ordinary_project
from tests.support.paths import page
from tests.support.project import project_with

PAGE = page("failures/not-up-to-date")


def test_console_blocks(update_snapshots: bool) -> None:
    check_console_blocks(PAGE, update_snapshots)


def test_the_refused_commands_write_no_file_and_change_nothing(database: Database, tmp_path: Path) -> None:
    workdir = project_with(tmp_path)
    assert database.alembic("upgrade", "0008", cwd=workdir).returncode == 0
    files = sorted((workdir / "versions").glob("*.py"))
    before = database.fingerprint()
    for args in (("revision", "--autogenerate", "-m", "x"), ("check",)):
        refused = database.alembic(*args, cwd=workdir)
        assert refused.returncode == 1
        assert "a database behind the code: Target database is not up to date." in refused.output
    assert sorted((workdir / "versions").glob("*.py")) == files
    assert database.fingerprint() == before


def test_a_stock_env_py_prints_alembics_failed_line(database: Database, tmp_path: Path) -> None:
    workdir = ordinary_project(tmp_path)
    assert database.alembic("upgrade", "head", cwd=workdir).returncode == 0
    assert database.alembic("downgrade", "-1", cwd=workdir).returncode == 0
    refused = database.alembic("revision", "--autogenerate", "-m", "x", cwd=workdir)
    assert refused.returncode == 255
    assert "FAILED: Target database is not up to date." in refused.output


def test_diagnose_names_this_page_for_the_exception_alembic_raises(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workdir = ordinary_project(tmp_path)
    monkeypatch.setenv("DATABASE_URL", database.url)
    assert database.alembic("upgrade", "head", cwd=workdir).returncode == 0
    assert database.alembic("downgrade", "-1", cwd=workdir).returncode == 0
    config = Config(str(workdir / "alembic.ini"))
    with pytest.raises(CommandError) as caught:
        command.check(config)
    assert caught.value.__cause__ is None  # only its text says what happened
    assert diagnose(caught.value).category is failures.NOT_UP_TO_DATE
    assert diagnose(caught.value).lines()[-1].endswith("/failures/not-up-to-date/")
