"""``python -m helpers rehearse --crash-points``: kill the migration at every point it can die half-way, on copies.

A clean run on a copy says which pending revisions run outside one transaction and how many statements
each runs (the statement ledger, ``helpers.statements``). Each point is then: before statement k of such
a revision (k = 1 .. n), and just before its ``alembic_version`` update. For each point a fresh clone of the
copy gets ``alembic upgrade TARGET`` in a process of its own, SIGKILLed there (``HELPERS_CRASH_AT``); a clone
of what it left gets the plain retry (``alembic upgrade TARGET``), the other gets ``resume`` and then the
upgrade; each result is compared with the clean run's schema. A point reads ``retry converges``, ``needs
resume`` (the retry fails or ends elsewhere, resume gets there) or ``stuck: STATEMENT`` (neither does).

The project's env.py need not record statements itself: where it does not wrap its run in
``helpers.history.recorded``, the runs here attach the ledger to the migration's connection.
A revision that runs in one transaction has no such point: killed anywhere, it keeps nothing. The killed
process is a fork of this one, which runs the project's env.py through ``running.run`` against the clone
(a connection anywhere else stops it), so the kill is a real SIGKILL of the process running Alembic.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL

from ...diagnosis import diagnose
from ...statements import CRASH_AT, TABLE, statements_table
from .. import resume
from ..errors import BadInputError
from ..shared import scratch, snapshot
from ..shared.database import database_url, engine
from ..shared.running import run
from ..shared.scripts import Scripts, load_scripts, resolve

VERDICTS = ("retry converges", "needs resume", "stuck", "not reached")


@dataclass
class Point:
    """One place the migration dies: ``REV:K`` (before statement K+1) or ``REV:version``, and what recovers."""

    revision: str
    at: str  # "0".."n-1", or "version"
    before: str  # what was about to run: the statement's SQL, or "the alembic_version update"
    verdict: str = ""
    retry: str = ""  # how the plain retry ended
    resumed: str = ""  # how resume ended (when the retry did not converge)

    @property
    def name(self) -> str:
        return f"{self.revision}:{self.at}"

    def as_json(self) -> dict[str, Any]:
        return {"point": self.name, **asdict(self)}


@dataclass
class CrashReport:
    """The points, with the cost said before they ran."""

    target: str
    points: list[Point] = field(default_factory=list)
    clean_seconds: float = 0.0
    seconds: float = 0.0

    def stuck(self) -> list[Point]:
        return [p for p in self.points if p.verdict.startswith("stuck")]

    def needing_resume(self) -> list[Point]:
        return [p for p in self.points if p.verdict == "needs resume"]

    def as_json(self) -> dict[str, Any]:
        return {"target": self.target, "clean_seconds": round(self.clean_seconds, 3),
                "seconds": round(self.seconds, 3), "points": [p.as_json() for p in self.points]}


def _clone(source: URL, tries: int = 50) -> scratch.Scratch:
    """A clone of ``source``, waiting (bounded) for a killed process's backend to leave it."""
    for _ in range(tries):
        try:
            return scratch.clone(source)
        except scratch.SourceBusyError:
            time.sleep(0.1)
    return scratch.clone(source)


def _schema(url: URL) -> snapshot.Schema:
    eng = engine(url)
    try:
        with eng.connect() as conn:
            return snapshot.read(conn)
    finally:
        eng.dispose()


def _killed(scripts: Scripts, url: URL, target: str, point: str) -> str | None:
    """``alembic upgrade TARGET`` in a forked process told to SIGKILL itself at ``point``: None when it was killed
    there, else how it ended (the point was not reached)."""
    reading, writing = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child dies, or says how its run ended
        os.close(reading)
        said = "it ended before this point"
        try:
            os.environ[CRASH_AT] = point
            outcome = run(scripts, url, "upgrade", target, statements=True)
            if outcome.error is not None:
                said = f"it failed before this point: {diagnose(outcome.error).message}"
        except BaseException as exc:
            said = f"it failed before this point: {exc}"
        finally:
            os.write(writing, said.encode()[:4000])
            os._exit(0)
    os.close(writing)
    with os.fdopen(reading, "rb") as pipe:
        said = pipe.read().decode(errors="replace")
    _, status = os.waitpid(child, 0)
    return None if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL else said


def _ledger(url: URL) -> dict[str, list[str]]:
    """The clean run's statements by revision, for the revisions that ran some outside a transaction."""
    eng = engine(url)
    try:
        with eng.connect() as conn:
            t = statements_table(TABLE)
            if not conn.dialect.has_table(conn, t.name):
                return {}
            rows = conn.execute(sa.select(t.c.revision, t.c.position, t.c.sql).order_by(t.c.id)).all()
    finally:
        eng.dispose()
    found: dict[str, dict[int, str]] = {}
    for revision, position, sql in rows:
        found.setdefault(revision, {})[position] = sql
    return {revision: [by[p] for p in sorted(by)] for revision, by in found.items()}


