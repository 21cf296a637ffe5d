"""docs/failures/duplicate-key.md: a unique index over duplicated emails (23505), cleaned up, retried."""

from __future__ import annotations

from tests.support.database import Database
from tests.support.paths import page
from tests.support.scenario import Captures, break_at

PAGE = page("failures/duplicate-key")
HEAD = "0009"


def test_duplicate_key(database: Database, update_snapshots: bool) -> None:
    captures = Captures(PAGE, update_snapshots)
    duplicated = 'could not create unique index "ix_users_email"'
    failed = break_at(database, captures, "0003", "integrity constraint", duplicated)
    assert "DETAIL: Key (email)=(ann@example.com) is duplicated." in failed

    found = captures.check("find-duplicates.txt", captures.psql(database, "-f", "find-duplicates.sql"))
    assert "ann@example.com |     3 | {1,3,5}" in found.output
    cleaned = captures.check(
        "keep-oldest.txt", captures.psql(database, "-v", "ON_ERROR_STOP=1", "-f", "keep-oldest.sql")
    )
    assert cleaned.returncode == 0

    retry = captures.check("retry.txt", database.alembic("upgrade", "head"))
    assert retry.returncode == 0
    assert f"{HEAD} (head)" in database.alembic("current").output
    # The oldest row per email is kept, and the camera of a deleted duplicate now belongs to it.
    assert [tuple(r) for r in database.sql("SELECT id, email, name FROM users ORDER BY id")] == [
        (1, "ann@example.com", "Ann"),
        (2, "bob@example.com", "Bob"),
        (4, "cy@example.com", "Cy"),
    ]
    cameras = [tuple(r) for r in database.sql("SELECT id, owner_id FROM cameras ORDER BY id")]
    assert cameras == [(1, 1), (2, 1)]
