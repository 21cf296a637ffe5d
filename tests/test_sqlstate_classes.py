"""helpers/sqlstate_classes.py and helpers/errcodes/: every SQLSTATE of every major the guide checks resolves to a page.

The lists are PostgreSQL's own errcodes.txt, vendored per major (helpers/errcodes/README.md says where each came
from); the server a test run has raises each of its major's conditions by name (PL/pgSQL's ``RAISE ... USING
ERRCODE = 'unique_violation'``), so a list that is not the server's fails here.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from helpers import failures, matcher
from helpers.sqlstate_classes import BY_CODE, CLASSES, class_of
from helpers.tools import failure_data
from tests.support.database import Database
from tests.support.paths import DOCS

#: The majors the guide checks (README, DESIGN.md): each must have its list.
TESTED_MAJORS = (15, 16, 17, 18, 19)


def test_every_tested_major_has_its_list() -> None:
    assert set(TESTED_MAJORS) <= set(failure_data.majors())


@pytest.mark.parametrize("major", TESTED_MAJORS)
def test_every_code_of_a_major_resolves_to_a_page_of_the_guide(major: int) -> None:
    """The coverage test: a code no row files and no class page has fails, naming it."""
    unresolved = []
    for code, _kind, _condition in failure_data.errcodes(major):
        found = matcher.match_error(code, None)
        page = found.page if found is not None else None
        if page is None or not (DOCS / f"{page.partition('#')[0].rstrip('/')}.md").is_file():
            unresolved.append(code)
    assert unresolved == [], f"PostgreSQL {major}: codes that resolve to no page: {unresolved}"


@pytest.mark.parametrize("major", TESTED_MAJORS)
def test_every_class_of_a_major_has_its_text_and_row(major: int) -> None:
    classes = {code[:2] for code, _, _ in failure_data.errcodes(major)}
    assert classes <= set(BY_CODE), classes - set(BY_CODE)
    assert all(class_of(code) is not None for code, _, _ in failure_data.errcodes(major))
    assert classes <= set(failures.CLASS_ROWS)


def test_each_class_is_named_as_errcodes_names_it() -> None:
    names = failure_data.class_names()
    assert {cls.code: cls.name for cls in CLASSES} == {code: names[code] for code in BY_CODE}
    assert set(names) == set(BY_CODE)


def test_the_majors_differ_where_postgresql_changed_its_list() -> None:
    def codes(major: int) -> set[str]:
        return {code for code, _, _ in failure_data.errcodes(major)}

    assert "72000" in codes(16) and "72000" not in codes(17)  # old_snapshot_threshold went in 17
    assert "25P04" not in codes(16) and "25P04" in codes(17)  # transaction_timeout came in 17
    assert "10608" not in codes(17) and "10608" in codes(18)


def test_each_message_shape_names_a_code_postgresql_has() -> None:
    every = {code for major in TESTED_MAJORS for code, _, _ in failure_data.errcodes(major)}
    from helpers.sqlstate_classes import MESSAGES

    assert {code for _, code in MESSAGES} <= every


RAISE_EACH = """
CREATE FUNCTION pg_temp.raise_each(names text[]) RETURNS TABLE (name text, code text)
LANGUAGE plpgsql AS $$
BEGIN
    FOREACH name IN ARRAY names LOOP
        BEGIN
            RAISE EXCEPTION 'raised by name' USING ERRCODE = name;
        EXCEPTION WHEN OTHERS OR query_canceled OR assert_failure THEN  -- OTHERS leaves out those two
            code := SQLSTATE;
            RETURN NEXT;
        END;
    END LOOP;
END
$$
"""


def test_the_servers_major_raises_each_condition_of_its_list_by_name(database: Database) -> None:
    """Every condition name of the server's major's list is one PL/pgSQL knows, with the list's SQLSTATE."""
    major = int(str(database.scalar("SHOW server_version_num"))) // 10000
    if major not in failure_data.majors():
        pytest.skip(f"no list vendored for PostgreSQL {major}")
    expected: dict[str, str] = {}
    for code, kind, condition in failure_data.errcodes(major):
        if condition and kind == "E":  # a name given twice (null_value_not_allowed) is PL/pgSQL's first
            expected.setdefault(condition, code)
    engine = sa.create_engine(database.url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(RAISE_EACH)
            got = dict(
                conn.execute(sa.text("SELECT name, code FROM pg_temp.raise_each(:names)"), {"names": sorted(expected)})
                .tuples()
                .all()
            )
    finally:
        engine.dispose()
    assert {name: code for name, code in got.items() if expected[name] != code} == {}
    assert len(got) == len(expected) > 200
