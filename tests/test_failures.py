"""helpers/failures.py, the failure catalog: every SQLSTATE filed once, every page named exists in the guide."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from helpers import failures
from helpers.tools import explain

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_no_sqlstate_is_filed_under_two_rows() -> None:
    counts = Counter(code for row in failures.CATALOG for code in (*row.sqlstates, *row.classes))
    assert [code for code, n in counts.items() if n > 1] == []


def test_no_two_rows_share_a_key() -> None:
    counts = Counter(row.key for row in failures.CATALOG)
    assert [key for key, n in counts.items() if n > 1] == []


@pytest.mark.parametrize("row", [r for r in failures.CATALOG if r.page], ids=lambda r: r.key)
def test_each_page_a_row_names_is_a_page_of_the_guide(row: failures.Category) -> None:
    """``failures/enums/`` or, on a page several rows share, a section of it: ``failures/enums/#<heading's anchor>``."""
    assert row.page is not None
    page, _, anchor = row.page.partition("#")
    assert page.endswith("/")
    path = DOCS / f"{page.rstrip('/')}.md"
    assert path.is_file() or (DOCS / page / "index.md").is_file(), row.page
    if anchor:
        headings = re.findall(r"^#{2,6}\s+(.+?)\s*$", path.read_text(encoding="utf-8"), re.M)
        assert anchor in {explain.slug(heading) for heading in headings}, row.page


def test_a_code_no_row_names_falls_back_to_its_class_then_to_other() -> None:
    assert failures.by_sqlstate("08001") is failures.CONNECTION_LOST
    assert failures.by_sqlstate("XX000") is failures.OTHER
    assert failures.by_sqlstate("23505") is failures.UNIQUE


def test_no_rollback_line_says_the_whole_migration_was_lost() -> None:
    """Under transaction_per_migration (or after an autocommit block) the revisions committed before the failed
    transaction stay applied: a ROLLBACK line speaks of the failed transaction only, never "this migration"."""
    rows = [value for value in vars(failures).values() if isinstance(value, failures.Category)]
    assert rows
    for row in rows:
        assert "from this migration was kept" not in row.rollback, row.key
    assert "nothing of the failed transaction was kept" in failures.DEADLOCK.rollback
