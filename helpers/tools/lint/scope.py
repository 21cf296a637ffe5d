"""What the lint checks know while they read one revision, and where they decide: the one module besides the
rule table (``rules``) that names rule ids.

The readers (``revision`` for the Python of upgrade() and downgrade(), ``sql`` for the SQL it runs) say what
a revision does in neutral terms (a column added, a constraint added, a table dropped, a type changed ...);
the ``Scope`` decides which of those are findings, and of which rule, so a rule is decided in one place
whichever reader met it. A revision's :class:`Facts` (the enum types it creates, the column types it sets)
are what the revisions after it are checked knowing.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .rules import RULES

Position = tuple[int, int]
ColumnType = tuple[Any, ...]

#: Types a column may change to without a rewrite (from varchar(n) or text).
UNBOUNDED_TEXT = {"text", "varchar"}
#: The constraints ``Scope.constraint`` hears of.
_CONSTRAINT_KINDS = ("foreign key", "check", "unique", "primary key")
#: The first PostgreSQL with REPACK, and REPACK (CONCURRENTLY): the table rewrite that lets writes through.
REPACK_TARGET = 19


@dataclass
class Finding:
    path: Path
    line: int
    column: int
    rule: str
    message: str


@dataclass
class Facts:
    """What a revision's upgrade leaves for the revisions after it."""

    enum_types: set[str] = field(default_factory=set)
    column_types: dict[tuple[str, str], ColumnType] = field(default_factory=dict)

    def merged(self, other: Facts) -> Facts:
        return Facts(self.enum_types | other.enum_types, {**self.column_types, **other.column_types})


@dataclass
class Revision:
    path: Path
    tree: ast.Module
    lines: list[str]
    revision: str | None
    down_revisions: tuple[str, ...]


