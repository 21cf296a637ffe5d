"""Two deploys at once: env.py's advisory lock lets one run migrate while the other waits."""

from __future__ import annotations

import subprocess

import pytest
import sqlalchemy as sa

from helpers.advisory import MigrationLockTimeoutError, lock_key, migration_lock
from helpers.errors import MigrationHelperError
from tests.support.database import Database
from tests.support.paths import PROJECT
from tests.support.transcript import alembic_path

HEAD = "0009"


def start(db: Database, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [alembic_path(), *args], cwd=PROJECT, env=db.env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def test_two_concurrent_upgrades_apply_every_revision_exactly_once(database: Database) -> None:
    # Count each revision's application: a trigger on alembic_version logs every version written.
    assert database.alembic("upgrade", "0001").returncode == 0
    database.sql(
        """
        CREATE TABLE applied (version text NOT NULL, pid int NOT NULL DEFAULT pg_backend_pid());
        CREATE FUNCTION log_applied() RETURNS trigger LANGUAGE plpgsql AS
        $$ BEGIN
            INSERT INTO applied (version) VALUES (NEW.version_num);
            PERFORM pg_sleep(0.75);  -- 6 s for the 8 revisions: the second run starts within that under load
            RETURN NEW;
        END $$;
        CREATE TRIGGER log_applied AFTER INSERT OR UPDATE ON alembic_version
        FOR EACH ROW EXECUTE FUNCTION log_applied();
        """
    )
    runs = [start(database, "upgrade", "head") for _ in range(2)]
    results = [(run.wait(timeout=120), *run.communicate()) for run in runs]

    for code, _out, err in results:
        assert code == 0, err
        assert "Traceback" not in err
    applied = [row.version for row in database.sql("SELECT version FROM applied ORDER BY version")]
    assert applied == ["0002", "0003", "0004", "0005", "0006", "0007", "0008", "0009"]
    assert len({row.pid for row in database.sql("SELECT DISTINCT pid FROM applied")}) == 1
    assert database.scalar("SELECT version_num FROM alembic_version") == HEAD
    # One run did the work; the other found the database at head and said so.
    migrated = [err for _, _, err in results if "Running upgrade 0001 -> 0002" in err]
    assert len(migrated) == 1
    (idle,) = [err for _, _, err in results if "Running upgrade" not in err]
    assert "Another migration run holds the migration lock: pid " in idle
    assert "Got the migration lock after" in idle
    assert f"Before migration: revision {HEAD}" in idle


def test_the_second_run_gives_up_after_the_wait_and_says_who_holds_the_lock(database: Database) -> None:
    with database.engine.connect() as holder:
        holder.execute(sa.text("SET application_name = 'deploy-1'"))
        holder.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": lock_key("alembic_version")})
        holder.commit()
        before = database.fingerprint()

        result = database.alembic("-x", "migration_lock_wait=1s", "upgrade", "head")

    assert result.returncode == 1
    assert "Another migration run holds the migration lock: pid " in result.output
    assert "application_name 'deploy-1'" in result.output
    assert (
        "Migration failed due to a failed pre-flight check: Another migration run still holds the "
        "migration lock after 1s"
    ) in result.output
    assert "Traceback" not in result.output
    assert database.fingerprint() == before


def test_the_lock_is_released_after_a_failed_run(database: Database) -> None:
    assert database.alembic("upgrade", "0003").returncode == 0
    database.sql("INSERT INTO users (email, name) VALUES ('a@example.com', 'A'), ('a@example.com', 'B')")
    assert database.alembic("upgrade", "head").returncode == 1
    with database.engine.connect() as conn, migration_lock(conn, wait=0):
        pass  # got it at once: the failed run's session let go


def test_bad_wait_names_the_value(database: Database) -> None:
    result = database.alembic("-x", "migration_lock_wait=forever", "upgrade", "head")
    assert result.returncode != 0
    assert "migration_lock_wait 'forever' is not valid" in result.output
    with (
        database.engine.connect() as conn,
        pytest.raises(MigrationHelperError, match="-1"),
        migration_lock(conn, wait=-1),
    ):
        pass


def test_python_api_waits_then_times_out(database: Database) -> None:
    with database.engine.connect() as first, database.engine.connect() as second:
        with (
            migration_lock(first, "deploys", wait=0),
            pytest.raises(MigrationLockTimeoutError, match=r"after 0.3s \(pid \d+"),
            migration_lock(second, "deploys", wait=0.3),
        ):
            pass
        with migration_lock(second, "deploys", wait=0):
            assert not second.in_transaction()
