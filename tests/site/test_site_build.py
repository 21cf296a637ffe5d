"""The guide builds with `mkdocs build --strict` (missing snippet, broken link or nav entry: failure)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.paths import ROOT


def test_strict_build_passes_quietly(tmp_path: Path) -> None:
    pytest.importorskip("mkdocs")
    pytest.importorskip("material")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr
    page = (tmp_path / "site" / "helpers" / "savepoints" / "index.html").read_text(encoding="utf-8")
    assert "rollback_to_savepoint(conn, &quot;after_step1&quot;)" in page or "after_step1" in page
    assert "fonts.googleapis.com" not in page
