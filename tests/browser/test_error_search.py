"""A pasted error line finds its page first: in the site's search box, and in the "paste your error" boxes of the home
page and the errors index (docs/javascripts/error-search.js over error-search.json, the failure catalog's rules).

Every row's symptom lines in every wording (psycopg 3, psycopg2, asyncpg, SQLAlchemy's wrapper as the stock
traceback's last line shows it, psql, the example env.py's ERROR line, Alembic's ``FAILED:``) and every real line of
tests/data/real_error_lines.json must put the page ``explain`` names first. One page load for the module: the lines
go into the box as a paste does (the value, then ``input`` and ``keyup``), in one script run per list.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from tests.browser.conftest import Log, Site, one_tab
from tests.support.error_search import page_of, real_lines, symptom_lines

if TYPE_CHECKING:  # playwright is imported by the fixtures, so that its absence is one skip line
    from playwright.sync_api import Browser, Page

#: Pastes each line into a box and waits for the script's answer (``data-error-search`` is the text it answered):
#: the search box -> the result links in order; a paste box -> its answer's link. Meanwhile an observer made after
#: the script's own checks, at every change Material makes to the result list, that the answer is still first.
PASTE_ALL = """async ({lines, box, answered, links}) => {
  const input = document.querySelector(box);
  const done = document.querySelector(answered);
  const list = document.querySelector(".md-search-result__list");
  const displaced = [];
  const watch = new MutationObserver(() => {
    const hit = list.querySelector(":scope > .error-search__hit");
    if (hit && list.firstElementChild !== hit) displaced.push(input.value);
  });
  watch.observe(list, {childList: true});
  const out = {};
  for (const line of lines) {
    input.focus();
    input.value = line;
    input.dispatchEvent(new Event("input", {bubbles: true}));
    input.dispatchEvent(new KeyboardEvent("keyup", {bubbles: true, key: line.slice(-1)}));
    while (done.getAttribute("data-error-search") !== line) await new Promise(r => setTimeout(r, 5));
    out[line] = [...document.querySelectorAll(links)].map(a => a.href);
  }
  await new Promise(r => setTimeout(r, 200));  /* the word search's last answers land, the observer looks */
  watch.disconnect();
  return {out, displaced};
}"""

SEARCH_BOX = {
    "box": "[data-md-component=search-query]",
    "answered": "[data-md-component=search-result]",
    "links": ".md-search-result__list > .md-search-result__item > a",
}


def paste_box(ident: str) -> dict[str, str]:
    return {"box": f"#{ident}", "answered": ".error-search", "links": f"#{ident} ~ .error-search__answer a"}


@pytest.fixture(scope="module")
def home(browser: Browser, site: Site, request_log: list[str]) -> Iterator[tuple[Page, Log]]:
    """The home page, loaded once for every test of this module."""
    with one_tab(browser, site, request_log, __name__, viewport={"width": 1280, "height": 900}) as (page, log):
        page.goto(site.url(), wait_until="load")
        page.locator("input.md-search__input").click()  # the search panel open, as a reader's click opens it
        yield page, log


def _paste(page: Page, site: Site, lines: list[str], where: dict[str, str]) -> tuple[dict[str, list[str]], Any]:
    found = page.evaluate(PASTE_ALL, {"lines": lines, **where})
    pages = {
        line: [href.removeprefix(site.base).split("?")[0] for href in hrefs] for line, hrefs in found["out"].items()
    }
    return pages, found["displaced"]


def _first_pages(pages: dict[str, list[str]], expected: dict[str, str]) -> list[str]:
    """Lines whose first result is not the page expected (with its section, as explain names it)."""
    return [
        f"{line!r}: {pages[line][:3]} (explain: {expected[line]})"
        for line in expected
        if not pages[line] or pages[line][0] != expected[line]
    ]


def test_every_symptom_line_puts_its_page_first_in_the_search_box(home: tuple[Page, Log], site: Site) -> None:
    page, log = home
    expected = symptom_lines()
    assert len(expected) > 150
    pages, displaced = _paste(page, site, list(expected), SEARCH_BOX)
    assert _first_pages(pages, expected) == []
    assert displaced == [], "the word search's results came first"
    assert any(url.endswith("/javascripts/error-search.json") for url in log.requests), "rules not from the site"
    assert log.errors == []


def test_every_real_line_puts_the_page_explain_names_first(home: tuple[Page, Log], site: Site) -> None:
    """tests/data/real_error_lines.json: lines from public issue trackers, none a page was written from."""
    page, log = home
    expected = {entry["line"]: page_of(entry["line"]) for entry in real_lines()}
    assert len(expected) >= 30 and all(expected.values())
    pages, displaced = _paste(page, site, list(expected), SEARCH_BOX)
    missed = _first_pages(pages, {line: str(target) for line, target in expected.items()})
    print(f"search box: {len(expected) - len(missed)} of {len(expected)} real lines put their page first")
    assert missed == []
    assert displaced == []
    assert log.errors == []


@pytest.mark.parametrize("ident", ["error-search-home"])
def test_the_paste_box_answers_the_same(home: tuple[Page, Log], site: Site, ident: str) -> None:
    page, log = home
    expected = {**symptom_lines(), **{entry["line"]: str(page_of(entry["line"])) for entry in real_lines()}}
    pages, _ = _paste(page, site, list(expected), paste_box(ident))
    assert _first_pages(pages, expected) == []
    assert log.errors == []


def test_the_errors_index_has_the_same_box(home: tuple[Page, Log], site: Site) -> None:
    page, log = home
    page.goto(site.url("failures/"), wait_until="load")
    box = page.locator("#error-search-index")
    line = 'psycopg2.errors.UndefinedObject: constraint "orders_account_kid_fkey" of relation "orders" does not exist'
    box.fill(line)
    answer = page.locator("#error-search-index ~ .error-search__answer")
    answer.locator("a").wait_for()
    assert answer.locator("a").get_attribute("href") == site.url(str(page_of(line)))
    assert answer.text_content() is not None and "42704 undefined_object" in answer.text_content()
    box.fill("how do I roll back")
    page.locator(".error-search[data-error-search='how do I roll back']").wait_for()
    assert answer.locator("a").count() == 0 and "No page recognises this line" in (answer.text_content() or "")
    assert log.errors == []


def test_enter_opens_the_page_of_a_pasted_line(home: tuple[Page, Log], site: Site) -> None:
    """Typed as keys (Material's search runs), Enter opens the recognised page, not the word search's best."""
    page, log = home
    page.goto(site.url(), wait_until="load")
    box = page.locator("input.md-search__input")
    box.click()
    line = "asyncpg.exceptions.DeadlockDetectedError: deadlock detected"
    box.fill(line[:-1])
    box.press_sequentially(line[-1])
    page.locator(".md-search-result__list > .error-search__hit").wait_for()
    box.press("Enter")
    page.wait_for_url(site.url(str(page_of(line))) + "**")
    assert page.url.split("#")[0] == site.url(str(page_of(line)).split("#")[0])
    assert log.errors == []
