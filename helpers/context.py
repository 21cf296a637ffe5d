"""``MigrationContext``: safe schema operations with pre-flight checks, verification and logging.

Not to be confused with Alembic's own ``alembic.runtime.migration.MigrationContext``: this one
wraps the body of an ``upgrade()`` or ``downgrade()``. It is the ``Step`` the operations of
``tables``, ``constraints``, ``indexes`` and ``backfill`` run in; its methods are theirs, each
checked against its operation function at import (``operation``), with one docstring between them.
"""

from __future__ import annotations

import inspect
import logging
import re
import time
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import Any, Literal, TypeVar

import sqlalchemy as sa
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext as AlembicMigrationContext
from sqlalchemy.engine import Connection, CursorResult

from . import constraints, indexes, locks, tables
from .backfill import backfill as batched_backfill
from .diagnosis import log_failure
from .errors import MigrationHelperError
from .preflight import Answer, Lookup, look_up

logger = logging.getLogger("alembic.helpers")
T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])


def _shape(parameter: inspect.Parameter) -> tuple[object, ...]:
    """What must match between a method and its operation: name, kind, default, annotation (unqualified)."""
    annotation = re.sub(r"\b[a-z_]+\.", "", str(parameter.annotation))
    return parameter.name, parameter.kind, parameter.default, annotation


def operation(function: Callable[..., Any]) -> Callable[[F], F]:
    """Mark a method as ``function`` with the step bound (``function(self, ...)``).

    Its parameters must be the function's after the step, and one of the two has the docstring,
    which the other is given: a method that drifts from its operation fails at import, naming both.
    """

    def bind(method: F) -> F:
        mine, theirs = inspect.signature(method), inspect.signature(function)
        name = f"MigrationContext.{method.__name__}"
        if [_shape(p) for p in list(mine.parameters.values())[1:]] != [
            _shape(p) for p in list(theirs.parameters.values())[1:]
        ] or _shape_of_return(mine) != _shape_of_return(theirs):
            raise TypeError(f"{name} does not take the parameters of {function.__module__}.{function.__name__}.")
        if bool(method.__doc__) == bool(function.__doc__):
            raise TypeError(f"{name} and {function.__module__}.{function.__name__} need one docstring between them.")
        method.__doc__ = function.__doc__ = method.__doc__ or function.__doc__
        return method

    return bind


def _shape_of_return(signature: inspect.Signature) -> str:
    return re.sub(r"\b[a-z_]+\.", "", str(signature.return_annotation))


def running_migration(name: str) -> AlembicMigrationContext:
    """Alembic's context of the migration running now (``op.get_context()``), or a clear error."""
    from alembic import op

    try:
        return op.get_context()
    except (NameError, AttributeError):  # no migration has run (NameError) or none runs now (None)
        raise MigrationHelperError(
            f"MigrationContext {name!r} has no connection: pass one, or use it inside an Alembic migration."
        ) from None


