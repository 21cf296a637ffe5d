"""Every look-up in PostgreSQL's catalog, and every "does not exist" message, in one place.

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
class Snapshot:
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


def look_up(conn: Connection, lookup: Lookup) -> Snapshot:
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
        return Snapshot(lookup=lookup, table=None)
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
    return Snapshot(
        lookup=lookup,
        table=found,
        columns=columns,
        constraint=constraint,
        index=index,
        new_name_taken=parts.new_name and row.new_name_taken is not None,
        referent=referent_found,
    )


# -- the whole schema, for comparing two databases (helpers.schema) --------------------------------
#: Schemas of the database's own objects: not PostgreSQL's, not temporary or TOAST ones.
_OWN_SCHEMA = "n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'"


def _not_from_extension(catalog: str, oid: str) -> str:
    """SQL true when the object is not a member of an extension (CREATE EXTENSION made it, not a migration)."""
    return (
        "NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e WHERE e.classid = "
        f"'pg_catalog.{catalog}'::regclass AND e.objid = {oid} AND e.deptype = 'e')"
    )


#: One query per kind of object: rows of (kind, schema, parent, name, definition). ``parent`` is
#: the table an object belongs to (columns, indexes, constraints, triggers), else NULL.
SCHEMA_OBJECTS: dict[str, str] = {
    "schema": f"""
        SELECT 'schema', n.nspname::text, NULL, n.nspname::text, 'a schema'
        FROM pg_catalog.pg_namespace n
        WHERE {_OWN_SCHEMA} AND {_not_from_extension("pg_namespace", "n.oid")}""",
    "extension": """
        SELECT 'extension', n.nspname::text, NULL, x.extname::text, 'version ' || x.extversion
        FROM pg_catalog.pg_extension x JOIN pg_catalog.pg_namespace n ON n.oid = x.extnamespace""",
    "table": f"""
        SELECT 'table', n.nspname::text, NULL, c.relname::text,
               CASE c.relkind WHEN 'p' THEN 'partitioned table' WHEN 'f' THEN 'foreign table' ELSE 'table' END
               || CASE c.relpersistence WHEN 'u' THEN ', unlogged' ELSE '' END
               || CASE WHEN c.relispartition THEN ', partition of ' || (
                      SELECT i.inhparent::regclass::text FROM pg_catalog.pg_inherits i WHERE i.inhrelid = c.oid)
                  ELSE '' END
        FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p', 'f') AND {_OWN_SCHEMA} AND {_not_from_extension("pg_class", "c.oid")}""",
    "column": f"""
        SELECT 'column', n.nspname::text, c.relname::text, a.attname::text,
               pg_catalog.format_type(a.atttypid, a.atttypmod)
               || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE ' NULL' END
               || COALESCE(' DEFAULT ' || pg_catalog.pg_get_expr(d.adbin, d.adrelid), '')
               || CASE a.attidentity WHEN 'a' THEN ' GENERATED ALWAYS AS IDENTITY'
                                     WHEN 'd' THEN ' GENERATED BY DEFAULT AS IDENTITY' ELSE '' END
               || CASE WHEN a.attgenerated = 's' THEN ' (stored generated)' ELSE '' END
               || CASE WHEN a.attcollation <> t.typcollation THEN ' COLLATE ' || co.collname ELSE '' END
        FROM pg_catalog.pg_attribute a
        JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
        LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation
        WHERE c.relkind IN ('r', 'p', 'f') AND a.attnum > 0 AND NOT a.attisdropped
          AND {_OWN_SCHEMA} AND {_not_from_extension("pg_class", "c.oid")}""",
    "index": f"""
        SELECT 'index', n.nspname::text, t.relname::text, c.relname::text,
               pg_catalog.pg_get_indexdef(x.indexrelid) || CASE WHEN x.indisvalid THEN '' ELSE ' (INVALID)' END
        FROM pg_catalog.pg_index x
        JOIN pg_catalog.pg_class c ON c.oid = x.indexrelid
        JOIN pg_catalog.pg_class t ON t.oid = x.indrelid
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE {_OWN_SCHEMA} AND {_not_from_extension("pg_class", "t.oid")}
          AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k
                          WHERE k.conindid = x.indexrelid AND k.contype IN ('p', 'u', 'x'))""",
    "constraint": f"""
        SELECT 'constraint', n.nspname::text, c.relname::text, k.conname::text,
               pg_catalog.pg_get_constraintdef(k.oid)
        FROM pg_catalog.pg_constraint k
        JOIN pg_catalog.pg_class c ON c.oid = k.conrelid
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE k.contype <> 'n' AND {_OWN_SCHEMA} AND {_not_from_extension("pg_class", "c.oid")}""",
    "sequence": f"""
        SELECT 'sequence', n.nspname::text, owner.relname::text, c.relname::text,
               'AS ' || pg_catalog.format_type(s.seqtypid, NULL) || ' START ' || s.seqstart
               || ' INCREMENT ' || s.seqincrement || ' MINVALUE ' || s.seqmin || ' MAXVALUE ' || s.seqmax
               || CASE WHEN s.seqcycle THEN ' CYCLE' ELSE '' END
               || COALESCE(' OWNED BY ' || owner.relname || '.' || a.attname, '')
        FROM pg_catalog.pg_sequence s
        JOIN pg_catalog.pg_class c ON c.oid = s.seqrelid
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid
             AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.deptype IN ('a', 'i')
        LEFT JOIN pg_catalog.pg_class owner ON owner.oid = d.refobjid
        LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
        WHERE {_OWN_SCHEMA} AND {_not_from_extension("pg_class", "c.oid")}""",
    "view": f"""
        SELECT CASE c.relkind WHEN 'm' THEN 'materialized view' ELSE 'view' END,
               n.nspname::text, NULL, c.relname::text, pg_catalog.pg_get_viewdef(c.oid, true)
        FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('v', 'm') AND {_OWN_SCHEMA} AND {_not_from_extension("pg_class", "c.oid")}""",
    "function": f"""
        SELECT CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END, n.nspname::text, NULL,
               p.proname || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')',
               pg_catalog.pg_get_functiondef(p.oid)
        FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
        WHERE p.prokind IN ('f', 'p') AND {_OWN_SCHEMA} AND {_not_from_extension("pg_proc", "p.oid")}""",
    "trigger": f"""
        SELECT 'trigger', n.nspname::text, c.relname::text, g.tgname::text, pg_catalog.pg_get_triggerdef(g.oid)
        FROM pg_catalog.pg_trigger g
        JOIN pg_catalog.pg_class c ON c.oid = g.tgrelid
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE NOT g.tgisinternal AND {_OWN_SCHEMA} AND {_not_from_extension("pg_class", "c.oid")}""",
    "type": f"""
        SELECT CASE t.typtype WHEN 'e' THEN 'enum' ELSE 'domain' END, n.nspname::text, NULL, t.typname::text,
               CASE t.typtype
                 WHEN 'e' THEN '(' || (SELECT string_agg(pg_catalog.quote_literal(e.enumlabel), ', '
                                                          ORDER BY e.enumsortorder)
                                       FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid) || ')'
                 ELSE pg_catalog.format_type(t.typbasetype, t.typtypmod)
                      || CASE WHEN t.typnotnull THEN ' NOT NULL' ELSE '' END
                      || COALESCE(' DEFAULT ' || t.typdefault, '')
                      || COALESCE((SELECT ' ' || string_agg(pg_catalog.pg_get_constraintdef(k.oid), ' '
                                                            ORDER BY k.conname)
                                   FROM pg_catalog.pg_constraint k WHERE k.contypid = t.oid), '')
               END
        FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
        WHERE t.typtype IN ('e', 'd') AND {_OWN_SCHEMA} AND {_not_from_extension("pg_type", "t.oid")}""",
}


