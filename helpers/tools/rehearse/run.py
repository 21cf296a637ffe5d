"""Rehearse a project's pending migrations on a copy of its database: every lock, rewrite and duration.

``rehearse`` copies the database (``copying``), runs ``alembic upgrade TARGET`` on the copy with
every statement traced (``trace``), then goes round: ``downgrade`` back to where it started (the
schema after each revision's downgrade must be the one before its upgrade, and the whole
fingerprint the one before the run), and ``upgrade`` again. The copy is dropped afterwards. The
source database is only read.

The result is a ``Rehearsal``: per revision, the strongest lock taken on each table and how long
it was held until commit, rewrites and row counts; the statements that block the application's
reads or writes; the failure, diagnosed, if a revision failed; the round trip; and the gates
(``max_lock``, ``max_rewrite_rows``) it broke. ``report`` prints it.
"""

from __future__ import annotations

import contextlib
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL, Connection

from ...diagnosis import Diagnosis, diagnose
from ...history import current_heads
from ..errors import BadInputError, first_line
from ..shared import scratch, snapshot
from ..shared.database import connected, disposed_engine
from ..shared.running import Hooks, RevisionEvent, run
from ..shared.scripts import Scripts, check_known, load_scripts, resolve
from . import copying
from .copying import COPY_METHODS
from .trace import RELFILENODES, Applied, Statement, Tracer, blocks, install_witness, remove_witness, sql_name, strength


@dataclass(frozen=True)
class Options:
    """How to rehearse, as ``rehearse``'s keyword arguments say: made once, handed on whole."""

    target: str = "head"
    copy: str = "auto"
    dump: Path | None = None
    keep: bool = False
    round_trip: bool = True
    max_lock: float | None = None
    max_rewrite_rows: int | None = None


@dataclass(frozen=True)
class TableLock:
    """The strongest lock a revision took on a table, and how long it was held until commit."""

    table: str
    mode: str
    seconds: float
    rewritten: bool
    rows: int | None  # None: the table is new, created by this run
    outside_transaction: bool = False
    taken_in: str | None = None  # an earlier revision that took this lock, still held (one transaction)


@dataclass(frozen=True)
class RevisionReport:
    """One revision as rehearsed."""

    revision: str
    message: str
    seconds: float
    statements: int
    tables: list[TableLock]
    unobserved: list[str] = field(default_factory=list)  # statements outside a transaction whose locks went unseen
    inherited: int = 0  # locks held since an earlier revision of the same transaction, while this one ran


@dataclass(frozen=True)
class Blocker:
    """A statement whose lock keeps the application from reading or writing a table, and for how long."""

    revision: str | None
    statement: str
    table: str
    mode: str
    blocks: str
    seconds: float
    rows: int
    held_until: str | None = None  # a later revision after which the transaction committed (one transaction)


@dataclass(frozen=True)
class Failure:
    """The revision that failed and PostgreSQL's reason, diagnosed as env.py would."""

    revision: str | None
    diagnosis: Diagnosis
    during: str  # "upgrade", "downgrade" (round trip), "upgrade again" (round trip)
    message: str = ""  # the revision's own first line
    location: str = ""  # where in the revision file it failed: "versions/0004_x.py:21, in upgrade"
    left_at: tuple[str, ...] | None = None  # alembic_version on the copy after the failure: where production stops


@dataclass
class RoundTrip:
    """Downgrade back to the start, then upgrade again: what did not come back, and what failed."""

    downgraded_to: str
    not_undone: dict[str, list[str]] = field(default_factory=dict)  # revision -> objects its downgrade left
    differences: list[str] = field(default_factory=list)  # the whole fingerprint, after the downgrade
    failure: Failure | None = None
    skipped: str | None = None  # why it was not run

    @property
    def ok(self) -> bool:
        return not self.not_undone and not self.differences and self.failure is None


@dataclass
class Rehearsal:
    """What a rehearsal found; ``ok`` when every revision ran, went round, and passed the gates."""

    source: str
    copy_method: str
    copy_description: str
    copy_seconds: float
    start: tuple[str, ...]
    target: str
    revisions: list[RevisionReport]
    statements: list[Statement]
    blockers: list[Blocker]
    failure: Failure | None = None
    round_trip: RoundTrip | None = None
    violations: list[str] = field(default_factory=list)
    max_lock: float | None = None
    max_rewrite_rows: int | None = None
    kept: str | None = None

    @property
    def ok(self) -> bool:
        return self.failure is None and (self.round_trip is None or self.round_trip.ok) and not self.violations