def _ending(outcome_ok: bool, error: BaseException | None, url: URL, wanted: snapshot.Schema) -> str:
    """``""`` when the run ended at the clean run's schema; else what went wrong, in one line."""
    if not outcome_ok:
        return diagnose(error).message if error is not None else "failed"
    found = snapshot.differences(wanted, _schema(url))
    return "" if not found else f"ends with {len(found)} difference(s) from the clean run: {found[0].label}"


def crash_points(
    ini: str | Path | None = None,
    url: str | None = None,
    *,
    target: str = "head",
    say: Callable[[str], None] = lambda line: None,
) -> CrashReport:
    """Kill ``alembic upgrade TARGET`` at every crash point on clones of the database; see the module."""
    if not hasattr(os, "fork"):
        raise BadInputError("rehearse --crash-points forks the process it kills: it runs on Linux and macOS only.")
    scripts = load_scripts(ini)
    resolve(scripts, target)
    source = database_url(url)
    report = CrashReport(target)
    began = time.perf_counter()
    try:
        base = scratch.clone(source)
    except scratch.SourceBusyError:
        raise BadInputError(
            f"Database {source.database!r} cannot be cloned while other sessions are connected to it, and the crash "
            "points run on clones of it: run them on a copy nobody else uses (a staging database, or a restored dump)."
        ) from None
    try:
        clean = _clone(base.url)
        try:
            started = time.perf_counter()
            outcome = run(scripts, clean.url, "upgrade", target, statements=True)
            report.clean_seconds = time.perf_counter() - started
            if not outcome.ok:
                raise BadInputError(
                    f"The clean run of alembic upgrade {target} fails on the copy "
                    f"({diagnose(outcome.error).message if outcome.error else 'failed'}): "
                    "rehearse without --crash-points says where."
                )
            wanted = _schema(clean.url)
            statements = _ledger(clean.url)
        finally:
            clean.drop()
        for revision, sqls in statements.items():
            report.points += [Point(revision, str(k), sql) for k, sql in enumerate(sqls)]
            report.points.append(Point(revision, "version", "the alembic_version update"))
        where = ", ".join(f"{r}: {len(s)} statements" for r, s in statements.items())
        say(f"Crash points: {len(report.points)} ({where or 'no pending revision runs outside one transaction'}); "
            "each costs two clones, a killed run and up to two more runs "
            f"(the clean run took {report.clean_seconds:.3f}s).")
        for point in report.points:
            _try(scripts, base.url, target, point, wanted)
            why = f" (the retry: {point.retry})" if point.verdict == "needs resume" else ""
            say(f"  {point.name} (before {resume.short(point.before, 70)}): {point.verdict}{why}")
    finally:
        base.drop()
    report.seconds = time.perf_counter() - began
    return report


def _try(scripts: Scripts, base: URL, target: str, point: Point, wanted: snapshot.Schema) -> None:
    crashed = _clone(base)
    try:
        if (ended := _killed(scripts, crashed.url, target, point.name)) is not None:
            point.verdict = "not reached" if "failed" not in ended else f"stuck: {ended}"
            point.retry = ended
            return
        retried = _clone(crashed.url)
        try:
            outcome = run(scripts, retried.url, "upgrade", target)
            point.retry = _ending(outcome.ok, outcome.error, retried.url, wanted)
        finally:
            retried.drop()
        if not point.retry:
            point.verdict = "retry converges"
            return
        done = resume.resume(scripts, crashed.url.render_as_string(hide_password=False), capture=True)
        if done.ok:
            outcome = run(scripts, crashed.url, "upgrade", target)
            point.resumed = _ending(outcome.ok, outcome.error, crashed.url, wanted)
        else:
            refused = done.plan.changed or done.plan.unknown
            point.resumed = done.report[-1] if not refused else f"refused at statement {refused[0].position}"
        if point.resumed:
            point.verdict = f"stuck: {resume.short(point.before, 80)} ({point.resumed})"
        else:
            point.verdict = "needs resume"
    finally:
        crashed.drop()


def lines(report: CrashReport) -> list[str]:
    """The report's last lines: the count of each verdict (the points are said as they run)."""
    counts = {v: sum(1 for p in report.points if p.verdict.startswith(v)) for v in VERDICTS}
    said = ", ".join(f"{n} {v}" for v, n in counts.items() if n) or "no point"
    return [f"{len(report.points)} crash point(s): {said} ({report.seconds:.3f}s in all)."]
