"""A history of every migration attempt, failed ones included: ``recorded`` writes it.

``python -m helpers history`` (``helpers.tools.history``) reads it.

``env.py`` wraps each ``upgrade``, ``downgrade`` and ``stamp`` in ``recorded(context, connection)``.
The record is written on a separate connection in autocommit mode, so a failed run, rolled back,
is still recorded: a row when the attempt starts (``running``), completed when it ends
(``succeeded`` or ``failed``, with the SQLSTATE, the diagnosis category and PostgreSQL's first
line). An attempt whose session died without an end (killed, connection lost) shows as
``interrupted`` once its backend is gone. The table (``alembic_history``, beside
``alembic_version``) is created on first use; when the role may not create it or write to it, a
warning line is logged and the migration runs anyway.

A revision that runs outside one transaction (an ``autocommit_block``) is also recorded statement by
statement, on the same connection, in the statement ledger beside it (``helpers.statements``):
``python -m helpers resume`` reads it.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from alembic.util import CommandError
from sqlalchemy.engine import Connection

from .diagnosis import diagnose
from .statements import RESUME, StatementLedger

TABLE = "alembic_history"
OUTCOMES = ("running", "succeeded", "failed", "interrupted")
#: ``config.attributes[NOTE]``: a line to keep with the attempt (``python -m helpers stamp --force`` sets it).
NOTE = "attempt_note"
logger = logging.getLogger("alembic.helpers.history")

_metadata = sa.MetaData()


def history_table(name: str = TABLE, schema: str | None = None) -> sa.Table:
    """The table's definition (SQLAlchemy quotes every name)."""
    key = f"{schema}.{name}" if schema else name
    if key in _metadata.tables:
        return _metadata.tables[key]
    return sa.Table(
        name,
        _metadata,
        sa.Column("id", sa.BigInteger, sa.Identity(always=True), primary_key=True),
        sa.Column("command", sa.Text, nullable=False),
        sa.Column("target", sa.Text),
        sa.Column("from_revision", sa.Text),
        sa.Column("to_revision", sa.Text),
        sa.Column("outcome", sa.Text, nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.clock_timestamp()),
        sa.Column("ended_at", sa.DateTime(timezone=True)),
        sa.Column("duration_seconds", sa.Float),
        sa.Column("sqlstate", sa.Text),
        sa.Column("category", sa.Text),
        sa.Column("message", sa.Text),
        sa.Column("username", sa.Text),
        sa.Column("client_host", sa.Text),
        sa.Column("application_name", sa.Text),
        sa.Column("pid", sa.Integer),
        sa.Column("backend_start", sa.DateTime(timezone=True)),
        sa.Column("note", sa.Text),
        schema=schema,
    )


def command_name(environment: Any) -> str:
    """``upgrade``, ``downgrade`` or ``stamp``: from the command line, or the function Alembic runs."""
    cmd_opts = getattr(environment.config, "cmd_opts", None)
    chosen = getattr(cmd_opts, "cmd", None)
    if chosen:
        return str(chosen[0].__name__)
    fn = environment.context_opts.get("fn")
    name = getattr(fn, "__name__", "")
    return {"do_stamp": "stamp"}.get(name, name) or "migrate"


def current_heads(
    conn: Connection, version_table: str = "alembic_version", schema: str | None = None
) -> tuple[str, ...]:
    """The revisions in the version table (empty when there is none); quietly, unlike Alembic's own context."""
    if not conn.dialect.has_table(conn, version_table, schema=schema):
        heads: tuple[str, ...] = ()
    else:
        table = sa.table(version_table, sa.column("version_num"), schema=schema)
        query = sa.select(table.c.version_num).order_by(table.c.version_num)
        heads = tuple(str(v) for v in conn.execute(query).scalars())
    if conn.in_transaction():
        conn.rollback()
    return heads


def _heads(conn: Connection, version_table: str, schema: str | None) -> str:
    return ", ".join(current_heads(conn, version_table, schema)) or "base"


def _target(environment: Any) -> str | None:
    """The revision the command was asked for; None when the caller did not say (pytest-alembic's runner).

    None too when Alembic cannot resolve it (``head`` with several heads, a revision file that does
    not import): the migration then fails the same way inside env.py, which diagnoses it, and the
    attempt is recorded as failed.
    """
    try:
        value = environment.get_revision_argument()
    except (KeyError, AttributeError, CommandError, SyntaxError, ImportError, NameError):
        return None
    if isinstance(value, tuple | list):
        return ", ".join(str(v) for v in value) or "base"
    return str(value) if value is not None else "base"


