"""transcript.shell runs a reader's ``alembic`` line in this process when it can, printing what bash would print."""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

import pytest

from tests.support import transcript
from tests.support.database import Database
from tests.support.project import project_with

ELSEWHERE = "postgresql://nobody@127.0.0.1:1/not-this-one"


@pytest.fixture
def processes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The command lines transcript.shell hands to bash from now on (run as before, and recorded)."""
    started: list[str] = []
    real_run = transcript.run

    def run(args: list[str], **options: object) -> transcript.Run:
        started.append(" ".join(args))
        return real_run(args, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(transcript, "run", run)
    return started


@pytest.mark.parametrize(
    "command",
    [
        "DATABASE_URL=$MIGRATOR_URL alembic current",
        "DATABASE_URL=$UNSET alembic current",  # unset: empty, as bash makes it (env.py's one line)
        "PGAPPNAME=migrator DATABASE_URL=$MIGRATOR_URL python -m helpers history",
        "DATABASE_URL=$MIGRATOR_URL alembic upgrade 0001 2>&1 | tail -n 3",
    ],
)
def test_assignments_before_alembic_or_helpers_run_in_this_process_as_bash_runs_them(
    database: Database, processes: list[str], command: str
) -> None:
    # Only the assignment reaches the test's database: DATABASE_URL itself names no server.
    env = {**database.env, "MIGRATOR_URL": database.env["DATABASE_URL"], "DATABASE_URL": ELSEWHERE}
    by_bash = transcript.run(["bash", "-c", command], env=env, display=command)
    database.sql("DROP TABLE IF EXISTS users CASCADE; DROP TABLE IF EXISTS alembic_version")  # undo 0001
    processes.clear()

    in_process = transcript.shell(command, env=env)

    assert processes == []
    assert in_process == by_bash


def test_a_quoted_assignment_is_left_to_bash(database: Database, processes: list[str]) -> None:
    command = 'DATABASE_URL="$MIGRATOR_URL" alembic current'
    env = {**database.env, "MIGRATOR_URL": database.env["DATABASE_URL"], "DATABASE_URL": ELSEWHERE}
    ran = transcript.shell(command, env=env)
    assert processes == [f"bash -c {command}"]
    assert ran.returncode == 0, ran.output


@pytest.mark.parametrize(
    "command",
    [
        "alembic upgrade 0001 && alembic downgrade base && alembic current",
        "alembic upgrade 0001 && alembic downgrade 0009 && alembic current",  # the second fails: the third never runs
        'alembic revision -m "Add users.locale" --rev-id 9001',  # bash's quotes: the words shlex gives
        "alembic history 2>&1 | tail -n 2",
    ],
)
def test_and_lists_quotes_and_pipes_run_in_this_process_as_bash_runs_them(
    database: Database, processes: list[str], command: str, tmp_path: Path
) -> None:
    by_bash = transcript.run(["bash", "-c", command], env=database.env, cwd=project_with(tmp_path / "bash"))
    database.sql("DROP TABLE IF EXISTS users CASCADE; DROP TABLE IF EXISTS alembic_version")
    processes.clear()

    in_process = transcript.shell(command, env=database.env, cwd=project_with(tmp_path / "here"))

    assert processes == []
    assert in_process.returncode == by_bash.returncode
    assert in_process.output.replace("/here/", "/bash/") == by_bash.output


def test_an_and_inside_quotes_is_left_to_bash(database: Database, processes: list[str]) -> None:
    ran = transcript.shell("alembic current && echo 'a && b'", env=database.env)
    assert processes == ["bash -c alembic current && echo 'a && b'"]
    assert ran.output.endswith("a && b\n")


def test_a_second_project_imports_its_own_models_not_the_firsts(tmp_path: Path) -> None:
    """What a run imports from its folder through ``.`` (``prepend_sys_path = .``) is gone before the next run."""
    seen = []
    for value in ("first", "second"):
        folder = tmp_path / value
        folder.mkdir()
        (folder / "mrp_models_probe.py").write_text(f"VALUE = {value!r}\n")
        with transcript._process_state(dict(os.environ), folder):
            sys.path.insert(0, ".")
            seen.append(importlib.import_module("mrp_models_probe").VALUE)
    assert seen == ["first", "second"]
    assert "mrp_models_probe" not in sys.modules
