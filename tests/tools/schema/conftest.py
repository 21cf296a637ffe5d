"""Every test here keeps identify's cache (helpers/tools/schema/cache.py) in its own folder, never the user's
``~/.cache``: a test sees only the entries it wrote."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``XDG_CACHE_HOME`` for the test (set before the ``database`` fixture copies the environment)."""
    home = tmp_path / "cache-home"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    return home
