"""``python -m helpers resume``: finish, or undo, a revision that committed part-way.

The statement ledger (``helpers.statements``) says which statements of the half-applied revision
ran, failed or were cut off; the catalog says whether what they built is still there (an INVALID
index counts as not built, an object that is gone as not run). ``resume`` runs the revision again
through the project's own env.py with the applied statements skipped, after dropping what a failed
build left INVALID, so Alembic records it in ``alembic_version`` and ``alembic upgrade head`` goes
on. It refuses (exit 1) where an applied statement's SQL changed since it ran: skipping it would
skip something else. ``--abandon`` drops what the statements created, newest first, and stops
before touching anything when one of them cannot be undone without losing data.

Decided here: ``--plan`` is never implied, on a terminal or not: ``resume`` prints the same plan,
then acts, so a deploy job's log shows what it decided; ``--plan`` alone writes nothing.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

import sqlalchemy as sa
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import URL, Connection

from ..advisory import migration_lock
from ..diagnosis import diagnose
from ..history import NOTE, current_heads, history_table
from ..statements import RESUME, TABLE, is_read, normalized, sql_hash, statements_table
from .errors import BadInputError, first_line
from .shared import database, running
from .shared.scripts import Scripts

_NAME = r'(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)'
_QUALIFIED = rf"{_NAME}(?:\.{_NAME})?"
_INDEX = re.compile(
    rf"CREATE (?:UNIQUE )?INDEX (?:CONCURRENTLY )?(?:IF NOT EXISTS )?(?P<name>{_NAME}) "
    rf"ON (?:ONLY )?(?P<table>{_QUALIFIED})",
    re.I,
)
_TABLE = re.compile(rf"CREATE (?:UNLOGGED )?TABLE (?:IF NOT EXISTS )?(?P<name>{_QUALIFIED})", re.I)
_COLUMN = re.compile(
    rf"ALTER TABLE (?:IF EXISTS )?(?:ONLY )?(?P<table>{_QUALIFIED}) ADD (?:COLUMN )?(?:IF NOT EXISTS )?"
    rf"(?!(?:CONSTRAINT|PRIMARY|UNIQUE|CHECK|FOREIGN|EXCLUDE)\b)(?P<name>{_NAME})",
    re.I,
)
_TYPE = re.compile(rf"CREATE TYPE (?P<name>{_QUALIFIED})", re.I)
_ENUM_VALUE = re.compile(
    rf"ALTER TYPE (?P<table>{_QUALIFIED}) ADD VALUE (?:IF NOT EXISTS )?'(?P<name>(?:[^']|'')*)'", re.I
)
LOCK = "alembic_version"  # the example env.py's MIGRATION_LOCK: resume and env.py never run at once
LOCK_WAIT = 10.0  # seconds to wait for another run's lock


@dataclass(frozen=True)
class Made:
    """What a statement creates, read from its SQL: ``kind`` index, table, column, type or enum value."""

    kind: str
    name: str
    table: str | None = None

    def qualified(self) -> str:
        """An index lives in its table's schema."""
        if self.kind == "index" and self.table and "." in self.table and not self.table.startswith('"'):
            return f"{self.table.rsplit('.', 1)[0]}.{self.name}"
        return self.name

    def __str__(self) -> str:
        if self.kind == "column":
            return f"column {self.table}.{self.name}"
        if self.kind == "enum value":
            return f"value '{self.name}' of type {self.table}"
        return f"{self.kind} {self.name}"


def made_by(sql: str) -> Made | None:
    """The object ``sql`` creates, for the forms resume can check and undo; None for any other statement."""
    text = normalized(sql)
    if m := _INDEX.match(text):
        return Made("index", m["name"], m["table"])
    if m := _TABLE.match(text):
        return Made("table", m["name"])
    if m := _COLUMN.match(text):
        return Made("column", m["name"], m["table"])
    if m := _TYPE.match(text):
        return Made("type", m["name"])
    if m := _ENUM_VALUE.match(text):
        return Made("enum value", m["name"].replace("''", "'"), m["table"])
    return None


