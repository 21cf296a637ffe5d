"""A failure scenario: break the migration with a page's bad data, fail, prove nothing changed.

The files live in the page's snippet folder (``snippets/failures/<name>/``): the SQL that breaks
and resolves it, and the captured transcripts the page includes.
"""

from __future__ import annotations

from pathlib import Path

from tests.support import drivers
from tests.support.database import Database, server
from tests.support.ordinary import from_last_exception
from tests.support.paths import PROJECT, snippet_dir
from tests.support.project import project_with
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



def break_at(db: Database, captures: Captures, revision: str, case: str, label: str, cwd: Path = PROJECT) -> str:
    """Upgrade to ``revision``, load ``<case>/bad-data.sql``, fail ``upgrade head``, check nothing changed.

    ``label`` is the diagnosis category the failure must name ("integrity constraint", ...).
    ``cwd``: the project (a copy with the page's revisions added: ``project_with``).
    Returns what the failed upgrade printed.
    """
    assert db.alembic("upgrade", revision, cwd=cwd).returncode == 0
    loaded = captures.psql(db, "-v", "ON_ERROR_STOP=1", "-q", "-f", f"{case}/bad-data.sql")
    assert loaded.returncode == 0, loaded.output
    before = db.fingerprint()

    failed = captures.check(f"{case}/upgrade.txt", db.alembic("upgrade", "head", cwd=cwd))

    assert failed.returncode == 1
    assert f"ERROR - Migration failed due to {label}: " in failed.output
    assert "ROLLBACK: Transaction has been rolled back." in failed.output
    assert db.fingerprint() == before
    return failed.output


def stock_symptom(db: Database, captures: Captures, name: str, tmp_path: Path, *added: Path | str, error: str) -> None:
    """The same failure through the env.py ``alembic init`` writes: its traceback from SQLAlchemy's exception on.

    Runs the project (with ``added`` revisions) under the stock env.py, checks the driver's exception
    class ``error`` (``NotNullViolation``) is named and that nothing changed. Not under asyncpg: the
    generic template's engine is sync (``alembic init -t async`` is another env.py).
    """
    if drivers.is_async():
        return
    workdir = project_with(tmp_path, *added, name="stock", stock_env=True)
    before = db.fingerprint()
    # The last line of a traceback that starts at the margin: the exception, PostgreSQL's message, the SQL.
    run = captures.check(name, db.shell(from_last_exception("alembic upgrade head"), cwd=workdir))
    assert run.output.startswith("sqlalchemy.exc.") and f"errors.{error}) " in run.output, run.output
    assert db.fingerprint() == before
