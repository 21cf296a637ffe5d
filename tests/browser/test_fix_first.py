"""The fix first: on every failure page the resolution starts within the first two screens; the home page's
tables read at 375 px without anything cut off.

The failure pages and their resolution headings come from the failure catalog and the pages
(``helpers.tools.explain``, what ``python -m helpers explain`` prints), so a page added with its row
is checked too.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from helpers.tools import explain
from tests.browser.conftest import Log, NewContext, Site, one_tab

if TYPE_CHECKING:  # playwright is imported by the fixtures, so that its absence is one skip line
    from playwright.sync_api import Browser, Page

SCREEN = 900  # px: the height of the desktop window

#: The top of the first resolution heading, in page pixels (None: no such heading).
HEADING_TOP = """
text => {
  const found = [...document.querySelectorAll('.md-content h2, .md-content h3')]
    .find(h => {
      const shown = h.textContent.replace('\\u00b6', '').trim().toLowerCase();
      return shown === text.toLowerCase() || shown === 'resolution: ' + text.toLowerCase();  // 'Resolution: x'
    });
  return found ? found.getBoundingClientRect().top + window.scrollY : null;
}
"""
#: The top of the first link into the section with this id (its own heading or one below it, up to the next h2).
LINK_TOP = """
id => {
  const start = document.getElementById(id);
  if (!start) return null;
  const ids = [id];
  for (let h = start.nextElementSibling; h && h.tagName !== 'H2'; h = h.nextElementSibling)
    if (/^H[3-6]$/.test(h.tagName) && h.id) ids.push(h.id);
  const links = [...document.querySelectorAll('.md-content a[href^="#"]')]
    .filter(a => ids.includes(a.getAttribute('href').slice(1)) && !a.classList.contains('headerlink'));
  return links.length ? Math.min(...links.map(a => a.getBoundingClientRect().top + window.scrollY)) : null;
}
"""


def _failure_rows() -> list[explain.Explanation]:
    return [explain.explain_row(row) for row in explain.covered() if explain.page_source(row) is not None]


@pytest.fixture(scope="module")
def desktop(browser: Browser, site: Site, request_log: list[str]) -> Iterator[tuple[Page, Log]]:
    """One desktop window for every failure page of this module."""
    with one_tab(browser, site, request_log, __name__, viewport={"width": 1280, "height": SCREEN}) as made:
        yield made


@pytest.mark.parametrize("found", _failure_rows(), ids=lambda found: found.row.key)
def test_the_resolution_starts_within_two_screens(
    desktop: tuple[Page, Log], site: Site, found: explain.Explanation
) -> None:
    page, log = desktop
    log.errors.clear()
    assert found.row.page is not None
    page.goto(site.url(found.row.page), wait_until="load")
    if found.address and "#" in found.address:  # a page of several faults: its first screens link to this one's section
        anchor = found.address.rsplit("#", 1)[1]
        top, what = page.evaluate(LINK_TOP, anchor), f"a link to #{anchor}"
    else:
        top, what = page.evaluate(HEADING_TOP, found.steps[0].strip()), f"the heading {found.steps[0].strip()!r}"
    assert top is not None, f"{found.row.page}: no {what}"
    assert top < 2 * SCREEN, f"{found.row.page}: {what} starts at {top:.0f} px, past the first two screens"
    assert log.errors == []


def test_home_page_tables_fit_a_phone(new_context: NewContext, site: Site) -> None:
    context, log = new_context(viewport={"width": 375, "height": 812}, device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    page.goto(site.url(), wait_until="load")
    tables = page.locator(".md-content table")
    assert tables.count() > 0
    for index in range(tables.count()):
        sizes = tables.nth(index).evaluate(
            "t => { const box = t.closest('.md-typeset__scrollwrap') || t.parentElement;"
            " return [box.scrollWidth, box.clientWidth]; }"
        )
        assert sizes[0] <= sizes[1], f"home page table {index} is cut off at 375 px: {sizes[0]} px in {sizes[1]}"
    assert log.errors == []