class MigrationContext:
    """Wrap a migration step: logs start, end and duration, diagnoses a failure and re-raises it.

    Inside an Alembic migration it uses the migration's connection (``op.get_context()``);
    scripts and tests may pass a SQLAlchemy ``Connection``. In offline (``--sql``) mode the
    operations emit their DDL without the pre-flight checks, which need a live database.

    ```python
    import os

    import sqlalchemy as sa

    from helpers import MigrationContext

    engine = sa.create_engine(os.environ["DATABASE_URL"])
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE cameras (id int PRIMARY KEY)")
        with MigrationContext("add_camera_serial", conn) as ctx:
            ctx.safe_column_add("cameras", "serial", "varchar(64)")
            ctx.safe_column_add("cameras", "serial", "varchar(64)")  # run again: a logged no-op
        ctx.verify_column_exists("cameras", "serial")
    ```
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

    # -- the step the operations run in (helpers.step.Step) --------------------------------
    @property
    def offline(self) -> bool:
        """True when Alembic is writing SQL (``--sql``) instead of running it."""
        return self._connection is None and self.ops.get_context().as_sql

    @property
    def ops(self) -> Operations:
        """Alembic operations bound to this context's connection (the running migration's, inside one)."""
        if self._ops is None:
            if self._connection is not None:
                self._ops = Operations(AlembicMigrationContext.configure(self._connection))
            else:
                self._ops = Operations(running_migration(self.name))
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

    def preflight(self, lookup: Lookup) -> Answer | None:
        """The catalog's answer to ``lookup`` in one query; None offline, where there is no database to ask."""
        if self.offline:
            return None
        return look_up(self.connection, lookup)

    def record(self, action: str) -> None:
        """Log ``action`` under this context's name; it also goes into the "finished" line."""
        self.actions.append(action)
        logger.info("%s: %s", self.name, action)

    # -- checks ----------------------------------------------------------------------------
    @operation(tables.verify_table_exists)
    def verify_table_exists(self, table: str, schema: str | None = None) -> None:
        """Raise ``MigrationHelperError`` unless ``table`` exists."""
        tables.verify_table_exists(self, table, schema)

    @operation(tables.verify_column_exists)
    def verify_column_exists(self, table: str, column: str, schema: str | None = None) -> None:
        """Raise ``MigrationHelperError`` unless ``table.column`` exists."""
        tables.verify_column_exists(self, table, column, schema)

    # -- operations ------------------------------------------------------------------------
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

    @operation(tables.safe_table_rename)
    def safe_table_rename(self, old: str, new: str, schema: str | None = None) -> None:
        """Rename ``old`` to ``new`` after checking old exists and new does not.

        Already renamed (old gone, new present) is a logged no-op, so a re-run is safe.
        """
        tables.safe_table_rename(self, old, new, schema)

    @operation(tables.safe_column_add)
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
        tables.safe_column_add(self, table, column, type_, nullable, server_default, schema)

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

    @operation(constraints.add_foreign_key)
    def add_foreign_key(
        self,
        name: str,
        table: str,
        referent: str,
        columns: Sequence[str],
        referent_columns: Sequence[str],
        *,
        schema: str | None = None,
        referent_schema: str | None = None,
        validate: bool = True,
        ondelete: str | None = None,
        onupdate: str | None = None,
        deferrable: bool | None = None,
        initially: str | None = None,
        match: str | None = None,
    ) -> None:
        constraints.add_foreign_key(
            self, name, table, referent, columns, referent_columns,
            schema=schema, referent_schema=referent_schema, validate=validate,
            ondelete=ondelete, onupdate=onupdate, deferrable=deferrable, initially=initially, match=match,
        )

    @operation(constraints.add_check)
    def add_check(
        self,
        name: str,
        table: str,
        condition: constraints.Condition,
        *,
        schema: str | None = None,
        validate: bool = True,
    ) -> None:
        constraints.add_check(self, name, table, condition, schema=schema, validate=validate)

    @operation(constraints.validate_constraint)
    def validate_constraint(
        self, table: str, name: str, schema: str | None = None, own_transaction: bool = True
    ) -> None:
        constraints.validate_constraint(self, table, name, schema, own_transaction)

    @operation(constraints.set_not_null)
    def set_not_null(self, table: str, column: str, schema: str | None = None) -> None:
        constraints.set_not_null(self, table, column, schema)

    @operation(indexes.create_index_concurrently)
    def create_index_concurrently(
        self,
        name: str,
        table: str,
        columns: Sequence[str],
        *,
        unique: bool = False,
        schema: str | None = None,
        postgresql_where: str | sa.ColumnElement[bool] | sa.TextClause | None = None,
        postgresql_using: str | None = None,
        postgresql_include: Sequence[str] = (),
    ) -> None:
        indexes.create_index_concurrently(
            self, name, table, columns, unique=unique, schema=schema,
            postgresql_where=postgresql_where, postgresql_using=postgresql_using, postgresql_include=postgresql_include,
        )

    @operation(indexes.drop_index_concurrently)
    def drop_index_concurrently(self, name: str, table: str, schema: str | None = None) -> None:
        indexes.drop_index_concurrently(self, name, table, schema)

    @operation(batched_backfill)
    def backfill(
        self,
        table: str,
        values: Mapping[str, Any],
        where: str | sa.ColumnElement[bool] | sa.TextClause,
        *,
        key: str = "id",
        batch_size: int = 1000,
        pause: float = 0.0,
        schema: str | None = None,
    ) -> int:
        return batched_backfill(
            self, table, values, where, key=key, batch_size=batch_size, pause=pause, schema=schema
        )
