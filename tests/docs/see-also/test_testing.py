"""docs/see-also/testing.md: the round trip it recommends works on the example project.

(Every test path a page names exists: tests/site/test_named_tests.py.)
"""

from __future__ import annotations

from tests.support.console import check_console_blocks
from tests.support.database import Database
from tests.support.fences import fences
from tests.support.paths import page

PAGE = page("see-also/testing")
ROUND_TRIP = "alembic upgrade head && alembic downgrade base && alembic upgrade head"


def test_the_round_trip_runs_on_an_empty_database(database: Database) -> None:
    assert any(fence.content == (ROUND_TRIP,) for fence in fences(PAGE)), "the page no longer shows the round trip"
    result = database.shell(ROUND_TRIP)
    assert result.returncode == 0, result.output
    assert database.scalar("SELECT version_num FROM alembic_version") == "0009"


def test_console_blocks(update_snapshots: bool) -> None:
    """The CI gate: a revision that rewrites a table of 500 rows fails --max-rewrite-rows 100."""
    check_console_blocks(PAGE, update_snapshots)
