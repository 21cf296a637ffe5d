"""The site's search finds the page a reader in an incident is looking for."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from tests.browser.conftest import Log, Site, one_tab

if TYPE_CHECKING:  # playwright is imported by the fixtures, so that its absence is one skip line
    from playwright.sync_api import Browser, Page

#: query -> (the page it should find, the worst acceptable rank among the result pages).
#: "pg_dump" is in the text of several pages; the restore page's front matter boosts it to the top.
QUERIES = {
    "stamp": ("recovery/skip-with-stamp/", 1),
    "duplicate key": ("failures/duplicate-key/", 1),
    "downgrade base": ("manual-rollback/", 3),  # the downgrade-target page names it too
    "pg_dump": ("recovery/restore-from-backup/", 1),
    "savepoint": ("helpers/savepoints/", 1),
    # The words of PostgreSQL's messages (a whole pasted message finds nothing yet: see the report).
    "contains null values": ("failures/not-null/", 3),
    "violated by some row": ("failures/check-violation/", 3),
    "cannot be cast automatically": ("failures/type-change/", 3),
    "invalid input syntax for type integer": ("failures/type-change/", 3),
    "unsafe use of new value": ("failures/enums/", 3),
    "enum type already exists": ("failures/enums/", 3),
    # Error messages as pasted from a terminal, other than the pages' own (issue 19: in the first three).
    "ERROR:  DROP INDEX CONCURRENTLY cannot run inside a transaction block": (
        "failures/concurrent-index-in-transaction/",
        3,
    ),
    "psycopg.errors.InFailedSqlTransaction: current transaction is aborted, commands ignored until end of "
    "transaction block": ("failures/aborted-transaction/", 3),
    "cannot ALTER TABLE orders because it has pending trigger events": ("failures/pending-trigger-events/", 3),
    'cannot ALTER TABLE "cameras" because it has pending trigger events': ("failures/pending-trigger-events/", 3),
}


DUPLICATE_KEY, FOREIGN_KEY = "failures/duplicate-key/", "failures/foreign-key/"
ALREADY_EXISTS, LOCK_TIMEOUT = "failures/already-exists/", "failures/lock-timeout/"
CONNECTION_LOST, SERVER_FAULTS = "failures/connection-lost/", "failures/server-faults/"

#: What an incident's terminal shows, pasted whole -> the page that resolves it, which must be in the first three.
#: Real lines (the pages' captured runs, a stock env.py's traceback, psql), exception classes of the three
#: drivers, SQLSTATEs and condition names.
PASTED = {
    'ERROR - Migration failed due to integrity constraint: could not create unique index "ix_users_email"':
        DUPLICATE_KEY,
    'sqlalchemy.exc.IntegrityError: (psycopg.errors.UniqueViolation) could not create unique index "ix_users_email"':
        DUPLICATE_KEY,
    'ERROR:  duplicate key value violates unique constraint "users_email_key"': DUPLICATE_KEY,
    "DETAIL:  Key (email)=(ann@example.com) is duplicated.": DUPLICATE_KEY,
    "psycopg.errors.UniqueViolation": DUPLICATE_KEY,
    "UniqueViolation": DUPLICATE_KEY,
    "asyncpg.exceptions.UniqueViolationError": DUPLICATE_KEY,
    "23505": DUPLICATE_KEY,
    "unique_violation": DUPLICATE_KEY,
    'insert or update on table "events" violates foreign key constraint "fk_events_camera_id"': FOREIGN_KEY,
    'update or delete on table "cameras" violates foreign key constraint "fk_events_camera_id" on table "events"':
        FOREIGN_KEY,
    "psycopg2.errors.ForeignKeyViolation": FOREIGN_KEY,
    "foreign_key_violation": FOREIGN_KEY,
    "23503": FOREIGN_KEY,
    'sqlalchemy.exc.ProgrammingError: (psycopg.errors.DuplicateTable) relation "audit_log" already exists':
        ALREADY_EXISTS,
    'column "phone" of relation "users" already exists': ALREADY_EXISTS,
    "DuplicateColumn": ALREADY_EXISTS,
    "duplicate_table": ALREADY_EXISTS,
    "42P07": ALREADY_EXISTS,
    "42701": ALREADY_EXISTS,
    "sqlalchemy.exc.OperationalError: (psycopg.errors.LockNotAvailable) canceling statement due to lock timeout":
        LOCK_TIMEOUT,
    "asyncpg.exceptions.LockNotAvailableError": LOCK_TIMEOUT,
    "lock_not_available": LOCK_TIMEOUT,
    "55P03": LOCK_TIMEOUT,
    "psycopg.OperationalError: consuming input failed: server closed the connection unexpectedly": CONNECTION_LOST,
    "psycopg2.OperationalError: SSL SYSCALL error: EOF detected": CONNECTION_LOST,
    "FATAL:  terminating connection due to administrator command": CONNECTION_LOST,
    "psycopg.errors.AdminShutdown": CONNECTION_LOST,
    "asyncpg.exceptions.ConnectionDoesNotExistError: connection was closed in the middle of operation":
        CONNECTION_LOST,
    "57P01": CONNECTION_LOST,
    'could not extend file "base/16384/24601": No space left on device': SERVER_FAULTS,
    "psycopg.errors.DiskFull": SERVER_FAULTS,
    "53100": SERVER_FAULTS,
    "out_of_memory": SERVER_FAULTS,
}


@pytest.fixture(scope="module")
def search_page(browser: Browser, site: Site, request_log: list[str]) -> Iterator[tuple[Page, Log]]:
    """The home page, loaded once for every query of this module (a load and the index built: about a second)."""
    with one_tab(browser, site, request_log, __name__, viewport={"width": 1280, "height": 900}) as (page, log):
        page.goto(site.url(), wait_until="load")
        yield page, log


RESULTS = ".md-search-result__list > .md-search-result__item"


def _result_pages(page: Page, site: Site, query: str) -> list[str]:
    box = page.locator("input.md-search__input")
    box.click()
    box.press("Control+A")  # the last query out, as keys: the results go with it
    box.press("Backspace")
    page.locator(RESULTS).first.wait_for(state="detached")
    box.fill(query[:-1])  # a paste, then the last key: Material searches on key events, which fill() does not send
    box.press_sequentially(query[-1])
    page.locator(RESULTS).first.wait_for()
    hrefs = page.locator(f"{RESULTS} > a").evaluate_all("links => links.map(a => a.href)")
    pages = [href.removeprefix(site.base).split("?")[0].split("#")[0] for href in hrefs]
    return list(dict.fromkeys(pages))  # a page's result lists its sections too: one entry per page


@pytest.mark.parametrize("query", list(QUERIES))
def test_search_finds_the_right_page(search_page: tuple[Page, Log], site: Site, query: str) -> None:
    page, log = search_page
    found = _result_pages(page, site, query)
    wanted, worst = QUERIES[query]
    assert wanted in found[:worst], f"search {query!r}: {wanted} not in the first {worst}: {found}"
    assert any(url.endswith("/search/search_index.json") for url in log.requests), "index not from the site"
    assert log.errors == []


@pytest.mark.parametrize("pasted", list(PASTED))
def test_search_finds_the_page_for_what_the_terminal_shows(
    search_page: tuple[Page, Log], site: Site, pasted: str
) -> None:
    page, log = search_page
    found = _result_pages(page, site, pasted)
    assert PASTED[pasted] in found[:3], f"search {pasted!r}: {PASTED[pasted]} not in the first three: {found[:5]}"
    assert log.errors == []
