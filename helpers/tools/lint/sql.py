"""The SQL reader: a revision's SQL (``op.execute`` strings), parsed by PostgreSQL's own grammar (pglast),
told to the :class:`.scope.Scope` statement by statement (the scope decides the findings: no rule id here).

pglast is an optional dependency (``pip install 'migration-rollback-helpers[migration-lint]'``), imported on first use.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from ..errors import BadInputError
from .scope import Scope

#: Functions whose value differs per row: a column default calling one rewrites the table.
VOLATILE = {"gen_random_uuid", "uuid_generate_v1", "uuid_generate_v4", "uuidv4", "uuidv7", "random",
            "clock_timestamp", "timeofday", "nextval", "txid_current"}


#: pglast's constraint types, in the words of ``Scope.constraint``.
_CONSTRAINTS = {"CONSTR_FOREIGN": "foreign key", "CONSTR_CHECK": "check", "CONSTR_UNIQUE": "unique",
                "CONSTR_PRIMARY": "primary key"}


#: PostgreSQL 19's REPACK, which pglast's grammar (18's) does not have: one statement, its options in parentheses.
_REPACK = re.compile(r"\s*REPACK\b(?:\s*\((?P<options>[^)]*)\))?[^;]*;?\s*\Z", re.IGNORECASE)


def pglast() -> Any:
    try:
        import pglast
        import pglast.ast
    except ImportError:
        raise BadInputError(
            "python -m helpers lint needs pglast to read SQL; "
            "install it: pip install 'migration-rollback-helpers[migration-lint]'"
        ) from None
    return pglast


def sql_type(type_name: Any) -> tuple[Any, ...]:
    """``varchar(20)`` -> ("varchar", 20); ``text`` -> ("text",); ``numeric(10,2)`` -> ("numeric", 10, 2)."""
    name = type_name.names[-1].sval
    mods = tuple(getattr(m.val, "ival", None) for m in type_name.typmods or ())
    name = {"bpchar": "char", "int4": "integer", "int8": "bigint", "timestamptz": "timestamptz"}.get(name, name)
    return (name, *mods)


def _walk(node: Any, parent: Any = None) -> Iterator[tuple[Any, Any]]:
    """Every pglast node under ``node`` (itself included) with its parent node."""
    pg = pglast()
    if isinstance(node, (tuple, list)):
        for item in node:
            yield from _walk(item, parent)
        return
    if not isinstance(node, pg.ast.Node):
        return
    yield parent, node
    for name in node.__slots__:
        yield from _walk(getattr(node, name, None), node)


def function_names(node: Any) -> set[str]:
    return {n.funcname[-1].sval.lower() for _, n in _walk(node) if n.__class__.__name__ == "FuncCall"}


def _strings(node: Any) -> list[str]:
    """The string constants of a statement ('infrared' in ``SET mode = 'infrared'``)."""
    return [n.sval for parent, n in _walk(node)
            if n.__class__.__name__ == "String" and parent.__class__.__name__ == "A_Const"]


def not_null_column(expr: Any) -> str | None:
    """``col IS NOT NULL`` (a CHECK's expression) -> ``col``; else None."""
    is_not_null = expr.__class__.__name__ == "NullTest" and expr.nulltesttype.name == "IS_NOT_NULL"
    if is_not_null and expr.arg.__class__.__name__ == "ColumnRef":
        return str(expr.arg.fields[-1].sval)
    return None


def condition_column(condition: str) -> str | None:
    """The column a CHECK condition written as text proves NOT NULL (``"location IS NOT NULL"``), else None."""
    pg = pglast()
    try:
        (raw,) = pg.parse_sql(f"SELECT {condition}")
    except (pg.parser.ParseError, ValueError):
        return None
    targets: Any = raw.stmt.targetList or ()
    return not_null_column(targets[0].val) if len(targets) == 1 else None


def statement_starts(sql: str) -> list[int]:
    """The character offset where each statement of ``sql`` starts (its first non-blank character)."""
    data = sql.encode()
    starts = []
    for raw in pglast().parse_sql(sql):
        start = len(data[: raw.stmt_location].decode(errors="ignore"))
        starts.append(start + len(sql[start:]) - len(sql[start:].lstrip()))
    return starts


def check(sql: str, scope: Scope, at: Callable[[int], tuple[int, int]]) -> list[tuple[int, int]]:
    """Check each statement of ``sql``; ``at(offset)`` gives a character offset's line and column in the file.

    Returns where each statement starts in the file (none when the SQL does not parse)."""
    pg = pglast()
    try:
        statements = pg.parse_sql(sql)
        starts = statement_starts(sql)
    except pg.parser.ParseError as exc:
        if (repack := _REPACK.match(sql)) is not None:
            start = len(sql) - len(sql.lstrip())
            options = {word.strip().lower() for word in (repack["options"] or "").split(",")}
            scope.repack(concurrently="concurrently" in options, pos=at(start))
            return [at(start)]
        line, _ = at(0)
        scope.unparsed(line, str(exc))
        return []
    for raw, start in zip(statements, starts, strict=True):
        _statement(raw.stmt, scope, at(start))
    return [at(start) for start in starts]


def _statement(stmt: Any, scope: Scope, pos: tuple[int, int]) -> None:
    kind = stmt.__class__.__name__
    for value in _strings(stmt):
        scope.use_string(value, pos)
    if kind in ("InsertStmt", "UpdateStmt", "DeleteStmt", "MergeStmt", "CopyStmt"):
        scope.data(pos)
        return
    if kind == "SelectStmt":
        call_names = function_names(stmt)
        if "set_config" in call_names and "lock_timeout" in _strings(stmt):
            scope.lock_timeout_set = True
        return
    if kind == "VariableSetStmt":
        if stmt.name == "lock_timeout":
            scope.lock_timeout_set = True
        return
    if kind == "TransactionStmt":
        if stmt.kind.name in ("TRANS_STMT_SAVEPOINT", "TRANS_STMT_RELEASE", "TRANS_STMT_ROLLBACK_TO"):
            scope.savepoint = True
        return
    if kind == "CreateStmt":
        scope.new_tables.add(stmt.relation.relname)
        scope.schema(pos, existing=False)
        return
    if kind == "CreateEnumStmt":
        scope.create_type(stmt.typeName[-1].sval, pos)
        scope.schema(pos, existing=False)
        return
    if kind == "AlterEnumStmt" and stmt.newVal is not None:
        scope.add_enum_value(stmt.typeName[-1].sval, stmt.newVal, pos)
        return
    if kind == "IndexStmt":
        scope.index(stmt.relation.relname, concurrently=bool(stmt.concurrent), pos=pos)
        return
    if kind == "ReindexStmt":
        concurrently = any(p.defname == "concurrently" for p in stmt.params or ())
        scope.schema(pos)
        if not concurrently:
            scope.rewrites_and_locks("REINDEX without CONCURRENTLY", pos)
        else:
            scope.outside_transaction("REINDEX CONCURRENTLY", pos)
        return
    if kind == "VacuumStmt":
        if stmt.is_vacuumcmd:
            if any(o.defname == "full" for o in stmt.options or ()):
                scope.rewrites_and_locks("VACUUM FULL", pos, table=True)
            scope.outside_transaction("VACUUM", pos)
        return
    if kind == "ClusterStmt":
        scope.rewrites_and_locks("CLUSTER", pos, table=True)
        return
    if kind == "RenameStmt":
        scope.schema(pos)
        if stmt.renameType.name in ("OBJECT_TABLE", "OBJECT_COLUMN"):
            scope.removed(f"RENAME of {stmt.relation.relname}", pos)
        return
    if kind == "DropStmt":
        scope.schema(pos)
        if stmt.removeType.name == "OBJECT_TABLE":
            names = [obj[-1].sval for obj in stmt.objects]
            old = [name for name in names if name not in scope.new_tables]
            if old:
                scope.removed(f"DROP TABLE {', '.join(old)}", pos)
        if stmt.removeType.name == "OBJECT_INDEX" and stmt.concurrent:
            scope.outside_transaction("DROP INDEX CONCURRENTLY", pos)
        return
    if kind == "AlterTableStmt":
        _alter_table(stmt, scope, pos)
        return
    if kind.endswith("Stmt"):
        scope.schema(pos)


def _alter_table(stmt: Any, scope: Scope, pos: tuple[int, int]) -> None:
    table = stmt.relation.relname
    existing = table not in scope.new_tables
    scope.schema(pos, existing=existing)
    if not existing:
        return
    for cmd in stmt.cmds:
        sub = cmd.subtype.name
        if sub == "AT_AddColumn":
            column = cmd.def_
            constraints = column.constraints or ()
            kinds = {c.contype.name for c in constraints}
            default = next((c.raw_expr for c in constraints if c.contype.name == "CONSTR_DEFAULT"), None)
            scope.column_added(table, column.colname, pos, not_null="CONSTR_NOTNULL" in kinds,
                               default=function_names(default) & VOLATILE if default is not None else None,
                               constraints=[_CONSTRAINTS[kind] for kind in kinds if kind in _CONSTRAINTS])
        elif sub == "AT_SetNotNull":
            scope.set_not_null(table, cmd.name, pos)
        elif sub == "AT_ValidateConstraint":
            scope.validated(cmd.name)
        elif sub == "AT_AlterColumnType":
            column = cmd.def_
            scope.type_change(table, cmd.name, sql_type(column.typeName), pos, using=column.raw_default is not None)
        elif sub == "AT_DropColumn":
            scope.removed(f"DROP COLUMN {table}.{cmd.name}", pos)
        elif sub == "AT_AddConstraint":
            constraint = cmd.def_
            contype = constraint.contype.name
            if contype in _CONSTRAINTS:
                scope.constraint(_CONSTRAINTS[contype], constraint.conname or table, pos,
                                 validated=not constraint.skip_validation, on_index=bool(constraint.indexname))
            if contype == "CONSTR_CHECK":
                column = not_null_column(constraint.raw_expr)
                if column:
                    scope.not_null_check(constraint.conname, table, column, bool(constraint.skip_validation))

