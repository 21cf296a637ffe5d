"""pytest-alembic's built-in tests on the example project, as docs/see-also/testing.md shows a reader.

``nox -s pytest-alembic`` runs this module (pytest-alembic 0.13.1 needs pytest below 9.2); without
pytest-alembic installed it is skipped. Each run is the reader's: ``pytest`` on the page's suite
(snippets/see-also/testing/pytest-alembic/), from the folder of an alembic.ini, in a process of
its own that starts its own throwaway server (tests/support/throwaway.py).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.paths import PROJECT, ROOT, SNIPPETS
from tests.support.project import project_with

pytest.importorskip("pytest_alembic", reason="pytest-alembic is not installed: nox -s pytest-alembic runs these")

SUITE = SNIPPETS / "see-also" / "testing" / "pytest-alembic"
BUILT_IN = ("test_single_head_revision", "test_upgrade", "test_up_down_consistency")
EXPERIMENTAL = "test_downgrade_leaves_no_trace"
#: The cause pytest-alembic's experimental test fails on with an env.py that hands what it is given
#: straight to context.configure() (Alembic's cookbook shape); the guide's env.py calls connect() on it.
HAS_TABLE_REFUSAL = "The argument passed to Dialect.has_table() should be a <class 'sqlalchemy.engine.base.Connection'>"
#: The cookbook's env.py, reduced to what matters here: the handed-over object goes to configure().
COOKBOOK_ENV = '''
from alembic import context

connectable = context.config.attributes["connection"]
context.configure(connection=connectable, target_metadata=None)
with context.begin_transaction():
    context.run_migrations()
'''


class RefusedByHasTable(Exception):
    """pytest-alembic's experimental test failed on the cause it is expected to fail on, and no other."""


def run_suite(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``pytest`` on the page's suite from the folder of ``project``'s alembic.ini, as a reader runs it."""
    env = {key: value for key, value in os.environ.items() if key not in ("PYTEST_ADDOPTS", "PYTEST_CURRENT_TEST")}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    return subprocess.run(
        [sys.executable, "-m", "pytest", str(SUITE), "-p", "no:cacheprovider", "-rA", *args],
        cwd=project, env=env, capture_output=True, text=True, timeout=600,
    )


def test_the_built_in_tests_and_the_experimental_one_pass_on_the_example_project() -> None:
    result = run_suite(PROJECT)
    assert result.returncode == 0, result.stdout + result.stderr
    for name in (*BUILT_IN, EXPERIMENTAL):
        assert f"PASSED {os.path.relpath(SUITE, PROJECT)}/test_migrations.py::{name}" in result.stdout, result.stdout


@pytest.mark.xfail(strict=True, raises=RefusedByHasTable, reason=f"pytest-alembic 0.13.1: {HAS_TABLE_REFUSAL}")
def test_downgrade_leaves_no_trace_with_the_cookbook_env_py(tmp_path: Path) -> None:
    """With the cookbook's env.py, the experimental test fails inside pytest-alembic and Alembic, on
    its WrappingConnection; strict, so the day pytest-alembic handles it this test says so."""
    project = project_with(tmp_path)
    (project / "env.py").write_text(COOKBOOK_ENV, encoding="utf-8")
    shutil.rmtree(project / "__pycache__", ignore_errors=True)
    result = run_suite(project, "-k", EXPERIMENTAL)
    if result.returncode != 0 and HAS_TABLE_REFUSAL in result.stdout:
        raise RefusedByHasTable(HAS_TABLE_REFUSAL)
    assert result.returncode == 0, result.stdout + result.stderr
