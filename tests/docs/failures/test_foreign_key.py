"""docs/failures/foreign-key.md: both forms of 23503, each found, resolved and retried.

- orphans: adding fk_events_camera_id (0005) over events whose camera is gone; delete them.
- still referenced: deleting retired cameras (0006) that events still point at; repoint them.
"""

from __future__ import annotations

from tests.support.database import Database
from tests.support.paths import page
from tests.support.scenario import Captures, break_at

PAGE = page("failures/foreign-key")
HEAD = "0009"
LABEL = "integrity constraint"


def retry(database: Database, captures: Captures, case: str) -> None:
    result = captures.check(f"{case}/retry.txt", database.alembic("upgrade", "head"))
    assert result.returncode == 0
    assert f"{HEAD} (head)" in database.alembic("current").output


def test_orphaned_rows_under_a_new_foreign_key(database: Database, update_snapshots: bool) -> None:
    captures = Captures(PAGE, update_snapshots)
    upgrade = break_at(database, captures, "0004", LABEL, case="orphans")
    assert 'insert or update on table "events" violates foreign key constraint "fk_events_camera_id"' in upgrade
    assert 'DETAIL: Key (camera_id)=(7) is not present in table "cameras".' in upgrade

    found = captures.check("orphans/find-orphans.txt", captures.psql(database, "-f", "orphans/find-orphans.sql"))
    assert "         7 |      2" in found.output
    deleted = captures.check(
        "orphans/delete-orphans.txt",
        captures.psql(database, "-v", "ON_ERROR_STOP=1", "-f", "orphans/delete-orphans.sql"),
    )
    assert "DELETE 2" in deleted.output

    retry(database, captures, "orphans")
    # The events of cameras that exist are all kept.
    kept = [tuple(r) for r in database.sql("SELECT camera_id, kind FROM events ORDER BY id")]
    assert kept == [(1, "motion"), (1, "doorbell"), (2, "motion")]


def test_deleting_rows_that_are_still_referenced(database: Database, update_snapshots: bool) -> None:
    captures = Captures(PAGE, update_snapshots)
    upgrade = break_at(database, captures, "0005", LABEL, case="still-referenced")
    assert 'update or delete on table "cameras" violates foreign key constraint "fk_events_camera_id"' in upgrade
    assert 'DETAIL: Key (id)=(2) is still referenced from table "events".' in upgrade

    found = captures.check(
        "still-referenced/find-referencing.txt",
        captures.psql(database, "-f", "still-referenced/find-referencing.sql"),
    )
    assert "              2 | entrance |      2 |           1" in found.output
    repointed = captures.check(
        "still-referenced/repoint-events.txt",
        captures.psql(database, "-v", "ON_ERROR_STOP=1", "-f", "still-referenced/repoint-events.sql"),
    )
    assert "UPDATE 2" in repointed.output

    retry(database, captures, "still-referenced")
    # The retired cameras are gone; every event is kept, now on the camera that replaced its own.
    assert [tuple(r) for r in database.sql("SELECT id, status FROM cameras ORDER BY id")] == [(1, "active")]
    kept = [tuple(r) for r in database.sql("SELECT camera_id, kind FROM events ORDER BY id")]
    assert kept == [(1, "motion"), (1, "motion"), (1, "doorbell")]
