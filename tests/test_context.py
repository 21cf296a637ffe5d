"""MigrationContext and its safe operations, on a real server."""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa

import helpers
from helpers import InvalidColumnTypeError, InvalidIdentifierError, MigrationContext, MigrationHelperError, tables
from helpers.context import operation
from tests.support.database import Database, run_script


def table_names(conn: sa.Connection, schema: str | None = None) -> set[str]:
    return set(sa.inspect(conn).get_table_names(schema=schema))


def column(conn: sa.Connection, table: str, name: str, schema: str | None = None) -> dict[str, object]:
    columns = {c["name"]: c for c in sa.inspect(conn).get_columns(table, schema=schema)}
    return dict(columns[name])


@pytest.fixture
def conn(connection: sa.Connection) -> sa.Connection:
    connection.exec_driver_sql("CREATE TABLE users (id serial PRIMARY KEY, name text)")
    connection.exec_driver_sql("CREATE TABLE cameras (id serial PRIMARY KEY)")
    connection.exec_driver_sql("INSERT INTO users (name) VALUES ('ann'), ('bob')")
    return connection


# -- safe_table_rename -------------------------------------------------------------------------
def test_rename_renames_and_verifies(conn: sa.Connection, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="alembic")
    with MigrationContext("rename_users_table", conn) as ctx:
        ctx.safe_table_rename("users", "accounts")
    assert table_names(conn) == {"accounts", "cameras"}
    assert conn.exec_driver_sql("SELECT count(*) FROM accounts").scalar() == 2
    assert "renamed table users to accounts" in caplog.text
    assert "MigrationContext 'rename_users_table' finished in" in caplog.text


def test_rename_again_is_a_logged_no_op(conn: sa.Connection, caplog: pytest.LogCaptureFixture) -> None:
    with MigrationContext("first", conn) as ctx:
        ctx.safe_table_rename("users", "accounts")
    caplog.set_level(logging.INFO, logger="alembic")
    with MigrationContext("rerun", conn) as ctx:
        ctx.safe_table_rename("users", "accounts")
    assert table_names(conn) == {"accounts", "cameras"}
    assert "table users already renamed to accounts, nothing to do" in caplog.text


def test_rename_when_both_exist_fails_and_changes_nothing(conn: sa.Connection) -> None:
    conn.exec_driver_sql("CREATE TABLE accounts (id int)")
    with pytest.raises(MigrationHelperError, match="both tables exist"), MigrationContext("x", conn) as ctx:
        ctx.safe_table_rename("users", "accounts")
    assert table_names(conn) == {"users", "accounts", "cameras"}


def test_rename_when_neither_exists_fails(conn: sa.Connection) -> None:
    with (
        pytest.raises(MigrationHelperError, match="neither it nor 'people' exists"),
        MigrationContext("x", conn) as ctx,
    ):
        ctx.safe_table_rename("persons", "people")


def test_rename_in_another_schema(conn: sa.Connection) -> None:
    conn.exec_driver_sql("CREATE SCHEMA audit")
    conn.exec_driver_sql("CREATE TABLE audit.users (id int)")
    with MigrationContext("x", conn) as ctx:
        ctx.safe_table_rename("audit.users", "accounts")
    assert table_names(conn, "audit") == {"accounts"}
    assert "users" in table_names(conn)  # public.users untouched


def test_rename_cannot_move_between_schemas(conn: sa.Connection) -> None:
    conn.exec_driver_sql("CREATE SCHEMA audit")
    with pytest.raises(MigrationHelperError, match="a rename stays in its schema"):
        MigrationContext("x", conn).safe_table_rename("public.users", "audit.users")


@pytest.mark.parametrize("name", ["User Accounts", "MixedCase", 'with"quote', "dotted name's"])
def test_rename_to_unusual_names(conn: sa.Connection, name: str) -> None:
    ctx = MigrationContext("x", conn)
    ctx.safe_table_rename("users", name)
    assert name in table_names(conn)
    ctx.safe_table_rename(name, "users")
    assert "users" in table_names(conn)


def test_too_long_name_is_rejected_before_anything_runs(conn: sa.Connection) -> None:
    long_name = "a" * 64
    with pytest.raises(InvalidIdentifierError, match="longer than 63 bytes"):
        MigrationContext("x", conn).safe_table_rename("users", long_name)
    assert table_names(conn) == {"users", "cameras"}


# -- safe_column_add ---------------------------------------------------------------------------
def test_column_add_adds_and_verifies(conn: sa.Connection) -> None:
    with MigrationContext("add_email_column", conn) as ctx:
        ctx.safe_column_add("users", "email", "VARCHAR(255)", nullable=True)
        ctx.verify_column_exists("users", "email")
    info = column(conn, "users", "email")
    assert str(info["type"]) == "VARCHAR(255)" and info["nullable"] is True


def test_column_add_again_is_a_logged_no_op(conn: sa.Connection, caplog: pytest.LogCaptureFixture) -> None:
    MigrationContext("x", conn).safe_column_add("users", "email", "VARCHAR(255)")
    caplog.set_level(logging.INFO, logger="alembic")
    MigrationContext("x", conn).safe_column_add("users", "email", sa.String(255))
    assert "column public.users.email already exists as character varying(255) NULL, nothing to do" in caplog.text


def test_column_with_another_type_is_an_error_naming_both(conn: sa.Connection) -> None:
    conn.exec_driver_sql("ALTER TABLE users ADD COLUMN email text")
    with pytest.raises(MigrationHelperError) as raised:
        MigrationContext("x", conn).safe_column_add("users", "email", "VARCHAR(255)")
    assert str(raised.value) == (
        "Column 'email' already exists in 'public.users' as text NULL, not character varying(255) NULL; "
        "change it with a migration of its own."
    )
    assert str(column(conn, "users", "email")["type"]) == "TEXT"


