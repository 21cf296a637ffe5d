"""docs/manual-rollback.md: every command the page shows, run against a database in the state it declares."""

from __future__ import annotations

from tests.support.console import check_console_blocks
from tests.support.paths import page

PAGE = page("manual-rollback")


def test_console_blocks(update_snapshots: bool) -> None:
    check_console_blocks(PAGE, update_snapshots)
