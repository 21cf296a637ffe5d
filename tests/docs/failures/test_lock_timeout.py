"""docs/failures/lock-timeout.md: another session holds the table's lock; 55P03; find it, end it, retry."""

from __future__ import annotations

from tests.support import sessions
from tests.support.database import Database
from tests.support.paths import page
from tests.support.scenario import Captures, at_revision, fails
from tests.support.transcript import Background, Run, alembic_path

PAGE = page("failures/lock-timeout")
HEAD = "0009"


def test_lock_timeout(database: Database, update_snapshots: bool) -> None:
    captures = Captures(PAGE, update_snapshots)
    at_revision(database, "0007")
    database.sql("INSERT INTO users (id, email, name) VALUES (1, 'ann@example.com', 'Ann')")
    database.sql("INSERT INTO cameras (id, owner_id, name) VALUES (1, 1, 'Front door'), (2, 1, 'Garage')")

    with sessions.blocker(database, captures.dir / "blocker.sql") as blocker:
        timeout = ("-x", "lock_timeout=1s", "upgrade", "head")
        fails(database, captures, "lock timeout", "canceling statement due to lock timeout", args=timeout)

        # The retry waits (up to a minute) while the blocking session is found and ended.
        with Background([alembic_path(), "-x", "lock_timeout=1min", "upgrade", "head"], env=database.env) as bg:
            waiting = sessions.wait_until_waiting(database, "%ALTER TABLE %cameras%")
            # The page's step 1 shows the command the reader starts here; its output is retry.txt.
            captures.check("retry-start.txt", Run(bg.display, 0, ""))
            found = captures.check("find-blocker.txt", captures.psql(database, "-x", "-f", "find-blocker.sql"))
            assert f"waiting_pid    | {waiting}" in found.output
            assert f"blocking_pid   | {sessions.backend_pid(blocker)}" in found.output
            assert f"blocking_app   | {sessions.BLOCKER_APP}" in found.output
            pid = str(sessions.backend_pid(blocker))
            ended = captures.check(
                "end-blocker.txt", captures.psql(database, "-v", f"pid={pid}", "-f", "end-blocker.sql")
            )
            assert ended.returncode == 0
            retry = captures.check("retry.txt", bg.finish())

    assert retry.returncode == 0
    assert f"{HEAD} (head)" in database.alembic("current").output
    assert database.scalar("SELECT count(*) FROM cameras") == 2
