"""helpers/failures.py, the failure catalog: every SQLSTATE filed once, every page named exists in the guide."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from helpers import failures
from helpers.tools import explain

pytestmark = pytest.mark.once  # no server: the catalog and its pages

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_no_sqlstate_is_filed_under_two_rows_by_code_alone() -> None:
    """A code has one row the diagnosis files it under whatever the message says; rows with ``shapes`` come on top."""
    counts = Counter(code for row in failures.CATALOG if not row.shapes for code in (*row.sqlstates, *row.classes))
    assert [code for code, n in counts.items() if n > 1] == []


@pytest.mark.parametrize("row", [r for r in failures.CATALOG if r.shapes], ids=lambda r: r.key)
def test_a_row_with_shapes_has_a_page_codes_and_symptoms_of_its_shape(row: failures.Category) -> None:
    """A row chosen by the message's shape exists to send that message to its page, and its symptoms show it."""
    assert row.page is not None and row.sqlstates
    assert row.symptoms and all(failures.BY_SQLSTATE.get(code) is not row for code in row.sqlstates)
    from helpers import matcher

    for symptom in row.symptoms:
        assert matcher.has_shape(row, symptom)
        assert matcher.match_error(row.sqlstates[0], symptom) == matcher.Match(row, row.sqlstates[0])


def test_a_page_of_a_code_several_kinds_share_is_never_reached_by_the_code_alone() -> None:
    """42704 is a type, a constraint, an index...; 42804 a type change's cast or an INSERT's mismatch: a row with
    shapes is never reached by the code alone, and a message of another kind gets the code's own page, or its
    class page marked not sure; never the shaped row's page."""
    from helpers import matcher

    for code in {code for row in failures.CATALOG if row.shapes for code in row.sqlstates}:
        found = matcher.match_error(code, None)
        assert found is not None and found.page is not None
        assert all(found.page != row.page for row in failures.CATALOG if row.shapes and code in row.sqlstates), code
    constraint = matcher.match_error("42704", 'constraint "users_email_key" of relation "users" does not exist')
    assert constraint is not None and constraint.page == failures.MISSING.page and constraint.sure
    insert = matcher.match_error("42804", 'column "id" is of type integer but expression is of type text')
    assert insert is not None and insert.page == "failures/classes/42/" and not insert.sure  # not type-change's
    assert failures.TYPE_CHANGE_CAST in insert.others


def test_every_lint_rule_a_row_names_exists() -> None:
    from helpers.tools.lint.rules import RULES

    named = {rule for row in failures.CATALOG for rule in row.prevented_by}
    assert named and named <= set(RULES)


def test_no_two_rows_share_a_key() -> None:
    counts = Counter(row.key for row in failures.CATALOG)
    assert [key for key, n in counts.items() if n > 1] == []


@pytest.mark.parametrize("row", [r for r in failures.CATALOG if r.page], ids=lambda r: r.key)
def test_each_page_a_row_names_is_a_page_of_the_guide(row: failures.Category) -> None:
    """``failures/enums/`` or, on a page several rows share, a section of it: ``failures/enums/#<heading's anchor>``."""
    assert row.page is not None
    page, _, anchor = row.page.partition("#")
    assert page.endswith("/")
    path = DOCS / f"{page.rstrip('/')}.md"
    assert path.is_file() or (DOCS / page / "index.md").is_file(), row.page
    if anchor:
        headings = re.findall(r"^#{2,6}\s+(.+?)\s*$", path.read_text(encoding="utf-8"), re.M)
        assert anchor in {explain.slug(heading) for heading in headings}, row.page


def test_a_code_no_row_names_falls_back_to_its_class_then_to_other() -> None:
    assert failures.by_sqlstate("08001") is failures.CONNECTION_LOST
    assert failures.by_sqlstate("XX000") is failures.CLASS_ROWS["XX"]
    assert failures.CLASS_ROWS["XX"].address() == failures.guide_address("failures/classes/XX/")
    assert failures.by_sqlstate("ZZ000") is failures.OTHER
    assert failures.by_sqlstate("23505") is failures.UNIQUE


def _section(text: str, anchor: str) -> str:
    """The part of a page under the level-2 heading whose anchor is ``anchor`` (the whole page without one)."""
    if not anchor:
        return text
    parts = re.split(r"^(## .+)$", text, flags=re.M)
    for heading, body in zip(parts[1::2], parts[2::2], strict=True):
        if explain.slug(heading[3:].strip()) == anchor:
            return body
    raise AssertionError(f"no section #{anchor}")


@pytest.mark.parametrize("row", [r for r in failures.CATALOG if r.page and r.prevented_by], ids=lambda r: r.key)
def test_a_failure_page_names_the_lint_rules_that_prevent_it(row: failures.Category) -> None:
    """The page (its own section, on a page several rows share) links each rule of the row's ``prevented_by``."""
    assert row.page is not None
    page, _, anchor = row.page.partition("#")
    section = _section((DOCS / f"{page.rstrip('/')}.md").read_text(encoding="utf-8"), anchor)
    for rule in row.prevented_by:
        assert f"(../safe-migrations.md#{rule.lower()})" in section, (row.key, rule)
    assert explain.prevented_by_markdown(row, page.rstrip("/") + ".md") in section


def test_no_rollback_line_says_the_whole_migration_was_lost() -> None:
    """Under transaction_per_migration (or after an autocommit block) the revisions committed before the failed
    transaction stay applied: a ROLLBACK line speaks of the failed transaction only, never "this migration"."""
    rows = [value for value in vars(failures).values() if isinstance(value, failures.Category)]
    assert rows
    for row in rows:
        assert "from this migration was kept" not in row.rollback, row.key
    assert "nothing of the failed transaction was kept" in failures.DEADLOCK.rollback
