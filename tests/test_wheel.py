"""The wheel pyproject.toml builds, installed into a fresh virtualenv outside the repository, answers what the
checkout answers: explain on every row's symptoms in every driver's wording (package data, not docs/)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.explaining import answers, checkout_answers
from tests.support.paths import ROOT

pytestmark = pytest.mark.once  # no server: the wheel, built and installed


@pytest.fixture(scope="module")
def wheel_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One virtualenv per test session (uv: a few seconds), the wheel built from a copy of what it packages."""
    uv = shutil.which("uv")
    if uv is None:
        pytest.skip("uv is not installed: pip install uv")
    base = tmp_path_factory.mktemp("wheel")
    source = base / "source"  # setuptools writes build/ and *.egg-info beside what it builds: not in the checkout
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "helpers", source / "helpers", ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run([uv, "build", "--wheel", "--quiet", "--out-dir", str(base / "dist"), str(source)], check=True)
    (wheel,) = (base / "dist").glob("*.whl")
    subprocess.run([uv, "venv", "--quiet", "--python", sys.executable, str(base / "venv")], check=True)
    python = base / "venv" / "bin" / "python"
    subprocess.run([uv, "pip", "install", "--quiet", "--python", str(python), str(wheel)], check=True)
    return python


def test_the_installed_wheel_explains_what_the_checkout_explains(wheel_python: Path, tmp_path: Path) -> None:
    here_file, here = checkout_answers()
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HELPERS_GUIDE_URL")}  # the guide's address alike
    # The wheel ships the package as migration_rollback_helpers (no generic top-level `helpers`: tests/test_console.py).
    there_file, there = answers(str(wheel_python), "migration_rollback_helpers", tmp_path, env=env)
    assert Path(there_file).is_relative_to(wheel_python.parent.parent), there_file  # the wheel's, not the checkout's
    assert Path(here_file).is_relative_to(ROOT)
    assert {text: answer for text, answer in there.items() if answer != here[text]} == {}
    assert all(answer is not None for answer in here.values())


def test_the_installed_command_keeps_its_exit_statuses(wheel_python: Path, tmp_path: Path) -> None:
    env = {"PATH": os.environ.get("PATH", "")}
    found = subprocess.run(
        [str(wheel_python.parent / "migration-rollback"), "explain", "23505"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=False,
    )
    assert found.returncode == 0 and "SEE: http://127.0.0.1:8000/failures/duplicate-key/" in found.stdout
    nothing = subprocess.run(
        [str(wheel_python.parent / "migration-rollback"), "explain", "nonsense"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=False,
    )
    assert nothing.returncode == 2 and nothing.stdout == "" and len(nothing.stderr.strip().splitlines()) == 1


#: In the installed wheel: a local fleet pool's worker reports whether its parent (the forkserver) has SQLAlchemy's
#: compiled modules mapped, which only the preload of the worker's module puts there.
PRELOADED = """import os, sys
from migration_rollback_helpers.tools.fleet import executors
with executors.local(1) as pool:
    parent = pool.submit(eval, "__import__('os').getppid()").result()
with open(f"/proc/{parent}/maps") as maps:
    print(any("sqlalchemy" in line for line in maps))
"""


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="reads /proc/PID/maps (Linux)")
def test_the_installed_fleet_pool_preloads_the_worker_under_the_installed_name(
    wheel_python: Path, tmp_path: Path
) -> None:
    """The pool's forkserver imports the worker module (SQLAlchemy, Alembic) once, and every worker forked from it
    starts with them; a preload under another name than the installed one is skipped without a word. (Run where
    the checkout's ``helpers`` cannot be imported: outside it, without the tests' PYTHONPATH.)"""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    found = subprocess.run(
        [str(wheel_python), "-c", PRELOADED], capture_output=True, text=True, check=False, cwd=tmp_path, env=env
    )
    assert (found.returncode, found.stdout.strip()) == (0, "True"), found.stderr
