"""Every statement a migration runs, with its duration, the locks its backend holds after it, and rewrites.

A ``Tracer`` listens to SQLAlchemy's ``Engine`` events (class-wide, so it also sees an engine that
env.py builds itself) for the one connection the migration runs on, which it learns from
Alembic's ``configure`` (``helpers.tools.shared.running.Hooks``). Right after each statement it reads ``pg_locks`` for
that backend on the same connection, so it sees relations the migration's own transaction created;
a lock stays held until the transaction commits or rolls back. A statement run outside a
transaction (``autocommit_block``: ``CREATE INDEX CONCURRENTLY``) keeps its locks only while it
runs, so a second connection polls ``pg_locks`` while it does. A relation whose ``relfilenode``
changed was rewritten. Time the tracer spends on its own queries is left out of every duration.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from ..shared.running import Hooks, RevisionEvent
from ..shared.snapshot import OWN_SCHEMA

#: PostgreSQL's table lock modes, weakest first, as pg_locks names them.
MODES = (
    "AccessShareLock",
    "RowShareLock",
    "RowExclusiveLock",
    "ShareUpdateExclusiveLock",
    "ShareLock",
    "ShareRowExclusiveLock",
    "ExclusiveLock",
    "AccessExclusiveLock",
)
_SQL_NAMES = {
    "AccessShareLock": "ACCESS SHARE",
    "RowShareLock": "ROW SHARE",
    "RowExclusiveLock": "ROW EXCLUSIVE",
    "ShareUpdateExclusiveLock": "SHARE UPDATE EXCLUSIVE",
    "ShareLock": "SHARE",
    "ShareRowExclusiveLock": "SHARE ROW EXCLUSIVE",
    "ExclusiveLock": "EXCLUSIVE",
    "AccessExclusiveLock": "ACCESS EXCLUSIVE",
}
_KINDS = {"r": "table", "p": "table", "m": "materialized view", "i": "index", "I": "index", "S": "sequence",
          "v": "view", "t": "TOAST table", "f": "foreign table"}
#: How often the second connection reads pg_locks while a statement runs outside a transaction.
POLL_INTERVAL = 0.002
SHORT_SQL = 160


# -- the catalog's queries, read right after each statement -----------------------------------------
#: Raw SQL for the tracer, which runs it on the migration's own DBAPI connection (no SQLAlchemy
#: events, no parameters: the pid is the backend's own). Relation locks granted to this backend on
#: the database's own relations: (oid, schema, name, relkind, relfilenode, mode).
HELD_LOCKS = f"""
    SELECT c.oid::bigint, n.nspname::text, c.relname::text, c.relkind::text, c.relfilenode::bigint, l.mode
    FROM pg_catalog.pg_locks l
    JOIN pg_catalog.pg_class c ON c.oid = l.relation
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE l.pid = pg_catalog.pg_backend_pid() AND l.locktype = 'relation' AND l.granted
      AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())
      AND {OWN_SCHEMA}"""


#: The same for another backend, read by a second connection while a statement runs outside a
#: transaction (CREATE INDEX CONCURRENTLY): its locks last only as long as the statement. ``{pid}``
#: is an integer the tracer formats in.
LOCKS_OF_BACKEND = HELD_LOCKS.replace("pg_catalog.pg_backend_pid()", "{pid}")


#: Every relation of the database's own schemas before the run: (oid, relfilenode), to tell a
#: rewrite (a new relfilenode) from a relation the run created.
RELFILENODES = f"""
    SELECT c.oid::bigint, c.relfilenode::bigint
    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'm', 'i', 'S', 't') AND {OWN_SCHEMA}"""


#: (oid, schema, name, relkind, relfilenode) of the relations whose oids are formatted into ``{oids}``.
RELATIONS_BY_OID = """
    SELECT c.oid::bigint, n.nspname::text, c.relname::text, c.relkind::text, c.relfilenode::bigint
    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE c.oid = ANY ('{{{oids}}}'::oid[])"""


#: The schema of the witness, an event trigger on the copy that reports, at the end of each DDL
#: statement, the relation locks its backend holds then (``RAISE NOTICE``): a statement outside a
#: transaction lets them go as it ends, often before a second connection could see them.
WITNESS_SCHEMA = "helpers_trace"
WITNESS_NOTICE = "helpers_trace locks "
INSTALL_WITNESS = f"""
    CREATE SCHEMA {WITNESS_SCHEMA};
    CREATE FUNCTION {WITNESS_SCHEMA}.locks() RETURNS event_trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_catalog.set_config('client_min_messages', 'notice', true);
        RAISE NOTICE '{WITNESS_NOTICE}%', (
            SELECT COALESCE(pg_catalog.json_agg(pg_catalog.json_build_array(l.relation::bigint, l.mode)), '[]')
            FROM pg_catalog.pg_locks l
            JOIN pg_catalog.pg_class c ON c.oid = l.relation
            JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE l.pid = pg_catalog.pg_backend_pid() AND l.locktype = 'relation' AND l.granted
              AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())
              AND {OWN_SCHEMA});
    END $$;
    CREATE EVENT TRIGGER {WITNESS_SCHEMA}_locks ON ddl_command_end EXECUTE FUNCTION {WITNESS_SCHEMA}.locks()"""
REMOVE_WITNESS = f"DROP EVENT TRIGGER IF EXISTS {WITNESS_SCHEMA}_locks; DROP SCHEMA IF EXISTS {WITNESS_SCHEMA} CASCADE"


def install_witness(conn: Connection) -> bool:
    """Install the witness on the copy (an AUTOCOMMIT connection); False where the role may not (not superuser)."""
    try:
        _raw(conn, INSTALL_WITNESS)  # one implicit transaction: all or nothing
    except Exception:
        return False
    return True


def remove_witness(conn: Connection) -> None:
    _raw(conn, REMOVE_WITNESS)


def _raw(conn: Connection, sql: str) -> None:
    """``sql`` as it is (no placeholders: the function's % stays), on the DBAPI connection."""
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql)
    finally:
        cursor.close()


