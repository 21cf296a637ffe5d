"""How many real error lines (tests/data/real_error_lines.json, from public issue trackers) the built site's search
box puts on the right page: typed as keys into Material's search box of a built site, in Chromium.

    python benchmarks/site_search.py SITE_DIR [-v]

prints "N lines: F with the page first, T with it in the first three, E with no result". The right page is the one
``python -m helpers explain`` names for the line from this checkout. Measure another checkout's site (main's, before
the error search) by building it there (mkdocs build --site-dir DIR) and passing DIR.
"""

from __future__ import annotations

import sys
from contextlib import suppress
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import TimeoutError as PlaywrightTimeout  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from tests.browser.conftest import CHROMIUM_ARGS, chromium_path  # noqa: E402
from tests.browser.site import serve  # noqa: E402
from tests.support.error_search import page_of, real_lines  # noqa: E402

RESULTS = ".md-search-result__list > .md-search-result__item"


def main(argv: list[str]) -> None:
    site = Path(argv[0])
    first = top3 = empty = 0
    with serve(site) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base) else route.abort())
        page.goto(base, wait_until="load")
        box = page.locator("input.md-search__input")
        box.click()
        for entry in real_lines():
            line, wanted = entry["line"], (page_of(entry["line"]) or "").split("#")[0]
            meta = page.locator(".md-search-result__meta")
            box.press("Control+A")
            box.press("Backspace")
            page.locator(RESULTS).first.wait_for(state="detached")
            page.wait_for_function("m => !/matching/.test(m.textContent)", arg=meta.element_handle())
            box.fill(line[:-1])
            box.press_sequentially(line[-1])
            with suppress(PlaywrightTimeout):  # Material's word search answers, or (lunr cannot parse it) nothing
                page.wait_for_function("m => /matching/.test(m.textContent)", arg=meta.element_handle(), timeout=5000)
            page.wait_for_timeout(300)  # Material's answer for the whole line, not a partial one
            hrefs = page.locator(f"{RESULTS} > a").evaluate_all("links => links.map(a => a.href)")
            pages = list(dict.fromkeys(h.removeprefix(base).split("?")[0].split("#")[0] for h in hrefs))
            first += bool(pages) and pages[0] == wanted
            top3 += wanted in pages[:3]
            empty += not pages
            if "-v" in argv:
                print("ok" if pages and pages[0] == wanted else "--", wanted, pages[:3], "|", line[:80])
        browser.close()
    print(f"{len(real_lines())} lines: {first} with the page first, {top3} with it in the first three, "
          f"{empty} with no result")


if __name__ == "__main__":
    main(sys.argv[1:])
