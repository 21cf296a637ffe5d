"""docs/see-also/code-quality.md: the single-head hook passes on one head and fails on two."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support.paths import page, snippet_dir
from tests.support.project import project_with

PAGE = page("see-also/code-quality")
FILES = snippet_dir(PAGE)
HOOK = FILES / "check_single_head.py"
BRANCH = (
    '"""{rev}"""\nrevision = "{rev}"\ndown_revision = "0009"\n\n\n'
    "def upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n"
)



def _hook(workdir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(HOOK), str(workdir / "alembic.ini")], capture_output=True, text=True, timeout=60
    )


def test_one_head_passes(tmp_path: Path) -> None:
    assert _hook(project_with(tmp_path)).returncode == 0


def test_two_heads_fail_with_one_sentence(tmp_path: Path) -> None:
    workdir = project_with(tmp_path)
    for rev in ("0010", "0011"):  # two branches made on the same base, as two feature branches do
        (workdir / "versions" / f"{rev}_branch.py").write_text(BRANCH.format(rev=rev))

    result = _hook(workdir)

    assert result.returncode == 1
    assert result.stderr.startswith("Alembic has 2 heads (0010, 0011)")


def test_the_documented_config_runs_this_hook() -> None:
    config = (FILES / "pre-commit-config.yaml").read_text()
    assert f"entry: python tools/{HOOK.name} " in config