#: Statements whose table locks never block the application (ACCESS SHARE, ROW SHARE, ROW EXCLUSIVE):
#: outside a transaction, not seeing them is no loss. Anything else unseen reads "not observed".
_DML = re.compile(r"\s*(SELECT|INSERT|UPDATE|DELETE|WITH|VALUES|COPY|SET|SHOW)\b", re.IGNORECASE)


def sql_name(mode: str) -> str:
    """``AccessExclusiveLock`` -> ``ACCESS EXCLUSIVE``, as LOCK TABLE spells it."""
    return _SQL_NAMES.get(mode, mode)


def strength(mode: str) -> int:
    return MODES.index(mode) if mode in MODES else -1


def blocks(mode: str) -> str | None:
    """What the application cannot do while ``mode`` is held: "reads and writes", "writes", or None."""
    if mode == "AccessExclusiveLock":
        return "reads and writes"
    if strength(mode) >= strength("ShareLock"):
        return "writes"
    return None


def shorten(sql: str, limit: int = SHORT_SQL) -> str:
    """One line, at most ``limit`` characters."""
    text = " ".join(sql.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


@dataclass(frozen=True)
class Lock:
    """A lock on a relation: ``relation`` is ``schema.name``."""

    relation: str
    kind: str
    mode: str


@dataclass
class Statement:
    """One statement of the migration, as run."""

    sql: str
    started: float
    seconds: float = 0.0
    outside_transaction: bool = False
    revision: str | None = None
    locks: list[Lock] = field(default_factory=list)  # the locks it took (not those still held from before it)
    rewrote: list[str] = field(default_factory=list)
    failed: bool = False
    observed: bool = True  # False: run outside a transaction, its locks gone before the tracer could see them


@dataclass
class Hold:
    """One relation's lock from the statement that took it to the commit (or rollback) that let it go."""

    relation: str
    kind: str
    mode: str
    statement: int  # index in Tracer.statements
    since: float
    until: float | None = None
    new: bool = False  # the relation was created in this run: nobody else could wait for it

    def seconds(self, now: float) -> float:
        return (self.until if self.until is not None else now) - self.since


@dataclass
class Applied:
    """A revision (step) Alembic finished: its id, message, and the statements that were its own."""

    revision: str
    message: str
    upgrade: bool
    down_revisions: tuple[str, ...]
    first: int
    last: int  # statements[first:last]
    started: float
    finished: float

    @property
    def seconds(self) -> float:
        return self.finished - self.started


class Tracer:
    """Traces the migration connection of one Alembic run; ``hooks`` go to ``project.run``.

    ``relfilenodes`` are the copy's relations before the run (``RELFILENODES``), by oid;
    ``observer`` opens a second connection to the copy, for statements outside a transaction.
    ``on_revision`` is called after each revision, with the migration's connection, while the
    tracer's clock is stopped (reading the schema there costs the report nothing).
    """

    def __init__(
        self,
        relfilenodes: dict[int, int],
        observer: Callable[[], Any],
        on_revision: Callable[[Applied, Connection], None] | None = None,
        skip_tables: Sequence[str] = (),
    ) -> None:
        self.relfilenodes = dict(relfilenodes)
        self.created: set[int] = set()
        self.observer = observer
        self.on_revision = on_revision
        self.skip_tables = set(skip_tables)
        self.statements: list[Statement] = []
        self.holds: list[Hold] = []
        self.applied: list[Applied] = []
        self.connection: Connection | None = None
        self.dbapi: Any = None
        self.pid: int | None = None
        self._overhead = 0.0
        self._start = time.perf_counter()
        self._current: Statement | None = None
        self._open: dict[tuple[int, str], Hold] = {}
        self._poll: _Poll | None = None
        self._paused = False
        self._witnessed: dict[int, str] = {}  # the witness's notices for the current statement
        self._step: tuple[str | None, int, float] | None = None  # revision, first statement, start
        self.hooks = Hooks(
            configured=self._configured, started=self._revision_started, applied=self._revision_applied
        )

    # -- the clock, net of the tracer's own work ----------------------------------------------------
    def now(self) -> float:
        return time.perf_counter() - self._start - self._overhead

    @contextlib.contextmanager
    def _own_work(self) -> Iterator[None]:
        began = time.perf_counter()
        self._paused = True
        try:
            yield
        finally:
            self._paused = False
            self._overhead += time.perf_counter() - began

    # -- hooks -----------------------------------------------------------------------------------------
    def _configured(self, kwargs: dict[str, Any]) -> None:
        connection = kwargs.get("connection")
        if isinstance(connection, Connection):
            self.connection = connection
            self.dbapi = connection.connection.dbapi_connection
            add_handler = getattr(self.dbapi, "add_notice_handler", None)  # psycopg 3
            if callable(add_handler):
                add_handler(self._notice)

    def _notice(self, diagnostic: Any) -> None:
        text = str(getattr(diagnostic, "message_primary", diagnostic) or "")
        text = text.split(":", 1)[1].strip() if text.startswith("NOTICE:") else text  # psycopg2's notices
        if text.startswith(WITNESS_NOTICE):
            for oid, mode in json.loads(text[len(WITNESS_NOTICE):]):
                if strength(mode) > strength(self._witnessed.get(int(oid), "")):
                    self._witnessed[int(oid)] = mode

    def _revision_started(self, event: RevisionEvent) -> None:
        self._step = (event.revision, len(self.statements), self.now())

    def _revision_applied(self, event: RevisionEvent) -> None:
        if self._step is None:  # a stamp: no statements of its own
            return
        revision, first, started = self._step
        self._step = None
        last = len(self.statements)
        revision = revision or event.revision
        for statement in self.statements[first:last]:
            statement.revision = revision
        applied = Applied(revision, event.message, event.upgrade, event.down, first, last, started, self.now())
        self.applied.append(applied)
        if self.on_revision is not None and self.connection is not None:
            with self._own_work():
                self.on_revision(applied, self.connection)

    # -- events ------------------------------------------------------------------------------------------
    def _ours(self, conn: Connection) -> bool:
        if self._paused or self.dbapi is None:
            return False
        try:
            return conn.connection.dbapi_connection is self.dbapi
        except Exception:
            return False

    def _before(self, conn: Connection, cursor: Any, statement: str, *args: Any) -> None:
        if not self._ours(conn):
            return
        outside = bool(getattr(self.dbapi, "autocommit", False))
        current = Statement(shorten(statement), self.now(), outside_transaction=outside)
        if self._step is not None:
            current.revision = self._step[0]
        self._current = current
        self._witnessed = {}
        self.statements.append(current)
        if outside and self.pid is not None:
            with self._own_work():
                self._poll = _Poll(self.observer, self.pid)

    def _after(self, conn: Connection, cursor: Any, *args: Any) -> None:
        if not self._ours(conn) or self._current is None:
            return
        current, self._current = self._current, None
        current.seconds = self.now() - current.started
        with self._own_work():
            seen = dict(self._poll.stop() if self._poll is not None else [])
            notices = getattr(self.dbapi, "notices", None)  # psycopg2 keeps them in a list
            if isinstance(notices, list):
                for notice in notices:
                    self._notice(notice)
                notices.clear()
            self._poll = None
            for oid, mode in self._witnessed.items() if current.outside_transaction else ():
                if strength(mode) > strength(seen.get(oid, "")):
                    seen[oid] = mode
            held = self._read_locks()
            if seen:
                held_oids = {row[0] for row in held}
                extra = [row for row in self._relations(list(seen)) if row[0] not in held_oids]
                held_during = held + [(*row[:5], seen[int(row[0])]) for row in extra]
            else:
                held_during = held
            unseen = current.outside_transaction and not held_during and not _DML.match(current.sql)
            current.observed = not unseen
        self._note(current, held_during, still_held={(row[0], row[5]) for row in held})

    def _failed(self, context: Any) -> None:
        conn = getattr(context, "connection", None)
        if conn is None or not self._ours(conn) or self._current is None:
            return
        current, self._current = self._current, None
        current.seconds = self.now() - current.started
        current.failed = True
        if self._poll is not None:
            with self._own_work():
                self._poll.stop()
            self._poll = None

    def _released(self, conn: Connection) -> None:
        if not self._ours(conn):
            return
        now = self.now()
        for hold in self._open.values():
            hold.until = now
        self._open.clear()

    # -- reading the catalog on the migration's connection ---------------------------------------------
    def _query(self, sql: str) -> list[tuple[Any, ...]]:
        cursor = self.dbapi.cursor()
        try:
            cursor.execute(sql)
            return [tuple(row) for row in cursor.fetchall()]
        finally:
            cursor.close()

    def _read_locks(self) -> list[tuple[Any, ...]]:
        if self.pid is None:
            self.pid = int(self._query("SELECT pg_catalog.pg_backend_pid()")[0][0])
        return self._query(HELD_LOCKS)

    def _relations(self, oids: Sequence[int]) -> list[tuple[Any, ...]]:
        if not oids:
            return []
        return self._query(RELATIONS_BY_OID.format(oids=",".join(str(int(oid)) for oid in oids)))

    def _note(self, statement: Statement, rows: list[tuple[Any, ...]], still_held: set[tuple[int, str]]) -> None:
        index = len(self.statements) - 1
        for key in [key for key in self._open if key not in still_held]:  # let go without a commit we saw
            self._open.pop(key).until = statement.started
        for oid, schema, name, relkind, relfilenode, mode in rows:
            oid, relfilenode = int(oid), int(relfilenode)
            if any(name == skip or name.startswith(f"{skip}_") for skip in self.skip_tables):
                continue
            relation, kind = f"{schema}.{name}", _KINDS.get(relkind, relkind)
            if oid not in self.relfilenodes:
                self.relfilenodes[oid] = relfilenode
                self.created.add(oid)
            elif relfilenode != self.relfilenodes[oid] and relfilenode != 0:
                self.relfilenodes[oid] = relfilenode
                if relkind in ("r", "p", "m") and relation not in statement.rewrote:  # its indexes follow it
                    statement.rewrote.append(relation)
            key = (oid, mode)
            if key in self._open:  # taken by an earlier statement of the transaction, still held
                continue
            statement.locks.append(Lock(relation, kind, mode))
            hold = Hold(relation, kind, mode, index, statement.started, new=oid in self.created)
            if (oid, mode) not in still_held:  # outside a transaction: held only while the statement ran
                hold.until = statement.started + statement.seconds
            else:
                self._open[key] = hold
            self.holds.append(hold)

    # -- installing ----------------------------------------------------------------------------------------
    @contextlib.contextmanager
    def listening(self) -> Iterator[Tracer]:
        """Listen to every Engine in this process while the block runs."""
        listeners: list[tuple[str, Callable[..., None]]] = [
            ("before_cursor_execute", self._before),
            ("after_cursor_execute", self._after),
            ("handle_error", self._failed),
            ("commit", self._released),
            ("rollback", self._released),
        ]
        for name, fn in listeners:
            event.listen(Engine, name, fn)
        try:
            yield self
        finally:
            for name, fn in listeners:
                event.remove(Engine, name, fn)
            end = self.now()
            for hold in self._open.values():
                hold.until = end
            self._open.clear()
            if self._poll is not None:
                self._poll.stop()


class _Poll:
    """Reads another backend's locks from a second connection until stopped."""

    def __init__(self, connect: Callable[[], Any], pid: int) -> None:
        self.seen: dict[int, str] = {}
        self._stop = threading.Event()
        self._sql = LOCKS_OF_BACKEND.format(pid=int(pid))
        self._connection = connect()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        cursor = self._connection.cursor()
        try:
            while True:
                cursor.execute(self._sql)
                for oid, _schema, _name, _kind, _node, mode in cursor.fetchall():
                    if strength(mode) > strength(self.seen.get(int(oid), "")):
                        self.seen[int(oid)] = mode
                if self._stop.wait(POLL_INTERVAL):
                    break
        except Exception:  # the copy went away: what was seen so far stands
            pass
        finally:
            with contextlib.suppress(Exception):
                cursor.close()

    def stop(self) -> list[tuple[int, str]]:
        self._stop.set()
        self._thread.join(timeout=10)
        with contextlib.suppress(Exception):
            self._connection.close()
        return list(self.seen.items())