@dataclass
class Statement:
    """One position of the half-applied revision: what the ledger says, what the catalog says, what resume does."""

    position: int
    sql: str
    sql_hash: str
    autocommit: bool
    outcome: str  # applied, failed, interrupted, pending (rolled back with its transaction)
    sqlstate: str | None = None
    message: str | None = None
    live: str = "not checked"  # built, INVALID, exists, gone, not checked
    action: str = "skip"  # skip, run, rebuild, changed, unknown
    now: str | None = None  # the revision file's SQL at this position, when it differs

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Plan:
    """The half-applied revision (None: nothing to resume) and its statements, position by position."""

    revision: str | None
    down_revision: str | None
    heads: tuple[str, ...]
    statements: list[Statement] = field(default_factory=list)
    left: list[str] = field(default_factory=list)  # the file's statements after the last recorded one
    listed: bool = True  # could the revision file's statements be listed offline?

    @property
    def changed(self) -> list[Statement]:
        return [s for s in self.statements if s.action == "changed"]

    @property
    def unknown(self) -> list[Statement]:
        return [s for s in self.statements if s.action == "unknown"]

    def as_json(self) -> dict[str, Any]:
        return {
            "revision": self.revision, "down_revision": self.down_revision, "heads": list(self.heads),
            "statements": [s.as_json() for s in self.statements], "left": self.left, "listed": self.listed,
        }


def _alive() -> sa.TextClause:
    return sa.text(
        "SELECT 1 FROM pg_catalog.pg_stat_activity WHERE pid = :pid AND backend_start = :backend_start"
    )


def live_state(conn: Connection, made: Made | None) -> str:
    """``built``/``INVALID``/``gone`` for an index, ``exists``/``gone`` for the rest, ``not checked`` otherwise."""
    if made is None:
        return "not checked"
    if made.kind == "index":
        valid = conn.execute(
            sa.text("SELECT i.indisvalid FROM pg_catalog.pg_index i WHERE i.indexrelid = to_regclass(:name)"),
            {"name": made.qualified()},
        ).first()
        return "gone" if valid is None else ("built" if valid[0] else "INVALID")
    if made.kind == "table":
        found = conn.execute(sa.text("SELECT to_regclass(:name)"), {"name": made.name}).scalar()
    elif made.kind == "column":
        found = conn.execute(
            sa.text(
                "SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = to_regclass(:table) AND attnum > 0 "
                "AND NOT attisdropped AND attname = (SELECT (parse_ident(:column))[1])"
            ),
            {"table": made.table, "column": made.name},
        ).scalar()
    elif made.kind == "type":
        found = conn.execute(sa.text("SELECT to_regtype(:name)"), {"name": made.name}).scalar()
    else:
        found = conn.execute(
            sa.text("SELECT 1 FROM pg_catalog.pg_enum WHERE enumtypid = to_regtype(:type) AND enumlabel = :label"),
            {"type": made.table, "label": made.name},
        ).scalar()
    return "exists" if found is not None else "gone"


def _decide(statement: Statement) -> str:
    live, outcome = statement.live, statement.outcome
    if live == "INVALID":
        return "rebuild"
    if outcome == "applied":
        return "run" if live == "gone" else "skip"
    if outcome == "interrupted":  # cut off mid-statement: the catalog tells whether it committed
        if live in ("built", "exists"):
            return "skip"
        return "run" if live == "gone" else "unknown"
    return "run"  # failed, or pending (rolled back with the revision's transaction)


