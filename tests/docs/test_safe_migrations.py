"""docs/safe-migrations.md: the examples it points to are where it says, and revision 0006's
downgrade says what it cannot bring back."""

from __future__ import annotations

import re
from pathlib import Path

from tests.support.paths import DOCS, PROJECT, page

PAGE = page("safe-migrations")


def _anchors(target: Path) -> set[str]:
    """The ids MkDocs gives the page's headings (toc's default slugify)."""
    headings = re.findall(r"^#+\s+(.*)$", target.read_text(encoding="utf-8"), re.M)
    return {re.sub(r"[-\s]+", "-", re.sub(r"[^\w\s-]", "", h).strip().lower()) for h in headings}


def test_every_linked_section_exists() -> None:
    links = re.findall(r"\]\(([\w/-]+\.md)(?:#([\w-]+))?\)", PAGE.read_text(encoding="utf-8"))
    assert links
    for target, anchor in links:
        path = DOCS / target
        assert path.is_file(), target
        if anchor:
            assert anchor in _anchors(path), f"{target}#{anchor}"


def test_revision_0006_says_its_downgrade_cannot_restore_deleted_rows() -> None:
    (revision,) = (PROJECT / "versions").glob("0006_*.py")
    downgrade = revision.read_text(encoding="utf-8").split("def downgrade", 1)[1]
    assert "backup" in downgrade
