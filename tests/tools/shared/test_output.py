"""A command's report on stdout (or ``--output FILE``), whatever the project's env.py prints or logs on stderr."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.database import Database
from tests.support.ordinary import ordinary_project

#: Which stream a report goes to: the same on every server and driver (the `once` session).
pytestmark = pytest.mark.once
CONSOLE = Path(sys.executable).parent / "migration-rollback"

#: What applications' env.py files do at import: logging to stdout (basicConfig, and a handler holding the
#: process's original stdout, as structlog's PrintLogger does), print, and a program that inherits descriptor 1.
NOISY = """import logging, os, sys
logging.basicConfig(stream=sys.stdout, level=logging.INFO, force=True)
logging.getLogger("app").addHandler(logging.StreamHandler(sys.__stdout__))
logging.getLogger("app").info("app logging at import")
print("env.py printing")
os.system("echo a child process writing")
"""


def test_the_report_parses_whatever_env_py_logs_to_stdout(database: Database, tmp_path: Path) -> None:
    root = ordinary_project(tmp_path)
    env_py = root / "migrations" / "env.py"
    env_py.write_text(NOISY + env_py.read_text())

    rehearsed = subprocess.run(
        [CONSOLE, "rehearse", "--json"], cwd=root, env=database.env, capture_output=True, text=True
    )
    assert rehearsed.returncode == 0, rehearsed.stderr
    assert json.loads(rehearsed.stdout)["ok"] is True
    for line in ("app logging at import", "a child process writing"):  # (rehearse keeps what env.py prints)
        assert line in rehearsed.stderr

    report = tmp_path / "compare.json"
    compared = subprocess.run(
        [CONSOLE, "compare", "head", "--json", "--output", str(report)],
        cwd=root,
        env=database.env,
        capture_output=True,
        text=True,
    )
    assert compared.stdout == ""
    assert "a child process writing" in compared.stderr
    assert "differences" in json.loads(report.read_text())  # head not applied: a difference, exit 1
    assert compared.returncode == 1


def test_output_in_a_folder_that_does_not_exist_is_bad_input(tmp_path: Path) -> None:
    ran = subprocess.run(
        [CONSOLE, "explain", "23505", "--output", str(tmp_path / "no" / "such.txt")], capture_output=True, text=True
    )
    assert (ran.returncode, ran.stdout) == (2, "")
    assert (
        ran.stderr == f"error: --output {tmp_path}/no/such.txt: its folder does not exist; name a file in an "
        "existing folder\n"
    )