def listed_statements(scripts: Scripts, revision: str) -> list[str] | None:
    """The statements the revision file's ``upgrade()`` runs, rendered offline; None when it cannot be."""
    script = scripts.directory.get_revision(revision)
    if script is None:
        return None
    texts: list[str] = []
    buffer = io.StringIO()
    context = MigrationContext.configure(
        dialect_name="postgresql", opts={"as_sql": True, "output_buffer": buffer, "literal_binds": True}
    )
    context.impl.static_output = texts.append  # type: ignore[method-assign,assignment]
    try:
        with Operations.context(context):
            script.module.upgrade()
    except Exception:  # it reads the database, or needs what env.py sets up
        return None
    return [normalized(t) for t in texts if t.strip() and not is_read(t) and not t.lstrip().startswith("--")]


def _follows(down_revision: str, heads: tuple[str, ...]) -> bool:
    """Does a revision whose revisions before it are ``down_revision`` (``a, b`` or ``base``) come next?"""
    if down_revision == "base":
        return not heads
    return set(down_revision.split(", ")) <= set(heads)


def plan(conn: Connection, scripts: Scripts | None = None) -> Plan:
    """What the ledger and the catalog say about the half-applied revision, if there is one. Only reads."""
    heads = current_heads(conn)
    t = statements_table(TABLE)
    if not conn.dialect.has_table(conn, t.name):
        return Plan(None, None, heads)
    rows = conn.execute(sa.select(t).where(t.c.closed.is_(False)).order_by(t.c.id)).mappings().all()
    # The revision whose revisions before it are all in alembic_version (a merge revision has several).
    candidates = [r for r in rows if r["revision"] not in heads and _follows(r["down_revision"], heads)]
    if not candidates:
        return Plan(None, None, heads)
    revision = candidates[-1]["revision"]
    chosen: dict[int, Any] = {}
    for row in (r for r in candidates if r["revision"] == revision):
        kept = chosen.get(row["position"])
        if kept is None or kept["outcome"] != "applied":  # once applied, a later failed retry does not undo it
            chosen[row["position"]] = row
    result = Plan(revision, candidates[-1]["down_revision"], heads)
    for position in sorted(chosen):
        row = chosen[position]
        outcome = row["outcome"]
        if outcome == "running":
            alive = conn.execute(_alive(), {"pid": row["pid"], "backend_start": row["backend_start"]}).first()
            outcome = "running" if alive else "interrupted"
        statement = Statement(
            position, row["sql"], row["sql_hash"], row["autocommit"], outcome, row["sqlstate"], row["message"]
        )
        statement.live = live_state(conn, made_by(statement.sql))
        statement.action = "unknown" if outcome == "running" else _decide(statement)
        result.statements.append(statement)
    if conn.in_transaction():
        conn.rollback()
    if scripts is not None:
        listed = listed_statements(scripts, revision)
        result.listed = listed is not None
        for statement in result.statements:
            if listed is None:
                break
            now = listed[statement.position - 1] if statement.position <= len(listed) else None
            if statement.action == "skip" and (now is None or sql_hash(now) != statement.sql_hash):
                statement.action, statement.now = "changed", now or "(no such statement any more)"
        if listed is not None:
            result.left = listed[len(result.statements):]
    return result


_SHOWN = {
    ("applied", "skip"): "ran",
    ("interrupted", "skip"): "ran (its session was cut off after it committed)",
    ("interrupted", "run"): "cut off before it committed",
    ("pending", "run"): "rolled back (it was to commit with the alembic_version update)",
}


def _ranges(positions: list[int]) -> str:
    if not positions:
        return ""
    if len(positions) == 2:
        return f"statements {positions[0]} and {positions[1]}"
    if positions == list(range(positions[0], positions[-1] + 1)) and len(positions) > 2:
        return f"statements {positions[0]} to {positions[-1]}"
    return ("statement " if len(positions) == 1 else "statements ") + ", ".join(str(p) for p in positions)


