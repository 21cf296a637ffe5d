"""docs/failures/not-up-to-date.md: autogenerate and alembic check refuse a database behind head."""

from __future__ import annotations

import inspect
import os
from pathlib import Path

import alembic
import pytest
from alembic import command
from alembic.config import Config
from alembic.util import CommandError

from helpers import diagnose, failures
from tests.support.console import check_console_blocks
from tests.support.database import Database
from tests.support.ordinary import ordinary_project
from tests.support.paths import page, snippet_dir
from tests.support.project import project_with
from tests.support.scenario import Captures, at_revision, fails
from tests.support.transcript import shell

PAGE = page("failures/not-up-to-date")
FILES = snippet_dir(PAGE)


#: ``alembic current --check-heads`` came after Alembic 1.13.0, the oldest the guide supports (nox -s oldest).
CHECK_HEADS = "check_heads" in inspect.signature(command.current).parameters


def test_console_blocks(update_snapshots: bool) -> None:
    if not CHECK_HEADS:
        pytest.skip(f"Alembic {alembic.__version__} has no current --check-heads, which the page's blocks run")
    check_console_blocks(PAGE, update_snapshots)


def test_an_older_alembic_refuses_check_heads(tmp_path: Path) -> None:
    """What the page says of Alembic 1.13: ``current --check-heads`` is an unknown argument there (exit 2)."""
    if CHECK_HEADS:
        pytest.skip(f"Alembic {alembic.__version__} has current --check-heads: nox -s oldest runs this on 1.13.0")
    refused = shell("alembic current --check-heads", cwd=project_with(tmp_path), env=dict(os.environ))
    assert refused.returncode == 2
    assert "unrecognized arguments: --check-heads" in refused.output


def test_the_refused_commands_write_no_file_and_change_nothing(database: Database, tmp_path: Path) -> None:
    workdir = project_with(tmp_path)
    at_revision(database, "0008", cwd=workdir)
    files = sorted((workdir / "versions").glob("*.py"))
    for args in (("revision", "--autogenerate", "-m", "x"), ("check",)):
        label, behind = "a database behind the code", "Target database is not up to date."
        fails(database, None, label, behind, args=args, cwd=workdir, rollback="Nothing was generated")
    assert sorted((workdir / "versions").glob("*.py")) == files


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


def _with_models(tmp_path: Path, extra_column: bool = False) -> Path:
    """The ordinary project, its env.py handing this page's models.py to autogenerate."""
    workdir = ordinary_project(tmp_path)
    models = (FILES / "models.py").read_text()
    if extra_column:  # a model changed, and no revision written for it yet
        models = models.replace(
            '    sa.Column("name", sa.String(100), nullable=False),\n',
            '    sa.Column("name", sa.String(100), nullable=False),\n    sa.Column("email", sa.String(255)),\n',
        )
    (workdir / "models.py").write_text(models)
    env_py = workdir / "migrations" / "env.py"
    text = env_py.read_text()
    assert "target_metadata = None\n" in text
    wired = "from models import metadata\n\ntarget_metadata = metadata\n"
    env_py.write_text(text.replace("target_metadata = None\n", wired))
    return workdir


@pytest.mark.parametrize(("name", "extra_column", "status"), [("check-same", False, 0), ("check-drift", True, 255)])
def test_alembic_check_at_head_in_a_project_with_models(
    database: Database, update_snapshots: bool, tmp_path: Path, name: str, extra_column: bool, status: int
) -> None:
    workdir = _with_models(tmp_path, extra_column)
    # env.py imports models.py from the working directory (prepend_sys_path = .): the other case's models are
    # forgotten after each run in this process (transcript._process_state).
    assert database.alembic("upgrade", "head", cwd=workdir).returncode == 0
    assert database.alembic("check", cwd=workdir).returncode == status
    # Without its INFO lines, whose order (the sequences it reflects) varies from run to run.
    shown = shell("alembic check 2>&1 | grep -v '^INFO'", env=database.env, cwd=workdir)
    checked = Captures(PAGE, update_snapshots).check(f"{name}.txt", shown)
    expected = "FAILED: New upgrade operations detected" if extra_column else "No new upgrade operations detected."
    assert expected in checked.output