class _Recorder:
    """The attempt's row, written on its own autocommit connection."""

    def __init__(self, context: Any, connection: Connection, table: str) -> None:
        migration = context.get_context()
        # env.py's ``context`` is Alembic's module proxy; the EnvironmentContext itself has the options.
        environment = migration.environment_context or context
        self.version_table = migration.version_table
        self.schema = migration.version_table_schema
        self.table = history_table(table, self.schema)
        self.connection: Connection | None = None
        self.id: int | None = None
        self.command = command_name(environment)
        self.target = _target(environment)
        self.note = environment.config.attributes.get(NOTE)
        was_in_transaction = connection.in_transaction()
        self.pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        if not was_in_transaction:
            connection.commit()
        self.engine = connection.engine
        self.migration = connection
        self.alembic_context = migration
        self.resume = environment.config.attributes.get(RESUME)

    def start(self) -> None:
        conn = self.connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        if not conn.dialect.has_table(conn, self.table.name, schema=self.schema):
            try:
                self.table.create(conn, checkfirst=True)
            except sa.exc.DBAPIError:
                if not conn.dialect.has_table(conn, self.table.name, schema=self.schema):  # not a race lost
                    raise
        t = self.table
        # Attempts whose session is gone without an end: interrupted.
        conn.execute(
            t.update()
            .where(t.c.outcome == "running")
            .where(~sa.exists(alive(t)))
            .values(outcome="interrupted")
        )
        who = conn.execute(
            sa.text(
                "SELECT usename::text, COALESCE(host(client_addr), 'local'), application_name, backend_start "
                "FROM pg_catalog.pg_stat_activity WHERE pid = :pid"
            ),
            {"pid": self.pid},
        ).first()
        self.id = conn.execute(
            t.insert()
            .values(
                command=self.command,
                target=self.target,
                from_revision=_heads(conn, self.version_table, self.schema),
                outcome="running",
                username=who[0] if who else None,
                client_host=who[1] if who else None,
                application_name=(who[2] or None) if who else None,
                pid=self.pid,
                backend_start=who[3] if who else None,
                note=self.note,
            )
            .returning(t.c.id)
        ).scalar_one()

    def end(self, outcome: str, seconds: float, exc: BaseException | None) -> None:
        if self.connection is None or self.id is None:
            return
        values: dict[str, Any] = {
            "outcome": outcome,
            "ended_at": sa.func.clock_timestamp(),
            "duration_seconds": seconds,
            "to_revision": self._reached() if outcome == "succeeded" else self.target,
        }
        if exc is not None and outcome == "failed":
            diagnosis = diagnose(exc)
            values.update(sqlstate=diagnosis.sqlstate, category=diagnosis.category.key, message=diagnosis.message)
        self.connection.execute(self.table.update().where(self.table.c.id == self.id).values(**values))

    def _reached(self) -> str:
        """The revision after a successful run, read on the migration's connection: when env.py was handed
        a connection in its caller's transaction, nothing is committed yet."""
        was_in_transaction = self.migration.in_transaction()
        t = sa.table(self.version_table, sa.column("version_num"), schema=self.schema)
        heads = self.migration.execute(sa.select(t.c.version_num).order_by(t.c.version_num)).scalars().all()
        if not was_in_transaction:
            self.migration.commit()
        return ", ".join(str(head) for head in heads) or "base"

    def close(self, lost: bool = False) -> None:
        """Close the record's connection; after a lost connection, without a word to the server."""
        if self.connection is not None:
            with contextlib.suppress(Exception):
                if lost:
                    self.connection.invalidate()
                self.connection.close()


def alive(t: sa.Table) -> sa.Select[Any]:
    activity = sa.table("pg_stat_activity", sa.column("pid"), sa.column("backend_start"), schema="pg_catalog")
    return sa.select(sa.literal(1)).where(
        activity.c.pid == t.c.pid, activity.c.backend_start == t.c.backend_start
    )


@contextlib.contextmanager
def recorded(environment: Any, connection: Connection, *, table: str = TABLE) -> Iterator[None]:
    """Record the attempt that runs in the block (``environment`` is env.py's ``context``).

    A problem with the record itself (no right to create the table, a connection that fails) is
    one WARNING line; the migration runs anyway.
    """
    recorder: _Recorder | None = None
    try:
        recorder = _Recorder(environment, connection, table)
        recorder.start()
    except sa.exc.DBAPIError as exc:
        logger.warning("Not recorded in %s: %s; the migration runs anyway.", table, diagnose(exc).message)
        if recorder is not None:
            recorder.close()
        recorder = None
    statements: StatementLedger | None = None
    if recorder is not None and recorder.connection is not None:
        # Statement by statement, for a revision that commits part-way (helpers.statements).
        statements = StatementLedger(
            recorder.alembic_context, connection, recorder.connection, recorder.id, recorder.pid, recorder.resume
        )
        statements.attach()
    began = time.perf_counter()
    outcome: str = "succeeded"
    error: BaseException | None = None
    try:
        yield
    except Exception as exc:
        outcome, error = "failed", exc
        raise
    except BaseException as exc:
        # env.py's own way of failing from the command line: SystemExit(1) from the migration's error.
        if isinstance(exc, SystemExit) and isinstance(exc.__cause__, Exception):
            outcome, error = "failed", exc.__cause__
        elif not (isinstance(exc, SystemExit) and exc.code in (0, None)):
            outcome, error = "interrupted", exc  # Ctrl-C
        raise
    finally:
        # A lost connection is not recorded as an end: this connection went the same way (a network
        # cut would make the record wait out the same timeout). The attempt shows as interrupted
        # once the server has let the migration's session go.
        lost = error is not None and diagnose(error).category.key == "connection_lost"
        if statements is not None:
            statements.detach()
        if recorder is not None:
            try:
                if not lost:
                    recorder.end(outcome, time.perf_counter() - began, error)
                if statements is not None and outcome == "succeeded":
                    statements.close_completed()
            except sa.exc.DBAPIError as exc:
                logger.warning("The end of this attempt was not recorded in %s: %s.", table, diagnose(exc).message)
            finally:
                recorder.close(lost)
