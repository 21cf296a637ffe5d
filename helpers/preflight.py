"""The operations' look-ups in PostgreSQL's catalog, and every "does not exist" message, in one place.

An operation's pre-flight check is one ``Lookup`` answered by one query (one round trip): the
table, the columns it names, the constraint or index it touches, and the other table it needs
(a rename's new name, a foreign key's referent). Every name is a bound parameter.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .errors import MigrationHelperError
from .identifiers import TableName


def regclass_name(name: str, schema: str | None = None) -> str:
    """``name`` (in ``schema``) quoted for ``to_regclass``, which resolves it as DDL would: a bound value, not SQL."""
    quoted = '"' + name.replace('"', '""') + '"'
    return quoted if schema is None else '"' + schema.replace('"', '""') + '".' + quoted


def _beside_table(name: str) -> str:
    """SQL for ``:<name>`` in the table's schema when the table was found, else ``:<name>_regclass`` as given."""
    return (
        f"pg_catalog.to_regclass(CASE WHEN c.oid IS NULL THEN :{name}_regclass"
        f" ELSE c.relnamespace::regnamespace::text || '.' || pg_catalog.quote_ident(:{name}) END)"
    )


#: The table, resolved as DDL resolves a name (``to_regclass``: in its schema, or the first on
#: search_path), and kept only if it is a table: no row when it is missing...
_TABLE_ROW = """
    FROM pg_catalog.pg_class c{joins}
    WHERE c.oid = pg_catalog.to_regclass(:table_regclass) AND c.relkind IN ('r', 'p')"""
#: ... or one row whatever is found, for a lookup that also asks what is there without the table.
_ONE_ROW = """
    FROM (SELECT pg_catalog.to_regclass(:table_regclass) AS oid) AS wanted
    LEFT JOIN pg_catalog.pg_class c ON c.oid = wanted.oid AND c.relkind IN ('r', 'p'){joins}"""

#: What a lookup may add to it: (select list, join). Each is planned only when asked for.
_COLUMNS = (  # [[name, type, "true" when NOT NULL], ...] for the columns that exist
    """ARRAY(SELECT ARRAY[a.attname::text, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull::text]
             FROM pg_catalog.pg_attribute a
             WHERE a.attrelid = c.oid AND a.attname = ANY (CAST(:columns AS text[]))
               AND a.attnum > 0 AND NOT a.attisdropped) AS columns_info""",
    "",
)
_COLUMN = (  # the same for one column, cheaper to plan: [name, type, not null], or NULL
    """(SELECT ARRAY[a.attname::text, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull::text]
        FROM pg_catalog.pg_attribute a
        WHERE a.attrelid = c.oid AND a.attname = :column AND a.attnum > 0 AND NOT a.attisdropped) AS column_info""",
    "",
)
_CONSTRAINT = (
    "con.contype::text AS constraint_type, con.convalidated AS constraint_validated",
    """
    LEFT JOIN pg_catalog.pg_constraint con ON con.conrelid = c.oid AND con.conname = :constraint""",
)
_INDEX = (
    "idx.table AS index_table, idx.schema AS index_schema, idx.valid AS index_valid, "
    "idx.is_unique AS index_unique, idx.columns AS index_columns",
    f"""
    LEFT JOIN LATERAL (
        SELECT r.relname::text AS table, r.relnamespace::regnamespace::text AS schema, x.indisvalid AS valid,
               x.indisunique AS is_unique,
               ARRAY(SELECT a.attname::text
                     FROM unnest(x.indkey) WITH ORDINALITY AS k(attnum, ord)
                     JOIN pg_catalog.pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum
                     WHERE k.ord <= x.indnkeyatts
                     ORDER BY k.ord) AS columns
        FROM pg_catalog.pg_index x
        JOIN pg_catalog.pg_class r ON r.oid = x.indrelid
        WHERE x.indexrelid = {_beside_table("index")}
    ) AS idx ON true""",
)
_NEW_NAME = (
    f"""(SELECT true FROM pg_catalog.pg_class n
          WHERE n.oid = {_beside_table("new_name")} AND n.relkind IN ('r', 'p')) AS new_name_taken""",
    "",
)
_REFERENT = (
    """(SELECT f.relnamespace::regnamespace::text FROM pg_catalog.pg_class f
          WHERE f.oid = pg_catalog.to_regclass(:referent_regclass) AND f.relkind IN ('r', 'p')) AS referent_schema""",
    "",
)