def schema_objects(conn: Connection) -> list[tuple[str, str, str | None, str, str]]:
    """Every object of the database's own schemas: (kind, schema, parent table, name, definition)."""
    rows: list[tuple[str, str, str | None, str, str]] = []
    for query in SCHEMA_OBJECTS.values():
        rows.extend((r[0], r[1], r[2], r[3], r[4] or "") for r in conn.execute(sa.text(query)))
    return rows


def tables(conn: Connection) -> list[tuple[str, str]]:
    """(schema, name) of every table of the database's own schemas, ordered."""
    query = f"""
        SELECT n.nspname::text, c.relname::text
        FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND {_OWN_SCHEMA} ORDER BY 1, 2"""
    return [(r[0], r[1]) for r in conn.execute(sa.text(query))]


# -- the server and who is on it (helpers.scratch) ---------------------------------------------------
def server_major(conn: Connection) -> int:
    """The server's major version: 15, 17, 18 ..."""
    return int(conn.exec_driver_sql("SHOW server_version_num").scalar_one()) // 10000


def other_sessions(conn: Connection) -> list[tuple[int, str, str]]:
    """(pid, user, application_name) of every other session connected to this connection's database."""
    query = """
        SELECT pid, COALESCE(usename::text, ''), COALESCE(application_name, '')
        FROM pg_catalog.pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
        ORDER BY pid"""
    return [(int(r[0]), r[1], r[2]) for r in conn.exec_driver_sql(query)]


def database_exists(conn: Connection, name: str) -> bool:
    """True when the server has a database called ``name``."""
    found = conn.execute(sa.text("SELECT 1 FROM pg_catalog.pg_database WHERE datname = :name"), {"name": name})
    return found.first() is not None


# -- the migration's locks, read right after each statement (helpers.trace) -------------------------
#: Raw SQL for the tracer, which runs it on the migration's own DBAPI connection (no SQLAlchemy
#: events, no parameters: the pid is the backend's own). Relation locks granted to this backend on
#: the database's own relations: (oid, schema, name, relkind, relfilenode, mode).
HELD_LOCKS = f"""
    SELECT c.oid::bigint, n.nspname::text, c.relname::text, c.relkind::text, c.relfilenode::bigint, l.mode
    FROM pg_catalog.pg_locks l
    JOIN pg_catalog.pg_class c ON c.oid = l.relation
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE l.pid = pg_catalog.pg_backend_pid() AND l.locktype = 'relation' AND l.granted
      AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())
      AND {_OWN_SCHEMA}"""

#: The same for another backend, read by a second connection while a statement runs outside a
#: transaction (CREATE INDEX CONCURRENTLY): its locks last only as long as the statement. ``{pid}``
#: is an integer the tracer formats in.
LOCKS_OF_BACKEND = HELD_LOCKS.replace("pg_catalog.pg_backend_pid()", "{pid}")

#: Every relation of the database's own schemas before the run: (oid, relfilenode), to tell a
#: rewrite (a new relfilenode) from a relation the run created.
RELFILENODES = f"""
    SELECT c.oid::bigint, c.relfilenode::bigint
    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'm', 'i', 'S', 't') AND {_OWN_SCHEMA}"""

#: (oid, schema, name, relkind, relfilenode) of the relations whose oids are formatted into ``{oids}``.
RELATIONS_BY_OID = """
    SELECT c.oid::bigint, n.nspname::text, c.relname::text, c.relkind::text, c.relfilenode::bigint
    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE c.oid = ANY ('{{{oids}}}'::oid[])"""
