"""helpers/ copied into another package (backend/alembic/helpers/) still imports and works."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.database import Database
from tests.support.paths import ROOT

#: Imports and packaging: the same on every server and driver (the `once` session).
pytestmark = pytest.mark.once
HELPERS = ROOT / "helpers"


def test_helpers_use_relative_imports_only() -> None:
    for path in HELPERS.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                assert node.module is not None
                assert node.module.split(".")[0] != "helpers", f"{path.name}: absolute import of helpers"
            if isinstance(node, ast.Import):
                assert all(a.name.split(".")[0] != "helpers" for a in node.names), path.name


def test_the_wheel_ships_every_package_of_helpers() -> None:
    """pyproject's ``[tool.setuptools] packages`` names every folder of helpers/ (a room of the tools added
    without it would be left out of an installed copy)."""
    import tomllib

    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert setuptools["package-dir"] == {"migration_rollback_helpers": "helpers"}  # never a top-level `helpers`
    listed = set(setuptools["packages"])
    folders = {
        ".".join(("migration_rollback_helpers", *init.parent.relative_to(HELPERS).parts))
        for init in HELPERS.rglob("__init__.py")
    }
    assert listed == folders


@pytest.mark.parametrize("left_out", [(), ("tools",)], ids=["whole", "without-tools"])
def test_a_copy_under_backend_alembic_helpers_runs(database: Database, tmp_path: Path, left_out: tuple[str]) -> None:
    """The whole folder, or the core alone (helpers/tools/ left out): the migration-time API works the same."""
    target = tmp_path / "backend" / "alembic" / "helpers"
    shutil.copytree(HELPERS, target, ignore=shutil.ignore_patterns("__pycache__", *left_out))
    (tmp_path / "backend" / "__init__.py").touch()
    (tmp_path / "backend" / "alembic" / "__init__.py").touch()
    script = """
import sys, sqlalchemy as sa
import backend.alembic.helpers as h
from backend.alembic.helpers import MigrationContext
assert h.__file__.startswith(sys.argv[2]), h.__file__
assert "helpers" not in sys.modules, "the copy imported the original package"
engine = sa.create_engine(sys.argv[1])
with engine.begin() as conn:
    conn.exec_driver_sql("CREATE TABLE users (id int)")
    with MigrationContext("add_email_column", conn) as ctx:
        ctx.safe_column_add("users", "email", "VARCHAR(255)", nullable=True)
        ctx.verify_column_exists("users", "email")
print("ok")
"""
    result = subprocess.run(
        [sys.executable, "-c", script, database.url, str(tmp_path)],
        cwd=tmp_path,
        env={**database.env, "PYTHONPATH": str(tmp_path)},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
    assert database.scalar("SELECT count(*) FROM information_schema.columns WHERE column_name = 'email'") == 1


def test_a_vendored_copy_explains_what_the_checkout_explains(tmp_path: Path) -> None:
    """explain reads package data only: the copy under backend/alembic/helpers/ answers every pasted line alike."""
    from tests.support.explaining import answers, checkout_answers

    target = tmp_path / "backend" / "alembic" / "helpers"
    shutil.copytree(HELPERS, target, ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "backend" / "__init__.py").touch()
    (tmp_path / "backend" / "alembic" / "__init__.py").touch()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {"PYTHONPATH": str(tmp_path)}
    copy_file, copied = answers(sys.executable, "backend.alembic.helpers", tmp_path, env=env)
    assert copy_file.startswith(str(target))
    _, here = checkout_answers()
    assert copied == here
