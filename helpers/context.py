"""``MigrationContext``: safe schema operations with pre-flight checks, verification and logging.

Not to be confused with Alembic's own ``alembic.runtime.migration.MigrationContext``: this one
wraps the body of an ``upgrade()`` or ``downgrade()``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import Any, Literal, TypeVar

import sqlalchemy as sa
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext as AlembicMigrationContext
from sqlalchemy.engine import Connection, CursorResult

from . import constraints, indexes, locks
from .backfill import backfill as batched_backfill
from .catalog import ColumnInfo, find_column, find_table
from .column_types import parse_column_type
from .diagnosis import log_failure
from .errors import MigrationHelperError
from .identifiers import TableName, check_identifier, parse_table

logger = logging.getLogger("alembic.helpers")
T = TypeVar("T")


class MigrationContext:
    """Wrap a migration step: logs start, end and duration, diagnoses a failure and re-raises it.

    Inside an Alembic migration it uses ``alembic.op``'s connection; scripts and tests may pass a
    SQLAlchemy ``Connection``. In offline (``--sql``) mode the operations emit their DDL without
    the pre-flight checks, which need a live database.
    """

    def __init__(self, name: str, connection: Connection | None = None) -> None:
        self.name = name
        self._connection = connection
        self._ops: Operations | None = None
        self._started = 0.0
        self.actions: list[str] = []

    # -- lifecycle -------------------------------------------------------------------------
    def __enter__(self) -> MigrationContext:
        self._started = time.perf_counter()
        logger.info("MigrationContext %r started", self.name)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> Literal[False]:
        elapsed = time.perf_counter() - self._started
        if exc is None:
            done = "; ".join(self.actions) or "nothing to do"
            logger.info("MigrationContext %r finished in %.3fs: %s", self.name, elapsed, done)
        else:
            logger.error("MigrationContext %r failed after %.3fs", self.name, elapsed)
            log_failure(logger, exc)
        return False

    # -- connection ------------------------------------------------------------------------
    @property
    def offline(self) -> bool:
        """True when Alembic is writing SQL (``--sql``) instead of running it."""
        return self._connection is None and self.ops.get_context().as_sql

    @property
    def ops(self) -> Operations:
        """Alembic operations bound to this context's connection (``alembic.op`` inside a migration)."""
        if self._ops is None:
            if self._connection is not None:
                self._ops = Operations(AlembicMigrationContext.configure(self._connection))
            else:
                from alembic import op

                proxy = getattr(op, "_proxy", None)
                if proxy is None:
                    raise MigrationHelperError(
                        f"MigrationContext {self.name!r} has no connection: pass one, or use it "
                        "inside an Alembic migration."
                    )
                self._ops = proxy
        return self._ops

    @property
    def connection(self) -> Connection:
        """The SQLAlchemy connection the migration runs on."""
        if self._connection is None:
            if self.offline:
                raise MigrationHelperError(
                    f"MigrationContext {self.name!r} has no live connection in offline (--sql) mode."
                )
            self._connection = self.ops.get_bind()
        return self._connection

    def _ensure_connection(self) -> Connection:
        """The connection, as the original guide's examples call it; prefer ``connection``."""
        return self.connection

    # -- checks ----------------------------------------------------------------------------
    def _find_table(self, table: TableName) -> TableName | None:
        return find_table(self.connection, table)

    def verify_table_exists(self, table: str, schema: str | None = None) -> None:
        """Raise ``MigrationHelperError`` unless ``table`` exists."""
        wanted = parse_table(table, schema)
        if self.offline:
            return
        if self._find_table(wanted) is None:
            raise MigrationHelperError(f"Table {str(wanted)!r} does not exist.")

    def _column(self, table: TableName, column: str) -> tuple[TableName, ColumnInfo | None]:
        found = self._find_table(table)
        if found is None:
            raise MigrationHelperError(f"Table {str(table)!r} does not exist.")
        return found, find_column(self.connection, found, column)

    def verify_column_exists(self, table: str, column: str, schema: str | None = None) -> None:
        """Raise ``MigrationHelperError`` unless ``table.column`` exists."""
        wanted = parse_table(table, schema)
        check_identifier(column, "column name")
        if self.offline:
            return
        _, info = self._column(wanted, column)
        if info is None:
            raise MigrationHelperError(f"Column {column!r} does not exist in table {str(wanted)!r}.")

    # -- operations ------------------------------------------------------------------------
    def _did(self, action: str) -> None:
        self.actions.append(action)
        logger.info("%s: %s", self.name, action)

    def execute(self, sql: str | sa.Executable, params: dict[str, Any] | None = None) -> CursorResult[Any] | None:
        """Run SQL on the migration's connection, logged; bind values through ``params``."""
        statement = sa.text(sql) if isinstance(sql, str) else sql
        logger.info("%s: execute %s", self.name, " ".join(str(statement).split())[:200])
        if self.offline:
            if params:
                statement = statement.bindparams(**params)  # type: ignore[attr-defined]
            self.ops.execute(statement)
            self.actions.append("executed SQL")
            return None
        result = self.connection.execute(statement, params or {})
        self.actions.append("executed SQL")
        return result

    def safe_table_rename(self, old: str, new: str, schema: str | None = None) -> None:
        """Rename ``old`` to ``new`` after checking old exists and new does not, then verify.

        Already renamed (old gone, new present) is a logged no-op, so a re-run is safe.
        """
        source = parse_table(old, schema)
        target = parse_table(new, schema)
        if target.schema not in (None, source.schema):
            raise MigrationHelperError(
                f"Cannot rename {old!r} to {new!r}: a rename stays in its schema; "
                "move tables with ALTER TABLE ... SET SCHEMA."
            )
        if self.offline:
            self.ops.rename_table(source.name, target.name, schema=source.schema)
            self._did(f"renamed table {source} to {target.name} (unchecked, offline)")
            return
        found_old = self._find_table(source)
        found_new = self._find_table(TableName(target.name, found_old.schema if found_old else source.schema))
        if found_old is None and found_new is not None:
            self._did(f"table {source} already renamed to {target.name}, nothing to do")
            return
        if found_old is None:
            raise MigrationHelperError(f"Cannot rename {str(source)!r}: neither it nor {target.name!r} exists.")
        if found_new is not None:
            raise MigrationHelperError(
                f"Cannot rename {str(source)!r} to {target.name!r}: both tables exist; drop or rename one first."
            )
        self.ops.rename_table(found_old.name, target.name, schema=found_old.schema)
        renamed = TableName(target.name, found_old.schema)
        if self._find_table(renamed) is None or self._find_table(found_old) is not None:
            raise MigrationHelperError(f"Renaming {str(source)!r} to {target.name!r} did not take effect.")
        self._did(f"renamed table {source} to {target.name}")

    def safe_column_add(
        self,
        table: str,
        column: str,
        type_: Any,
        nullable: bool = True,
        server_default: Any = None,
        schema: str | None = None,
    ) -> None:
        """Add ``column`` unless it is already there with the same type and nullability.

        ``type_`` is an SQLAlchemy type or a PostgreSQL type string such as ``"VARCHAR(255)"``.
        A column that exists with another type or nullability is an error; nothing changes.
        """
        wanted_table = parse_table(table, schema)
        check_identifier(column, "column name")
        wanted = parse_column_type(type_)
        new_column = sa.Column(column, wanted.sa_type, nullable=nullable, server_default=server_default)
        if self.offline:
            self.ops.add_column(wanted_table.name, new_column, schema=wanted_table.schema)
            self._did(f"added column {wanted_table}.{column} (unchecked, offline)")
            return
        found, existing = self._column(wanted_table, column)
        want_null = "NULL" if nullable else "NOT NULL"
        if existing is not None:
            have_null = "NULL" if existing.nullable else "NOT NULL"
            if existing.type == wanted.canonical and existing.nullable == nullable:
                self._did(f"column {found}.{column} already exists as {existing.type} {have_null}, nothing to do")
                return
            raise MigrationHelperError(
                f"Column {column!r} already exists in {str(found)!r} as {existing.type} {have_null}, "
                f"not {wanted.canonical} {want_null}; change it with a migration of its own."
            )
        self.ops.add_column(found.name, new_column, schema=found.schema)
        added = find_column(self.connection, found, column)
        if added is None or added.type != wanted.canonical:
            raise MigrationHelperError(f"Adding column {column!r} to {str(found)!r} did not take effect.")
        self._did(f"added column {found}.{column} {wanted.canonical} {want_null}")

    # -- big tables (helpers.locks, constraints, indexes, backfill) ---------------------------
    def with_lock_retries(
        self,
        operation: Callable[[], T],
        schedule: Sequence[float] = locks.DEFAULT_SCHEDULE,
        pause: Callable[[int, float], float] | None = None,
    ) -> T:
        """Run ``operation()`` under short, growing lock timeouts, retried on 55P03 (``helpers.locks``)."""
        if self.offline:
            return operation()
        return locks.with_lock_retries(self.connection, operation, schedule=schedule, pause=pause, what=self.name)

    def add_foreign_key(
        self, name: str, table: str, referent: str, columns: Sequence[str], referent_columns: Sequence[str],
        **options: Any,
    ) -> None:
        """Add a foreign key ``NOT VALID``, then validate it in its own transaction (``helpers.constraints``)."""
        constraints.add_foreign_key(self, name, table, referent, columns, referent_columns, **options)

    def add_check(self, name: str, table: str, condition: Any, **options: Any) -> None:
        """Add a check constraint ``NOT VALID``, then validate it in its own transaction."""
        constraints.add_check(self, name, table, condition, **options)

    def validate_constraint(self, table: str, name: str, **options: Any) -> None:
        """``VALIDATE CONSTRAINT``, by default after committing the migration's work so far."""
        constraints.validate_constraint(self, table, name, **options)

    def set_not_null(self, table: str, column: str, schema: str | None = None) -> None:
        """``SET NOT NULL`` through a validated check constraint, without a long lock."""
        constraints.set_not_null(self, table, column, schema=schema)

    def create_index_concurrently(self, name: str, table: str, columns: Sequence[str], **options: Any) -> None:
        """``CREATE INDEX CONCURRENTLY``, idempotent, rebuilding an INVALID leftover (``helpers.indexes``)."""
        indexes.create_index_concurrently(self, name, table, columns, **options)

    def drop_index_concurrently(self, name: str, table: str, schema: str | None = None) -> None:
        """``DROP INDEX CONCURRENTLY``; already gone is a no-op."""
        indexes.drop_index_concurrently(self, name, table, schema=schema)

    def backfill(self, table: str, values: Mapping[str, Any], where: Any, **options: Any) -> int:
        """Batched, resumable ``UPDATE``, one commit per batch (``helpers.backfill``)."""
        return batched_backfill(self, table, values, where, **options)
