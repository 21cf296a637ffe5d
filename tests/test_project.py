"""The example project (snippets/project) through the alembic CLI, as a reader runs it."""

from __future__ import annotations

import re
import subprocess

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from tests.support.database import Database
from tests.support.paths import PROJECT, ROOT
from tests.support.transcript import alembic, alembic_path

HEAD = "0009"
APP_TABLES = {"users", "cameras", "events", "audit_log"}
#: Alembic's version table, and the attempt history env.py keeps (helpers.history): no migration drops them.
BOOKKEEPING = {"alembic_version", "alembic_history"}


def tables(db: Database) -> set[str]:
    with db.engine.connect() as conn:
        return set(sa.inspect(conn).get_table_names())


def test_upgrade_head_then_downgrade_base(database: Database) -> None:
    up = database.alembic("upgrade", "head")
    assert up.returncode == 0, up.output
    assert tables(database) == APP_TABLES | BOOKKEEPING
    assert database.scalar("SELECT version_num FROM alembic_version") == HEAD

    down = database.alembic("downgrade", "base")
    assert down.returncode == 0, down.output
    # downgrade base drops every table the migrations created, but alembic_version stays, empty.
    assert tables(database) == BOOKKEEPING
    assert database.scalar("SELECT count(*) FROM alembic_version") == 0


def test_successful_upgrade_logs_revision_and_table_count_before_and_after(database: Database) -> None:
    assert database.alembic("upgrade", "0002").returncode == 0
    result = database.alembic("upgrade", "head")
    assert result.returncode == 0
    assert "INFO - Before migration: revision 0002, 2 tables" in result.output
    assert f"INFO - After migration: revision {HEAD}, 4 tables" in result.output
    assert "INFO - Before migration" not in database.alembic("current").output


def test_failed_upgrade_prints_diagnosis_exits_1_and_changes_nothing(database: Database) -> None:
    assert database.alembic("upgrade", "0003").returncode == 0
    database.sql("INSERT INTO users (email, name) VALUES ('ann@example.com', 'Ann'), ('ann@example.com', 'Ann B')")
    before = database.fingerprint()

    result = database.alembic("upgrade", "head")

    assert result.returncode == 1
    lines = result.output.splitlines()
    first = lines.index(
        'ERROR - Migration failed due to integrity constraint: could not create unique index "ix_users_email"'
    )
    assert lines[first + 1] == (
        "ROLLBACK: Transaction has been rolled back. "
        "Check for duplicate keys, foreign key violations, or constraint conflicts."
    )
    assert lines[first + 2] == "DETAIL: Key (email)=(ann@example.com) is duplicated."
    assert lines[first + 3].startswith("NEXT: Find the duplicates")
    assert "Traceback" not in result.output
    assert database.fingerprint() == before


def test_one_transaction_keeps_none_of_the_revisions_before_the_failing_one(database: Database) -> None:
    assert database.alembic("upgrade", "0004").returncode == 0
    database.sql("INSERT INTO users (id, email, name) VALUES (1, 'a@example.com', 'A')")
    database.sql("INSERT INTO events (camera_id, kind) VALUES (42, 'motion')")  # camera 42 does not exist

    result = database.alembic("upgrade", "head")

    assert result.returncode == 1
    assert "Running upgrade 0004 -> 0005" in result.output
    assert 'violates foreign key constraint "fk_events_camera_id"' in result.output
    assert database.scalar("SELECT version_num FROM alembic_version") == "0004"


def test_missing_database_url_is_one_clear_line(database: Database) -> None:
    env = {k: v for k, v in database.env.items() if k != "DATABASE_URL"}
    result = subprocess.run([alembic_path(), "upgrade", "head"], cwd=PROJECT, env=env, capture_output=True, text=True)
    assert result.returncode != 0
    message = "DATABASE_URL is not set; export it, e.g. DATABASE_URL=postgresql://user@host/security"
    assert result.stdout.strip() == f"FAILED: {message}"
    assert result.stderr.strip().splitlines()[-1] == f"ERROR - {message}"
    assert "Traceback" not in result.stderr


def test_bad_lock_timeout_names_the_value(database: Database) -> None:
    result = database.alembic("-x", "lock_timeout=5 seconds; DROP TABLE users", "upgrade", "head")
    assert result.returncode != 0
    assert "lock_timeout '5 seconds; DROP TABLE users' is not valid" in result.output


def test_libpq_style_url_is_accepted(database: Database) -> None:
    url = database.url.replace("postgresql+psycopg://", "postgresql://")
    result = alembic("upgrade", "0001", env={**database.env, "DATABASE_URL": url})
    assert result.returncode == 0, result.output


def test_offline_sql_needs_no_database_and_runs_in_one_transaction() -> None:
    # Only the checkout's root on the path, for the project's `from helpers import ...` (a vendored copy's way in).
    env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [alembic_path(), "upgrade", "head", "--sql"], cwd=PROJECT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    sql = result.stdout
    assert sql.count("BEGIN;") == 1 and sql.count("COMMIT;") == 1
    assert "SELECT set_config('lock_timeout', '5s', true);" in sql
    assert "CREATE UNIQUE INDEX ix_users_email ON users (email);" in sql
    assert "ALTER TABLE cameras ADD COLUMN firmware_version VARCHAR(64);" in sql
    assert re.search(r"UPDATE alembic_version SET version_num='0009'", sql)


def test_connection_handed_over_in_config_attributes(database: Database) -> None:
    config = Config(str(PROJECT / "alembic.ini"))
    config.attributes["configure_logger"] = False
    with database.engine.connect() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0002")
        conn.commit()
    assert database.scalar("SELECT version_num FROM alembic_version") == "0002"


def test_every_revision_downgrades_one_step_at_a_time(database: Database) -> None:
    assert database.alembic("upgrade", "head").returncode == 0
    for expected in ["0008", "0007", "0006", "0005", "0004", "0003", "0002", "0001"]:
        result = database.alembic("downgrade", "-1")
        assert result.returncode == 0, result.output
        assert database.scalar("SELECT version_num FROM alembic_version") == expected
    assert database.alembic("downgrade", "-1").returncode == 0
    assert tables(database) == BOOKKEEPING


def test_no_server_at_the_address_is_diagnosed_without_a_traceback(database: Database) -> None:
    result = alembic("upgrade", "head", env={**database.env, "DATABASE_URL": "postgresql://postgres@127.0.0.1:1/x"})

    assert result.returncode == 1
    assert "ERROR - Migration failed due to lost connection: " in result.output
    assert "Traceback" not in result.output
