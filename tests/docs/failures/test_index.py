"""docs/failures/index.md: the errors index is the catalog's, and ``python -m helpers explain`` prints what it shows."""

from __future__ import annotations

import os
from dataclasses import replace

import alembic
import alembic.util.exc
import pytest

from helpers.failures import CATALOG
from helpers.tools import explain
from tests.support.paths import DOCS, SNIPPETS, page
from tests.support.scenario import Captures
from tests.support.snapshots import check_file
from tests.support.transcript import Run, helpers

PAGE = page("failures/index")
HOME_PAGES = SNIPPETS / "index" / "failure-pages.md"


def test_the_tables_are_the_catalogs(update_snapshots: bool) -> None:
    if not hasattr(alembic.util.exc, "DatabaseNotAtHead"):
        pytest.skip(f"Alembic {alembic.__version__} lacks classes the index names (written with the newest Alembic)")
    own = SNIPPETS / "failures" / "index"
    check_file(own / "errors.md", explain.index_markdown("failures/index.md"), update_snapshots)
    check_file(own / "pages.md", explain.pages_markdown("failures/index.md"), update_snapshots)
    check_file(own / "classes.md", explain.classes_markdown("failures/index.md"), update_snapshots)
    check_file(HOME_PAGES, explain.pages_markdown("index.md"), update_snapshots)


def test_every_failure_page_and_code_is_in_the_index() -> None:
    index = explain.index_markdown()
    listed = explain.pages_markdown("index.md")
    for row in CATALOG:
        for sqlstate in row.sqlstates:
            assert f"| `{sqlstate}` |" in index, sqlstate
        if row.page is not None:
            page = explain.page_path(row.page)  # failures/enums/#a-section: the page, once in the list
            assert (DOCS / (page + ".md")).is_file(), f"{row.key}: no page {row.page}"
            assert f"]({page}.md)" in listed, row.page


def test_the_drivers_name_each_code() -> None:
    pytest.importorskip("psycopg2", reason="psycopg2 is not installed: nox -s driver-psycopg2 has it")
    pytest.importorskip("asyncpg", reason="asyncpg is not installed: pip install -e '.[asyncpg]'")
    found = explain.code("23505")
    assert found.condition == "unique_violation"
    assert found.classes == (
        "psycopg.errors.UniqueViolation", "psycopg2.errors.UniqueViolation", "asyncpg.exceptions.UniqueViolationError"
    )
    assert "08006" in {c.sqlstate for row in CATALOG for c in explain.codes(row) if "08" in row.classes}


def helpers_explain(*args: str) -> Run:
    """``migration-rollback explain ARGS``, as the page shows it, with the guide at its default address."""
    env = {k: v for k, v in os.environ.items() if k != "HELPERS_GUIDE_URL"}
    shown = " ".join(f'"{a}"' if " " in a or "'" in a else a for a in args)
    return replace(helpers("explain", *args, env=env), display=f"migration-rollback explain {shown}")


def test_explain_prints_what_the_page_shows(update_snapshots: bool) -> None:
    captures = Captures(PAGE, update_snapshots)
    by_code = captures.check("explain-23505.txt", helpers_explain("23505"))
    assert by_code.returncode == 0
    assert "SEE: http://127.0.0.1:8000/failures/duplicate-key/" in by_code.output
    line = captures.check("explain-line.txt", helpers_explain(
        'sqlalchemy.exc.OperationalError: (psycopg.errors.LockNotAvailable) canceling statement due to lock timeout'
    ))
    assert line.returncode == 0
    assert "SEE: http://127.0.0.1:8000/failures/lock-timeout/" in line.output
    unknown = captures.check("explain-unknown.txt", helpers_explain("nonsense"))
    assert unknown.returncode == 2
    assert len(unknown.output.strip().splitlines()) == 1