def lines(found: Plan) -> list[str]:
    """The plan as the terminal shows it."""
    if found.revision is None:
        heads = ", ".join(found.heads) or "base"
        return [f"Nothing to resume: no revision after {heads} is half-applied (the ledger has no open statement)."]
    out = [f"Revision {found.revision} is half-applied: alembic_version says {found.down_revision}, "
           "and the statement ledger says:"]
    for s in found.statements:
        shown = _SHOWN.get((s.outcome, s.action), s.outcome)
        error = f" ({s.sqlstate} {s.message})" if s.message else ""
        state = f"; now {s.live}" if s.live != "not checked" else ""
        out.append(f"  {s.position}. {shown}{error}{state}: {short(s.sql)}")
        if s.action == "run" and s.outcome == "applied":
            out.append("     what it created is gone: it runs again")
        elif s.action == "changed":
            out.append(f"     CHANGED since it ran; the file now says: {short(s.now or '')}")
        elif s.action == "unknown":
            out.append("     cannot tell whether it committed (its session was cut off and nothing shows its effect)")
    first = len(found.statements) + 1
    out.extend(f"  {first + i}. not run: {short(sql)}" for i, sql in enumerate(found.left))
    if found.changed:
        s = found.changed[0]
        out.append(f"Refused: statement {s.position} changed since it ran; put it back as it ran, or "
                   "python -m helpers resume --abandon.")
        return out
    if found.unknown:
        s = found.unknown[0]
        out.append(f"Refused: statement {s.position} may or may not have committed; check it by hand.")
        return out
    todo = []
    for s in found.statements:
        if s.action == "rebuild" and (made := made_by(s.sql)) is not None:
            todo.append(f"drop the INVALID {made}")
    runs = [s.position for s in found.statements if s.action in ("run", "rebuild")]
    runs += list(range(first, first + len(found.left)))
    if runs:
        todo.append(f"run {_ranges(runs)}")
    if not found.listed:
        todo.append(f"run what upgrade() does after statement {len(found.statements)} (it cannot be listed offline)")
    todo.append(f"record {found.revision} in alembic_version")
    out.append(f"To do: {', '.join(todo)}.")
    out.append(f"python -m helpers resume does it; python -m helpers resume --abandon takes the database back to "
               f"{found.down_revision}.")
    return out


def short(sql: str, width: int = 110) -> str:
    text = normalized(sql)
    return text if len(text) <= width else text[: width - 3] + "..."


@contextmanager
def _locked(url: URL) -> Iterator[Connection]:
    eng = database.engine(url)
    try:
        try:
            conn = eng.connect().execution_options(isolation_level="AUTOCOMMIT")
        except sa.exc.DBAPIError as exc:
            raise BadInputError(f"Cannot reach {database.location(url)}: {first_line(exc.orig or exc)}") from exc
        with conn, migration_lock(conn, LOCK, wait=LOCK_WAIT):
            yield conn
    finally:
        eng.dispose()


@dataclass
class Done:
    """What a resume or an abandon did: ``ok``, the plan it acted on, and its lines."""

    ok: bool
    plan: Plan
    report: list[str]


def resume(
    scripts: Scripts,
    url: str | None,
    *,
    only_plan: bool = False,
    say: Callable[[str], None] = lambda line: None,
    capture: bool = False,
) -> Done:
    """Plan, then (unless ``only_plan``) finish the half-applied revision through the project's env.py.

    ``say`` hears each line of the report as it comes (the plan before the run, the end after it); ``capture``
    keeps what env.py prints instead of showing it.
    """
    source = database.database_url(url)
    report: list[str] = []

    def tell(line: str) -> None:
        report.append(line)
        say(line)

    with _locked(source) as conn:
        found = plan(conn, scripts)
        for line in lines(found):
            tell(line)
        if only_plan or found.revision is None:
            return Done(not (found.changed or found.unknown), found, report)
        if found.changed or found.unknown:
            return Done(False, found, report)
        for s in found.statements:
            if s.action == "rebuild" and (made := made_by(s.sql)) is not None:
                conn.execute(sa.text(f"DROP INDEX CONCURRENTLY IF EXISTS {made.qualified()}"))
                tell(f"Dropped the INVALID index {made.qualified()} (statement {s.position}).")
    applied = {s.position: s.sql_hash for s in found.statements if s.action == "skip"}
    skipped = ", ".join(str(p) for p in applied) or "none"
    attributes = {
        RESUME: {"revision": found.revision, "applied": applied},
        NOTE: f"resume of {found.revision}: statements skipped as applied: {skipped}",
    }
    outcome = running.run(
        scripts, source, "upgrade", str(found.revision), capture=capture, attributes=attributes, statements=True
    )
    if outcome.ok:
        tell(f"Resumed {found.revision}: alembic_version is {found.revision}; alembic upgrade head goes on.")
    else:
        why = diagnose(outcome.error).message if outcome.error is not None else "it failed"
        tell(f"Resume of {found.revision} failed ({why}); alembic_version is still {found.down_revision}, "
             "and the ledger has the statements that ran.")
    return Done(outcome.ok, found, report)


