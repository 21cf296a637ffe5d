"""docs/failures/deadlock.md: the migration and the application lock users and cameras in opposite orders (40P01)."""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path

import psycopg

from tests.support import sessions
from tests.support.database import Database
from tests.support.ordinary import from_last_exception
from tests.support.paths import page
from tests.support.project import project_with
from tests.support.scenario import Captures, at_revision
from tests.support.transcript import Background, Run, alembic_path

PAGE = page("failures/deadlock")
REVISION = "failures/deadlock/versions/0010_add_last_seen.py"
APP = "camera-api"


@dataclasses.dataclass
class Deadlock:
    failed: Run  # what the migration printed, its pids and OIDs shown by name
    app: psycopg.Connection  # the application's session, its transaction still open


def provoke(database: Database, captures: Captures, command: list[str], cwd: Path, display: str) -> Deadlock:
    """Run ``command`` (an upgrade to 0010) into a deadlock with the application, in an order fixed by lock waits.

    The report holds audit_log, so the migration, holding users, waits there first; the application, holding a
    row of cameras, then asks for users and waits; the report ends, the migration asks for cameras, and closes
    the cycle. The migration's deadlock check runs a second (deadlock_timeout) after that last wait began and
    finds the cycle; the application's session never looks (its deadlock_timeout is 10 min), so the migration
    is the one canceled, every time.
    """
    begin, update, select = sessions.statements(captures.dir / "app.sql")
    app = psycopg.connect(sessions.libpq_conninfo(database, application_name=APP), autocommit=True)
    app.execute("SET deadlock_timeout = '10min'")
    app.execute(begin)
    app.execute(update)
    errors: list[BaseException] = []

    def read_owner() -> None:
        try:
            app.execute(select)
        except BaseException as exc:  # reported by the test below
            errors.append(exc)

    with (
        sessions.blocker(database, captures.dir / "report.sql") as report,
        Background(command, env=database.env, cwd=cwd) as bg,
    ):
        bg.display = display
        migration = sessions.wait_until_waiting(database, "%ALTER TABLE audit_log%")
        reader = threading.Thread(target=read_owner)
        reader.start()
        sessions.wait_until_waiting(database, "SELECT email FROM users%")
        report.execute("ROLLBACK")  # the migration goes on to cameras, and waits for the application
        failed = bg.finish()
    reader.join(timeout=60)
    assert not reader.is_alive() and not errors, errors  # the application went on once the migration was gone
    tables = database.sql("SELECT oid, relname FROM pg_class WHERE relname IN ('users', 'cameras', 'audit_log')")
    names = {f"relation {oid} ": f"relation <OID of {name}> " for oid, name in tables}
    for oid, name in tables:  # the page's way back from an OID to the table
        assert database.scalar(f"SELECT {oid}::regclass::text") == name
    names[f"of database {database.scalar('SELECT oid FROM pg_database WHERE datname = current_database()')}"] = (
        "of database <OID of security>"
    )
    for pid, shown in ((migration, "<MIGRATION_PID>"), (app.info.backend_pid, "<APP_PID>")):
        names[f"rocess {pid}"] = f"rocess {shown}"  # "Process N waits ..." and "blocked by process N"
    output = failed.output
    for real, shown in names.items():
        output = output.replace(real, shown)
    return Deadlock(dataclasses.replace(failed, output=output), app)


def test_deadlock(database: Database, update_snapshots: bool, tmp_path: Path) -> None:
    captures = Captures(PAGE, update_snapshots)
    workdir = project_with(tmp_path, REVISION)
    at_revision(database, "0009", captures.dir / "data.sql", cwd=workdir)
    before = database.fingerprint()

    args = ["upgrade", "head"]
    deadlock = provoke(database, captures, [alembic_path(), *args], workdir, "alembic upgrade head")
    failed = captures.check("upgrade.txt", deadlock.failed)
    assert failed.returncode == 1
    assert "ERROR - Migration failed due to deadlock: deadlock detected" in failed.output
    assert (
        "Process <MIGRATION_PID> waits for AccessExclusiveLock on relation <OID of cameras> of database "
        "<OID of security>; blocked by process <APP_PID>."
    ) in failed.output
    assert "SEE: http://127.0.0.1:8000/failures/deadlock/" in failed.output
    app_pid = deadlock.app.info.backend_pid
    found = captures.check(
        "find-other.txt", captures.psql(database, "-v", f"pid={app_pid}", "-x", "-f", "find-other.sql")
    )
    assert f"application_name | {APP}" in found.output
    assert "idle in transaction" in found.output
    deadlock.app.execute("COMMIT")
    deadlock.app.close()
    assert database.fingerprint() == before

    stock = project_with(tmp_path, REVISION, name="stock", stock_env=True)
    command = from_last_exception("alembic upgrade head")
    deadlock = provoke(database, captures, ["bash", "-c", command], stock, command)
    plain = captures.check("upgrade-stock.txt", deadlock.failed)
    assert "sqlalchemy.exc.OperationalError: (psycopg.errors.DeadlockDetected) deadlock detected" in plain.output
    deadlock.app.execute("ROLLBACK")
    deadlock.app.close()
    assert database.fingerprint() == before

    retry = captures.check("retry.txt", database.alembic(*args, cwd=workdir))
    assert retry.returncode == 0, retry.output
    assert "0010 (head)" in database.alembic("current", cwd=workdir).output
    assert database.scalar("SELECT status FROM cameras WHERE id = 1") == "offline"  # the application's commit
