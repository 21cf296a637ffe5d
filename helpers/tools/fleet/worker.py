"""One target's run, in a worker process: lock, look, migrate through the project's env.py, look again.

``apply`` is what the executor runs (a local pool's process, or a Dask worker): it takes the
target's fleet lock (``helpers.advisory``; a second rollout waits, then finds the target already
moved), reads the target's revision under it, skips a target already where the job would take it,
and otherwise runs Alembic in this process (``running.run``: its logging and ``sys.path`` put back
after, so the next target starts clean). Alembic's context is module level: a process runs one at
a time. Everything ``apply`` takes and returns is plain data, so it crosses to any process.

A target already where the job would take it may hold an attempt of this rollout that was cut off
after its COMMIT landed (its server stopped, or the worker lost its connection, before the closing
row was written): the rerun closes that row as succeeded, with a note, so the ledger says what the
target's revision already does (``_close_landed``).
"""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from ...advisory import MigrationLockTimeoutError, migration_lock
from ...diagnosis import diagnose
from ...history import NOTE, ROLLOUT, TABLE, alive, current_heads, history_table
from ..errors import first_line
from ..shared import database, running
from ..shared.scripts import Scripts, load_scripts
from .status import landed, read
from .targets import Target

SUCCEEDED, FAILED, SKIPPED, NOT_STARTED = "succeeded", "failed", "skipped", "not started"


@dataclass(frozen=True)
class Job:
    """Take ``target`` to ``revision`` with ``command`` (upgrade, downgrade), as part of rollout ``rollout``.

    ``expect``: for a rollback, the revision the target must still be at (where the rollout left it);
    a target found elsewhere is left alone.
    """

    target: Target
    ini: str
    command: str
    revision: str
    rollout: str
    lock_wait: float = 600.0
    expect: str | None = None
    note: str | None = None


@dataclass
class Result:
    """How one target went: ``outcome`` is succeeded, failed, skipped or not started."""

    name: str
    outcome: str
    from_revision: str = "-"
    to_revision: str = "-"
    seconds: float = 0.0
    reason: str = ""
    page: str | None = None
    worker: str = ""

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


_busy = threading.Lock()


def init(coordinator: int | None = None) -> None:
    """A pool process ignores Ctrl-C: the coordinator decides, and a run is never cut mid-DDL from here.

    When the ``coordinator`` process is gone (killed), the worker ends once its run in progress has
    finished, so no orphan waits forever for work that will never come.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if coordinator is not None:
        threading.Thread(target=_watch, args=(coordinator,), daemon=True, name="coordinator-watch").start()


def _watch(coordinator: int) -> None:
    while True:
        time.sleep(0.5)
        try:
            os.kill(coordinator, 0)
        except ProcessLookupError:
            with _busy:  # never in the middle of a run
                os.kill(os.getpid(), signal.SIGTERM)  # no run in progress: nothing to cut
        except PermissionError:  # alive, someone else's: cannot happen to our own parent, but keep watching
            pass


_scripts: dict[str, Scripts] = {}


def _scripts_of(ini: str) -> Scripts:
    """The project, read once per process (a rollout does not change its scripts)."""
    if ini not in _scripts:
        _scripts[ini] = load_scripts(ini)
    return _scripts[ini]


def _revision(heads: tuple[str, ...]) -> str:
    return ", ".join(heads) or "base"


def _wanted(scripts: Scripts, job: Job) -> tuple[str, ...]:
    if job.revision == "base":
        return ()
    if job.revision in ("head", "heads"):
        return scripts.heads
    return tuple(s.revision for s in scripts.directory.get_revisions(job.revision) if s is not None)


def apply(job: Job) -> Result:
    """Run the job on its target; never raises for the target's own failures (they are the result)."""
    with _busy:
        return _apply(job)


