"""docs/failures/lock-timeout.md: another session holds the table's lock; 55P03; find it, end it, retry."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Database
from tests.scenarios import sessions
from tests.scenarios.capture import Background, Captures, Run, alembic, captured_files, mismatch_message, psql

SCENARIO = "lock-timeout"
PAGE = "docs/failures/lock-timeout.md"
HEAD = "0009"


def test_lock_timeout(database: Database, update_snapshots: bool) -> None:
    captures = Captures(SCENARIO, update_snapshots)
    assert alembic(database, "upgrade", "0007").returncode == 0
    database.sql("INSERT INTO users (id, email, name) VALUES (1, 'ann@example.com', 'Ann')")
    database.sql("INSERT INTO cameras (id, owner_id, name) VALUES (1, 1, 'Front door'), (2, 1, 'Garage')")

    with sessions.blocker(database, captures.dir / "blocker.sql") as blocker:
        before = database.fingerprint()
        failed = captures.check("upgrade.txt", alembic(database, "-x", "lock_timeout=1s", "upgrade", "head"))
        assert failed.returncode == 1
        assert "ERROR - Migration failed due to lock timeout: canceling statement due to lock timeout" in (
            failed.output
        )
        assert "ROLLBACK: Transaction has been rolled back." in failed.output
        assert database.fingerprint() == before

        # The retry waits (up to a minute) while the blocking session is found and ended.
        with Background(database, [database.alembic_path, "-x", "lock_timeout=1min", "upgrade", "head"]) as bg:
            waiting = sessions.wait_until_waiting(database, "%ALTER TABLE %cameras%")
            # The page's step 1 shows the command the reader starts here; its output is retry.txt.
            captures.check("retry-start.txt", Run(bg.display, 0, ""))
            found = captures.check("find-blocker.txt", psql(database, captures.dir, "-x", "-f", "find-blocker.sql"))
            assert f"waiting_pid    | {waiting}" in found.output
            assert f"blocking_pid   | {sessions.backend_pid(blocker)}" in found.output
            assert f"blocking_app   | {sessions.BLOCKER_APP}" in found.output
            pid = str(sessions.backend_pid(blocker))
            ended = captures.check(
                "end-blocker.txt", psql(database, captures.dir, "-v", f"pid={pid}", "-f", "end-blocker.sql")
            )
            assert ended.returncode == 0
            retry = captures.check("retry.txt", bg.finish())

    assert retry.returncode == 0
    assert f"{HEAD} (head)" in alembic(database, "current").output
    assert database.scalar("SELECT count(*) FROM cameras") == 2


@pytest.mark.parametrize("relative", captured_files(SCENARIO))
def test_a_changed_word_in_a_captured_output_fails_naming_the_page(relative: str, tmp_path: Path) -> None:
    assert PAGE in mismatch_message(relative, tmp_path)
