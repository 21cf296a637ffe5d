"""docs/failures/duplicate-key.md: a unique index over duplicated emails (23505), cleaned up, retried."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Database
from tests.scenarios.capture import Captures, alembic, captured_files, mismatch_message, psql

SCENARIO = "duplicate-key"
PAGE = "docs/failures/duplicate-key.md"
HEAD = "0009"


def test_duplicate_key(database: Database, update_snapshots: bool) -> None:
    captures = Captures(SCENARIO, update_snapshots)
    assert alembic(database, "upgrade", "0003").returncode == 0
    assert psql(database, captures.dir, "-v", "ON_ERROR_STOP=1", "-q", "-f", "bad-data.sql").returncode == 0
    before = database.fingerprint()

    failed = captures.check("upgrade.txt", alembic(database, "upgrade", "head"))

    assert failed.returncode == 1
    assert (
        'ERROR - Migration failed due to integrity constraint: could not create unique index "ix_users_email"'
        in failed.output
    )
    assert "ROLLBACK: Transaction has been rolled back." in failed.output
    assert "DETAIL: Key (email)=(ann@example.com) is duplicated." in failed.output
    assert database.fingerprint() == before

    found = captures.check("find-duplicates.txt", psql(database, captures.dir, "-f", "find-duplicates.sql"))
    assert "ann@example.com |     3 | {1,3,5}" in found.output
    cleaned = captures.check(
        "keep-oldest.txt", psql(database, captures.dir, "-v", "ON_ERROR_STOP=1", "-f", "keep-oldest.sql")
    )
    assert cleaned.returncode == 0

    retry = captures.check("retry.txt", alembic(database, "upgrade", "head"))
    assert retry.returncode == 0
    assert f"{HEAD} (head)" in alembic(database, "current").output
    # The oldest row per email is kept, and the camera of a deleted duplicate now belongs to it.
    assert [tuple(r) for r in database.sql("SELECT id, email, name FROM users ORDER BY id")] == [
        (1, "ann@example.com", "Ann"),
        (2, "bob@example.com", "Bob"),
        (4, "cy@example.com", "Cy"),
    ]
    cameras = [tuple(r) for r in database.sql("SELECT id, owner_id FROM cameras ORDER BY id")]
    assert cameras == [(1, 1), (2, 1)]


@pytest.mark.parametrize("relative", captured_files(SCENARIO))
def test_a_changed_word_in_a_captured_output_fails_naming_the_page(relative: str, tmp_path: Path) -> None:
    assert PAGE in mismatch_message(relative, tmp_path)
