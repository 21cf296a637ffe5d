"""A database's schema as comparable objects, and what differs between two of them.

``snapshot`` reads every table, column (type, nullability, default), index (definition,
validity), constraint (definition, validated or not), sequence, view, function, trigger, enum and
domain, schema and extension from the catalog (``catalog.SCHEMA_OBJECTS``). ``differences`` pairs
two snapshots object by object. Objects an extension created are left out, and so are the tables
Alembic and the attempt history keep (``alembic_version``, ``alembic_history``): no migration
describes them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from . import catalog

#: Tables that hold Alembic's bookkeeping, not the application's schema.
BOOKKEEPING_TABLES = ("alembic_version", "alembic_history")
#: Kinds that belong to a table and are shown under it.
_ON_A_TABLE = {"column", "index", "constraint", "trigger"}


@dataclass(frozen=True, order=True)
class SchemaObject:
    """One object: its ``kind`` ("table", "column", "index" ...), schema, table (if on one), name, definition."""

    kind: str
    schema: str
    table: str | None
    name: str
    definition: str = field(compare=False)

    @property
    def key(self) -> tuple[str, str, str | None, str]:
        return (self.kind, self.schema, self.table, self.name)

    @property
    def group(self) -> str:
        """The object a difference is listed under: its table, or itself."""
        if self.kind in _ON_A_TABLE and self.table is not None:
            return f"table {self.schema}.{self.table}"
        if self.kind == "sequence" and self.table is not None:  # a serial or identity column's sequence
            return f"table {self.schema}.{self.table}"
        return f"{self.kind} {self.schema}.{self.name}" if self.kind != "schema" else f"schema {self.name}"

    @property
    def label(self) -> str:
        """How the object is named inside its group."""
        if self.group.endswith(f"{self.schema}.{self.name}") or self.kind == "schema":
            return self.kind
        return f"{self.kind} {self.name}"

    def names(self) -> set[str]:
        """The names an ``--ignore`` pattern is matched against: its own and its table's, with and without schema."""
        found = {self.name, f"{self.schema}.{self.name}"}
        if self.table is not None:
            found |= {self.table, f"{self.schema}.{self.table}", f"{self.table}.{self.name}"}
            found.add(f"{self.schema}.{self.table}.{self.name}")
        return found


@dataclass(frozen=True)
class Schema:
    """Every object of a database's own schemas, by key."""

    objects: dict[tuple[str, str, str | None, str], SchemaObject]

    def without(self, patterns: Sequence[str]) -> Schema:
        """This schema minus the objects an ``--ignore`` pattern (shell-style: ``legacy_*``, ``audit.*``) matches."""
        if not patterns:
            return self
        kept = {
            key: obj
            for key, obj in self.objects.items()
            if not any(fnmatchcase(name, pattern) for pattern in patterns for name in obj.names())
        }
        return Schema(kept)


def snapshot(conn: Connection, exclude_tables: Iterable[str] = BOOKKEEPING_TABLES) -> Schema:
    """Read the schema through ``conn`` (in its transaction: it sees what that transaction created)."""
    excluded = set(exclude_tables)
    objects = {}
    for kind, schema, table, name, definition in catalog.schema_objects(conn):
        if (kind in ("table", "view") and name in excluded) or (table is not None and table in excluded):
            continue
        obj = SchemaObject(kind, schema, table, name, definition)
        objects[obj.key] = obj
    return Schema(objects)


@dataclass(frozen=True)
class Difference:
    """One object that is not the same in two schemas; ``None`` on a side where it does not exist."""

    group: str
    label: str
    expected: str | None
    actual: str | None


def differences(expected: Schema, actual: Schema) -> list[Difference]:
    """What differs between ``expected`` and ``actual``, object by object, grouped and ordered."""
    found = []
    for key in sorted(set(expected.objects) | set(actual.objects), key=_sort_key):
        want, have = expected.objects.get(key), actual.objects.get(key)
        if want is not None and have is not None and want.definition == have.definition:
            continue
        obj = want or have
        assert obj is not None
        found.append(
            Difference(obj.group, obj.label, want.definition if want else None, have.definition if have else None)
        )
    return sorted(found, key=lambda d: (d.group, d.label))


def _sort_key(key: tuple[str, str, str | None, str]) -> tuple[str, str, str, str]:
    kind, schema, table, name = key
    return (schema, table or "", kind, name)


def grouped(found: Sequence[Difference]) -> dict[str, list[Difference]]:
    """The differences by the object they are listed under, in order."""
    groups: dict[str, list[Difference]] = {}
    for difference in found:
        groups.setdefault(difference.group, []).append(difference)
    return groups


# -- the fingerprint: schema, row counts, alembic_version ---------------------------------------------
@dataclass(frozen=True)
class Fingerprint:
    """What a database holds, for "is it the same as before?": its schema, every table's row count, its revisions."""

    schema: Schema
    row_counts: dict[str, int]
    revisions: tuple[str, ...]


def row_counts(conn: Connection, exclude_tables: Iterable[str] = BOOKKEEPING_TABLES) -> dict[str, int]:
    """``count(*)`` of every table of the database's own schemas, by ``schema.name``."""
    excluded = set(exclude_tables)
    preparer = conn.dialect.identifier_preparer
    counts = {}
    for schema, name in catalog.tables(conn):
        if name in excluded:
            continue
        qualified = f"{preparer.quote_schema(schema)}.{preparer.quote(name)}"
        counts[f"{schema}.{name}"] = int(conn.execute(sa.text(f"SELECT count(*) FROM {qualified}")).scalar_one())
    return counts


def fingerprint(conn: Connection, revisions: Sequence[str]) -> Fingerprint:
    """The fingerprint of the database ``conn`` is on, at ``revisions`` (read by the caller from Alembic)."""
    return Fingerprint(snapshot(conn), row_counts(conn), tuple(sorted(revisions)))


def fingerprint_differences(before: Fingerprint, after: Fingerprint) -> list[str]:
    """One line per difference between two fingerprints, naming the object: empty when they are equal."""
    lines = []
    for difference in differences(before.schema, after.schema):
        was = difference.expected if difference.expected is not None else "nothing"
        now = difference.actual if difference.actual is not None else "nothing"
        lines.append(f"{difference.group}, {difference.label}: was {was}; is now {now}")
    for table in sorted(set(before.row_counts) | set(after.row_counts)):
        was_rows, now_rows = before.row_counts.get(table), after.row_counts.get(table)
        if was_rows != now_rows and was_rows is not None and now_rows is not None:
            lines.append(f"table {table}, rows: was {was_rows}; is now {now_rows}")
    return lines
