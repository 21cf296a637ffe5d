"""A failure scenario: break the migration with a page's bad data, fail, prove nothing changed.

The files live in the page's snippet folder (``snippets/failures/<name>/``): the SQL that breaks
and resolves it, and the captured transcripts the page includes. Every scenario test starts the same
way: ``break_at`` (the revision before, the bad data, the failed ``upgrade head``), or its two halves
``at_revision`` and ``fails`` where something happens between them (a blocking session, a file edited).
"""

from __future__ import annotations

from collections.abc import Sequence
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


def at_revision(db: Database, revision: str, data: Path | None = None, cwd: Path = PROJECT) -> None:
    """The scenario's starting point on the test's fresh database: ``upgrade revision``, then ``data`` loaded.

    ``data``: an SQL file (the page's bad data), run with psql, stopping at its first error.
    ``cwd``: the project (a copy with the page's revisions added: ``project_with``).
    """
    upgraded = db.alembic("upgrade", revision, cwd=cwd)
    assert upgraded.returncode == 0, upgraded.output
    if data is not None:
        db.load(data)


def fails(
    db: Database,
    captures: Captures | None,
    label: str,
    message: str = "",
    *,
    capture: str | None = "upgrade.txt",
    args: Sequence[str] = ("upgrade", "head"),
    cwd: Path = PROJECT,
    rollback: str = "Transaction has been rolled back.",
) -> str:
    """``alembic ARGS`` (``upgrade head``) fails with the diagnosis ``label: message`` and changes nothing.

    ``label`` is the diagnosis category ("integrity constraint", ...), ``message`` what must follow it (or its
    start). ``capture``: the page's file the transcript is checked against (``captures`` None, or ``capture``
    None: a failure the page does not show).
    ``rollback``: what the diagnosis's ROLLBACK line says (or its start).
    Returns what the failed command printed.
    """
    before = db.fingerprint()
    run = db.alembic(*args, cwd=cwd)
    failed = run if capture is None or captures is None else captures.check(capture, run)

    assert failed.returncode == 1, failed.output
    assert f"ERROR - Migration failed due to {label}: {message}" in failed.output
    assert f"ROLLBACK: {rollback}" in failed.output
    assert db.fingerprint() == before
    return failed.output


def break_at(
    db: Database,
    captures: Captures,
    revision: str,
    label: str,
    message: str = "",
    *,
    case: str = "",
    data: str | None = "bad-data.sql",
    cwd: Path = PROJECT,
) -> str:
    """A failure scenario's prologue: at ``revision``, the page's bad data loaded, ``upgrade head`` fails.

    ``case``: the subfolder of the page's snippets for a page with several stories (``orphans/``), which holds
    its ``data`` file and its ``upgrade.txt``. The failure must name ``label: message`` (``fails``) and leave
    the database as it was. Returns what the failed upgrade printed.
    """
    folder = captures.dir / case
    at_revision(db, revision, None if data is None else folder / data, cwd=cwd)
    return fails(db, captures, label, message, capture=f"{case}/upgrade.txt" if case else "upgrade.txt", cwd=cwd)


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


def stock_traceback(db: Database, captures: Captures, workdir: Path, message: str, error: str) -> Run:
    """``upgrade.txt``'s failure under ``alembic init``'s env.py, through every driver: ``upgrade-stock.txt``.

    The exception's line of the traceback and the two after it (PostgreSQL's message, the SQL), checked
    against the page's file; the line ends with ``message`` and names the driver's ``error`` class
    (``ObjectInUse``; asyncpg's names no SQLSTATE class). ``workdir``: a ``project_with(..., stock_env=True)``.
    Nothing changed. Returns the run.
    """
    before = db.fingerprint()
    run = captures.check(
        "upgrade-stock.txt", db.shell("alembic upgrade head 2>&1 | grep -A 2 ^sqlalchemy.exc", cwd=workdir)
    )
    exception = run.output.splitlines()[0]
    assert exception.startswith("sqlalchemy.exc.") and exception.endswith(message), exception
    assert drivers.is_async() or f"errors.{error}) " in exception
    assert db.fingerprint() == before
    return run
