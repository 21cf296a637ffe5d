"""A real browser on the guide built from the working tree: Playwright driving the system's Chromium.

No browser download: Playwright launches the Chromium that ``CHROMIUM`` names, or the first of
``chromium``, ``chromium-browser``, ``google-chrome`` on PATH. Without one (or without the
``playwright`` package), every browser test is skipped with one line saying how to get it.

The browser sends every request but the local server's to a proxy that refuses them; every browser
context records them and fails the test that caused them.
"""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.browser.site import ARTIFACTS, build_mkdocs, page_paths, serve

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, Request

HOW_TO_GET_CHROMIUM = (
    "no Chromium found: install it (Debian/Ubuntu: apt-get install chromium) or set CHROMIUM=/path/to/chromium"
)
HOW_TO_GET_PLAYWRIGHT = "playwright not installed: nox -s browser, or pip install -e '.[browser]'"

#: As root Chromium needs --no-sandbox; the rest keeps it from calling Google's hosts at start.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--no-first-run",
]

SCREENSHOTS = ARTIFACTS / "screenshots"


def chromium_path() -> str | None:
    """The Chromium to drive: ``$CHROMIUM``, else the first Chromium or Chrome on PATH."""
    named = os.environ.get("CHROMIUM")
    if named:
        return named if Path(named).exists() else shutil.which(named)
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Every test skipped for want of a browser reports the same place, so ``-ra`` shows one line for all."""
    report = yield
    longrepr = report.longrepr
    if report.skipped and isinstance(longrepr, tuple) and (
        HOW_TO_GET_CHROMIUM in longrepr[2] or HOW_TO_GET_PLAYWRIGHT in longrepr[2]
    ):
        report.longrepr = (os.path.relpath(__file__), 0, longrepr[2])
    return report


@dataclass
class Site:
    """The built guide and where it is served."""

    directory: Path
    base: str  # http://127.0.0.1:PORT/
    pages: list[str]  # URL paths, "" for the home page

    def url(self, path: str = "") -> str:
        return self.base + path.lstrip("/")


@dataclass
class Log:
    """What the browser did in one test: every request, blocked ones, console errors, failed responses."""

    origin: str
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The guide built with ``mkdocs build --strict`` from the working tree, served on loopback."""
    directory = tmp_path_factory.mktemp("site")
    build_mkdocs(directory)
    with serve(directory) as base:
        yield Site(directory, base, page_paths(directory))


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless Chromium (the system's), one per test session."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip(HOW_TO_GET_PLAYWRIGHT)
    executable = chromium_path()
    if executable is None:
        pytest.skip(HOW_TO_GET_CHROMIUM)
    with socket.socket() as nowhere, sync_playwright() as playwright:
        nowhere.bind(("127.0.0.1", 0))  # bound, never listening: a connection to it is refused
        # Every request but the site's (served on 127.0.0.1) goes to that proxy, so none leaves the machine.
        proxy = {"server": f"http://127.0.0.1:{nowhere.getsockname()[1]}", "bypass": "127.0.0.1"}
        chromium = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS, proxy=proxy  # type: ignore[arg-type]
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def request_log() -> Iterator[list[str]]:
    """Every request of every browser test, written to ``artifacts/requests.txt`` at the end."""
    lines: list[str] = []
    yield lines
    if lines:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "requests.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


NewContext = Callable[..., tuple["BrowserContext", Log]]


def open_context(
    browser: Browser, site: Site, request_log: list[str], who: str, **options: Any
) -> tuple[BrowserContext, Log]:
    """A browser context of `browser`, which only reaches the local server; ``who`` (a test's id) names its
    requests in the log.

    Console errors, uncaught exceptions and HTTP errors of every page are collected in the returned
    ``Log`` (``log.errors``); requests elsewhere are recorded (``log.blocked``) and go nowhere: the browser's
    proxy refuses them. (Intercepting every request to let the site's through, Playwright's ``route``, cost half
    the CPU of a page load.)
    """
    context = browser.new_context(**options)
    context.set_default_timeout(10_000)  # a hang fails in seconds, not half a minute (not an assertion)
    origin = site.base.rstrip("/")
    log = Log(origin)

    def on_request(req: Request) -> None:
        url = req.url
        log.requests.append(url)
        if url == origin or url.startswith(origin + "/"):
            request_log.append(f"{who}: {req.method} {url}")
        else:
            log.blocked.append(url)
            request_log.append(f"{who}: BLOCKED {req.method} {url}")

    def on_page(page: Page) -> None:
        page.on("console", lambda msg: log.errors.append(f"{page.url}: console {msg.type}: {msg.text}")
                if msg.type == "error" else None)
        page.on("pageerror", lambda exc: log.errors.append(f"{page.url}: uncaught {exc}"))
        page.on("response", lambda resp: log.errors.append(f"{resp.url}: HTTP {resp.status}")
                if resp.status >= 400 else None)

    context.on("request", on_request)
    context.on("page", on_page)
    return context, log


def close_contexts(made: list[tuple[BrowserContext, Log]]) -> None:
    """Close ``made``; fail if any of them asked for something outside the site's origin."""
    blocked = [url for _, log in made for url in log.blocked]
    for context, _ in made:
        context.close()
    assert not blocked, "requests outside the site's origin (blocked):\n" + "\n".join(sorted(set(blocked)))


@contextmanager
def one_tab(
    browser: Browser, site: Site, request_log: list[str], who: str, **options: Any
) -> Iterator[tuple[Page, Log]]:
    """One page in one context (`open_context`) for every test of a module, each test navigating it.

    A context and a page of its own per test start a renderer each: 30 pages took 32 CPU-seconds loaded so and 8
    in one tab (the built guide, this machine's 2 cores). Each test clears ``log.errors`` before its page.
    """
    made = open_context(browser, site, request_log, who, **options)
    try:
        yield made[0].new_page(), made[1]
    finally:
        close_contexts([made])


@pytest.fixture
def new_context(
    browser: Browser, site: Site, request_log: list[str], request: pytest.FixtureRequest
) -> Iterator[NewContext]:
    """Make browser contexts (`open_context`) for one test; it fails if any asked for anything elsewhere."""
    made: list[tuple[BrowserContext, Log]] = []

    def make(**options: Any) -> tuple[BrowserContext, Log]:
        made.append(open_context(browser, site, request_log, request.node.nodeid, **options))
        return made[-1]

    yield make
    close_contexts(made)


@pytest.fixture
def page(new_context: NewContext) -> Iterator[tuple[Page, Log]]:
    """A page in a fresh desktop-sized context (1280x900, light colour scheme)."""
    context, log = new_context(viewport={"width": 1280, "height": 900}, color_scheme="light")
    yield context.new_page(), log
