"""helpers/matcher.py: one matcher for the SEE line, explain, the errors index and search; SQLSTATE, then shape."""

from __future__ import annotations

import pytest

from helpers import failures, matcher
from tests.support.paths import ROOT

pytestmark = pytest.mark.once  # no server: the package data

#: what a reader pastes -> (the page that answers, sure?)
PASTED = {
    # 42704 spans kinds: the message decides, and another kind's message never reaches the enum page
    'constraint "users_email_key" of relation "users" does not exist': (failures.MISSING.page, True),
    'psycopg2.errors.UndefinedObject: index "ix_users_email" does not exist': (failures.MISSING.page, True),
    'ERROR:  type "camera_mode" does not exist': (failures.UNDEFINED_TYPE.page, True),
    # 22001 is never the type-change page (a backfill says the same)
    "psycopg.errors.StringDataRightTruncation: value too long for type character varying(50)": (
        failures.TOO_BIG.page,
        True,
    ),
    'asyncpg.exceptions.InvalidTextRepresentationError: invalid input syntax for type integer: "v1"': (
        failures.INVALID_VALUE.page,
        True,
    ),
    'invalid input value for enum camera_mode: "night"': (failures.ENUM_VALUE_INVALID.page, True),
    # 42804 is a type change's cast on the type-change page; an INSERT's mismatch is not: closest, its class page
    'sqlalchemy.exc.ProgrammingError: (psycopg.errors.DatatypeMismatch) column "id" is of type integer but '
    "expression is of type text": ("failures/classes/42/", False),
    # the example env.py's own line: the label names the rows, the message chooses
    'ERROR [alembic.env] Migration failed due to a missing object: type "camera_mode" does not exist': (
        failures.UNDEFINED_TYPE.page,
        True,
    ),
    'ERROR - Migration failed due to integrity constraint: could not create unique index "ix"': (
        failures.UNIQUE.page,
        True,
    ),
    # Alembic: its classes, its messages, and its catch-all page as closest
    "alembic.script.revision.ResolutionError: No such revision or branch 'abc'": (failures.UNKNOWN_REVISION.page, True),
    "FAILED: No config file 'alembic.ini' found, or file has no '[alembic]' section": (
        failures.SCRIPT_LOCATION.page,
        True,
    ),
    "FAILED: Using --sql with --autogenerate does not make any sense": ("failures/classes/alembic/", True),
    "alembic.util.exc.CommandError: something new in a later Alembic": ("failures/classes/alembic/", False),
    "cannot drop table users because other objects depend on it": (failures.DEPENDENT_OBJECTS.page, True),
    # a refused connection: psycopg gives no SQLSTATE, and the lost-connection label must not win over the words
    "sqlalchemy.exc.OperationalError: (psycopg.OperationalError) connection failed: connection to server at "
    '"10.0.0.5", port 5432 failed: FATAL:  too many connections for role "deployer"': (
        failures.TOO_MANY_CONNECTIONS.page,
        True,
    ),
    "ERROR - Migration failed due to lost connection: connection failed: connection to server on socket "
    '"/run/postgresql/.s.PGSQL.5432" failed: FATAL:  sorry, too many clients already': (
        failures.TOO_MANY_CONNECTIONS.page,
        True,
    ),
}


@pytest.mark.parametrize(
    "words",
    [
        'too many connections for role "deployer"',
        'too many connections for database "app"',
        "sorry, too many clients already",
        "remaining connection slots are reserved for roles with the SUPERUSER attribute",
        "remaining connection slots are reserved for non-replication superuser connections",
        'remaining connection slots are reserved for roles with privileges of the "pg_use_reserved_connections" role',
    ],
)
def test_each_wording_of_a_full_server_names_53300_and_its_page(words: str) -> None:
    """The page's table, every major's wording: the diagnosis's words-to-code step and explain agree."""
    refused = f'connection failed: connection to server at "db", port 5432 failed: FATAL:  {words}'
    assert matcher.code_in_words(refused) == "53300"
    found = matcher.match_text(refused)
    assert found is not None and (found.row, found.sure) == (failures.TOO_MANY_CONNECTIONS, True)
    page = (ROOT / "docs" / "failures" / "too-many-connections.md").read_text(encoding="utf-8")
    assert f"`{words}`".replace('"deployer"', '"<role>"').replace('"app"', '"<database>"') in page


@pytest.mark.parametrize("text", list(PASTED))
def test_each_pasted_line_gets_its_page(text: str) -> None:
    found = matcher.match_text(text)
    assert found is not None and (found.page, found.sure) == PASTED[text]


def test_the_see_line_goes_by_shape_the_category_by_code() -> None:
    category = failures.by_sqlstate("42704")
    assert category is failures.MISSING
    assert matcher.see_address("42704", 'type "x" does not exist', category) == failures.UNDEFINED_TYPE.address()
    assert matcher.see_address("42704", 'index "x" does not exist', category) == failures.MISSING.address()
    mismatch = 'column "id" is of type integer but expression is of type text'
    closest = failures.guide_address("failures/classes/42/")
    assert matcher.see_address("42804", mismatch, failures.TYPE_MISMATCH) == closest


def test_a_shape_is_a_pattern_its_placeholders_any_text() -> None:
    row = failures.UNDEFINED_TYPE
    assert matcher.has_shape(row, 'TYPE  "a b" DOES NOT EXIST')
    assert not matcher.has_shape(row, 'index "a" does not exist')


def test_nothing_is_matched_from_nothing() -> None:
    assert matcher.match_text("") is None
    assert matcher.match_text("the weather is fine") is None
    assert matcher.match_error(None, "deadlock detected") is None


@pytest.mark.parametrize("row", [r for r in failures.CATALOG if r.symptoms], ids=lambda r: r.key)
def test_each_symptom_in_every_wording_finds_its_rows_page(row: failures.Category) -> None:
    """psycopg 3, psycopg2, asyncpg, SQLAlchemy's wrapper, psql, env.py's line, Alembic's FAILED: each, sure."""
    for line in matcher.wordings(row):
        found = matcher.match_text(line)
        assert found is not None and (found.page, found.sure) == (row.own_page(), True), line
