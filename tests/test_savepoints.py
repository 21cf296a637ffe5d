"""Savepoint helpers: a partial rollback inside the migration's transaction."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from helpers import (
    InvalidIdentifierError,
    MigrationContext,
    ensure_transaction_savepoint,
    release_savepoint,
    rollback_to_savepoint,
)
from tests.support.database import Database


def columns(engine: sa.Engine) -> set[str]:
    with engine.connect() as conn:
        return {c["name"] for c in sa.inspect(conn).get_columns("users")}


def test_rollback_to_savepoint_keeps_earlier_work_when_the_migration_carries_on(database: Database) -> None:
    database.sql("CREATE TABLE users (id int); INSERT INTO users VALUES (1), (1)")
    with database.engine.connect() as conn:
        ctx = MigrationContext("multi_step_migration", conn)
        ctx.safe_column_add("users", "col1", "INTEGER")
        ensure_transaction_savepoint(conn, "after_step1")
        with pytest.raises(sa.exc.IntegrityError):
            ctx.execute("ALTER TABLE users ADD CONSTRAINT users_id_key UNIQUE (id)")
        rollback_to_savepoint(conn, "after_step1")
        ctx.safe_column_add("users", "col2", "INTEGER")  # the transaction is usable again
        conn.commit()
    assert columns(database.engine) == {"id", "col1", "col2"}


def test_release_keeps_the_work_after_the_savepoint(database: Database) -> None:
    database.sql("CREATE TABLE users (id int)")
    with database.engine.connect() as conn:
        ensure_transaction_savepoint(conn, "s1")
        MigrationContext("x", conn).safe_column_add("users", "col1", "INTEGER")
        release_savepoint(conn, "s1")
        with pytest.raises(sa.exc.DBAPIError, match='savepoint "s1" does not exist'):
            rollback_to_savepoint(conn, "s1")
        conn.rollback()
        assert "col1" not in columns(database.engine)  # nothing is kept until the transaction commits


def test_ensure_opens_a_transaction_when_none_is_open(connection: sa.Connection) -> None:
    assert not connection.in_transaction()
    ensure_transaction_savepoint(connection, "first")
    assert connection.in_transaction()


@pytest.mark.parametrize("name", ["1abc", "a-b", "", "a b", "x" * 64])
def test_invalid_savepoint_names(connection: sa.Connection, name: str) -> None:
    with pytest.raises(InvalidIdentifierError):
        ensure_transaction_savepoint(connection, name)
    assert not connection.in_transaction()
