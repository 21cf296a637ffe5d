"""helpers/statements.py under a real server crash: the fault harness kills PostgreSQL (SIGKILL to its container)
while the second statement of the page's three-statement autocommit revision waits for its lock.

After crash recovery the ledger holds the truth: statement 1 applied, statement 2 started and cut off (no end);
``resume`` sees that its index does not exist, runs it and the third, and reaches the clean run's schema; a second
``resume`` finds nothing to do. Marked ``faults``: ``nox -s faults`` runs it, the other sessions leave it out.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import psycopg
import pytest

from tests.support import faults, sessions
from tests.support.cli import cli
from tests.support.database import server
from tests.support.faults import FaultServer
from tests.support.project import project_with
from tests.support.transcript import Background, alembic_path

REVISION = "recovery/failed-midway/versions/0010_index_concurrently.py"


@pytest.mark.faults
def test_a_server_crash_mid_statement_leaves_the_ledger_right_and_resume_converges(tmp_path: Path) -> None:
    if reason := faults.unavailable():
        pytest.skip(reason)
    project = project_with(tmp_path, REVISION)
    with FaultServer(server().major) as srv:
        db = srv.database()
        assert db.alembic("upgrade", "0009", cwd=project).returncode == 0
        blocker = srv.connect()
        try:
            blocker.execute("BEGIN")
            blocker.execute("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE")  # statement 2 waits for it
            with Background([alembic_path(), "upgrade", "head"], env=db.env, cwd=project) as migration:
                sessions.wait_until_waiting(db, "%ux_users_phone%")
                srv.kill()
                crashed = migration.finish(30)
        finally:
            with contextlib.suppress(psycopg.Error):
                blocker.close()
        assert crashed.returncode == 1, crashed.output
        srv.restart_after_crash()
        db = srv.database()

        rows = db.sql("SELECT position, outcome, ended_at IS NULL FROM alembic_history_statements ORDER BY id").all()
        assert [tuple(r) for r in rows] == [(1, "applied", False), (2, "running", True)]
        assert db.scalar("SELECT version_num FROM alembic_version") == "0009"

        done = cli("resume", cwd=project, env=db.env)
        assert done.status == 0, done.out + done.err
        assert "  2. cut off before it committed; now gone: CREATE UNIQUE INDEX CONCURRENTLY ux_users_phone" in done.out
        assert db.scalar("SELECT version_num FROM alembic_version") == "0010"
        valid = db.sql(
            "SELECT c.relname, i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE c.relname IN ('ix_events_camera_id', 'ux_users_phone', 'ix_cameras_firmware_version') ORDER BY 1"
        ).all()
        assert [tuple(r) for r in valid] == [
            ("ix_cameras_firmware_version", True), ("ix_events_camera_id", True), ("ux_users_phone", True)
        ]
        again = cli("resume", cwd=project, env=db.env)
        assert again.out.startswith("Nothing to resume"), again.out
