"""The console command ``migration-rollback`` (pyproject.toml's [project.scripts]): the current folder cannot change
what runs, and the installed distribution takes no generic top-level import name."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.paths import PROJECT

CONSOLE = Path(sys.executable).parent / "migration-rollback"


def _project_with(tmp_path: Path, kind: str) -> Path:
    """A copy of the example project's alembic.ini and env.py with a ``helpers`` of its own beside them."""
    shutil.copy(PROJECT / "alembic.ini", tmp_path / "alembic.ini")
    if kind == "module":
        (tmp_path / "helpers.py").write_text("import sys\nsys.exit(0)\n")
    else:
        (tmp_path / "helpers").mkdir()
        (tmp_path / "helpers" / "__init__.py").write_text("")
        (tmp_path / "helpers" / "__main__.py").write_text("raise SystemExit(0)\n")
    return tmp_path


def _env() -> dict[str, str]:
    """The environment without the tests' PYTHONPATH (tests/conftest.py): an installed environment as a team has it."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}


@pytest.mark.parametrize("kind", ["module", "package"])
def test_a_helpers_of_the_project_does_not_change_what_runs(tmp_path: Path, kind: str) -> None:
    """``python -m helpers`` in such a folder runs the project's own (exit 0, nothing printed: a gate passing
    silently); ``migration-rollback`` runs this one: bad input is exit 2 with its sentence, explain answers."""
    folder = _project_with(tmp_path, kind)
    shadowed = subprocess.run(
        [sys.executable, "-m", "helpers", "rehearse", "--max-lock", "1ms"],
        cwd=folder,
        env=_env(),
        capture_output=True,
        text=True,
    )
    assert (shadowed.returncode, shadowed.stdout, shadowed.stderr) == (0, "", "")  # what the issue saw

    bad = subprocess.run(
        [CONSOLE, "rehearse", "--max-lock", "1 hour"], cwd=folder, env=_env(), capture_output=True, text=True
    )
    assert bad.returncode == 2
    assert bad.stderr.startswith("migration-rollback rehearse: Argument --max-lock: '1 hour' is not a duration")

    explained = subprocess.run([CONSOLE, "explain", "23505"], cwd=folder, env=_env(), capture_output=True, text=True)
    assert explained.returncode == 0, explained.stderr
    assert "unique_violation" in explained.stdout


def test_the_installed_distribution_takes_no_top_level_helpers(tmp_path: Path) -> None:
    """From a folder with nothing in it, the environment imports ``migration_rollback_helpers`` (this repository's
    helpers/) and has no ``helpers`` at all."""
    probe = (
        "import importlib.util as u, sys; "
        "print(u.find_spec('helpers') is None, u.find_spec('migration_rollback_helpers').origin)"
    )
    found = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=_env(), capture_output=True, text=True)
    assert found.returncode == 0, found.stderr
    absent, origin = found.stdout.split()
    assert absent == "True"
    assert Path(origin) == Path(__file__).resolve().parent.parent / "helpers" / "__init__.py"
