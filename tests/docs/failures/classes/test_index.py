"""docs/failures/classes/: one page per SQLSTATE class, and Alembic's own errors, each made from the data.

The pages are generated (``helpers.tools.explain.class_page_markdown`` from ``helpers/sqlstate_classes.py``, the
failure catalog and ``helpers/failures.json``): this module is every one's test (``tests/support/paths.py``,
``GENERATED_FOLDERS``) and holds each equal to the data; ``--update-snapshots`` rewrites them.
"""

from __future__ import annotations

import pytest
import yaml

from helpers.sqlstate_classes import CLASSES
from helpers.tools import explain
from tests.support.paths import DOCS, ROOT, SNIPPETS, page
from tests.support.snapshots import check_file

pytestmark = pytest.mark.once  # no server: the pages against the package data

PAGE = page("failures/classes/index")
FOLDER = DOCS / "failures" / "classes"
CLASS_PAGES = {cls.code: FOLDER / f"{cls.code}.md" for cls in CLASSES} | {"alembic": FOLDER / "alembic.md"}
PAGES = [PAGE, *CLASS_PAGES.values()]


def test_each_class_page_is_made_from_the_data(update_snapshots: bool) -> None:
    for code, path in CLASS_PAGES.items():
        check_file(path, explain.class_page_markdown(code), update_snapshots)


def test_the_list_of_classes_is_the_data(update_snapshots: bool) -> None:
    check_file(
        SNIPPETS / "failures" / "classes" / "index" / "classes.md",
        explain.classes_markdown("failures/classes/index.md"),
        update_snapshots,
    )


def test_the_folder_holds_exactly_these_pages_and_the_nav_lists_them() -> None:
    assert sorted(FOLDER.glob("*.md")) == sorted(PAGES)
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    section = next(
        item["Every SQLSTATE class"]
        for item in config["nav"]
        if isinstance(item, dict) and "Every SQLSTATE class" in item
    )
    listed = [entry if isinstance(entry, str) else next(iter(entry.values())) for entry in section]
    assert listed == [p.relative_to(DOCS).as_posix() for p in PAGES]


def test_a_class_page_tells_its_codes_apart_by_the_message_where_one_spans_kinds() -> None:
    text = (FOLDER / "42.md").read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith("| `42704` |"))
    assert "../missing-object.md" in row and "../enums.md#add_column-does-not-create-the-type-42704" in row
    assert 'when the message reads `type "<name>" does not exist`' in row
    mismatch = next(line for line in text.splitlines() if line.startswith("| `42804` |"))
    assert "this page" in mismatch and "../type-change.md" in mismatch  # a type change's cast only
