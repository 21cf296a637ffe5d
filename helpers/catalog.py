"""Read-only look-ups in PostgreSQL's catalog; every name is a bound parameter."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .identifiers import TableName

_FIND_TABLE = sa.text(
    """
    SELECT n.nspname AS schema
    FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relname = :name
      AND c.relkind IN ('r', 'p')
      AND (n.nspname = CAST(:schema AS text)
           OR (CAST(:schema AS text) IS NULL AND pg_catalog.pg_table_is_visible(c.oid)))
    """
)

_FIND_COLUMN = sa.text(
    """
    SELECT pg_catalog.format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null
    FROM pg_catalog.pg_attribute a
    JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = :schema AND c.relname = :table AND a.attname = :column
      AND a.attnum > 0 AND NOT a.attisdropped
    """
)


@dataclass(frozen=True)
class ColumnInfo:
    """A column as the catalog describes it."""

    type: str
    nullable: bool


def find_table(conn: Connection, table: TableName) -> TableName | None:
    """The table with its schema filled in, or None; unqualified names follow search_path."""
    schema = conn.execute(_FIND_TABLE, {"name": table.name, "schema": table.schema}).scalar()
    return TableName(table.name, schema) if schema is not None else None


def find_column(conn: Connection, table: TableName, column: str) -> ColumnInfo | None:
    """Type (as ``format_type`` spells it) and nullability of a column, or None if absent."""
    row = conn.execute(_FIND_COLUMN, {"schema": table.schema, "table": table.name, "column": column}).one_or_none()
    return ColumnInfo(row.type, not row.not_null) if row is not None else None
