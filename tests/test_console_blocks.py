"""Every console block of docs/, run against a fresh database: the page shows what the commands print.

One test per page (blocks on a page may continue from each other). ``--update-snapshots``
rewrites the outputs that differ from a fresh run. How blocks are declared: tests/console_blocks.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.console_blocks import check_or_fail, pages, relative


@pytest.mark.parametrize("page", pages(), ids=relative)
def test_console_blocks(page: Path, update_snapshots: bool) -> None:
    check_or_fail(page, update=update_snapshots)
