"""Tables and columns: rename a table, add a column, verify that a table or column exists.

Each is a method of ``MigrationContext``, whose docstring is the operation's.

Each operation checks the catalog once before it changes anything (``Step.preflight``), and is a
logged no-op when a re-run finds its work already done. Its DDL then either takes effect or
raises PostgreSQL's own error, so the result needs no second look, except where the catalog's
spelling of a column type is only a guess (``ColumnType.exact``).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from .column_types import parse_column_type
from .errors import MigrationHelperError
from .identifiers import TableName, check_identifier, parse_table
from .preflight import Lookup, column_missing
from .step import Step


def verify_table_exists(step: Step, table: str, schema: str | None = None) -> None:
    wanted = parse_table(table, schema)
    state = step.preflight(Lookup(wanted))
    if state is not None:
        state.require_table()


def verify_column_exists(step: Step, table: str, column: str, schema: str | None = None) -> None:
    wanted = parse_table(table, schema)
    check_identifier(column, "column name")
    state = step.preflight(Lookup(wanted, columns=(column,)))
    if state is not None:
        state.require_table()
        if column not in state.columns:
            raise column_missing(column, wanted)


def safe_table_rename(step: Step, old: str, new: str, schema: str | None = None) -> None:
    source = parse_table(old, schema)
    target = parse_table(new, schema)
    if target.schema not in (None, source.schema):
        raise MigrationHelperError(
            f"Cannot rename {old!r} to {new!r}: a rename stays in its schema; "
            "move tables with ALTER TABLE ... SET SCHEMA."
        )
    state = step.preflight(Lookup(source, new_name=target.name))
    if state is None:
        step.ops.rename_table(source.name, target.name, schema=source.schema)
        step.record(f"renamed table {source} to {target.name} (unchecked, offline)")
        return
    if state.table is None and state.new_name_taken:
        step.record(f"table {source} already renamed to {target.name}, nothing to do")
        return
    if state.table is None:
        raise MigrationHelperError(f"Cannot rename {str(source)!r}: neither it nor {target.name!r} exists.")
    if state.new_name_taken:
        raise MigrationHelperError(
            f"Cannot rename {str(source)!r} to {target.name!r}: both tables exist; drop or rename one first."
        )
    step.ops.rename_table(state.table.name, target.name, schema=state.table.schema)
    step.record(f"renamed table {source} to {target.name}")


def safe_column_add(
    step: Step,
    table: str,
    column: str,
    type_: Any,
    nullable: bool = True,
    server_default: Any = None,
    schema: str | None = None,
) -> None:
    wanted_table = parse_table(table, schema)
    check_identifier(column, "column name")
    wanted = parse_column_type(type_)
    new_column = sa.Column(column, wanted.sa_type, nullable=nullable, server_default=server_default)
    state = step.preflight(Lookup(wanted_table, columns=(column,)))
    if state is None:
        step.ops.add_column(wanted_table.name, new_column, schema=wanted_table.schema)
        step.record(f"added column {wanted_table}.{column} (unchecked, offline)")
        return
    found = state.require_table()
    existing = state.columns.get(column)
    want_null = "NULL" if nullable else "NOT NULL"
    if existing is not None:
        have_null = "NULL" if existing.nullable else "NOT NULL"
        if existing.type == wanted.canonical and existing.nullable == nullable:
            step.record(f"column {found}.{column} already exists as {existing.type} {have_null}, nothing to do")
            return
        raise MigrationHelperError(
            f"Column {column!r} already exists in {str(found)!r} as {existing.type} {have_null}, "
            f"not {wanted.canonical} {want_null}; change it with a migration of its own."
        )
    step.ops.add_column(found.name, new_column, schema=found.schema)
    if not wanted.exact:
        _check_added_type(step, found, column, wanted.canonical)
    step.record(f"added column {found}.{column} {wanted.canonical} {want_null}")


def _check_added_type(step: Step, table: TableName, column: str, canonical: str) -> None:
    """The catalog spells the new column's type as guessed, or a re-run could not recognise it."""
    added = step.preflight(Lookup(table, columns=(column,)))
    info = added.columns.get(column) if added is not None else None
    if info is None or info.type != canonical:
        raise MigrationHelperError(f"Adding column {column!r} to {str(table)!r} did not take effect.")