@dataclass(frozen=True)
class _Parts:
    """Which parts a lookup asks for; each combination has its own query text, built once."""

    columns: int  # 0, 1, or 2 for more than one
    constraint: bool
    index: bool
    new_name: bool
    referent: bool


_QUERIES: dict[_Parts, sa.TextClause] = {}


def _query(parts: _Parts) -> sa.TextClause:
    query = _QUERIES.get(parts)
    if query is None:
        asked = (parts.columns == 1, parts.columns > 1, parts.constraint, parts.index, parts.new_name, parts.referent)
        every = (_COLUMN, _COLUMNS, _CONSTRAINT, _INDEX, _NEW_NAME, _REFERENT)
        chosen = [part for part, wanted in zip(every, asked, strict=True) if wanted]
        select = ", ".join(["c.relnamespace::regnamespace::text AS schema", *(columns for columns, _ in chosen)])
        # an index or a rename's new name is looked for even when the table is gone
        source = _ONE_ROW if parts.index or parts.new_name else _TABLE_ROW
        joins = "".join(join for _, join in chosen)
        query = _QUERIES[parts] = sa.text(f"SELECT {select}{source.format(joins=joins)}")
    return query


def _unquote(identifier: str) -> str:
    """A name as ``regnamespace`` prints it (quoted when it must be) back to the name itself."""
    if identifier.startswith('"') and identifier.endswith('"') and len(identifier) > 1:
        return identifier[1:-1].replace('""', '"')
    return identifier


_KINDS = {"f": "foreign key", "c": "check constraint", "u": "unique constraint", "p": "primary key"}


# -- the messages, written once --------------------------------------------------------------------
def table_missing(table: TableName) -> MigrationHelperError:
    """``Table 'x' does not exist.``"""
    return MigrationHelperError(f"Table {str(table)!r} does not exist.")


def column_missing(column: str, table: TableName) -> MigrationHelperError:
    """``Column 'c' does not exist in table 't'.``"""
    return MigrationHelperError(f"Column {column!r} does not exist in table {str(table)!r}.")


def constraint_missing(name: str, table: TableName) -> MigrationHelperError:
    """``Constraint 'c' does not exist on table 't'.``"""
    return MigrationHelperError(f"Constraint {name!r} does not exist on table {str(table)!r}.")


# -- what is asked, and what the catalog answers ----------------------------------------------------
@dataclass(frozen=True)
class Lookup:
    """What one pre-flight check asks the catalog, answered in one round trip by ``look_up``.

    ``index`` is looked up in the table's schema (or search_path when neither is known);
    ``new_name`` is a name ``table`` may be renamed to, looked up in the same schema.
    """

    table: TableName
    columns: Sequence[str] = ()
    constraint: str | None = None
    index: str | None = None
    new_name: str | None = None
    referent: TableName | None = None


@dataclass(frozen=True)
class ColumnInfo:
    """A column as the catalog describes it."""

    type: str
    nullable: bool


@dataclass(frozen=True)
class ConstraintInfo:
    """A constraint as ``pg_constraint`` describes it."""

    kind: str
    validated: bool


@dataclass(frozen=True)
class IndexInfo:
    """An index as the catalog describes it; ``valid`` is false after a failed concurrent build."""

    table: TableName
    valid: bool
    unique: bool
    columns: tuple[str, ...]


