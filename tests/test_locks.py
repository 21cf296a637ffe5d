"""Lock timeouts with retries (helpers.locks): give way to a lock holder, retry, name it when giving up."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from helpers import LockRetriesExhaustedError, MigrationHelperError, growing_schedule, with_lock_retries
from helpers.diagnosis import diagnose, sqlstate_of
from tests.support.database import Database
from tests.support.migrating import migration

SCHEDULE = (0.05, 0.1, 0.2, 0.4, 0.8)


@pytest.fixture
def users(database: Database) -> Database:
    database.sql("CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL)")
    database.sql("INSERT INTO users (email) SELECT 'u' || g || '@example.com' FROM generate_series(1, 100) g")
    return database


@pytest.fixture
def blocker(users: Database) -> Iterator[sa.Connection]:
    """A second session, 'idle in transaction' after reading users: it holds ACCESS SHARE on the table."""
    with users.engine.connect() as conn:
        conn.execute(sa.text("SET application_name = 'report-job'"))
        conn.execute(sa.text("SELECT count(*) FROM users"))
        yield conn
        conn.rollback()


def columns(db: Database) -> list[str]:
    with db.engine.connect() as conn:
        return [c["name"] for c in sa.inspect(conn).get_columns("users")]


def test_retries_until_the_holder_lets_go(
    users: Database, blocker: sa.Connection, caplog: pytest.LogCaptureFixture
) -> None:
    def pause(attempt: int, timeout: float) -> float:
        if attempt == 3:
            blocker.commit()  # the lock holder finishes part-way through the schedule
        return 0.01

    caplog.set_level(logging.INFO, logger="alembic.helpers")
    with migration(users.engine, "add_phone") as ctx:
        ctx.execute("SET LOCAL lock_timeout = '5s'")
        ctx.with_lock_retries(lambda: ctx.ops.add_column("users", sa.Column("phone", sa.Text)), SCHEDULE, pause)
        assert ctx.execute("SHOW lock_timeout").scalar() == "5s"  # type: ignore[union-attr]

    assert "phone" in columns(users)
    messages = [r.getMessage() for r in caplog.records]
    assert "add_phone: lock_timeout 50ms ran out on attempt 1 of 5; retrying in 0.01s" in messages
    assert any("ran out on attempt 3 of 5" in m for m in messages)
    assert "add_phone: got its locks on attempt 4 of 5" in messages


def test_held_throughout_fails_cleanly_names_the_blocker_and_changes_nothing(
    users: Database, blocker: sa.Connection
) -> None:
    blocker_pid = blocker.execute(sa.text("SELECT pg_backend_pid()")).scalar()
    before = users.fingerprint()
    with migration(users.engine, "add_phone") as ctx:
        ctx.execute("SET LOCAL lock_timeout = '5s'")
        with pytest.raises(LockRetriesExhaustedError) as caught:
            ctx.with_lock_retries(lambda: ctx.ops.add_column("users", sa.Column("phone", sa.Text)), (0.05, 0.3, 0.6))
        # The migration's transaction is still usable, with its own lock_timeout back in force.
        assert ctx.execute("SHOW lock_timeout").scalar() == "5s"  # type: ignore[union-attr]
    message = str(caught.value)
    assert message.startswith("add_phone: could not get its locks in 3 attempts (lock_timeout 50ms to 600ms); ")
    assert f"blocked by pid {blocker_pid} (application_name 'report-job', state 'idle in transaction'" in message
    assert message.endswith("Nothing was changed.")
    assert [b.pid for b in caught.value.blockers] == [blocker_pid]
    assert diagnose(caught.value).category.key == "lock_not_available"  # filed under 55P03
    assert users.fingerprint() == before


def test_other_errors_are_not_retried(users: Database) -> None:
    calls = []

    def add_existing_column() -> None:
        calls.append(1)
        ctx.ops.add_column("users", sa.Column("email", sa.Text))

    with pytest.raises(sa.exc.ProgrammingError) as caught, migration(users.engine) as ctx:
        ctx.with_lock_retries(add_existing_column)
    assert sqlstate_of(caught.value) == "42701"
    assert calls == [1]


def test_the_previous_lock_timeout_is_back_after_success(users: Database) -> None:
    with users.engine.connect() as conn:
        conn.execute(sa.text("SET lock_timeout = '7s'"))  # a session setting, not a transaction one
        with_lock_retries(conn, lambda: conn.execute(sa.text("LOCK TABLE users")))
        assert conn.execute(sa.text("SHOW lock_timeout")).scalar() == "7s"
        conn.commit()
        assert conn.execute(sa.text("SHOW lock_timeout")).scalar() == "7s"


def test_growing_schedule_and_bad_values() -> None:
    assert growing_schedule(5, first=0.1, factor=2, longest=0.5) == (0.1, 0.2, 0.4, 0.5, 0.5)
    with pytest.raises(MigrationHelperError, match=r"attempts must be a whole number of at least 1, not 0\."):
        growing_schedule(0)
    with pytest.raises(MigrationHelperError, match=r"factor must be a number of at least 1, not 0\.5\."):
        growing_schedule(factor=0.5)


def test_bad_schedule_names_the_value_and_writes_nothing(users: Database) -> None:
    before = users.fingerprint()
    with (
        pytest.raises(MigrationHelperError, match=r"The lock retry schedule \(1, -2\) is not valid"),
        migration(users.engine) as ctx,
    ):
        ctx.with_lock_retries(lambda: ctx.ops.add_column("users", sa.Column("x", sa.Text)), (1, -2))
    assert users.fingerprint() == before
