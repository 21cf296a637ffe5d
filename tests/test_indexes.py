"""Indexes built and dropped CONCURRENTLY (helpers.indexes): idempotent, and an INVALID leftover rebuilt."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from helpers import MigrationHelperError
from helpers.diagnosis import sqlstate_of
from tests.support.database import Database
from tests.support.migrating import migration


@pytest.fixture
def users(database: Database) -> Database:
    database.sql("CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL, name text)")
    database.sql("INSERT INTO users (email) SELECT 'u' || g || '@example.com' FROM generate_series(1, 500) g")
    return database


def index(db: Database, name: str) -> bool | None:
    """True for a valid index, False for an INVALID one, None when absent."""
    return db.scalar(  # type: ignore[return-value]
        "SELECT x.indisvalid FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid WHERE i.relname = :n", n=name
    )


def test_create_concurrently_then_rerun_does_nothing(users: Database) -> None:
    with migration(users.engine, "email_index") as ctx:
        ctx.execute("SELECT 1")  # work done before the index is committed with it
        ctx.create_index_concurrently("ix_users_email", "users", ["email"], unique=True)
    assert index(users, "ix_users_email") is True
    with migration(users.engine, "email_index") as ctx:
        ctx.create_index_concurrently("ix_users_email", "users", ["email"], unique=True)
    assert ctx.actions == ["index ix_users_email on public.users already exists, nothing to do"]


def test_a_failed_build_leaves_an_invalid_index_that_the_rerun_rebuilds(users: Database) -> None:
    users.sql("INSERT INTO users (email) VALUES ('u1@example.com')")
    with pytest.raises(sa.exc.IntegrityError) as caught, migration(users.engine, "email_index") as ctx:
        ctx.create_index_concurrently("ix_users_email", "users", ["email"], unique=True)
    assert sqlstate_of(caught.value) == "23505"
    assert index(users, "ix_users_email") is False  # what CONCURRENTLY leaves behind

    users.sql("DELETE FROM users WHERE id = (SELECT max(id) FROM users)")
    with migration(users.engine, "email_index") as ctx:
        ctx.create_index_concurrently("ix_users_email", "users", ["email"], unique=True)
    assert index(users, "ix_users_email") is True
    assert ctx.actions[0] == "dropping INVALID index ix_users_email left by a failed build"


def test_drop_concurrently_is_idempotent(users: Database) -> None:
    users.sql("CREATE INDEX ix_users_name ON users (name)")
    for _ in range(2):
        with migration(users.engine) as ctx:
            ctx.drop_index_concurrently("ix_users_name", "users")
    assert index(users, "ix_users_name") is None
    assert ctx.actions == ["index ix_users_name already gone, nothing to do"]


def test_same_name_other_definition_is_refused_and_nothing_written(users: Database) -> None:
    users.sql("CREATE INDEX ix_users_email ON users (name)")
    before = users.fingerprint()
    with pytest.raises(MigrationHelperError) as caught, migration(users.engine) as ctx:
        ctx.create_index_concurrently("ix_users_email", "users", ["email"])
    assert str(caught.value) == (
        "Index 'ix_users_email' already exists as index on public.users(name); "
        "drop it in a migration of its own, or pick another name."
    )
    with (
        pytest.raises(MigrationHelperError, match=r"Column 'mail' does not exist in table 'public\.users'"),
        migration(users.engine) as ctx,
    ):
        ctx.create_index_concurrently("ix_users_mail", "users", ["mail"])
    assert users.fingerprint() == before


def test_inside_a_foreign_transaction_it_refuses_clearly(users: Database) -> None:
    from helpers import MigrationContext

    with users.engine.connect() as conn:
        conn.execute(sa.text("SELECT 1"))
        with pytest.raises(MigrationHelperError, match="must run outside a transaction"):
            MigrationContext("x", conn).create_index_concurrently("ix_users_name", "users", ["name"])
