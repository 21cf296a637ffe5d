"""Real error lines from public issue trackers, none of which a page was written from (tests/data/real_error_lines.json,
each with its source): the matcher gives each the page it should, and never a page about something else.

The expected page is the one the guide has today; a page written later for a code (a row with the code, or with
``shapes`` the line has) may take over from the code's class page, never another code's page.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import failures, matcher

pytestmark = pytest.mark.once  # no server: the package data

LINES = json.loads((Path(__file__).parent / "data" / "real_error_lines.json").read_text(encoding="utf-8"))


def test_there_are_thirty_or_more_each_with_its_source() -> None:
    assert len(LINES) >= 30
    assert all(entry["source"].startswith("https://") for entry in LINES)


@pytest.mark.parametrize("entry", LINES, ids=[str(i) for i in range(len(LINES))])
def test_each_line_gets_its_page(entry: dict[str, str]) -> None:
    found = matcher.match_text(entry["line"])
    assert found is not None, entry["line"]
    if found.page == entry["page"]:
        return
    # a dedicated page added since: a row of this code (or of Alembic's own errors), chosen by the line
    if "sqlstate" in entry:
        assert entry["sqlstate"] in found.row.sqlstates and found.sure, (entry["line"], found.page)
    else:
        assert found.row in failures.ALEMBIC_ROWS and found.row is not failures.ALEMBIC, (entry["line"], found.page)