@dataclass(frozen=True)
class Answer:
    """The catalog's answer to a ``Lookup``: ``table`` has its schema filled in, or is None when missing."""

    lookup: Lookup
    table: TableName | None
    columns: Mapping[str, ColumnInfo] = field(default_factory=dict)
    constraint: ConstraintInfo | None = None
    index: IndexInfo | None = None
    new_name_taken: bool = False
    referent: TableName | None = None

    def require_table(self) -> TableName:
        """The table, schema filled in; raises when it does not exist."""
        if self.table is None:
            raise table_missing(self.lookup.table)
        return self.table

    def require_column(self, column: str) -> ColumnInfo:
        """The column's type and nullability; raises when the table or the column does not exist."""
        table = self.require_table()
        info = self.columns.get(column)
        if info is None:
            raise column_missing(column, table)
        return info

    def require_columns(self, columns: Sequence[str]) -> None:
        """Raise, naming the first one missing, unless every column in ``columns`` exists."""
        for column in columns:
            self.require_column(column)

    def require_referent(self) -> TableName:
        """The referent table of a foreign key, schema filled in; raises when it does not exist."""
        if self.lookup.referent is None:
            raise ValueError("the lookup named no referent table")
        if self.referent is None:
            raise table_missing(self.lookup.referent)
        return self.referent

    def require_constraint(self) -> ConstraintInfo:
        """The constraint the lookup names; raises when the table or the constraint does not exist."""
        table = self.require_table()
        if self.constraint is None:
            raise constraint_missing(str(self.lookup.constraint), table)
        return self.constraint

    def constraint_of_kind(self, kind: str) -> ConstraintInfo | None:
        """The named constraint if there is one; raises when the name is taken by another kind."""
        info = self.constraint
        if info is not None and info.kind != kind:
            raise MigrationHelperError(
                f"Constraint {self.lookup.constraint!r} on {str(self.require_table())!r} already exists "
                f"as a {info.kind}, not a {kind}."
            )
        return info


def look_up(conn: Connection, lookup: Lookup) -> Answer:
    """Answer ``lookup`` with one query; unqualified names follow search_path."""
    table, referent = lookup.table, lookup.referent
    parts = _Parts(
        columns=min(len(lookup.columns), 2),
        constraint=lookup.constraint is not None,
        index=lookup.index is not None,
        new_name=lookup.new_name is not None,
        referent=referent is not None,
    )
    params: dict[str, object] = {"table_regclass": regclass_name(table.name, table.schema)}
    if len(lookup.columns) == 1:
        params["column"] = lookup.columns[0]
    elif lookup.columns:
        params["columns"] = list(lookup.columns)
    if lookup.constraint is not None:
        params["constraint"] = lookup.constraint
    if lookup.index is not None:
        params["index"], params["index_regclass"] = lookup.index, regclass_name(lookup.index, table.schema)
    if lookup.new_name is not None:
        params["new_name"], params["new_name_regclass"] = lookup.new_name, regclass_name(lookup.new_name, table.schema)
    if referent is not None:
        params["referent_regclass"] = regclass_name(referent.name, referent.schema)
    row = conn.execute(_query(parts), params).one_or_none()
    if row is None:  # no such table, and nothing asked that could be there without it
        return Answer(lookup=lookup, table=None)
    found = TableName(table.name, _unquote(row.schema)) if row.schema is not None else None
    columns: dict[str, ColumnInfo] = {}
    if parts.columns:
        found_columns = row.columns_info if parts.columns > 1 else [row.column_info] if row.column_info else []
        columns = {name: ColumnInfo(type_, not_null == "false") for name, type_, not_null in found_columns}
    constraint = None
    if parts.constraint and row.constraint_type is not None:
        constraint = ConstraintInfo(_KINDS.get(row.constraint_type, row.constraint_type), row.constraint_validated)
    index = None
    if parts.index and row.index_table is not None:
        index = IndexInfo(
            TableName(row.index_table, _unquote(row.index_schema)),
            row.index_valid,
            row.index_unique,
            tuple(row.index_columns),
        )
    referent_found = None
    if referent is not None and row.referent_schema is not None:
        referent_found = TableName(referent.name, _unquote(row.referent_schema))
    return Answer(
        lookup=lookup,
        table=found,
        columns=columns,
        constraint=constraint,
        index=index,
        new_name_taken=parts.new_name and row.new_name_taken is not None,
        referent=referent_found,
    )