def abandon(scripts: Scripts, url: str | None) -> Done:
    """Undo what the half-applied revision created, newest first; refuse, changing nothing, where data would go."""
    source = database.database_url(url)
    with _locked(source) as conn:
        found = plan(conn, scripts)
        if found.revision is None:
            return Done(True, found, ["Nothing to abandon: " + lines(found)[0].removeprefix("Nothing to resume: ")])
        undo: list[tuple[Statement, str, str]] = []  # statement, SQL, what it does
        cannot: list[str] = []
        for s in reversed(found.statements):
            if s.outcome == "pending" or s.live == "gone" or (s.outcome == "failed" and s.live != "INVALID"):
                continue  # never committed, or nothing of it left
            made = made_by(s.sql)
            if made is None:
                cannot.append(f"statement {s.position} ({short(s.sql, 80)}) changed rows or dropped something: "
                              "undo it by hand")
            elif made.kind == "index":
                undo.append((s, f"DROP INDEX CONCURRENTLY IF EXISTS {made.qualified()}", f"dropped {made}"))
            elif made.kind == "table":
                rows = conn.execute(sa.text(f"SELECT count(*) FROM {made.name}")).scalar()
                if rows:
                    cannot.append(f"statement {s.position} created {made}, which has {rows} row(s) now")
                else:
                    undo.append((s, f"DROP TABLE {made.name}", f"dropped {made} (empty)"))
            elif made.kind == "column":
                filled = conn.execute(
                    sa.text(f"SELECT count({made.name}) FROM {made.table}")
                ).scalar()
                if filled:
                    cannot.append(f"statement {s.position} added {made}, which holds {filled} value(s) now")
                else:
                    undo.append((s, f"ALTER TABLE {made.table} DROP COLUMN {made.name}", f"dropped {made} (no values)"))
            elif made.kind == "type":
                undo.append((s, f"DROP TYPE {made.name}", f"dropped {made}"))
            else:
                cannot.append(f"statement {s.position} added {made}: PostgreSQL cannot drop an enum value")
        if cannot:
            return Done(False, found, [
                f"Not abandoned: {'; '.join(cannot)}. Nothing was changed.",
            ])
        report = []
        for s, sql, what in undo:
            conn.execute(sa.text(sql))
            report.append(f"Statement {s.position}: {what}.")
        t = statements_table(TABLE)
        conn.execute(t.update().where(t.c.revision == found.revision).where(t.c.closed.is_(False)).values(closed=True))
        h = history_table()
        conn.execute(h.insert().values(
            command="abandon", target=found.down_revision, from_revision=found.down_revision,
            to_revision=found.down_revision, outcome="succeeded", ended_at=sa.func.clock_timestamp(),
            username=sa.func.current_user(),
            client_host=sa.func.coalesce(sa.func.host(sa.func.inet_client_addr()), "local"),
            application_name=sa.func.current_setting("application_name"), pid=sa.func.pg_backend_pid(),
            note=f"abandoned {found.revision}: " + ("; ".join(w for _, _, w in undo) or "nothing to undo"),
        ))
        report.append(f"Abandoned {found.revision}: the database is back at {found.down_revision}.")
        return Done(True, found, report)