def rehearse(
    ini: str | Path | None = None,
    url: str | None = None,
    *,
    target: str = "head",
    copy: str = "auto",
    dump: str | Path | None = None,
    keep: bool = False,
    round_trip: bool = True,
    max_lock: float | None = None,
    max_rewrite_rows: int | None = None,
) -> Rehearsal:
    """Rehearse ``alembic upgrade TARGET`` of the project at ``ini`` on a copy of the database at ``url``.

    ``copy``: ``auto`` clones on the same server when nobody else is connected, else dumps into a
    throwaway server; ``clone`` or ``dump`` force one. ``dump``: a dump file to rehearse on instead
    of the database. Raises ``BadInputError`` (one sentence) for input it cannot use.
    """
    if copy not in COPY_METHODS:
        raise BadInputError(f"Unknown copy method {copy!r}; use one of {', '.join(COPY_METHODS)}.")
    options = Options(target, copy, Path(dump) if dump is not None else None, keep, round_trip, max_lock,
                      max_rewrite_rows)
    scripts = load_scripts(ini)
    resolve(scripts, target)
    copied, source_name = copying.copy(scripts, url, options.copy, options.dump)
    try:
        return _rehearse_on(scripts, copied, source_name, options)
    finally:
        if not keep:
            copied.drop()


class _SchemaByRevision:
    """The schema before and after each revision of the traced upgrade, to check each downgrade against."""

    def __init__(self, first: snapshot.Schema) -> None:
        self.last = first
        self.before: dict[str, snapshot.Schema] = {}
        self.after: dict[str, snapshot.Schema] = {}

    def upgraded(self, applied: Applied, conn: Connection) -> None:
        if applied.upgrade:
            self.before[applied.revision] = self.last
            self.last = self.after[applied.revision] = snapshot.read(conn)


class _DowngradeCheck:
    """After each revision's downgrade: is the schema the one before its upgrade?"""

    def __init__(self, schemas: _SchemaByRevision, trip: RoundTrip) -> None:
        self.schemas = schemas
        self.trip = trip
        self.current: snapshot.Schema | None = None  # after the previous downgrade
        self.hooks = Hooks(applied=self._applied)

    def _applied(self, event: RevisionEvent) -> None:
        revision = event.revision
        expected, upgraded = self.schemas.before.get(revision), self.schemas.after.get(revision)
        if expected is None or upgraded is None or event.connection is None or event.upgrade:
            return
        now = snapshot.read(event.connection)
        # What later revisions' downgrades left behind is theirs: only what this one adds is its own.
        left = {_key(d) for d in snapshot.differences(upgraded, self.current)} if self.current is not None else set()
        self.current = now
        found = [d for d in snapshot.differences(expected, now) if _key(d) not in left]
        if found:
            self.trip.not_undone[revision] = [_described(d) for d in found]


def _key(difference: snapshot.Difference) -> tuple[str, str, str | None]:
    return (difference.group, difference.label, difference.actual)


def _described(difference: snapshot.Difference) -> str:
    was = difference.expected if difference.expected is not None else "nothing"
    now = difference.actual if difference.actual is not None else "nothing"
    return f"{difference.group}, {difference.label}: before its upgrade {was}; after its downgrade {now}"


def _rehearse_on(scripts: Scripts, copied: scratch.Scratch, source: str, options: Options) -> Rehearsal:
    copy_url, target = copied.url, options.target
    with disposed_engine(copy_url, isolation_level="AUTOCOMMIT") as observer:
        with observer.connect() as conn:
            start_heads = current_heads(conn)
            check_known(scripts, source, start_heads)  # a dump file's, checked once restored
            before = snapshot.fingerprint(conn, start_heads)
            relfilenodes = {int(oid): int(node) for oid, node in conn.exec_driver_sql(RELFILENODES)}
            witnessed = install_witness(conn)
        schemas = _SchemaByRevision(before.schema)
        tracer = Tracer(relfilenodes, observer.raw_connection, schemas.upgraded, snapshot.BOOKKEEPING_TABLES)
        try:
            with tracer.listening():
                outcome = run(scripts, copy_url, "upgrade", target, hooks=tracer.hooks)
        finally:
            if witnessed:
                with observer.connect() as conn:
                    remove_witness(conn)

    rehearsal = Rehearsal(
        source=source,
        copy_method=copied.method,
        copy_description=copied.describe(source),
        copy_seconds=copied.seconds,
        start=start_heads,
        target=target,
        revisions=_revisions(tracer, before.row_counts),
        statements=tracer.statements,
        blockers=_blockers(tracer, before.row_counts),
        max_lock=options.max_lock,
        max_rewrite_rows=options.max_rewrite_rows,
        kept=copying.kept(copied) if options.keep else None,
    )
    if outcome.error is not None:
        failed = outcome.failed.revision if outcome.failed else None
        with connected(copy_url) as conn:
            left_at = current_heads(conn)
        rehearsal.failure = Failure(failed, diagnose(outcome.error), "upgrade", _message(scripts, failed),
                                    _location(scripts, failed, outcome.error), left_at)
    elif options.round_trip and tracer.applied:
        upgraded = [applied.revision for applied in tracer.applied if applied.upgrade]
        rehearsal.round_trip = _round_trip(scripts, copy_url, before, schemas, start_heads, upgraded, target)
    rehearsal.violations = _gates(rehearsal, tracer, before.row_counts)
    return rehearsal


