"""Indexes built and dropped ``CONCURRENTLY``: writes go on while PostgreSQL scans the table.

``CONCURRENTLY`` cannot run inside a transaction block, so these commit the migration's work so
far (Alembic's ``autocommit_block``). A failed concurrent build leaves an INVALID index behind;
running the helper again drops it and builds it anew.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .autocommit import outside_transaction
from .catalog import find_column
from .errors import MigrationHelperError
from .identifiers import TableName, check_identifier, parse_table

if TYPE_CHECKING:
    from .context import MigrationContext

_FIND_INDEX = sa.text(
    """
    SELECT t.relname AS table, n.nspname AS schema, x.indisvalid AS valid, x.indisunique AS is_unique,
           ARRAY(SELECT a.attname::text
                 FROM unnest(x.indkey) WITH ORDINALITY AS k(attnum, ord)
                 JOIN pg_catalog.pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum
                 ORDER BY k.ord) AS columns
    FROM pg_catalog.pg_class i
    JOIN pg_catalog.pg_index x ON x.indexrelid = i.oid
    JOIN pg_catalog.pg_class t ON t.oid = x.indrelid
    JOIN pg_catalog.pg_namespace n ON n.oid = i.relnamespace
    WHERE i.relname = :name
      AND (n.nspname = CAST(:schema AS text)
           OR (CAST(:schema AS text) IS NULL AND pg_catalog.pg_table_is_visible(i.oid)))
    """
)


@dataclass(frozen=True)
class IndexInfo:
    """An index as the catalog describes it; ``valid`` is false after a failed concurrent build."""

    table: TableName
    valid: bool
    unique: bool
    columns: tuple[str, ...]


def find_index(conn: Connection, name: str, schema: str | None = None) -> IndexInfo | None:
    """The index ``name`` (unqualified names follow search_path), or None."""
    row = conn.execute(_FIND_INDEX, {"name": name, "schema": schema}).one_or_none()
    if row is None:
        return None
    return IndexInfo(TableName(row.table, row.schema), bool(row.valid), bool(row.is_unique), tuple(row.columns))


def create_index_concurrently(
    ctx: MigrationContext,
    name: str,
    table: str,
    columns: Sequence[str],
    *,
    unique: bool = False,
    schema: str | None = None,
    **options: Any,
) -> None:
    """``CREATE [UNIQUE] INDEX CONCURRENTLY``; a valid index of that name is a no-op, an INVALID one is rebuilt.

    ``options`` go to Alembic's ``create_index`` (``postgresql_where=``, ``postgresql_using=`` ...).
    """
    check_identifier(name, "index name")
    for column in columns:
        check_identifier(column, "column name")
    wanted = parse_table(table, schema)
    existing = None
    if not ctx.offline:
        found = ctx._find_table(wanted)
        if found is None:
            raise MigrationHelperError(f"Table {str(wanted)!r} does not exist.")
        wanted = found
        for column in columns:
            if find_column(ctx.connection, found, column) is None:
                raise MigrationHelperError(f"Column {column!r} does not exist in table {str(found)!r}.")
        existing = find_index(ctx.connection, name, found.schema)
        if existing is not None:
            if existing.table != found or existing.columns != tuple(columns) or existing.unique != unique:
                what = "unique index" if existing.unique else "index"
                raise MigrationHelperError(
                    f"Index {name!r} already exists as {what} on {existing.table}({', '.join(existing.columns)}); "
                    "drop it in a migration of its own, or pick another name."
                )
            if existing.valid:
                ctx._did(f"index {name} on {found} already exists, nothing to do")
                return
    with outside_transaction(ctx, f"CREATE INDEX CONCURRENTLY {name}"):
        if existing is not None:
            ctx._did(f"dropping INVALID index {name} left by a failed build")
            ctx.ops.drop_index(name, table_name=wanted.name, schema=wanted.schema, postgresql_concurrently=True)
        ctx.ops.create_index(
            name, wanted.name, list(columns), unique=unique, schema=wanted.schema,
            postgresql_concurrently=True, **options,
        )
    if not ctx.offline:
        built = find_index(ctx.connection, name, wanted.schema)
        if built is None or not built.valid:
            raise MigrationHelperError(f"Index {name!r} on {str(wanted)!r} was not built valid.")
    ctx._did(f"created {'unique ' if unique else ''}index {name} on {wanted} concurrently")


def drop_index_concurrently(ctx: MigrationContext, name: str, table: str, schema: str | None = None) -> None:
    """``DROP INDEX CONCURRENTLY``; an index that is already gone is a no-op."""
    check_identifier(name, "index name")
    wanted = parse_table(table, schema)
    if not ctx.offline:
        existing = find_index(ctx.connection, name, wanted.schema)
        if existing is None:
            ctx._did(f"index {name} already gone, nothing to do")
            return
        if existing.table.name != wanted.name:
            raise MigrationHelperError(f"Index {name!r} belongs to table {str(existing.table)!r}, not {table!r}.")
        wanted = existing.table
    with outside_transaction(ctx, f"DROP INDEX CONCURRENTLY {name}"):
        ctx.ops.drop_index(name, table_name=wanted.name, schema=wanted.schema, postgresql_concurrently=True)
    ctx._did(f"dropped index {name} on {wanted} concurrently")
