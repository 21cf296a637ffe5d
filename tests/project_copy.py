"""A working copy of the example project with guide revision files added, as the pages run it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.conftest import PROJECT, Database, alembic_path

SNIPPETS = PROJECT.parent


def project_with(tmp_path: Path, *added: str, name: str = "security") -> Path:
    """Copy snippets/project to ``tmp_path/name`` and add each snippets/ file to its versions/."""
    workdir = tmp_path / name
    shutil.copytree(PROJECT, workdir, ignore=shutil.ignore_patterns("__pycache__"))
    for name in added:
        shutil.copy(SNIPPETS / name, workdir / "versions" / Path(name).name)
    return workdir


def alembic(database: Database, workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return database.run([alembic_path(), *args], cwd=workdir)


def psql_file(database: Database, name: str) -> None:
    done = database.run(["psql", "--quiet", "--set", "ON_ERROR_STOP=1", "--file", str(SNIPPETS / name)])
    assert done.returncode == 0, done.stderr
