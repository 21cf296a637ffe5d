"""A rehearsal as the terminal shows it (a table per revision, a summary line last) and as JSON for CI.

Durations are printed as seconds with three decimals (``0.012s``), never padded, so that only
columns of fixed content line up.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from .run import Blocker, Failure, Rehearsal, RevisionReport
from .trace import MODES, blocks, sql_name

#: The lock modes --max-lock counts: every one that blocks the application's writes.
BLOCKING_WRITES = [sql_name(mode) for mode in MODES if blocks(mode)]

_HEADER = ("table", "strongest lock", "rewrite", "rows")


def _count(count: int, thing: str) -> str:
    return f"{count} {thing}" if count == 1 else f"{count} {thing}s"


def _rows(count: int) -> str:
    return _count(count, "row")


def _seconds(value: float) -> str:
    return f"{value:.3f}s"


#: Why a statement's locks can go unseen, said once under each revision that has one.
UNOBSERVED = (
    "  not observed: the locks of a statement run outside a transaction (they end with it, before the tracer's "
    "second connection or its witness, an event trigger on the copy that needs a superuser and psycopg, saw them): "
    "{sql}"
)


def _table(revision: RevisionReport) -> list[str]:
    unseen = [UNOBSERVED.format(sql=sql) for sql in revision.unobserved]
    if not revision.tables and revision.inherited:
        return [*unseen, f"  (no lock it took that an earlier revision of the transaction did not already hold: "
                         f"{_count(revision.inherited, 'lock')} on tables still held)"]
    if not revision.tables:
        return unseen or ["  (no lock on a table)"]
    return _held(revision) + unseen


def _held(revision: RevisionReport) -> list[str]:
    rows = [
        (
            lock.table,
            sql_name(lock.mode),
            "yes" if lock.rewritten else "no",
            "new" if lock.rows is None else str(lock.rows),
            _seconds(lock.seconds)
            + (" (outside a transaction: while it ran)" if lock.outside_transaction else "")
            + (f" (taken in {lock.taken_in})" if lock.taken_in else ""),
        )
        for lock in revision.tables
    ]
    widths = [max(len(_HEADER[i]), *(len(row[i]) for row in rows)) for i in range(4)]

    def line(cells: tuple[str, ...], last: str) -> str:
        table, mode, rewrite, count = cells
        return (
            f"  {table:<{widths[0]}}  {mode:<{widths[1]}}  {rewrite:<{widths[2]}}  {count:>{widths[3]}}  {last}"
        )

    return [line(_HEADER, "held until commit"), *(line(row[:4], row[4]) for row in rows)]


def _diagnosis(failure: Failure) -> list[str]:
    return failure.diagnosis.lines()


def _blocker(blocker: Blocker) -> str:
    return (
        f"  {blocker.revision or 'env.py'} blocks {blocker.blocks} of {blocker.table} ({_rows(blocker.rows)}) "
        f"with {sql_name(blocker.mode)} for {_seconds(blocker.seconds)}"
        + _ended(blocker)
        + f": {blocker.statement}"
    )


def lines(rehearsal: Rehearsal) -> list[str]:
    """The report, line by line: copy, revisions, blockers, failure, round trip, gates, summary."""
    r = rehearsal
    out = [f"Copy: {r.copy_description} in {_seconds(r.copy_seconds)}{r.copy_detail}."]
    if r.copy_warning:
        out.append(r.copy_warning)
    start = ", ".join(r.start) or "base"
    out.append(f"Upgrade {start} -> {r.target} on the copy:")
    if not r.revisions and r.failure is None:
        out.append(f"Nothing to run: the database is already at {start}.")
    for revision in r.revisions:
        out += ["", f"{revision.revision} {revision.message} ({_count(revision.statements, 'statement')}, "
                    f"{_seconds(revision.seconds)})", *_table(revision), *_row_work(r, revision.revision)]
    if r.failure is not None:
        title = " ".join(part for part in (r.failure.revision or "env.py", r.failure.message) if part)
        out += ["", f"{title} FAILED:", *_diagnosis(r.failure)]
        if r.failure.location:
            out.append(f"At {r.failure.location}")
        if r.failure.left_at is not None:
            out.append(_left_at(r, r.failure.left_at))
    out += _section("Blocks the application:", [_blocker(b) for b in r.blockers])
    out += _invalid(r)
    if r.round_trip is not None:
        trip = r.round_trip
        out.append("")
        if trip.skipped:
            out.append(f"Round trip: skipped: {trip.skipped}.")
        elif trip.ok and trip.lost:
            out.append(
                f"Round trip: downgrade to {trip.downgraded_to} gave back the schema, row counts and revision it "
                f"started from, not the values of the columns the upgrade dropped (re-added empty: "
                f"{'; '.join(trip.lost)}); upgrade to {r.target} again succeeded."
            )
        elif trip.ok:
            out.append(
                f"Round trip: downgrade to {trip.downgraded_to} gave back the schema, rows and revision it started "
                f"from; upgrade to {r.target} again succeeded."
            )
        for undone, found in trip.not_undone.items():
            out.append(f"Round trip: the downgrade of {undone} does not undo its upgrade:")
            out += [f"  {line}" for line in found]
        if trip.differences and not trip.not_undone:
            out.append(f"Round trip: after the downgrade to {trip.downgraded_to} the database is not what it was:")
            out += [f"  {line}" for line in trip.differences]
        if trip.failure is not None:
            failed = trip.failure.revision
            if trip.failure.during == "downgrade":
                what = f"the downgrade of {failed}" if failed else f"the downgrade to {trip.downgraded_to}"
            else:
                what = f"upgrading again, revision {failed}" if failed else "upgrading again"
            out += [f"Round trip: {what} failed:", *_diagnosis(trip.failure)]
            if trip.failure.location:
                out.append(f"At {trip.failure.location}")
    if r.violations:
        out += ["", *(f"Gate failed: {violation}" for violation in r.violations)]
    if r.kept:
        out += ["", f"Kept the copy: {r.kept}"]
    out += ["", summary(r)]
    return out


def _row_work(r: Rehearsal, revision: str) -> list[str]:
    """The rows ``revision``'s statements wrote (their results' counts, summed: a batched backfill is one line), and
    each table a statement read whole under its lock (SET NOT NULL, a constraint's validation)."""
    writes, scans = [], []
    for index, (what, table, count) in sorted(r.row_work.items()):
        statement = r.statements[index]
        if statement.revision != revision:
            continue
        if what == "writes":
            writes.append((count, statement.sql))
        else:
            scans.append(f"  reads {table} whole ({_rows(count)}): {statement.sql}")
    out = []
    if writes:
        largest = max(writes)
        several = f" in {len(writes)} statements, the largest {largest[0]}" if len(writes) > 1 else ""
        out.append(f"  writes {_rows(sum(c for c, _ in writes))}{several}: {largest[1]}")
    return out + scans


def _ended(blocker: Blocker) -> str:
    """Where the lock was let go, when not at the end of its own revision: the commit after a later revision,
    or the rollback of a failed run (nothing committed)."""
    if blocker.ended == "rollback":
        return f" (held until the transaction rolls back{f' after {blocker.held_until}' if blocker.held_until else ''})"
    return f" (held until the transaction commits after {blocker.held_until})" if blocker.held_until else ""


def _section(heading: str, shown: list[str]) -> list[str]:
    """A heading and the lines under it, after a blank line; nothing at all, heading included, when no line is."""
    return ["", heading, *shown] if shown else []


def _invalid(r: Rehearsal) -> list[str]:
    """Indexes PostgreSQL does not use, where seen: the source, the copy before, the copy at the target."""
    where = {"source": f"on {r.source}", "copy": "on the copy before the upgrade",
             "target": f"on the copy at {r.target} (the run fails)"}
    return _section(
        "Invalid indexes (PostgreSQL does not use them; DROP INDEX CONCURRENTLY, then build again):",
        [f"  {where[key]}: {index}" for key, found in r.invalid_indexes.items() for index in found],
    )


def _left_at(r: Rehearsal, left_at: tuple[str, ...]) -> str:
    """Where the same run would leave production: the copy's alembic_version after the failure."""
    where = ", ".join(left_at) or "base"
    if tuple(left_at) == tuple(r.start):
        return f"Production would stay at {where}: nothing of this run is committed before the failure."
    committed = [revision.revision for revision in r.revisions]
    return (
        f"Production would be left at {where}: {_count(len(committed), 'revision')} committed before the failure "
        f"({', '.join(committed) if len(committed) <= 4 else f'{committed[0]} ... {committed[-1]}'}); "
        "a rerun after the fix starts from there."
    )


def summary(rehearsal: Rehearsal) -> str:
    """The last line: OK or FAILED, and why."""
    r = rehearsal
    if r.failure is not None:
        code = r.failure.diagnosis.sqlstate
        why = f"{code}, {r.failure.diagnosis.category.label}" if code else r.failure.diagnosis.category.label
        return (
            f"FAILED: revision {r.failure.revision or '(env.py)'} fails ({why}) as it would on {r.source}, "
            "which was only read."
        )
    statements = sum(revision.statements for revision in r.revisions)
    seconds = sum(revision.seconds for revision in r.revisions)
    exclusive = [b for b in r.blockers if b.mode == "AccessExclusiveLock"]
    longest = max(exclusive, key=lambda b: (b.seconds, b.rows), default=None)  # a tie: the bigger table
    rewrites = sorted({relation for statement in r.statements for relation in statement.rewrote})
    unobserved = [sql for revision in r.revisions for sql in revision.unobserved]
    parts = [
        f"{_count(len(r.revisions), 'revision')}, {_count(statements, 'statement')} in {_seconds(seconds)}",
        f"longest ACCESS EXCLUSIVE lock {_seconds(longest.seconds)} on {longest.table}"
        if longest else "no ACCESS EXCLUSIVE lock on an existing table",
        f"rewrites: {', '.join(rewrites)}" if rewrites else "no rewrites",
    ]
    if unobserved:
        parts.append(f"locks of {_count(len(unobserved), 'statement')} outside a transaction not observed")
    if r.round_trip is not None:
        parts.append("round trip ok" if r.round_trip.ok else "round trip FAILED")
    if r.violations:
        parts.append(f"{len(r.violations)} gate{'s' if len(r.violations) > 1 else ''} failed")
    if r.invalid_indexes.get("target"):
        parts.append(f"{_count(len(r.invalid_indexes['target']), 'INVALID index')} at {r.target}")
    return ("OK: " if r.ok else "FAILED: ") + "; ".join(parts) + "."


def as_json(rehearsal: Rehearsal) -> dict[str, Any]:
    """The rehearsal as plain data: every statement with the locks it took, the revisions, blockers, round trip, gates.

    A lock appears once, on the statement that took it (not again on every later statement of the
    transaction that still holds it): for 600 statements the JSON stays small.
    """
    r = rehearsal

    def failure(f: Failure | None) -> dict[str, Any] | None:
        if f is None:
            return None
        d = f.diagnosis
        return {"revision": f.revision, "during": f.during, "sqlstate": d.sqlstate, "category": d.category.key,
                "message": d.message, "detail": d.detail, "lines": d.lines(), "location": f.location,
                "left_at": None if f.left_at is None else list(f.left_at)}

    return {
        "ok": r.ok,
        "source": r.source,
        "copy": {"method": r.copy_method, "description": r.copy_description, "seconds": r.copy_seconds,
                 "kept": r.kept, "files": r.copy_bytes, "warning": r.copy_warning},
        "start": list(r.start),
        "target": r.target,
        "revisions": [
            {**asdict(revision), "tables": [
                {**asdict(lock), "lock": sql_name(lock.mode)} for lock in revision.tables]}
            for revision in r.revisions
        ],
        "blockers": [{**asdict(b), "lock": sql_name(b.mode)} for b in r.blockers],
        "statements": [
            {"revision": s.revision, "sql": s.sql, "seconds": s.seconds, "outside_transaction": s.outside_transaction,
             "failed": s.failed, "rewrote": s.rewrote, "locks_observed": s.observed,
             "rows_written": s.rows, "scans": r.row_work[i][1] if r.row_work.get(i, ("",))[0] == "scans" else None,
             "rows_scanned": r.row_work[i][2] if r.row_work.get(i, ("",))[0] == "scans" else None,
             "locks": [{"relation": lock.relation, "kind": lock.kind, "lock": sql_name(lock.mode)} for lock in s.locks]}
            for i, s in enumerate(r.statements)
        ],
        "failure": failure(r.failure),
        "round_trip": None if r.round_trip is None else {
            "ok": r.round_trip.ok,
            "downgraded_to": r.round_trip.downgraded_to,
            "not_undone": r.round_trip.not_undone,
            "differences": r.round_trip.differences,
            "failure": failure(r.round_trip.failure),
            "skipped": r.round_trip.skipped,
            "lost": r.round_trip.lost,
        },
        "invalid_indexes": r.invalid_indexes,
        "gates": {"max_lock_seconds": r.max_lock, "max_lock_counts": BLOCKING_WRITES,
                  "max_rewrite_rows": r.max_rewrite_rows, "max_rows": r.max_rows, "violations": r.violations},
        "summary": summary(r),
    }
