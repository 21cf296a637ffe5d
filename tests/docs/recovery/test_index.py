"""docs/recovery/index.md: it sends the reader to each recovery page, and `alembic current`,
which it says to run first, changes nothing."""

from __future__ import annotations

import re

from tests.support.database import Database
from tests.support.paths import DOCS, page

PAGE = page("recovery/index")


def test_the_table_links_every_recovery_page() -> None:
    linked = set(re.findall(r"\]\(([\w-]+\.md)\)", PAGE.read_text(encoding="utf-8")))
    pages = {p.name for p in (DOCS / "recovery").glob("*.md")} - {"index.md"}
    assert linked == pages


def test_alembic_current_changes_nothing(database: Database) -> None:
    assert database.alembic("upgrade", "0004").returncode == 0
    before = database.fingerprint()

    result = database.alembic("current")

    assert result.returncode == 0 and "0004" in result.output
    assert database.fingerprint() == before
