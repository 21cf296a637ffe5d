"""helpers/tools/explain.py: a SQLSTATE, condition name, exception class or pasted line -> its failure and page."""

from __future__ import annotations

import io

import pytest

from helpers import failures
from helpers.failures import CATALOG, CONNECTION_LOST, DISK_FULL, FOREIGN_KEY, LOCK_TIMEOUT, UNIQUE
from helpers.tools import cli, explain

pytestmark = pytest.mark.once  # no server: the package data

#: what a reader pastes -> the row it is
PASTED = {
    "23505": UNIQUE,
    "unique_violation": UNIQUE,
    "UNIQUE_VIOLATION": UNIQUE,
    "UniqueViolation": UNIQUE,
    "psycopg2.errors.UniqueViolation": UNIQUE,
    "asyncpg.exceptions.UniqueViolationError": UNIQUE,
    'sqlalchemy.exc.IntegrityError: (psycopg.errors.UniqueViolation) could not create unique index "ix_x"': UNIQUE,
    "ERROR:  55P03: canceling statement due to lock timeout": LOCK_TIMEOUT,
    "psycopg.OperationalError: consuming input failed: server closed the connection unexpectedly": CONNECTION_LOST,
    "08006": CONNECTION_LOST,
    'could not extend file "base/16384/24576": No space left on device': DISK_FULL,
    # psql's lines, with messages the pages quote in their prose (the source text's, an INSERT's)
    'ERROR:  duplicate key value violates unique constraint "users_email_key"': UNIQUE,
    'ERROR:  insert or update on table "x" violates foreign key constraint "fk_x_y"': FOREIGN_KEY,
    "sqlalchemy.exc.OperationalError: SSL connection has been closed unexpectedly": CONNECTION_LOST,
}


@pytest.mark.parametrize("text", list(PASTED))
def test_each_form_finds_its_row(text: str) -> None:
    found = explain.find(text)
    assert found is not None and found.row is PASTED[text]


def test_every_row_with_codes_is_found_by_each_of_its_codes_and_names() -> None:
    """A code, its condition name or a driver's class alone: the row filed by SQLSTATE. A row chosen by the
    message's shape is not found by its code alone (the class page is, marked closest, naming it)."""
    for row in explain.covered():
        for code in explain.codes(row):
            for given in (code.sqlstate, code.condition, *code.classes):
                assert given is not None
                found = explain.find(given)
                assert found is not None, (row.key, given)
                if row.shapes:
                    assert found.row is not row and (not found.sure or found.row.page != row.page), (row.key, given)
                    assert row in found.others or found.row.page is not None, (row.key, given)
                else:
                    assert found.row is row, (row.key, given)


def test_the_page_gives_title_meaning_steps_and_address() -> None:
    found = explain.explain_row(UNIQUE)
    assert found.title == "Duplicate Key Violation"
    assert found.meaning.startswith("A migration that makes a column unique fails")
    assert found.steps[:3] == ("1. Find the duplicates", "2. Keep one row per key", "3. Retry")
    assert found.steps[-1] == f"NEXT: {UNIQUE.next_step}"
    assert found.address == UNIQUE.address()


def test_a_row_of_a_shared_page_points_at_its_own_section() -> None:
    found = explain.explain_row(DISK_FULL)
    assert found.address is not None and found.address.endswith("failures/server-faults/#the-disk-fills")
    assert found.steps[0] == "The disk fills"


def test_without_the_docs_the_answer_is_the_same(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    """What explain says comes from package data (helpers/failures.json), not from docs/ at run time."""
    before = explain.explain_row(UNIQUE)
    monkeypatch.setattr(explain, "DOCS", tmp_path)
    monkeypatch.setattr(explain, "SNIPPETS", tmp_path)
    assert explain.explain_row(UNIQUE) == before


def test_every_catalog_page_heading_is_read() -> None:
    for row in CATALOG:
        if explain.page_source(row) is not None:
            found = explain.explain_row(row)
            assert found.meaning and found.steps[:-1], f"{row.page}: no first paragraph or no resolution headings"


@pytest.mark.parametrize("text", ["nonsense", "ERROR: something else entirely is wrong here", "ZZ999", ""])
def test_what_the_guide_does_not_cover_is_not_matched(text: str) -> None:
    assert explain.find(text) is None


def test_unknown_input_is_one_sentence_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    out = io.StringIO()
    assert cli.main(["explain", "nonsense"], out=out) == cli.BAD_INPUT
    assert out.getvalue() == ""
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "'nonsense'" in err and "SQLSTATE" in err


def test_the_cli_prints_the_resolution_and_the_page() -> None:
    out = io.StringIO()
    assert cli.main(["explain", "UniqueViolation"], out=out) == cli.OK
    text = out.getvalue()
    assert text.startswith("23505 unique_violation: Duplicate Key Violation")
    assert "1. Find the duplicates" in text and f"SEE: {UNIQUE.address()}" in text


def test_an_alembic_row_is_found_by_its_exception_and_its_words() -> None:
    row = failures.MULTIPLE_HEADS
    assert "alembic.script.revision.MultipleHeads" in explain.alembic_exceptions(row)
    for pasted in ("MultipleHeads", "alembic.script.revision.MultipleHeads",
                   "FAILED: Multiple head revisions are present for given argument 'head'"):
        found = explain.find(pasted)
        assert found is not None and found.row is row, pasted
    assert "`alembic.script.revision.MultipleHeads`" in explain.index_markdown()
    catch_all = explain.find("CommandError")  # Alembic's catch-all names no failure on its own: closest
    assert catch_all is not None and catch_all.row is failures.ALEMBIC and not catch_all.sure


def test_a_code_without_a_row_of_its_own_is_its_classs() -> None:
    found = explain.find("22012")
    assert found is not None and found.sure and found.address == failures.guide_address("failures/classes/22/")
    assert explain.lines(found)[0] == "22012 division_by_zero: Class 22: Data Exception"


def test_a_message_of_another_kind_gets_the_class_page_as_closest_never_the_wrong_page() -> None:
    pasted = 'psycopg.errors.DatatypeMismatch: column "id" is of type integer but expression is of type text'
    found = explain.find(pasted)
    assert found is not None and not found.sure
    assert found.address == failures.guide_address("failures/classes/42/")
    text = explain.lines(found)
    assert text[0].startswith("closest: 42804 datatype_mismatch: ")
    assert any(f"{failures.TYPE_CHANGE_CAST.address()} (when the message reads" in line for line in text)
    constraint = explain.find('constraint "users_email_key" of relation "users" does not exist')
    assert constraint is not None and constraint.sure and constraint.address == failures.MISSING.address()
    too_long = explain.find(
        "sqlalchemy.exc.DataError: (psycopg.errors.StringDataRightTruncation) value too long "
        "for type character varying(50)"
    )
    assert too_long is not None and too_long.address is not None and "type-change" not in too_long.address