def _message(scripts: Scripts, revision: str | None) -> str:
    if revision is None:
        return ""
    script = scripts.directory.get_revision(revision)
    return first_line(script.doc) if script is not None and script.doc else ""


def _location(scripts: Scripts, revision: str | None, error: BaseException) -> str:
    """The innermost line of the failing revision's file (env.py's when no revision ran yet) in the traceback, as
    "path:line, in function: code"."""
    script = scripts.directory.get_revision(revision) if revision is not None else None
    file = script.path if script is not None else scripts.directory.env_py_location  # before any revision: env.py
    if not file:
        return ""
    path = Path(file).resolve()
    frames = [frame for frame in traceback.extract_tb(error.__traceback__)
              if frame.filename and Path(frame.filename).resolve() == path]
    if not frames:
        return ""
    frame = frames[-1]
    where = Path(file)
    with contextlib.suppress(ValueError):
        where = where.resolve().relative_to(scripts.ini.parent)
    return f"{where}:{frame.lineno}, in {frame.name}" + (f": {frame.line.strip()}" if frame.line else "")


def _round_trip(
    scripts: Scripts,
    url: URL,
    before: snapshot.Fingerprint,
    schemas: _SchemaByRevision,
    start: Sequence[str],
    upgraded: Sequence[str],
    target: str,
) -> RoundTrip:
    """Down to ``start`` again, then up to ``target``: in one ``downgrade`` when every revision run descends from
    the one start revision, else one revision at a time (``REV@-1``), newest first, each branch on its own."""
    trip = RoundTrip(", ".join(start) or "base")
    check = _DowngradeCheck(schemas, trip)
    steps = [start[0] if start else "base"] if _above(scripts, start, upgraded) else [
        f"{revision}@-1" for revision in reversed(upgraded)
    ]
    for step in steps:
        down = run(scripts, url, "downgrade", step, hooks=check.hooks)
        if down.error is not None:
            failed = down.failed.revision if down.failed else None
            trip.failure = Failure(failed, diagnose(down.error), "downgrade",
                                   location=_location(scripts, failed, down.error))
            return trip
    with connected(url) as conn:
        after = snapshot.fingerprint(conn, current_heads(conn))
    trip.differences = snapshot.fingerprint_differences(before, after)
    if before.revisions != after.revisions:
        was, now = ", ".join(before.revisions) or "empty", ", ".join(after.revisions) or "empty"
        trip.differences.append(f"alembic_version: was {was}; is now {now}")
    up = run(scripts, url, "upgrade", target)
    if up.error is not None:
        failed = up.failed.revision if up.failed else None
        trip.failure = Failure(failed, diagnose(up.error), "upgrade again",
                               location=_location(scripts, failed, up.error))
    return trip


def _above(scripts: Scripts, start: Sequence[str], upgraded: Sequence[str]) -> bool:
    """Does every revision of ``upgraded`` descend from the one revision of ``start`` (or from base)?"""
    if len(start) > 1:
        return False
    if not start:
        return True
    return all(
        start[0] in {script.revision for script in scripts.directory.iterate_revisions(revision, "base")}
        for revision in upgraded
    )


_TABLE_KINDS = {"table", "materialized view"}