def test_column_with_other_nullability_is_an_error(conn: sa.Connection) -> None:
    conn.exec_driver_sql("ALTER TABLE users ADD COLUMN score integer NOT NULL DEFAULT 0")
    with pytest.raises(MigrationHelperError, match="as integer NOT NULL, not integer NULL"):
        MigrationContext("x", conn).safe_column_add("users", "score", "INTEGER", nullable=True)


def test_not_null_column_with_default(conn: sa.Connection) -> None:
    MigrationContext("x", conn).safe_column_add("users", "active", "boolean", nullable=False, server_default="true")
    assert conn.exec_driver_sql("SELECT count(*) FROM users WHERE active").scalar() == 2


@pytest.mark.parametrize("bad", ["VARCHAR(255); DROP TABLE cameras", "serial", "varchar(0)", "timestamp(9)"])
def test_bad_type_string_is_rejected_and_nothing_changes(conn: sa.Connection, bad: str) -> None:
    with pytest.raises(InvalidColumnTypeError, match=repr(bad).replace("(", r"\(").replace(")", r"\)")):
        MigrationContext("x", conn).safe_column_add("users", "email", bad)
    assert {c["name"] for c in sa.inspect(conn).get_columns("users")} == {"id", "name"}
    assert "cameras" in table_names(conn)


def test_column_add_to_missing_table(conn: sa.Connection) -> None:
    with pytest.raises(MigrationHelperError, match=r"Table 'people' does not exist\."):
        MigrationContext("x", conn).safe_column_add("people", "email", "text")


def test_column_add_schema_qualified_and_mixed_case(conn: sa.Connection) -> None:
    run_script(conn, 'CREATE SCHEMA audit; CREATE TABLE audit."Users" (id int)')
    MigrationContext("x", conn).safe_column_add("audit.Users", "Email Address", "text")
    assert column(conn, "Users", "Email Address", schema="audit")["nullable"] is True


# -- verify_*, execute -------------------------------------------------------------------------
def test_verify_errors_name_what_is_missing(conn: sa.Connection) -> None:
    ctx = MigrationContext("x", conn)
    ctx.verify_table_exists("users")
    ctx.verify_column_exists("users", "name")
    with pytest.raises(MigrationHelperError, match=r"Table 'people' does not exist\."):
        ctx.verify_table_exists("people")
    with pytest.raises(MigrationHelperError, match=r"Column 'email' does not exist in table 'users'\."):
        ctx.verify_column_exists("users", "email")


def test_execute_binds_parameters(conn: sa.Connection) -> None:
    ctx = MigrationContext("x", conn)
    ctx.execute("INSERT INTO users (name) VALUES (:name)", {"name": "carol'); DROP TABLE cameras; --"})
    result = ctx.execute("SELECT count(*) FROM users")
    assert result is not None and result.scalar() == 3
    assert "cameras" in table_names(conn)


def test_connection_property_and_ensure_connection_are_the_same(conn: sa.Connection) -> None:
    ctx = MigrationContext("x", conn)
    assert ctx.connection is conn
    assert ctx._ensure_connection() is conn


def test_no_connection_outside_a_migration_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from alembic import op

    # Alembic's Operations.context() has no try/finally: a migration that raised in this process
    # leaves its proxy installed. Outside a migration there is none.
    monkeypatch.setattr(op, "_proxy", None, raising=False)
    with pytest.raises(
        MigrationHelperError, match="has no connection: pass one, or use it inside an Alembic migration"
    ):
        _ = MigrationContext("orphan").connection


# -- failure -----------------------------------------------------------------------------------
def test_failure_is_diagnosed_once_and_reraised(database: Database, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="alembic")
    with database.engine.connect() as conn:
        conn.exec_driver_sql("CREATE TABLE users (id int PRIMARY KEY)")
        conn.commit()
        with pytest.raises(sa.exc.IntegrityError), MigrationContext("dupes", conn) as ctx:
            ctx.safe_column_add("users", "email", "text")
            ctx.execute("INSERT INTO users (id) VALUES (1), (1)")
        conn.rollback()
    assert "MigrationContext 'dupes' failed after" in caplog.text
    assert caplog.text.count("Migration failed due to integrity constraint: duplicate key value") == 1
    with database.engine.connect() as conn:
        assert "email" not in {c["name"] for c in sa.inspect(conn).get_columns("users")}


def test_each_method_is_checked_against_its_operation() -> None:
    """A method whose parameters drift from its operation function, or that documents it twice, fails naming both."""

    def add_flag(step: object, table: str, *, flag: bool = True) -> None:
        """Add a flag."""

    with pytest.raises(TypeError, match=r"MigrationContext.add_flag does not take the parameters of .*add_flag"):

        @operation(add_flag)
        def add_flag(self: object, table: str, *, flag: bool = False) -> None:
            pass

    with pytest.raises(TypeError, match=r"need one docstring between them"):

        @operation(add_flag)
        def add_flag(self: object, table: str, *, flag: bool = True) -> None:
            """Add a flag, again."""

    @operation(add_flag)
    def add_flag_method(self: object, table: str, *, flag: bool = True) -> None:
        pass

    assert add_flag_method.__doc__ == "Add a flag."


def test_every_operation_method_has_its_operations_docstring() -> None:
    """The methods the big-table functions back read as those functions: one docstring, shown by help() on both."""
    assert MigrationContext.add_check.__doc__ == helpers.add_check.__doc__
    assert MigrationContext.safe_table_rename.__doc__ == tables.safe_table_rename.__doc__
    assert MigrationContext.safe_table_rename.__doc__ and "re-run is safe" in MigrationContext.safe_table_rename.__doc__
