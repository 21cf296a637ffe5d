"""Column type strings: parsed against an allow-list, spelled as the catalog spells them."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from helpers import InvalidColumnTypeError, MigrationContext
from helpers.column_types import parse_column_type

CASES = [
    "VARCHAR(255)",
    "varchar",
    "character varying(20)",
    "char",
    "CHAR(3)",
    "int",
    "integer",
    "int8",
    "smallint",
    "boolean",
    "text",
    "real",
    "double precision",
    "float(10)",
    "float(40)",
    "numeric",
    "numeric(10, 2)",
    "decimal(5)",
    "date",
    "timestamp",
    "timestamp(3)",
    "timestamptz",
    "timestamp with time zone",
    "time(2) with time zone",
    "interval",
    "uuid",
    "json",
    "jsonb",
    "bytea",
    "inet",
    "cidr",
    "macaddr",
    "integer[]",
    "varchar(20)[]",
]


@pytest.mark.parametrize("type_string", CASES)
def test_canonical_spelling_matches_the_catalog(connection: sa.Connection, type_string: str) -> None:
    """The parser's spelling equals format_type() of a real column created from it."""
    connection.exec_driver_sql("CREATE TABLE t (id int)")
    MigrationContext("x", connection).safe_column_add("t", "c", type_string)
    catalog = connection.exec_driver_sql(
        "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 't'::regclass AND attname = 'c'"
    ).scalar()
    assert parse_column_type(type_string).canonical == catalog


@pytest.mark.parametrize(
    "sa_type",
    [sa.String(40), sa.Integer, sa.DateTime(timezone=True), sa.Numeric(8, 3), sa.ARRAY(sa.Text), sa.Uuid()],
)
def test_sqlalchemy_types_compare_with_the_catalog(connection: sa.Connection, sa_type: object) -> None:
    connection.exec_driver_sql("CREATE TABLE t (id int)")
    ctx = MigrationContext("x", connection)
    ctx.safe_column_add("t", "c", sa_type)
    ctx.safe_column_add("t", "c", sa_type)  # the second call must recognise the column as the same


def test_rejected_type_lists_what_is_accepted() -> None:
    with pytest.raises(InvalidColumnTypeError) as raised:
        parse_column_type("money")
    assert str(raised.value).startswith("The column type 'money' is not one the helpers accept; use one of: smallint")


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("numeric(2, 5)", "scale larger than its precision"),
        ("time(7)", "precision above 6"),
        (None, "neither"),
    ],
)
def test_bad_sizes(bad: object, message: str) -> None:
    with pytest.raises(InvalidColumnTypeError, match=message):
        parse_column_type(bad)
