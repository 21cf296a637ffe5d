"""helpers/history.py: env.py records every upgrade, downgrade and stamp, failed and interrupted ones too.

The record is written on a connection of its own in autocommit mode, so a failed run, rolled
back, is still there; a run that dies without an end shows as interrupted; a role that may not
create the table gets a warning line and its migration runs anyway.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from helpers.tools import history
from tests.support.database import Database
from tests.support.paths import PROJECT, SNIPPETS
from tests.support.transcript import Background, alembic_path


def attempts(database: Database) -> list[history.Attempt]:
    found = history.read(url=database.url)
    assert found is not None
    return found


def test_a_failed_upgrade_is_recorded_with_its_sqlstate(database: Database) -> None:
    assert database.alembic("upgrade", "0003").returncode == 0
    database.load(SNIPPETS / "failures" / "duplicate-key" / "bad-data.sql")
    assert database.alembic("upgrade", "head").returncode == 1

    first, failed = attempts(database)

    assert (first.command, first.from_revision, first.to_revision, first.outcome) == ("upgrade", "base", "0003",
                                                                                     "succeeded")
    assert (failed.command, failed.from_revision, failed.to_revision, failed.outcome) == ("upgrade", "0003", "0009",
                                                                                         "failed")
    assert (failed.sqlstate, failed.category) == ("23505", "unique_violation")
    assert failed.message == 'could not create unique index "ix_users_email"'
    assert failed.duration_seconds is not None and failed.ended_at is not None
    assert failed.username and failed.client_host
    shown = history.lines(attempts(database))
    assert '    23505 unique_violation: could not create unique index "ix_users_email"' in shown
    assert shown[-1] == "2 attempts: 1 succeeded, 1 failed."


def test_downgrade_and_stamp_are_recorded(database: Database) -> None:
    assert database.alembic("upgrade", "0002").returncode == 0
    assert database.alembic("downgrade", "-1").returncode == 0
    assert database.alembic("stamp", "0002").returncode == 0
    assert database.alembic("current").returncode == 0  # not a migration: not recorded

    assert [(a.command, a.from_revision, a.to_revision, a.outcome) for a in attempts(database)] == [
        ("upgrade", "base", "0002", "succeeded"),
        ("downgrade", "0002", "0001", "succeeded"),
        ("stamp", "0001", "0002", "succeeded"),
    ]


def test_a_run_killed_mid_way_shows_as_interrupted(database: Database) -> None:
    assert database.alembic("upgrade", "0007").returncode == 0
    with database.engine.connect() as blocker:
        blocker.execute(sa.text("SELECT count(*) FROM users"))  # holds users: 0008's ALTER waits
        with Background(
            [alembic_path(), "-x", "lock_timeout=60s", "upgrade", "head"], env=database.env, cwd=PROJECT
        ) as migration:
            pid = _wait_for_running_attempt(database)
            migration.process.kill()  # SIGKILL: no end is written
            migration.process.wait()
            assert attempts(database)[-1].outcome == "running"  # its backend still waits for the lock
            database.sql("SELECT pg_terminate_backend(:pid)", pid=pid)
        blocker.rollback()
    _wait_until_gone(database, pid)

    last = attempts(database)[-1]
    assert (last.outcome, last.from_revision, last.ended_at) == ("interrupted", "0007", None)
    assert database.scalar("SELECT version_num FROM alembic_version") == "0007"


def _wait_for_running_attempt(database: Database, timeout: float = 30) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pid = database.scalar(
            "SELECT h.pid FROM alembic_history h JOIN pg_stat_activity a ON a.pid = h.pid "
            "WHERE h.outcome = 'running' AND a.wait_event_type = 'Lock'"
        )
        if pid:
            return int(str(pid))
        time.sleep(0.05)
    raise AssertionError("the migration never started waiting for its lock")


def _wait_until_gone(database: Database, pid: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while database.scalar("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid", pid=pid):
        assert time.monotonic() < deadline, f"backend {pid} still there"
        time.sleep(0.05)


@pytest.fixture
def migrator(database: Database) -> Iterator[Database]:
    """A role that owns the application's tables but may not create anything in schema public."""
    assert database.alembic("upgrade", "0007").returncode == 0
    role = f"migrator_{secrets.token_hex(3)}"
    password = secrets.token_hex(8)
    database.sql(
        f"CREATE ROLE {role} LOGIN PASSWORD '{password}';"
        f"REVOKE CREATE ON SCHEMA public FROM PUBLIC;"
        f"DROP TABLE alembic_history;"
        + "".join(f"ALTER TABLE {table} OWNER TO {role};" for table in ("users", "cameras", "events", "audit_log"))
        + f"GRANT SELECT, INSERT, UPDATE, DELETE ON alembic_version TO {role};"
    )
    url = database.engine.url.set(username=role, password=password)
    env = {**database.env, "DATABASE_URL": url.render_as_string(hide_password=False), "PGUSER": role,
           "PGPASSWORD": password}
    try:
        yield Database(database.name, database.engine, env)
    finally:
        database.sql(f"REASSIGN OWNED BY {role} TO CURRENT_USER; DROP OWNED BY {role}; DROP ROLE {role}")


def test_a_role_that_may_not_create_the_table_gets_a_warning_and_its_migration_runs(migrator: Database) -> None:
    result = migrator.alembic("upgrade", "0008")

    assert result.returncode == 0, result.output
    assert (
        "WARNING - Not recorded in alembic_history: permission denied for schema public; the migration runs anyway."
    ) in result.output.splitlines()
    assert "INFO - After migration: revision 0008, 4 tables" in result.output
    assert migrator.scalar("SELECT to_regclass('alembic_history')") is None


def test_history_before_anything_was_recorded_says_so(database: Database) -> None:
    assert history.read(url=database.url) is None
    assert history.lines(None) == [
        "No attempts recorded: there is no alembic_history table yet (env.py creates it on the first run)."
    ]
