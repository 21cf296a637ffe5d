"""docs/recovery/many-databases.md: every command the page shows, run on a database of four tenant schemas.

The rollout's faults on fleets of real databases (50 over two servers, Dask clusters):
tests/tools/fleet/test_fleet.py.
"""

from __future__ import annotations

from tests.support.console import check_console_blocks
from tests.support.paths import page

PAGE = page("recovery/many-databases")


def test_console_blocks(update_snapshots: bool) -> None:
    check_console_blocks(PAGE, update_snapshots)
