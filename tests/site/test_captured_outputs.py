"""Every captured output under snippets/ is checked: a one-word change to it fails, naming each page that shows it.

One test for the whole site (the harness's own check, not a page's): the page tests compare
these files with fresh runs; this proves such a comparison cannot pass a changed file quietly.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.paths import SNIPPETS, relative
from tests.support.snapshots import mismatch_message, pages_including

CAPTURED = sorted(SNIPPETS.rglob("*.txt"))


def test_every_captured_output_is_shown_by_a_page() -> None:
    unshown = [relative(path) for path in CAPTURED if not pages_including(path)]
    assert unshown == [], f"captured outputs no page includes: {unshown}"


@pytest.mark.parametrize("captured", CAPTURED, ids=lambda path: path.relative_to(SNIPPETS).as_posix())
def test_a_changed_word_fails_naming_the_pages(captured: Path, tmp_path: Path) -> None:
    message = mismatch_message(captured, tmp_path)
    pages = pages_including(captured)
    assert pages and all(page in message for page in pages), message