def _revisions(tracer: Tracer, rows: dict[str, int]) -> list[RevisionReport]:
    """Per revision, every table it locked, with the strongest lock held on it while the revision ran."""
    reports = []
    now = tracer.now()
    for applied in tracer.applied:
        touched = {
            hold.relation
            for hold in tracer.holds
            if applied.first <= hold.statement < applied.last and hold.kind in _TABLE_KINDS
        }
        strongest: dict[str, Any] = {}
        for hold in tracer.holds:
            held_then = hold.since <= applied.finished and (hold.until is None or hold.until >= applied.started)
            if hold.relation not in touched or not held_then or hold.statement >= applied.last:
                continue
            best = strongest.get(hold.relation)
            if best is None or (strength(hold.mode), hold.seconds(now)) > (strength(best.mode), best.seconds(now)):
                strongest[hold.relation] = hold
        statements = tracer.statements[applied.first : applied.last]
        rewritten = {relation for statement in statements for relation in statement.rewrote}
        tables = []
        for relation, hold in sorted(strongest.items()):
            taker = tracer.statements[hold.statement]
            tables.append(
                TableLock(
                    relation,
                    hold.mode,
                    hold.seconds(now),
                    relation in rewritten,
                    None if hold.new else rows.get(relation),
                    taker.outside_transaction,
                    taker.revision if hold.statement < applied.first else None,
                )
            )
        unobserved = [statement.sql for statement in statements if not statement.observed]
        inherited = sum(
            1 for hold in tracer.holds
            if hold.statement < applied.first and hold.kind in _TABLE_KINDS and not hold.new
            and (hold.until is None or hold.until >= applied.finished)
        )
        reports.append(RevisionReport(applied.revision, applied.message, applied.seconds, len(statements), tables,
                                      unobserved, inherited))
    return reports


def _blockers(tracer: Tracer, rows: dict[str, int]) -> list[Blocker]:
    strongest: dict[tuple[int, str], Any] = {}  # one line per statement and table: its strongest lock
    for hold in tracer.holds:
        if blocks(hold.mode) is None or hold.new or hold.kind not in _TABLE_KINDS:
            continue
        key = (hold.statement, hold.relation)
        if key not in strongest or strength(hold.mode) > strength(strongest[key].mode):
            strongest[key] = hold
    found = []
    for (index, relation), hold in sorted(strongest.items()):
        statement = tracer.statements[index]
        found.append(
            Blocker(statement.revision, statement.sql, relation, hold.mode, str(blocks(hold.mode)),
                    hold.seconds(tracer.now()), rows.get(relation, 0), _committed_after(tracer, statement, hold))
        )
    return found


def _committed_after(tracer: Tracer, statement: Statement, hold: Any) -> str | None:
    """The last revision that had finished when ``hold`` was let go, when it is not the statement's own."""
    until = hold.until if hold.until is not None else tracer.now()
    own = [applied for applied in tracer.applied if applied.revision == statement.revision]
    if statement.outside_transaction or not own or until <= own[0].finished:  # let go within its own revision
        return None
    finished = [applied.revision for applied in tracer.applied if applied.finished <= until]
    return finished[-1] if finished and finished[-1] != statement.revision else None


def _gates(rehearsal: Rehearsal, tracer: Tracer, rows: dict[str, int]) -> list[str]:
    """The gates (``--max-lock``, ``--max-rewrite-rows``, as the rehearsal holds them) the run broke."""
    max_lock, max_rewrite_rows = rehearsal.max_lock, rehearsal.max_rewrite_rows
    found = []
    if max_lock is not None:
        for blocker in rehearsal.blockers:  # every lock that blocks writes: SHARE and stronger
            if blocker.seconds > max_lock:
                until = f", until the commit after {blocker.held_until}" if blocker.held_until else ""
                found.append(
                    f"--max-lock {_ms(max_lock)}: revision {blocker.revision} holds {sql_name(blocker.mode)} "
                    f"(blocks {blocker.blocks}) on {blocker.table} ({blocker.rows} rows) for {blocker.seconds:.3f}s"
                    f"{until}: {blocker.statement}"
                )
        for statement in tracer.statements:
            if not statement.observed and statement.seconds > max_lock:
                found.append(
                    f"--max-lock {_ms(max_lock)}: revision {statement.revision} runs a statement outside a transaction "
                    f"for {statement.seconds:.3f}s whose locks were not observed: {statement.sql}"
                )
    if max_rewrite_rows is not None:
        for statement in tracer.statements:
            for relation in statement.rewrote:
                count = rows.get(relation)
                if count is not None and count > max_rewrite_rows:
                    found.append(
                        f"--max-rewrite-rows {max_rewrite_rows}: revision {statement.revision} rewrites {relation} "
                        f"({count} rows)"
                    )
    return found


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:g}ms"