#####SCOPE
class Scope:
    """What the checks know while reading one revision's upgrade(), in order."""

    def __init__(self, revision: Revision, before: Facts, target: int) -> None:
        self.revision = revision
        self.before = before
        self.target = target
        self.facts = Facts()
        self.findings: list[Finding] = []
        self.new_tables: set[str] = set()
        self.new_types: set[str] = set()
        self.in_autocommit = False
        self.pending_values: dict[str, str] = {}  # enum value -> its type, added in the open transaction
        self.lock_timeout_set = False
        self.savepoint = False
        self.first_data: Position | None = None
        self.first_schema: Position | None = None
        self.first_lock: Position | None = None
        self.statements: list[Position] = []  # where each statement of the offline SQL comes from, when known
        self.unvalidated_checks: dict[str | None, tuple[str, str]] = {}  # CHECK (col IS NOT NULL) NOT VALID
        self.proven_not_null: set[tuple[str, str]] = set()  # by a validated CHECK: SET NOT NULL skips its scan

    # What the checks call -------------------------------------------------------------------------

    def _report(self, rule: str, pos: Position, detail: str = "") -> None:
        message: str = RULES[rule].message + (f" ({detail})" if detail else "")
        self.findings.append(Finding(self.revision.path, pos[0], pos[1], rule, message))

    def unparsed(self, line: int, error: str) -> None:
        self._report("ML000", (line, 1), error)

    def data(self, pos: Position) -> None:
        if not self.in_autocommit and self.first_data is None:
            self.first_data = pos

    def schema(self, pos: Position, existing: bool = True) -> None:
        if self.in_autocommit:
            return  # committed on its own: neither rolled back with the data nor holding locks through it
        if self.first_schema is None:
            self.first_schema = pos
        if existing and self.first_lock is None:
            self.first_lock = pos

    def existing(self, table: str | None) -> bool:
        return table is not None and table not in self.new_tables

    def not_null_check(self, name: str | None, table: str, column: str, not_valid: bool) -> None:
        if not_valid:
            self.unvalidated_checks[name] = (table, column)
        else:
            self.proven_not_null.add((table, column))

    def validated(self, name: str) -> None:
        if name in self.unvalidated_checks:
            self.proven_not_null.add(self.unvalidated_checks.pop(name))

    def set_not_null(self, table: str, column: str, pos: Position) -> None:
        if (table, column) not in self.proven_not_null:
            self._report("ML002", pos, f"{table}.{column}")

    def outside_transaction(self, what: str, pos: Position) -> None:
        if not self.in_autocommit:
            self._report("ML004", pos, what)

    def index(self, table: str | None, concurrently: bool, pos: Position) -> None:
        self.schema(pos, existing=self.existing(table))
        if concurrently:
            self.outside_transaction("CREATE INDEX CONCURRENTLY", pos)
        elif self.existing(table):
            self._report("ML003", pos, f"on {table}")

    def new_default(self, table: str, column: str, volatile: set[str], pos: Position) -> None:
        if volatile:
            self._report("ML009", pos, f"{table}.{column}: {', '.join(sorted(volatile))}()")
        elif self.target < 11:
            self._report("ML009", pos, f"{table}.{column}: any default rewrites before PostgreSQL 11")

    def type_change(self, table: str, column: str, new: ColumnType, pos: Position, using: bool = False,
                    old: ColumnType | None = None) -> None:
        old = old or self.facts.column_types.get((table, column)) or self.before.column_types.get((table, column))
        if using or not _no_rewrite(old, new):
            frm = _spell(old) if old else "its type"
            self._report("ML007", pos, f"{table}.{column}: {frm} to {_spell(new)}")
        self.facts.column_types[(table, column)] = new

    def create_type(self, name: str, pos: Position) -> None:
        if name in self.before.enum_types:
            self._report("ML011", pos, name)
        self.new_types.add(name)
        self.facts.enum_types.add(name)

    def add_enum_value(self, type_name: str, value: str, pos: Position) -> None:
        self.schema(pos, existing=type_name not in self.new_types)
        if self.target < 12:
            self.outside_transaction("ALTER TYPE ... ADD VALUE before PostgreSQL 12", pos)
        elif not self.in_autocommit and type_name not in self.new_types:
            self.pending_values[value] = type_name

    def use_string(self, value: str, pos: Position) -> None:
        if value in self.pending_values:
            self._report("ML010", pos, f"{self.pending_values[value]} '{value}'")
            del self.pending_values[value]

    def column_added(self, table: str, column: str, pos: Position, *, not_null: bool,
                     default: set[str] | None, constraints: Iterable[str] = ()) -> None:
        """A column added to an existing table: NOT NULL or not, its default (the volatile functions it calls;
        None: no default), and the constraints declared with it (``constraint``'s kinds)."""
        if not_null and default is None:
            self._report("ML001", pos, f"{table}.{column}")
        if default is not None:
            self.new_default(table, column, default, pos)
        rules = {_constraint_rule(kind, validated=True, on_index=False) for kind in constraints}
        for rule in sorted(rule for rule in rules if rule is not None):
            self._report(rule, pos, f"{table}.{column}")

    def constraint(self, kind: str, detail: str, pos: Position, *, validated: bool = True,
                   on_index: bool = False) -> None:
        """A constraint added to an existing table: ``kind`` one of ``_CONSTRAINT_KINDS``; ``validated``: not
        NOT VALID; ``on_index``: UNIQUE/PRIMARY KEY USING INDEX, an index built beforehand."""
        rule = _constraint_rule(kind, validated=validated, on_index=on_index)
        if rule is not None:
            self._report(rule, pos, detail)

    def removed(self, what: str, pos: Position) -> None:
        """A table or column the running application may still use, dropped or renamed."""
        self._report("ML008", pos, what)

    def rewrites_and_locks(self, what: str, pos: Position, table: bool = False) -> None:
        """A command that rewrites or scans a table under ACCESS EXCLUSIVE (VACUUM FULL, CLUSTER, REINDEX); ``table``:
        it rewrites the table itself, which REPACK (CONCURRENTLY) does without blocking writes from PostgreSQL 19."""
        if table and self.target >= REPACK_TARGET:
            what += f"; on {self.target}: REPACK (CONCURRENTLY) in an autocommit_block()"
        self._report("ML014", pos, what)

    def repack(self, concurrently: bool, pos: Position) -> None:
        """REPACK (PostgreSQL 19): without CONCURRENTLY a rewrite under ACCESS EXCLUSIVE, like VACUUM FULL; with it,
        writes go on, but it refuses to run inside a transaction block (25001)."""
        self.schema(pos)
        if self.target < REPACK_TARGET:
            self._report("ML000", pos, f"REPACK is new in PostgreSQL {REPACK_TARGET}: a syntax error on {self.target} "
                                       "(--target-version)")
        elif concurrently:
            self.outside_transaction("REPACK (CONCURRENTLY)", pos)
        else:
            self.rewrites_and_locks("REPACK without CONCURRENTLY", pos)

    def upgrade_read(self, env_sets_lock_timeout: bool | None) -> None:
        """The whole upgrade() has been read: what only its end can tell (``env_sets_lock_timeout`` None: no
        env.py to read)."""
        if self.first_data and self.first_schema and not self.savepoint:
            self._report("ML012", self.first_data)
        if env_sets_lock_timeout is False and not self.lock_timeout_set and self.first_lock:
            self._report("ML015", self.first_lock)

    def no_real_downgrade(self, pos: Position, why: str) -> None:
        """downgrade() is missing, does nothing, or raises without a message, and says nothing about it."""
        self._report("ML013", pos, why)


def _constraint_rule(kind: str, *, validated: bool, on_index: bool) -> str | None:
    """ML005: a foreign key or check validated as it is added (a scan under a lock that blocks writes); ML006: a
    unique constraint or primary key that builds its index under the table's lock. Decided here only."""
    if kind not in _CONSTRAINT_KINDS:
        raise ValueError(f"unknown constraint kind {kind!r}")
    if kind in ("foreign key", "check"):
        return "ML005" if validated else None
    return None if on_index else "ML006"


def _no_rewrite(old: ColumnType | None, new: ColumnType) -> bool:
    """True for the changes PostgreSQL makes without rewriting: varchar(n) -> text, varchar, varchar(m >= n)."""
    if old == new:
        return True
    if new[0] in UNBOUNDED_TEXT and len(new) == 1:
        return old is None or old[0] in UNBOUNDED_TEXT
    if old is None:
        return False
    if old[0] == "varchar" and new[0] == "varchar" and len(old) > 1 and len(new) > 1:
        return bool(old[1] is not None and new[1] is not None and new[1] >= old[1])
    if old[0] == "numeric" and new[0] == "numeric" and len(old) > 1 and len(new) > 1:
        return bool(new[1] >= old[1] and old[2:] == new[2:])
    return False


def _spell(kind: ColumnType) -> str:
    return str(kind[0]) + (f"({', '.join(str(m) for m in kind[1:])})" if len(kind) > 1 else "")



#####CHECK