def _apply(job: Job) -> Result:
    worker = f"{socket.gethostname()}:{os.getpid()}"
    began = time.perf_counter()
    target = job.target
    scripts = _scripts_of(job.ini)
    url = target.sa_url()
    eng = database.engine(url, isolation_level="AUTOCOMMIT")
    try:
        try:
            lock_conn = eng.connect()
        except sa.exc.DBAPIError as exc:
            return Result(
                target.name,
                FAILED,
                reason=f"unreachable: {first_line(exc.orig)}",
                seconds=time.perf_counter() - began,
                worker=worker,
            )
        with lock_conn:
            try:
                with migration_lock(lock_conn, target.lock_name, wait=job.lock_wait):
                    return _under_lock(job, scripts, lock_conn, began, worker)
            except MigrationLockTimeoutError as exc:
                return Result(
                    target.name, FAILED, reason=first_line(exc), seconds=time.perf_counter() - began, worker=worker
                )
            except sa.exc.DBAPIError as exc:  # the server went away between two of our own statements
                return Result(
                    target.name,
                    FAILED,
                    reason=f"unreachable: {first_line(exc.orig)}",
                    seconds=time.perf_counter() - began,
                    worker=worker,
                )
    finally:
        eng.dispose()


def _under_lock(job: Job, scripts: Scripts, conn: sa.Connection, began: float, worker: str) -> Result:
    target = job.target
    before = current_heads(conn, schema=target.schema)
    at = _revision(before)

    def skipped(why: str) -> Result:
        return Result(target.name, SKIPPED, at, at, time.perf_counter() - began, why, worker=worker)

    if set(before) == set(_wanted(scripts, job)):
        return skipped(f"already at {at}" + _close_landed(job, conn))
    if job.expect is not None and at != job.expect:
        return skipped(f"at {at}, not {job.expect} where the rollout left it: left alone")
    attributes: dict[str, object] = {ROLLOUT: job.rollout}
    if job.note:
        attributes[NOTE] = job.note
    outcome = running.run(
        scripts,
        target.sa_url(),
        job.command,
        job.revision,
        attributes=attributes,
        x=[f"tenant={target.schema}"] if target.schema else (),
    )
    try:
        after = _revision(current_heads(conn, schema=target.schema))
    except sa.exc.DBAPIError:
        after = "?"
    seconds = time.perf_counter() - began
    if outcome.ok:
        return Result(target.name, SUCCEEDED, _revision(before), after, seconds, worker=worker)
    error = outcome.error
    if isinstance(error, SystemExit) and isinstance(error.__cause__, BaseException):
        error = error.__cause__  # env.py's way of failing on the command line: the diagnosis is of the cause
    assert error is not None
    diagnosis = diagnose(error)
    return Result(
        target.name,
        FAILED,
        _revision(before),
        after,
        seconds,
        diagnosis.lines()[0],
        diagnosis.category.address(),
        worker=worker,
    )


def _close_landed(job: Job, conn: sa.Connection) -> str:
    """Close, as succeeded, this rollout's attempts on the target whose COMMIT landed but whose end was never
    recorded (``status.landed``); what was done, for the result's reason ("" when nothing was open).

    Under the target's fleet lock, so no run of this rollout is in progress there; a row whose session is still
    alive is never touched. ``ended_at`` and the duration stay empty: when the attempt ended is not known.
    """
    open_ = [a for a in read(job.target, rollout=job.rollout).attempts if landed(a)]
    if not open_:
        return ""
    t = history_table(TABLE, job.target.schema)
    closed: list[str] = []
    try:
        for attempt in open_:
            note = (
                f"closed by a rerun of rollout {job.rollout}: the target was found at {attempt['after']} right "
                "after this attempt, so its COMMIT landed; its end was never recorded (the server stopped, or the "
                "worker lost its connection, first)"
            )
            done = conn.execute(
                t.update()
                .where(t.c.id == attempt["id"], t.c.ended_at.is_(None))
                .where((t.c.outcome == "interrupted") | ((t.c.outcome == "running") & ~sa.exists(alive(t))))
                .values(outcome="succeeded", to_revision=attempt["after"], note=sa.func.concat_ws("; ", t.c.note, note))
            )
            if done.rowcount:
                closed.append(f"#{attempt['id']}")
    except sa.exc.DBAPIError as exc:  # no right to write the ledger, or the server went: rollback counts it anyway
        return f"; its attempt cut off after its COMMIT could not be closed: {first_line(exc.orig)}"
    if not closed:
        return ""
    return (
        f"; its attempt{'s' if len(closed) > 1 else ''} {', '.join(closed)} of this rollout, cut off after the COMMIT "
        "landed, closed as succeeded"
    )


def project_folder(ini: str) -> Path:
    return Path(ini).resolve().parent
