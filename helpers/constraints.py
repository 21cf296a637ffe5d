"""Constraints without a long lock: add them ``NOT VALID``, then ``VALIDATE`` in a transaction of their own.

``ADD CONSTRAINT ... NOT VALID`` locks the table only for a moment (no scan); ``VALIDATE
CONSTRAINT`` scans it under ``SHARE UPDATE EXCLUSIVE``, which lets reads and writes go on. The
validation only helps outside the transaction that added the constraint, whose lock would
otherwise be held for the whole scan, so by default it commits the migration's work first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .autocommit import outside_transaction
from .errors import MigrationHelperError
from .identifiers import TableName, check_identifier, parse_table

if TYPE_CHECKING:
    from .context import MigrationContext

_FIND_CONSTRAINT = sa.text(
    """
    SELECT c.contype AS type, c.convalidated AS validated
    FROM pg_catalog.pg_constraint c
    JOIN pg_catalog.pg_class t ON t.oid = c.conrelid
    JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
    WHERE n.nspname = :schema AND t.relname = :table AND c.conname = :name
    """
)
_KINDS = {"f": "foreign key", "c": "check constraint", "u": "unique constraint", "p": "primary key"}


@dataclass(frozen=True)
class ConstraintInfo:
    """A constraint as ``pg_constraint`` describes it."""

    kind: str
    validated: bool


def find_constraint(conn: Connection, table: TableName, name: str) -> ConstraintInfo | None:
    """The constraint ``name`` on ``table`` (schema filled in), or None."""
    row = conn.execute(_FIND_CONSTRAINT, {"schema": table.schema, "table": table.name, "name": name}).one_or_none()
    return ConstraintInfo(_KINDS.get(row.type, row.type), bool(row.validated)) if row is not None else None


def _table(ctx: MigrationContext, table: str, schema: str | None) -> TableName:
    wanted = parse_table(table, schema)
    found = ctx._find_table(wanted)
    if found is None:
        raise MigrationHelperError(f"Table {str(wanted)!r} does not exist.")
    return found


def _existing(ctx: MigrationContext, table: TableName, name: str, kind: str) -> ConstraintInfo | None:
    info = find_constraint(ctx.connection, table, name)
    if info is not None and info.kind != kind:
        raise MigrationHelperError(
            f"Constraint {name!r} on {str(table)!r} already exists as a {info.kind}, not a {kind}."
        )
    return info


def validate_constraint(
    ctx: MigrationContext, table: str, name: str, schema: str | None = None, own_transaction: bool = True
) -> None:
    """``VALIDATE CONSTRAINT``; with ``own_transaction`` (the default) it commits the migration's work first."""
    check_identifier(name, "constraint name")
    wanted = parse_table(table, schema)
    if not ctx.offline:
        found = _table(ctx, table, schema)
        info = find_constraint(ctx.connection, found, name)
        if info is None:
            raise MigrationHelperError(f"Constraint {name!r} does not exist on table {str(found)!r}.")
        if info.validated:
            ctx._did(f"constraint {name} on {found} already validated, nothing to do")
            return
        wanted = found
    preparer = ctx.ops.get_context().dialect.identifier_preparer
    statement = sa.text(
        f"ALTER TABLE {preparer.format_table(sa.table(wanted.name, schema=wanted.schema))} "
        f"VALIDATE CONSTRAINT {preparer.quote(name)}"
    )
    if own_transaction:
        with outside_transaction(ctx, f"validating {name}"):
            ctx.ops.execute(statement)
    else:
        ctx.ops.execute(statement)
    ctx._did(f"validated constraint {name} on {wanted}")


def add_foreign_key(
    ctx: MigrationContext,
    name: str,
    table: str,
    referent: str,
    columns: Sequence[str],
    referent_columns: Sequence[str],
    *,
    schema: str | None = None,
    referent_schema: str | None = None,
    validate: bool = True,
    **options: Any,
) -> None:
    """Add foreign key ``name`` ``NOT VALID``, then validate it (``validate=False`` leaves that for later).

    Re-running is safe: an existing foreign key of that name is validated if it is not yet.
    ``options`` go to Alembic's ``create_foreign_key`` (``ondelete=`` and the like).
    """
    check_identifier(name, "constraint name")
    for column in [*columns, *referent_columns]:
        check_identifier(column, "column name")
    source = parse_table(table, schema)
    target = parse_table(referent, referent_schema)
    info = None
    if not ctx.offline:
        source = _table(ctx, table, schema)
        target = _table(ctx, referent, referent_schema)
        info = _existing(ctx, source, name, "foreign key")
    if info is None:
        ctx.ops.create_foreign_key(
            name, source.name, target.name, list(columns), list(referent_columns),
            source_schema=source.schema, referent_schema=target.schema, postgresql_not_valid=True, **options,
        )
        ctx._did(f"added foreign key {name} on {source} NOT VALID")
    if validate:
        validate_constraint(ctx, source.name, name, schema=source.schema)


def add_check(
    ctx: MigrationContext,
    name: str,
    table: str,
    condition: str | sa.ColumnElement[bool] | sa.TextClause,
    *,
    schema: str | None = None,
    validate: bool = True,
) -> None:
    """Add check constraint ``name`` ``NOT VALID``, then validate it; re-running is safe.

    ``condition`` is SQL written by the migration's author, like the body of ``op.execute``.
    """
    check_identifier(name, "constraint name")
    found = parse_table(table, schema)
    info = None
    if not ctx.offline:
        found = _table(ctx, table, schema)
        info = _existing(ctx, found, name, "check constraint")
    if info is None:
        ctx.ops.create_check_constraint(name, found.name, condition, schema=found.schema, postgresql_not_valid=True)
        ctx._did(f"added check constraint {name} on {found} NOT VALID")
    if validate:
        validate_constraint(ctx, found.name, name, schema=found.schema)


def set_not_null(ctx: MigrationContext, table: str, column: str, schema: str | None = None) -> None:
    """Make ``column`` NOT NULL without a long lock: validated ``CHECK (column IS NOT NULL)`` first.

    PostgreSQL (12+) then skips its own full scan for ``SET NOT NULL``; the check is dropped after.
    """
    check_identifier(column, "column name")
    found = parse_table(table, schema)
    if not ctx.offline:
        found = _table(ctx, table, schema)
        from .catalog import find_column

        existing = find_column(ctx.connection, found, column)
        if existing is None:
            raise MigrationHelperError(f"Column {column!r} does not exist in table {str(found)!r}.")
        if not existing.nullable:
            ctx._did(f"column {found}.{column} is already NOT NULL, nothing to do")
            return
    check_name = check_identifier(f"{found.name}_{column}_not_null"[:63], "constraint name")
    preparer = ctx.ops.get_context().dialect.identifier_preparer
    add_check(ctx, check_name, found.name, sa.text(f"{preparer.quote(column)} IS NOT NULL"), schema=found.schema)
    ctx.ops.alter_column(found.name, column, nullable=False, schema=found.schema)
    ctx.ops.drop_constraint(check_name, found.name, type_="check", schema=found.schema)
    ctx._did(f"set {found}.{column} NOT NULL (through validated check {check_name})")
