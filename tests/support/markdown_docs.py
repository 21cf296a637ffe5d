"""pytest-markdown-docs for this project: Python written on the pages, and the helpers' docstring examples.

``nox -s markdown-docs`` runs ``pytest --markdown-docs -p tests.support.markdown_docs docs helpers``:

- every ```` ```python ```` block written inline on a page, and every one in a docstring of
  ``helpers/``, runs as a test (pytest-markdown-docs' default fence syntax: a ```` ```{.python ...} ````
  block is not collected, so ``.not-runnable`` blocks stay out);
- a block that only includes files (``--8<-- "..."``) is deselected: the included file is tested by
  the page's own test (tests/docs/...) or by the tests of the helpers, as tests/site/test_fences.py
  requires;
- each block gets a fresh database on the suite's throwaway server in ``DATABASE_URL``, as a
  reader's shell has it (``postgresql+psycopg://...``).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.database import fresh_database, server, stop_server
from tests.support.fences import INCLUDE


def only_includes(code: str) -> bool:
    """True for a block whose every line is a ``--8<--`` include (the file is tested elsewhere)."""
    lines = [line.strip() for line in code.splitlines() if line.strip()]
    return bool(lines) and all(INCLUDE.match(line) for line in lines)


@functools.cache
def collected_lines(page: Path) -> frozenset[int]:
    """The lines of ``page``'s fences that pytest-markdown-docs runs (1-based, the opening fence's).

    Its parser is CommonMark's: a fence indented under an admonition or a tab is indented code to
    it, and not collected; nor is a ```` ```{.python ...} ```` block.
    """
    from markdown_it import MarkdownIt
    from pytest_markdown_docs.plugin import FenceSyntax, extract_fence_tests

    tests = extract_fence_tests(
        MarkdownIt(config="commonmark"),
        page.read_text(encoding="utf-8"),
        source_path=page,
        start_line_offset=0,
        markdown_type="md",
        fence_syntax=FenceSyntax.default,
    )
    return frozenset(test.start_line for test in tests if not only_includes(test.source))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    included = [item for item in items if only_includes(str(getattr(item, "code", "")))]
    if included:
        config.hook.pytest_deselected(items=included)
        items[:] = [item for item in items if item not in included]


@pytest.fixture(autouse=True)
def database_url(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh database in ``DATABASE_URL`` for each block."""
    with fresh_database() as db:
        monkeypatch.setenv("DATABASE_URL", db.url)
        yield db.url


def pytest_report_header(config: pytest.Config) -> str:
    srv = server()
    return f"PostgreSQL: {srv.version} from {srv.provider}"


def pytest_unconfigure(config: pytest.Config) -> None:
    stop_server()
