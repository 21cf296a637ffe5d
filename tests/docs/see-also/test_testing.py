"""docs/see-also/testing.md: the round trip it recommends works on the example project, and every
test path it names exists."""

from __future__ import annotations

import re

from tests.support.database import Database
from tests.support.fences import fences
from tests.support.paths import ROOT, page

PAGE = page("see-also/testing")
ROUND_TRIP = "alembic upgrade head && alembic downgrade base && alembic upgrade head"


def test_the_round_trip_runs_on_an_empty_database(database: Database) -> None:
    assert any(fence.content == (ROUND_TRIP,) for fence in fences(PAGE)), "the page no longer shows the round trip"
    result = database.shell(ROUND_TRIP)
    assert result.returncode == 0, result.output
    assert database.scalar("SELECT version_num FROM alembic_version") == "0009"


def test_every_test_path_the_page_names_exists() -> None:
    named = re.findall(r"`(tests/[^`<>*]+?)(?:::\w+)?`", PAGE.read_text(encoding="utf-8"))
    assert named, "the page names no test"
    missing = [path for path in named if not (ROOT / path).exists()]
    assert missing == []
