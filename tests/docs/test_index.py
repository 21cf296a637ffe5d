"""docs/index.md: the SQLSTATE classes in "Why migrations fail" are the ones the diagnosis files
under each cause, and the tests set the libpq variables the page tells readers to set."""

from __future__ import annotations

import pytest

from helpers import diagnosis
from tests.support.database import Database
from tests.support.paths import page

PAGE = page("index")

#: The page's table: SQLSTATE class -> codes of that class the guide meets, and their causes.
CLASSES = {
    "23": (
        ("23505", "23503", "23502", "23514"),
        {"integrity constraint", "NULLs in a NOT NULL column", "rows that break a check constraint"},
    ),
    "42": (
        ("42P07", "42701", "42P01", "42703", "42704", "42P16"),
        {"schema conflict", "a missing object", "an invalid table definition"},
    ),
    "2B": (("2BP01",), {"dependent objects"}),
    "08": (("08000", "08003", "08006"), {"lost connection"}),
    "55": (("55P03",), {"lock timeout"}),
    "57": (("57P01", "57P02", "57P03", "57014"), {"lost connection", "statement timeout"}),
    "53": (("53100", "53200"), {"disk full", "out of memory"}),
}


class ServerError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def test_the_page_lists_these_classes() -> None:
    text = PAGE.read_text(encoding="utf-8")
    assert "| 23 |" in text and "| 42, 2B |" in text and "| 08, 55, 57, 53, 40 |" in text


@pytest.mark.parametrize("sqlstate_class", sorted(CLASSES))
def test_each_class_is_diagnosed_as_its_cause(sqlstate_class: str) -> None:
    codes, causes = CLASSES[sqlstate_class]
    assert {diagnosis.categorize(ServerError(code)).label for code in codes} == causes


def test_tests_set_the_variables_the_page_asks_for(database: Database) -> None:
    for name in ("PGHOST", "PGUSER", "PGDATABASE", "DATABASE_URL"):
        assert database.env.get(name), name
    assert database.shell('psql -Atc "SELECT current_database()"').output.strip() == database.name
