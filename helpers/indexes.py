"""Indexes built and dropped ``CONCURRENTLY``: writes go on while PostgreSQL scans the table.

``CONCURRENTLY`` cannot run inside a transaction block, so these commit the migration's work so
far (Alembic's ``autocommit_block``). A failed concurrent build raises and leaves an INVALID index
behind; running the helper again drops it and builds it anew.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from .autocommit import outside_transaction
from .errors import MigrationHelperError
from .identifiers import check_identifier, parse_table
from .preflight import Lookup
from .step import Step


def create_index_concurrently(
    step: Step,
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
    """``CREATE [UNIQUE] INDEX CONCURRENTLY``; a valid index of that name is a no-op, an INVALID one is rebuilt.

    ``postgresql_where`` (a partial index's condition), ``postgresql_using`` (the access method,
    e.g. ``"gin"``) and ``postgresql_include`` (covering columns) are Alembic's ``create_index`` options.
    """
    check_identifier(name, "index name")
    keys = tuple(columns)
    include = tuple(postgresql_include)
    for column in [*keys, *include]:
        check_identifier(column, "column name")
    wanted = parse_table(table, schema)
    rebuild = False
    state = step.preflight(Lookup(wanted, columns=(*keys, *include), index=name))
    if state is not None:
        wanted = state.require_table()
        state.require_columns([*keys, *include])
        existing = state.index
        if existing is not None:
            if existing.table != wanted or existing.columns != keys or existing.unique != unique:
                what = "unique index" if existing.unique else "index"
                raise MigrationHelperError(
                    f"Index {name!r} already exists as {what} on {existing.table}({', '.join(existing.columns)}); "
                    "drop it in a migration of its own, or pick another name."
                )
            if existing.valid:
                step.record(f"index {name} on {wanted} already exists, nothing to do")
                return
            rebuild = True
    options: dict[str, Any] = {}
    if postgresql_where is not None:
        where = postgresql_where
        options["postgresql_where"] = sa.text(where) if isinstance(where, str) else where
    if postgresql_using is not None:
        options["postgresql_using"] = postgresql_using
    if include:
        options["postgresql_include"] = list(include)
    with outside_transaction(step, f"CREATE INDEX CONCURRENTLY {name}"):
        if rebuild:
            step.record(f"dropping INVALID index {name} left by a failed build")
            step.ops.drop_index(name, table_name=wanted.name, schema=wanted.schema, postgresql_concurrently=True)
        step.ops.create_index(
            name, wanted.name, list(keys), unique=unique, schema=wanted.schema, postgresql_concurrently=True, **options
        )
    step.record(f"created {'unique ' if unique else ''}index {name} on {wanted} concurrently")


def drop_index_concurrently(step: Step, name: str, table: str, schema: str | None = None) -> None:
    """``DROP INDEX CONCURRENTLY``; an index that is already gone is a no-op."""
    check_identifier(name, "index name")
    wanted = parse_table(table, schema)
    state = step.preflight(Lookup(wanted, index=name))
    if state is not None:
        existing = state.index
        if existing is None:
            step.record(f"index {name} already gone, nothing to do")
            return
        if existing.table.name != wanted.name:
            raise MigrationHelperError(f"Index {name!r} belongs to table {str(existing.table)!r}, not {table!r}.")
        wanted = existing.table
    with outside_transaction(step, f"DROP INDEX CONCURRENTLY {name}"):
        step.ops.drop_index(name, table_name=wanted.name, schema=wanted.schema, postgresql_concurrently=True)
    step.record(f"dropped index {name} on {wanted} concurrently")
