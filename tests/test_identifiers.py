"""Names reaching SQL: hostile ones are treated as names or rejected, never executed."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from helpers import InvalidIdentifierError, MigrationContext, ensure_transaction_savepoint
from helpers.identifiers import TableName, parse_table
from tests.support.database import run_script

HOSTILE = 'users"; DROP TABLE cameras; --'


@pytest.fixture
def conn(connection: sa.Connection) -> sa.Connection:
    run_script(connection, "CREATE TABLE users (id int); CREATE TABLE cameras (id int)")
    connection.exec_driver_sql("INSERT INTO cameras VALUES (1), (2)")
    return connection


def tables(conn: sa.Connection) -> set[str]:
    return set(sa.inspect(conn).get_table_names())


def test_hostile_rename_target_becomes_a_name(conn: sa.Connection) -> None:
    MigrationContext("x", conn).safe_table_rename("users", HOSTILE)
    assert tables(conn) == {HOSTILE, "cameras"}
    assert conn.exec_driver_sql("SELECT count(*) FROM cameras").scalar() == 2


def test_hostile_rename_source_is_looked_up_as_a_name(conn: sa.Connection) -> None:
    with pytest.raises(Exception, match="neither it nor 'accounts' exists"):
        MigrationContext("x", conn).safe_table_rename(HOSTILE, "accounts")
    assert tables(conn) == {"users", "cameras"}


def test_hostile_column_name_becomes_a_name(conn: sa.Connection) -> None:
    MigrationContext("x", conn).safe_column_add("users", HOSTILE, "text")
    assert HOSTILE in {c["name"] for c in sa.inspect(conn).get_columns("users")}
    assert conn.exec_driver_sql("SELECT count(*) FROM cameras").scalar() == 2


def test_hostile_savepoint_name_is_rejected(conn: sa.Connection) -> None:
    with pytest.raises(InvalidIdentifierError, match=r"The savepoint name .* is not valid"):
        ensure_transaction_savepoint(conn, "s; DROP TABLE cameras; --")
    assert tables(conn) == {"users", "cameras"}


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("users", TableName("users")),
        ("audit.users", TableName("users", "audit")),
        ("Audit.User Accounts", TableName("User Accounts", "Audit")),
    ],
)
def test_parse_table(given: str, expected: TableName) -> None:
    assert parse_table(given) == expected


def test_a_dotted_table_name_needs_schema() -> None:
    assert parse_table("v1.2", schema="public") == TableName("v1.2", "public")
    with pytest.raises(InvalidIdentifierError, match=r"'a\.b\.c' has more than one dot"):
        parse_table("a.b.c")


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("", "is empty"),
        ("  ", "is empty"),
        ("a\x00b", "NUL byte"),
        ("é" * 32, "longer than 63 bytes"),
        (3, "not a string"),
    ],
)
def test_unusable_names_are_rejected_with_the_value(bad: object, message: str) -> None:
    with pytest.raises(InvalidIdentifierError, match=message):
        parse_table(bad)
