"""Every heading of the source text maps to a page of the guide that names it.

The headings are kept in the repository (``source-headings.txt``, the guide's outline), so the
check runs on any clone; where the source text itself is present, the list is checked against it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support.paths import DOCS, ROOT

SOURCE = ROOT.parent / "shared" / "seeds" / "000_daf626f618c49676.txt"
#: The source text's headings, in order, one a line (what ``headings_of(SOURCE)`` reads).
OUTLINE = Path(__file__).with_name("source-headings.txt")

#: source heading -> the page that covers it (the page names the heading in its title or source line)
PAGES = {
    "Migration Rollback Procedures": "index.md",
    "Overview": "index.md",
    "Automatic Rollback": "automatic-rollback.md",
    "Manual Rollback Commands": "manual-rollback.md",
    "Rolling Back to Previous Migration": "manual-rollback.md",
    "Finding Current Revision": "manual-rollback.md",
    "Using Migration Helpers": "helpers/index.md",
    "Safe Table Rename": "helpers/table-rename.md",
    "Safe Column Operations": "helpers/column-operations.md",
    "Using Savepoints for Partial Rollback": "helpers/savepoints.md",
    "Common Failure Scenarios": "failures/duplicate-key.md",
    "1. Duplicate Key Violation": "failures/duplicate-key.md",
    "2. Foreign Key Violation": "failures/foreign-key.md",
    "3. Table/Column Already Exists": "failures/already-exists.md",
    "4. Connection Timeout During Migration": "failures/connection-lost.md",
    "Pre-Migration Checklist": "checklist.md",
    "Recovery Procedures": "recovery/index.md",
    "If Migration Fails Mid-Way": "recovery/failed-midway.md",
    "If You Need to Skip a Migration": "recovery/skip-with-stamp.md",
    "Emergency: Restoring from Backup": "recovery/restore-from-backup.md",
    "Writing Safe Migrations": "safe-migrations.md",
    "DO": "safe-migrations.md",
    "DON'T": "safe-migrations.md",
    "Monitoring Migrations": "monitoring.md",
    "Log Levels": "monitoring.md",
    "Migration State Logging": "monitoring.md",
    "See Also": "see-also/testing.md",
}
#: headings whose page is someone else's (the failure scenarios), checked for existence only
LOOSE = {"Common Failure Scenarios", "4. Connection Timeout During Migration"}


def headings_of(source: Path) -> list[str]:
    """The Markdown headings of a text, leaving out ``#`` lines inside code blocks."""
    text = source.read_text(encoding="utf-8")
    text = re.sub(r"^\s*```.*?^\s*```", "", text, flags=re.S | re.M)  # comments in code are no headings
    return [m[1].strip() for m in re.finditer(r"^#{1,6}\s+(.+)$", text, re.M)]


def _words(text: str) -> str:
    return re.sub(r"[^a-z']+", " ", text.lower()).strip()


def outline() -> list[str]:
    return OUTLINE.read_text(encoding="utf-8").splitlines()


def test_the_outline_is_the_source_texts_headings() -> None:
    if not SOURCE.is_file():
        pytest.skip(f"the source text is not beside this clone ({SOURCE}): the outline is checked where it is")
    assert outline() == headings_of(SOURCE)


def test_every_source_heading_has_a_page_that_names_it() -> None:
    headings = outline()
    assert len(headings) > 20, f"{OUTLINE} is missing or cut short"
    missing = [h for h in headings if h not in PAGES]
    assert missing == [], f"source headings without a page: {missing}"
    for heading, page in PAGES.items():
        path: Path = DOCS / page
        assert path.is_file(), f"{heading!r} maps to {page}, which does not exist"
        if heading not in LOOSE:
            assert _words(heading) in _words(path.read_text(encoding="utf-8")), f"{page} never names {heading!r}"
