"""The site's search finds the page a reader in an incident is looking for."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.browser.conftest import NewContext, Site

if TYPE_CHECKING:  # playwright is imported by the fixtures, so that its absence is one skip line
    from playwright.sync_api import Page

#: query -> (the page it should find, the worst acceptable rank among the result pages).
#: "pg_dump" is in the text of several pages; the restore page's front matter boosts it to the top.
QUERIES = {
    "stamp": ("recovery/skip-with-stamp/", 1),
    "duplicate key": ("failures/duplicate-key/", 1),
    "downgrade base": ("manual-rollback/", 1),
    "pg_dump": ("recovery/restore-from-backup/", 1),
    "savepoint": ("helpers/savepoints/", 1),
    # The words of PostgreSQL's messages (a whole pasted message finds nothing yet: see the report).
    "contains null values": ("failures/not-null/", 3),
    "violated by some row": ("failures/check-violation/", 3),
    "cannot be cast automatically": ("failures/type-change/", 3),
    "invalid input syntax for type integer": ("failures/type-change/", 3),
    "unsafe use of new value": ("failures/enums/", 3),
    "enum type already exists": ("failures/enums/", 3),
}


def _result_pages(page: Page, site: Site, query: str) -> list[str]:
    box = page.locator("input.md-search__input")
    box.click()
    box.fill("")
    box.press_sequentially(query)  # Material searches on key events, which fill() does not send
    page.locator(".md-search-result__list > .md-search-result__item").first.wait_for()
    hrefs = page.locator(".md-search-result__list > .md-search-result__item > a").evaluate_all(
        "links => links.map(a => a.href)"
    )
    pages = [href.removeprefix(site.base).split("?")[0].split("#")[0] for href in hrefs]
    return list(dict.fromkeys(pages))  # a page's result lists its sections too: one entry per page


@pytest.mark.parametrize("query", list(QUERIES))
def test_search_finds_the_right_page(new_context: NewContext, site: Site, query: str) -> None:
    context, log = new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(site.url(), wait_until="load")
    found = _result_pages(page, site, query)
    wanted, worst = QUERIES[query]
    assert wanted in found[:worst], f"search {query!r}: {wanted} not in the first {worst}: {found}"
    assert any(url.endswith("/search/search_index.json") for url in log.requests), "index not from the site"
    assert log.errors == []
