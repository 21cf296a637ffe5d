"""Every page of the built guide loads cleanly, links resolve, and nothing is fetched from another host."""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from html.parser import HTMLParser
from typing import TYPE_CHECKING
from urllib.parse import urldefrag, urljoin, urlsplit

from tests.browser.conftest import SCREENSHOTS, NewContext, Site
from tests.browser.site import DOCS, url_path

if TYPE_CHECKING:  # playwright is imported by the fixtures, so that its absence is one skip line
    from playwright.sync_api import Page


def _load(page: Page, url: str) -> int:
    response = page.goto(url, wait_until="load")
    assert response is not None, f"{url}: no response"
    return response.status


def test_every_page_answers_200_without_console_errors_or_outside_requests(
    new_context: NewContext, site: Site
) -> None:
    context, log = new_context(viewport={"width": 1280, "height": 900}, color_scheme="light")
    page = context.new_page()
    statuses = {path or "/": _load(page, site.url(path)) for path in site.pages}
    page.wait_for_load_state("networkidle")  # the last page's search worker and index too
    assert len(statuses) > 20, f"only {len(statuses)} pages built: {sorted(statuses)}"
    assert {path: status for path, status in statuses.items() if status != 200} == {}
    assert log.errors == []
    outside = [url for url in log.requests if not url.startswith(site.base)]
    assert outside == [], "requests outside the site's origin:\n" + "\n".join(outside)


#: The failure pages screenshotted in the default run, one of each shape: captured transcripts in tabs per driver,
#: per version, and a page of several faults. MRP_SCREENSHOTS=all takes every failure page (about a second each).
SCREENSHOT_FAILURES = ("index", "duplicate-key", "connection-lost", "server-faults", "lock-timeout")


def test_screenshots_of_home_and_failure_pages(new_context: NewContext, site: Site) -> None:
    """Full-page screenshots for a human to look at: artifacts/screenshots/ (kept by CI, ignored by git)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context, log = new_context(viewport={"width": 1280, "height": 900}, color_scheme="light")
    page = context.new_page()
    every = os.environ.get("MRP_SCREENSHOTS") == "all"
    wanted = {"home": ""} | {
        f"failures-{md.stem}": url_path(md)
        for md in sorted((DOCS / "failures").glob("*.md"))
        if every or md.stem in SCREENSHOT_FAILURES
    }
    assert len(wanted) == 1 + (len(list((DOCS / "failures").glob("*.md"))) if every else len(SCREENSHOT_FAILURES))
    for name, path in wanted.items():
        assert _load(page, site.url(path)) == 200, path
        page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
    assert {f"{name}.png" for name in wanted} <= {p.name for p in SCREENSHOTS.glob("*.png")}
    assert log.errors == []


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("id", "name"):
            if values.get(name):
                self.ids.add(str(values[name]))
        if tag == "a" and values.get("href"):
            self.hrefs.append(str(values["href"]))


def test_every_internal_link_and_anchor_resolves(site: Site) -> None:
    """Links are read from the served HTML and followed over HTTP: the target answers 200 and has the #anchor."""
    parsed: dict[str, _Links] = {}

    def fetch(url: str) -> _Links | int:
        if url not in parsed:
            try:
                with urllib.request.urlopen(url, timeout=10) as response:
                    body = response.read().decode("utf-8", errors="replace")
                    kind = response.headers.get_content_type()
            except urllib.error.HTTPError as exc:
                return exc.code
            links = _Links()
            if kind == "text/html":
                links.feed(body)
            parsed[url] = links
        return parsed[url]

    broken: list[str] = []
    checked = 0
    for path in site.pages:
        page_url = site.url(path)
        source = fetch(page_url)
        assert isinstance(source, _Links), f"{page_url}: HTTP {source}"
        for href in source.hrefs:
            target = urljoin(page_url, href)
            if urlsplit(target).scheme in {"http", "https"} and not target.startswith(site.base):
                continue  # a link to another site: followed by the reader, not fetched by the page
            if not target.startswith(site.base):
                continue  # mailto:, javascript: ...
            document, fragment = urldefrag(target)
            result = fetch(document)
            checked += 1
            if isinstance(result, int):
                broken.append(f"/{path}: {href} -> HTTP {result}")
            elif fragment and fragment not in result.ids:
                broken.append(f"/{path}: {href} -> no id {fragment!r} on {document.removeprefix(site.base) or '/'}")
    assert checked > 100
    assert broken == [], "broken internal links:\n" + "\n".join(broken)


def test_a_request_to_another_host_is_blocked_and_recorded(new_context: NewContext, site: Site) -> None:
    """The guard the other tests rely on: a request outside the origin never leaves, and is recorded."""
    context, log = new_context()
    page = context.new_page()
    page.goto(site.url(), wait_until="load")
    fetch = "fetch('https://fonts.googleapis.com/css?family=Roboto').then(() => 'answered', () => 'refused')"
    assert page.evaluate(fetch) == "refused"
    assert log.blocked == ["https://fonts.googleapis.com/css?family=Roboto"]
    log.blocked.clear()  # recorded as intended; the fixture would otherwise fail this test for it
