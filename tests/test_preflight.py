"""Pre-flight look-ups in pg_catalog (helpers.preflight): one round trip per check, names resolved as DDL does."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext as AlembicMigrationContext

from helpers import MigrationContext, MigrationHelperError
from helpers.identifiers import TableName
from helpers.preflight import Lookup, look_up, regclass_name
from tests.support.database import run_script


@pytest.fixture
def conn(connection: sa.Connection) -> sa.Connection:
    run_script(
        connection,
        """
        CREATE TABLE users (id serial PRIMARY KEY, name text, email text NOT NULL DEFAULT '');
        CREATE TABLE events (id serial PRIMARY KEY, user_id int);
        CREATE INDEX ix_users_name ON users (name);
        ALTER TABLE events ADD CONSTRAINT ck_events_user CHECK (user_id > 0) NOT VALID;
        CREATE VIEW active_users AS SELECT * FROM users;
        """
    )
    connection.commit()
    return connection


@pytest.fixture
def statements(conn: sa.Connection) -> Iterator[list[str]]:
    """Every statement sent on ``conn`` from now on."""
    sent: list[str] = []

    def record(*args: object) -> None:
        sent.append(str(args[2]))

    sa.event.listen(conn, "before_cursor_execute", record)
    yield sent
    sa.event.remove(conn, "before_cursor_execute", record)


def catalog_reads(sent: list[str]) -> int:
    return sum("pg_catalog." in statement for statement in sent)


# Each operation, in a step whose transaction is Alembic's (so CONCURRENTLY and batches may commit it).
OPERATIONS: dict[str, Callable[[MigrationContext], object]] = {
    "verify_table_exists": lambda ctx: ctx.verify_table_exists("users"),
    "verify_column_exists": lambda ctx: ctx.verify_column_exists("users", "name"),
    "safe_column_add": lambda ctx: ctx.safe_column_add("users", "nickname", "text"),
    "safe_column_add, already there": lambda ctx: ctx.safe_column_add("users", "name", "text"),
    "safe_table_rename": lambda ctx: ctx.safe_table_rename("events", "user_events"),
    "add_check": lambda ctx: ctx.add_check("ck_users_name", "users", "name <> ''"),
    "add_foreign_key": lambda ctx: ctx.add_foreign_key("fk_events_user", "events", "users", ["user_id"], ["id"]),
    "validate_constraint": lambda ctx: ctx.validate_constraint("events", "ck_events_user"),
    "set_not_null": lambda ctx: ctx.set_not_null("users", "name"),
    "create_index_concurrently": lambda ctx: ctx.create_index_concurrently("ix_users_email", "users", ["email"]),
    "drop_index_concurrently": lambda ctx: ctx.drop_index_concurrently("ix_users_name", "users"),
    "backfill": lambda ctx: ctx.backfill("users", {"name": "x"}, "name IS NULL"),
}


@pytest.mark.parametrize("operation", OPERATIONS)
def test_each_operation_reads_the_catalog_once(conn: sa.Connection, statements: list[str], operation: str) -> None:
    alembic_context = AlembicMigrationContext.configure(conn, opts={"transaction_per_migration": False})
    with Operations.context(alembic_context), alembic_context.begin_transaction():
        ctx = MigrationContext(operation)
        statements.clear()
        OPERATIONS[operation](ctx)
    assert catalog_reads(statements) == 1, "\n".join(statements)


def test_unqualified_names_follow_search_path_and_views_are_not_tables(conn: sa.Connection) -> None:
    run_script(conn, 'CREATE SCHEMA "Audit ""Log"""; CREATE TABLE "Audit ""Log""".entries (id int, "Who" text)')
    conn.exec_driver_sql('SET search_path = "Audit ""Log""", public')
    found = look_up(conn, Lookup(TableName("entries"), columns=("Who", "what")))
    assert found.table == TableName("entries", 'Audit "Log"')
    assert set(found.columns) == {"Who"} and found.columns["Who"].nullable
    with pytest.raises(MigrationHelperError) as raised:
        found.require_column("what")
    assert str(raised.value) == """Column 'what' does not exist in table 'Audit "Log".entries'."""
    assert look_up(conn, Lookup(TableName("active_users"))).table is None
    with pytest.raises(MigrationHelperError, match=r"^Table 'active_users' does not exist\.$"):
        MigrationContext("x", conn).safe_column_add("active_users", "nickname", "text")


def test_a_table_shadowed_on_search_path_is_not_the_one_found(conn: sa.Connection) -> None:
    """An unqualified name means what DDL would take it to mean, here the view in the first schema."""
    run_script(conn, "CREATE SCHEMA first; CREATE VIEW first.users AS SELECT 1 AS id")
    conn.exec_driver_sql("SET search_path = first, public")
    assert look_up(conn, Lookup(TableName("users"))).table is None
    assert look_up(conn, Lookup(TableName("users", "public"))).table == TableName("users", "public")


def test_one_lookup_answers_every_part(conn: sa.Connection) -> None:
    found = look_up(
        conn,
        Lookup(
            TableName("users"),
            columns=("email", "name"),
            constraint="users_pkey",
            index="ix_users_name",
            new_name="events",
            referent=TableName("events", "public"),
        ),
    )
    assert found.table == TableName("users", "public")
    assert {name: (c.type, c.nullable) for name, c in found.columns.items()} == {
        "email": ("text", False),
        "name": ("text", True),
    }
    assert found.constraint is not None and (found.constraint.kind, found.constraint.validated) == ("primary key", True)
    assert found.index is not None and found.index.columns == ("name",) and found.index.valid
    assert found.new_name_taken
    assert found.referent == TableName("events", "public")


def test_a_missing_table_still_answers_for_its_new_name_and_index(conn: sa.Connection) -> None:
    found = look_up(conn, Lookup(TableName("people"), new_name="users", index="ix_users_name"))
    assert found.table is None and found.new_name_taken
    assert found.index is not None and found.index.table == TableName("users", "public")


@pytest.mark.parametrize(
    ("name", "schema", "quoted"),
    [("users", None, '"users"'), ('a"b', None, '"a""b"'), ("t.x", "My Schema", '"My Schema"."t.x"')],
)
def test_regclass_names_are_quoted_whole(name: str, schema: str | None, quoted: str) -> None:
    assert regclass_name(name, schema) == quoted
