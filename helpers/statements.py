"""Statement by statement, what a revision that commits part-way has done: the ledger ``resume`` reads.

A revision that runs in one transaction is all or nothing, and ``alembic_history`` records it as a
whole. One that runs outside a transaction (an ``autocommit_block``, the helpers that build indexes
concurrently or backfill in batches) commits as it goes: when it fails or its process dies, the
database holds part of it while ``alembic_version`` names the revision before. For such a revision
``recorded`` (``helpers.history``) writes one row per statement into ``alembic_history_statements``,
on its own autocommit connection, as the statement starts and as it ends: its position in the
revision, a hash of its SQL, the SQL, the times, and PostgreSQL's error. What was committed is then
known after a kill or a crash: ``python -m helpers resume`` reads it.

- A statement in autocommit mode is written as it starts (``running``) and as it ends (``applied``
  or ``failed``); one whose session died mid-way stays ``running`` (shown as ``interrupted``).
- The transactional statements before an ``autocommit_block`` are committed by it: they are
  written as ``applied`` when the block's first statement starts. Those after the last block are
  ``pending``: they commit with the revision's ``alembic_version`` update, or not at all.
- A revision that never leaves its transaction writes no row here (the attempt's row says it all).
- Reads (``SELECT``, ``SHOW``), session settings (``SET``) and the ``alembic_version`` update are not
  statements of the revision: they do not count.

The statement table sits beside ``alembic_history`` (that table is not changed): created on first use.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import signal
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection

from .diagnosis import diagnose
from .errors import MigrationHelperError

TABLE = "alembic_history_statements"
#: ``config.attributes[RESUME]``: the statements ``resume`` skips, ``{"revision": REV, "applied": {position: hash}}``.
RESUME = "helpers_resume"
#: ``REV:N`` kills this process (SIGKILL) after N statements of revision REV, ``REV:version`` just before its
#: ``alembic_version`` update: how ``rehearse --crash-points`` and the tests crash a migration at a boundary.
CRASH_AT = "HELPERS_CRASH_AT"
logger = logging.getLogger("alembic.helpers.history")

_metadata = sa.MetaData()
_POSTGRESQL: sa.Dialect = postgresql.dialect()  # type: ignore[no-untyped-call]  # the same text through each driver
_NOTHING = "SELECT 1 WHERE false"
_READS = {"SELECT", "SHOW", "SET", "RESET", "EXPLAIN", "VALUES", "TABLE", "BEGIN", "COMMIT", "ROLLBACK"}
_FIRST_WORD = re.compile(r"\s*\(?\s*([A-Za-z]+)")


def statements_table(name: str = TABLE, schema: str | None = None) -> sa.Table:
    """The statement ledger's definition (SQLAlchemy quotes every name)."""
    key = f"{schema}.{name}" if schema else name
    if key in _metadata.tables:
        return _metadata.tables[key]
    return sa.Table(
        name,
        _metadata,
        sa.Column("id", sa.BigInteger, sa.Identity(always=True), primary_key=True),
        sa.Column("attempt_id", sa.BigInteger),
        sa.Column("revision", sa.Text, nullable=False),
        sa.Column("down_revision", sa.Text, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("sql_hash", sa.Text, nullable=False),
        sa.Column("sql", sa.Text, nullable=False),
        sa.Column("autocommit", sa.Boolean, nullable=False),
        sa.Column("outcome", sa.Text, nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.clock_timestamp()),
        sa.Column("ended_at", sa.DateTime(timezone=True)),
        sa.Column("sqlstate", sa.Text),
        sa.Column("message", sa.Text),
        sa.Column("pid", sa.Integer),
        sa.Column("backend_start", sa.DateTime(timezone=True)),
        sa.Column("closed", sa.Boolean, nullable=False, server_default=sa.false()),
        schema=schema,
    )


def normalized(sql: str) -> str:
    """The SQL as hashed: whitespace runs made one space, no trailing semicolon."""
    return " ".join(sql.split()).rstrip(";").rstrip()


def sql_hash(sql: str) -> str:
    """The first 16 hex digits of the SHA-256 of the normalized SQL."""
    return hashlib.sha256(normalized(sql).encode()).hexdigest()[:16]


def is_read(sql: str) -> bool:
    """A read or a session setting: not a statement of the revision."""
    match = _FIRST_WORD.match(sql)
    return match is None or match.group(1).upper() in _READS


def _sql_of(clause: Any, multiparams: Any, params: Any) -> str:
    """The statement as text, the same through every driver: compiled for PostgreSQL's own dialect, with its
    values inline where it carries them, else its placeholders followed by the values it was run with."""
    if isinstance(clause, str):
        return normalized(clause)
    values = params or (multiparams[0] if multiparams else None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sa.exc.SAWarning)
        if not values:
            try:
                return normalized(str(clause.compile(dialect=_POSTGRESQL, compile_kwargs={"literal_binds": True})))
            except Exception:  # a value with no literal form
                pass
        text = str(clause.compile(dialect=_POSTGRESQL))
    if values:
        text += " -- " + repr(sorted(values.items()) if isinstance(values, dict) else values)
    return normalized(text)


@dataclass
class _Statement:
    position: int
    sql: str
    hash: str
    row: int | None = None


@dataclass
class _Revision:
    revision: str
    down_revision: str
    count: int = 0
    autocommit: bool = False  # has a statement of it run in autocommit mode?
    buffered: list[_Statement] = field(default_factory=list)
    current: _Statement | None = None


class StatementLedger:
    """Listens to the migration's connection; writes rows on ``ledger`` (an autocommit connection)."""

    def __init__(
        self,
        migration: Any,
        connection: Connection,
        ledger: Connection,
        attempt_id: int | None,
        pid: int | None,
        resume: dict[str, Any] | None = None,
    ) -> None:
        self.migration = migration
        self.connection = connection
        self.ledger = ledger
        self.attempt_id = attempt_id
        self.pid = pid
        self.table = statements_table(TABLE, migration.version_table_schema)
        self.version_table = migration.version_table
        self.resume = resume or {}
        self.revision: _Revision | None = None
        self.completed: list[str] = []
        self.crash_at = os.environ.get(CRASH_AT, "")
        self._created = False

    # -- wiring ---------------------------------------------------------------------------------

    def attach(self) -> None:
        steps = self.migration._migrations_fn
        if steps is not None:
            self.migration._migrations_fn = self._announcing(steps)
        self.migration.on_version_apply_callbacks = (*self.migration.on_version_apply_callbacks, self._applied)
        sa.event.listen(self.connection, "before_execute", self._before, retval=True)
        sa.event.listen(self.connection, "after_execute", self._after)
        sa.event.listen(self.connection.engine, "handle_error", self._error)  # an Engine's event only

    def detach(self) -> None:
        for target, name, fn in (
            (self.connection, "before_execute", self._before),
            (self.connection, "after_execute", self._after),
            (self.connection.engine, "handle_error", self._error),
        ):
            if sa.event.contains(target, name, fn):
                sa.event.remove(target, name, fn)
        callbacks = self.migration.on_version_apply_callbacks
        self.migration.on_version_apply_callbacks = tuple(c for c in callbacks if c != self._applied)

    def _announcing(self, steps: Callable[..., Any]) -> Callable[..., Iterator[Any]]:
        def announced(heads: Any, context: Any) -> Iterator[Any]:
            for step in steps(heads, context):
                info = step.info
                if info.is_upgrade and not info.is_stamp and info.up_revision_id:
                    self.revision = _Revision(info.up_revision_id, ", ".join(info.down_revision_ids) or "base")
                else:
                    self.revision = None
                yield step
            self.revision = None

        announced.__name__ = getattr(steps, "__name__", "announced")
        return announced

    # -- events ---------------------------------------------------------------------------------

    def _autocommit(self) -> bool:
        return self.connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT"

    def _is_version_update(self, clause: Any) -> bool:
        table = getattr(clause, "table", None)
        return bool(getattr(table, "name", None) == self.version_table)

    def _before(self, conn: Connection, clause: Any, multiparams: Any, params: Any, options: Any) -> Any:
        unchanged = (clause, multiparams, params)
        rev = self.revision
        if rev is None:
            return unchanged
        if self._is_version_update(clause):
            if rev.autocommit:  # what ran since the last block commits with this update, or not at all
                self._write_buffered(rev, "pending")
            self._crash(rev, "version")
            return unchanged
        sql = _sql_of(clause, multiparams, params)
        if is_read(sql):
            return unchanged
        if rev.buffered and self._autocommit():
            # The block has just committed what ran in the transaction before it: written before anything else.
            self._write_buffered(rev, "applied")
        self._crash(rev, str(rev.count))
        rev.count += 1
        statement = _Statement(rev.count, sql, sql_hash(sql))
        applied = self.resume.get("applied", {}) if self.resume.get("revision") == rev.revision else {}
        # A statement whose rows the revision reads (a batch's RETURNING) runs again: a stand-in would mislead it.
        if statement.position in applied and " RETURNING " not in f" {sql.upper()} ":
            if applied[statement.position] != statement.hash:
                raise MigrationHelperError(
                    f"Statement {statement.position} of revision {rev.revision} was changed since it ran "
                    f"({sql[:200]}); nothing more was run. Put the revision back as it ran, or undo it "
                    "with python -m helpers resume --abandon."
                )
            logger.info("Statement %d of %s already applied, skipped: %s", statement.position, rev.revision, sql[:80])
            # In its place a statement that changes nothing and counts no row: a loop until rowcount 0 stops.
            return (_NOTHING, (), {}) if isinstance(clause, str) else (sa.text(_NOTHING), (), {})
        if self._autocommit():
            # What ran in the transaction before the block was committed by it.
            self._write_buffered(rev, "applied")
            rev.autocommit = True
            statement.row = self._insert(rev, statement, autocommit=True, outcome="running")
            rev.current = statement
        else:
            rev.buffered.append(statement)
        return unchanged

    def _after(self, conn: Connection, clause: Any, multiparams: Any, params: Any, options: Any, result: Any) -> None:
        rev = self.revision
        if rev is not None and rev.current is not None and rev.current.row is not None:
            self._update(rev.current.row, outcome="applied", ended_at=sa.func.clock_timestamp())
            rev.current = None

    def _error(self, context: Any) -> None:
        rev = self.revision
        if rev is None or context.connection is not self.connection:
            return
        exc = context.sqlalchemy_exception or context.original_exception
        diagnosis = diagnose(exc)
        failed: _Statement | None = None
        if rev.current is not None and rev.current.row is not None:
            failed, rev.current = rev.current, None
        elif rev.buffered and rev.autocommit:
            failed = rev.buffered.pop()
            self._write_buffered(rev, "pending")
            failed.row = self._insert(rev, failed, autocommit=False, outcome="running")
        if failed is None or failed.row is None:
            return
        self._update(
            failed.row, outcome="failed", ended_at=sa.func.clock_timestamp(),
            sqlstate=diagnosis.sqlstate, message=diagnosis.message,
        )
        committed = failed.position - 1
        if committed and context.sqlalchemy_exception is not None:
            # diagnosis.Diagnosis reads it: the failure did not roll back what these statements committed.
            context.sqlalchemy_exception.half_applied = (rev.revision, committed)

    def _applied(self, ctx: Any, step: Any, heads: Any, run_args: Any) -> None:
        rev = self.revision
        if rev is not None and rev.revision == getattr(step, "up_revision_id", None):
            if rev.autocommit:
                self._write_buffered(rev, "pending")  # committed with the version update, at the run's end
            self.completed.append(rev.revision)

    def _crash(self, rev: _Revision, point: str) -> None:
        if self.crash_at and self.crash_at == f"{rev.revision}:{point}":
            logging.shutdown()
            os.kill(os.getpid(), signal.SIGKILL)

    # -- rows -----------------------------------------------------------------------------------

    def _ensure_table(self) -> None:
        if self._created:
            return
        conn = self.ledger
        if not conn.dialect.has_table(conn, self.table.name, schema=self.table.schema):
            try:
                self.table.create(conn, checkfirst=True)
            except sa.exc.DBAPIError:
                if not conn.dialect.has_table(conn, self.table.name, schema=self.table.schema):
                    raise
        self._created = True

    def _write_buffered(self, rev: _Revision, outcome: str) -> None:
        for statement in rev.buffered:
            statement.row = self._insert(rev, statement, autocommit=False, outcome=outcome)
        rev.buffered.clear()

    def _insert(self, rev: _Revision, statement: _Statement, *, autocommit: bool, outcome: str) -> int | None:
        try:
            self._ensure_table()
            who = self.ledger.execute(
                sa.text("SELECT backend_start FROM pg_catalog.pg_stat_activity WHERE pid = :pid"), {"pid": self.pid}
            ).scalar()
            values = dict(
                attempt_id=self.attempt_id, revision=rev.revision, down_revision=rev.down_revision,
                position=statement.position, sql_hash=statement.hash, sql=statement.sql, autocommit=autocommit,
                outcome=outcome, pid=self.pid, backend_start=who,
            )
            if outcome != "running":
                values["ended_at"] = sa.func.clock_timestamp()
            inserted = self.ledger.execute(self.table.insert().values(**values).returning(self.table.c.id))
            return int(inserted.scalar_one())
        except sa.exc.DBAPIError as exc:
            _not_written(exc, "Statement %d of %s not recorded in %s: %s", statement.position, rev.revision,
                         self.table.name, diagnose(exc).message)
            return None

    def _update(self, row: int, **values: Any) -> None:
        try:
            self.ledger.execute(self.table.update().where(self.table.c.id == row).values(**values))
        except sa.exc.DBAPIError as exc:
            _not_written(exc, "Statement row %d not updated in %s: %s", row, self.table.name, diagnose(exc).message)

    def close_completed(self) -> None:
        """After the run committed: the rows of the revisions it completed are history, not a half-applied state."""
        if not self.completed or not self._exists():
            return
        t = self.table
        self.ledger.execute(
            t.update().where(t.c.revision.in_(self.completed)).where(t.c.closed.is_(False)).values(closed=True)
        )

    def _exists(self) -> bool:
        return self._created or bool(
            self.ledger.dialect.has_table(self.ledger, self.table.name, schema=self.table.schema)
        )


def _not_written(exc: sa.exc.DBAPIError, message: str, *args: Any) -> None:
    """A ledger write that failed. Where the server went away (a crash, a restart: the connection is gone), the
    migration's own error says so and the row left ``running`` is the truth ``resume`` reads as cut off: no warning
    (its wording would differ by libpq and version). Anything else is worth a warning."""
    logger.log(logging.DEBUG if exc.connection_invalidated else logging.WARNING, message, *args)
