"""Constraints without a long lock: add them ``NOT VALID``, then ``VALIDATE`` in a transaction of their own.

``ADD CONSTRAINT ... NOT VALID`` locks the table only for a moment (no scan); ``VALIDATE
CONSTRAINT`` scans it under ``SHARE UPDATE EXCLUSIVE``, which lets reads and writes go on. The
validation only helps outside the transaction that added the constraint, whose lock would
otherwise be held for the whole scan, so by default it commits the migration's work first.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from .autocommit import outside_transaction
from .identifiers import TableName, check_identifier, parse_table
from .preflight import ConstraintInfo, Lookup
from .step import Step

Condition = str | sa.ColumnElement[bool] | sa.TextClause


def validate_constraint(
    step: Step, table: str, name: str, schema: str | None = None, own_transaction: bool = True
) -> None:
    """``VALIDATE CONSTRAINT``; with ``own_transaction`` (the default) it commits the migration's work first."""
    check_identifier(name, "constraint name")
    wanted = parse_table(table, schema)
    state = step.preflight(Lookup(wanted, constraint=name))
    if state is None:
        _validate(step, wanted, name, own_transaction)
        return
    _validate_unless_done(step, state.require_table(), name, state.require_constraint(), own_transaction)


def add_foreign_key(
    step: Step,
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
    """Add foreign key ``name`` ``NOT VALID``, then validate it (``validate=False`` leaves that for later).

    Re-running is safe: an existing foreign key of that name is validated if it is not yet.
    ``ondelete``, ``onupdate``, ``deferrable``, ``initially`` and ``match`` are Alembic's
    ``create_foreign_key`` options (SQLAlchemy checks their values).
    """
    check_identifier(name, "constraint name")
    for column in [*columns, *referent_columns]:
        check_identifier(column, "column name")
    source = parse_table(table, schema)
    target = parse_table(referent, referent_schema)
    existing = None
    state = step.preflight(Lookup(source, constraint=name, referent=target))
    if state is not None:
        source = state.require_table()
        target = state.require_referent()
        existing = state.constraint_of_kind("foreign key")
    if existing is None:
        step.ops.create_foreign_key(
            name, source.name, target.name, list(columns), list(referent_columns),
            source_schema=source.schema, referent_schema=target.schema, postgresql_not_valid=True,
            ondelete=ondelete, onupdate=onupdate, deferrable=deferrable, initially=initially, match=match,
        )
        step.record(f"added foreign key {name} on {source} NOT VALID")
    if validate:
        _validate_unless_done(step, source, name, existing, own_transaction=True)


def add_check(
    step: Step,
    name: str,
    table: str,
    condition: Condition,
    *,
    schema: str | None = None,
    validate: bool = True,
) -> None:
    """Add check constraint ``name`` ``NOT VALID``, then validate it; re-running is safe.

    ``condition`` is SQL written by the migration's author, like the body of ``op.execute``.
    """
    check_identifier(name, "constraint name")
    wanted = parse_table(table, schema)
    existing = None
    state = step.preflight(Lookup(wanted, constraint=name))
    if state is not None:
        wanted = state.require_table()
        existing = state.constraint_of_kind("check constraint")
    _add_check(step, name, wanted, condition, existing, validate)


def set_not_null(step: Step, table: str, column: str, schema: str | None = None) -> None:
    """Make ``column`` NOT NULL without a long lock: validated ``CHECK (column IS NOT NULL)`` first.

    PostgreSQL (12+) then skips its own full scan for ``SET NOT NULL``; the check is dropped after.
    """
    check_identifier(column, "column name")
    wanted = parse_table(table, schema)
    check_name = check_identifier(f"{wanted.name}_{column}_not_null"[:63], "constraint name")
    existing = None
    state = step.preflight(Lookup(wanted, columns=(column,), constraint=check_name))
    if state is not None:
        wanted = state.require_table()
        if not state.require_column(column).nullable:
            step.record(f"column {wanted}.{column} is already NOT NULL, nothing to do")
            return
        existing = state.constraint_of_kind("check constraint")
    preparer = step.ops.get_context().dialect.identifier_preparer
    _add_check(step, check_name, wanted, sa.text(f"{preparer.quote(column)} IS NOT NULL"), existing, validate=True)
    step.ops.alter_column(wanted.name, column, nullable=False, schema=wanted.schema)
    step.ops.drop_constraint(check_name, wanted.name, type_="check", schema=wanted.schema)
    step.record(f"set {wanted}.{column} NOT NULL (through validated check {check_name})")


def _add_check(
    step: Step, name: str, table: TableName, condition: Condition, existing: ConstraintInfo | None, validate: bool
) -> None:
    """Add the check ``NOT VALID`` unless it exists, then validate it; ``table`` is already checked."""
    if existing is None:
        step.ops.create_check_constraint(name, table.name, condition, schema=table.schema, postgresql_not_valid=True)
        step.record(f"added check constraint {name} on {table} NOT VALID")
    if validate:
        _validate_unless_done(step, table, name, existing, own_transaction=True)


def _validate_unless_done(
    step: Step, table: TableName, name: str, existing: ConstraintInfo | None, own_transaction: bool
) -> None:
    """Validate, unless the pre-flight check found the constraint validated already."""
    if existing is not None and existing.validated:
        step.record(f"constraint {name} on {table} already validated, nothing to do")
        return
    _validate(step, table, name, own_transaction)


def _validate(step: Step, table: TableName, name: str, own_transaction: bool) -> None:
    preparer = step.ops.get_context().dialect.identifier_preparer
    statement = sa.text(
        f"ALTER TABLE {preparer.format_table(sa.table(table.name, schema=table.schema))} "
        f"VALIDATE CONSTRAINT {preparer.quote(name)}"
    )
    if own_transaction:
        with outside_transaction(step, f"validating {name}"):
            step.ops.execute(statement)
    else:
        step.ops.execute(statement)
    step.record(f"validated constraint {name} on {table}")
