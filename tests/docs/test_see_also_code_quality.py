"""docs/see-also/code-quality.md: the single-head hook passes on one head and fails on two."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.project_copy import SNIPPETS, project_with

HOOK = SNIPPETS / "guide" / "check_single_head.py"


def _hook(workdir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(HOOK), str(workdir / "alembic.ini")],
                          capture_output=True, text=True, timeout=60)


def test_one_head_passes(tmp_path: Path) -> None:
    assert _hook(project_with(tmp_path)).returncode == 0


def test_two_heads_fail_with_one_sentence(tmp_path: Path) -> None:
    workdir = project_with(tmp_path, "guide/add_camera_serial.py")
    second = (workdir / "versions" / "add_camera_serial.py").read_text().replace('"0010"', '"0011"')
    (workdir / "versions" / "second_head.py").write_text(second)

    result = _hook(workdir)

    assert result.returncode == 1
    assert result.stderr.startswith("Alembic has 2 heads (0010, 0011)")


def test_the_documented_config_runs_this_hook() -> None:
    config = (SNIPPETS / "guide" / "pre-commit-config.yaml").read_text()
    assert f"entry: python tools/{HOOK.name} " in config
