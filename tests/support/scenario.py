"""A failure scenario: break the migration with a page's bad data, fail, prove nothing changed.

The files live in the page's snippet folder (``snippets/failures/<name>/``): the SQL that breaks
and resolves it, and the captured transcripts the page includes.
"""

from __future__ import annotations

from pathlib import Path

from tests.support import drivers
from tests.support.database import Database, server
from tests.support.paths import snippet_dir
from tests.support.snapshots import check_file
from tests.support.transcript import Run


class Captures:
    """The captured transcripts of one page's snippet folder, checked (or rewritten) one by one."""

    def __init__(self, page: Path, update: bool) -> None:
        self.page = page
        self.dir = snippet_dir(page)
        self.update = update

    def check(self, name: str, result: Run) -> Run:
        """Compare ``result``'s transcript with ``<folder>/<name>``; returns ``result``."""
        check_file(self.dir / name, result.transcript, self.update, major=server().major, driver=drivers.name())
        return result

    def psql(self, db: Database, *args: str) -> Run:
        """``psql ARGS`` from the page's folder, so ``-f case/file.sql`` is the path the page shows."""
        return db.psql(*args, cwd=self.dir)



def break_at(db: Database, captures: Captures, revision: str, case: str, label: str) -> str:
    """Upgrade to ``revision``, load ``<case>/bad-data.sql``, fail ``upgrade head``, check nothing changed.

    ``label`` is the diagnosis category the failure must name ("integrity constraint", ...).
    Returns what the failed upgrade printed.
    """
    assert db.alembic("upgrade", revision).returncode == 0
    loaded = captures.psql(db, "-v", "ON_ERROR_STOP=1", "-q", "-f", f"{case}/bad-data.sql")
    assert loaded.returncode == 0, loaded.output
    before = db.fingerprint()

    failed = captures.check(f"{case}/upgrade.txt", db.alembic("upgrade", "head"))

    assert failed.returncode == 1
    assert f"ERROR - Migration failed due to {label}: " in failed.output
    assert "ROLLBACK: Transaction has been rolled back." in failed.output
    assert db.fingerprint() == before
    return failed.output
