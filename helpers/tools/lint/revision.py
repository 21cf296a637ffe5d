"""The Python reader: one revision file, read from its syntax tree (never run): its ``op.*`` calls in order,
what they do to tables that exist before it, and its SQL (handed to the SQL reader, :mod:`.sql`).

It tells the :class:`.scope.Scope` what the revision does; the scope decides the findings (no rule id here).
"""

from __future__ import annotations

import ast
import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from . import sql as lint_sql
from .scope import ColumnType, Facts, Position, Revision, Scope

_SA_TYPES = {
    "string": "varchar", "varchar": "varchar", "unicode": "varchar", "text": "text", "unicodetext": "text",
    "numeric": "numeric", "integer": "integer", "biginteger": "bigint", "smallinteger": "smallint",
    "boolean": "boolean", "datetime": "timestamp", "date": "date", "uuid": "uuid", "jsonb": "jsonb",
    "json": "json", "float": "float",
}
_DATA_CALLS = {"update", "insert", "delete"}
_SAVEPOINT_CALLS = {"begin_nested", "ensure_transaction_savepoint", "rollback_to_savepoint", "release_savepoint"}
_SQL_CALLS = {"execute", "exec_driver_sql"}
#: op methods that write no SQL of their own in --sql mode.
_NOT_SQL = {"get_bind", "get_context", "f", "inline_literal", "batch_alter_table", "implementation_for", "invoke"}


class BadRevision(Exception):
    """A revision file that does not parse."""


def read(path: Path) -> Revision:
    source = path.read_text(encoding="utf-8", errors="replace")
    try:
        tree = ast.parse(source, str(path))
    except SyntaxError as exc:
        raise BadRevision(f"{path} does not parse: line {exc.lineno}: {exc.msg}.") from None
    values: dict[str, Any] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name) and target.id in ("revision", "down_revision"):
            with contextlib.suppress(ValueError):
                values[target.id] = ast.literal_eval(value)
    down = values.get("down_revision")
    downs = tuple(down) if isinstance(down, (list, tuple)) else (down,) if isinstance(down, str) else ()
    revision = values.get("revision")
    return Revision(path, tree, source.splitlines(), revision if isinstance(revision, str) else None, downs)


# Reading the syntax tree ------------------------------------------------------------------------------


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _string(node: ast.expr | None, constants: dict[str, ast.Constant] | None = None) -> str | None:
    constant = _string_node(node, constants or {}) if node is not None else None
    return str(constant.value) if constant is not None else None


def _string_node(node: ast.expr, constants: dict[str, ast.Constant]) -> ast.Constant | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node
    if isinstance(node, ast.Name):
        return constants.get(node.id)
    if isinstance(node, ast.Call) and _name(node.func) == "text" and node.args:
        return _string_node(node.args[0], constants)
    return None


def _keywords(call: ast.Call) -> dict[str, ast.expr]:
    return {k.arg: k.value for k in call.keywords if k.arg}


def _true(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def _false(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is False


def sa_type(node: ast.expr | None) -> ColumnType | None:
    """``sa.String(255)`` -> ("varchar", 255); ``sa.Text`` -> ("text",); None when it cannot tell."""
    if node is None:
        return None
    call = node if isinstance(node, ast.Call) else None
    name = _name(call.func if call else node)
    if name is None or name.lower() not in _SA_TYPES:
        return (name.lower(),) if name else None
    kind = _SA_TYPES[name.lower()]
    args = [a.value for a in call.args if isinstance(a, ast.Constant)] if call else []
    if call:
        keywords = _keywords(call)
        for key in ("length", "precision", "scale"):
            value = keywords.get(key)
            if isinstance(value, ast.Constant):
                args.append(value.value)
    if kind == "varchar":
        return ("varchar", args[0]) if args else ("varchar",)
    if kind == "numeric" and args:
        return ("numeric", *args)
    return (kind,)


class Reader:
    """Walks upgrade() statement by statement, handing each op call and SQL string to the scope."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.batch: dict[str, str] = {}  # batch_alter_table alias -> table
        self.strings: dict[str, ast.Constant] = {}
        for node in scope.revision.tree.body:
            self._remember(node)

    def _remember(self, node: ast.stmt) -> None:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            constant = _string_node(node.value, {})
            if constant is not None:
                self.strings[node.targets[0].id] = constant

    def run(self, body: list[ast.stmt]) -> None:
        for node in body:
            self.statement(node)

    def statement(self, node: ast.stmt) -> None:
        if isinstance(node, (ast.With, ast.AsyncWith)):
            self._with(node)
            return
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            return
        self._remember(node)
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.stmt):
                self.statement(child)
            elif isinstance(child, ast.ExceptHandler):
                self.run(child.body)
            elif isinstance(child, ast.expr):
                for call in _calls(child):
                    self.call(call)

    def _with(self, node: ast.With | ast.AsyncWith) -> None:
        autocommit = False
        for item in node.items:
            call = item.context_expr
            if isinstance(call, ast.Call) and _name(call.func) == "autocommit_block":
                autocommit = True
            elif isinstance(call, ast.Call) and _name(call.func) == "batch_alter_table" and call.args:
                table = _string(call.args[0])
                if table and isinstance(item.optional_vars, ast.Name):
                    self.batch[item.optional_vars.id] = table
            elif isinstance(call, ast.Call):
                for inner in _calls(call):
                    self.call(inner)
        outer = self.scope.in_autocommit
        if autocommit:
            self.scope.in_autocommit = True
            self.scope.pending_values.clear()  # the block commits what came before
        self.run(node.body)
        self.scope.in_autocommit = outer

    def pos(self, node: ast.AST) -> Position:
        return (getattr(node, "lineno", 1), getattr(node, "col_offset", 0) + 1)

    def call(self, call: ast.Call) -> None:
        scope = self.scope
        func = call.func
        method = _name(func)
        receiver = _name(func.value) if isinstance(func, ast.Attribute) else None
        if method in _SAVEPOINT_CALLS:
            scope.savepoint = True
        if method in _SQL_CALLS and call.args:
            self.sql(call, call.args[0], offline=receiver == "op")
            return
        if method in ("Enum", "ENUM"):
            self.enum(call)
            return
        if method == "create" and isinstance(func, ast.Attribute) and isinstance(func.value, ast.Call) and _name(
                func.value.func) in ("Enum", "ENUM") and not _true(_keywords(call).get("checkfirst")):
            self.enum(func.value, creates=True)
            return
        for constant in ast.walk(call):
            if isinstance(constant, ast.Constant) and isinstance(constant.value, str):
                scope.use_string(constant.value, self.pos(call))
        if receiver == "op" or receiver in self.batch:
            if method not in _NOT_SQL:
                scope.statements.append(self.pos(call))
            args = list(call.args)
            if receiver in self.batch:
                args.insert(0 if method not in ("create_index", "create_unique_constraint", "create_foreign_key",
                                                "create_check_constraint") else 1, ast.Constant(self.batch[receiver]))
            self.op(method or "", args, _keywords(call), call)

    def sql(self, call: ast.Call, argument: ast.expr, offline: bool = False) -> None:
        """Check the SQL ``argument`` (a string, or sa.text of one); ``offline``: op.execute, which --sql writes."""
        constant = _string_node(argument, self.strings)
        if constant is None:
            if offline:
                self.scope.statements.append(self.pos(call))
            if isinstance(argument, ast.Call) and (_name(argument.func) or "") in _DATA_CALLS:
                self.scope.data(self.pos(call))
            return
        text = str(constant.value)
        line0, col0 = constant.lineno, constant.col_offset + 1
        segment = self.scope.revision.lines[line0 - 1][constant.col_offset:] if line0 <= len(
            self.scope.revision.lines) else ""
        quote = 3 if segment.lstrip("rRbBuU")[:3] in ('"""', "'''") else 1
        prefix = len(segment) - len(segment.lstrip("rRbBuU")) + quote

        def at(offset: int) -> Position:
            before = text[:offset]
            newlines = before.count("\n")
            if newlines == 0:
                return (line0, col0 + prefix + offset)
            return (line0 + newlines, offset - before.rfind("\n"))

        starts = lint_sql.check(text, self.scope, at)
        if offline:
            self.scope.statements += starts or [self.pos(call)]

    def enum(self, call: ast.Call, creates: bool = False) -> None:
        keywords = _keywords(call)
        if _false(keywords.get("create_type")) and not creates:
            return
        name = _string(keywords.get("name"))
        if name is None and call.args and isinstance(call.args[0], ast.Name):
            name = call.args[0].id.lower()  # sa.Enum(PythonEnum): SQLAlchemy names the type after the class
        if name and (creates or self._in_create_table):
            self.scope.create_type(name, self.pos(call))

    _in_create_table = False

    def op(self, method: str, args: list[ast.expr], keywords: dict[str, ast.expr], call: ast.Call) -> None:
        scope = self.scope
        pos = self.pos(call)

        def arg(index: int, key: str) -> ast.expr | None:
            return args[index] if len(args) > index else keywords.get(key)

        def text(index: int, key: str) -> str | None:
            return _string(arg(index, key), self.strings)

        if method == "create_table":
            table = text(0, "table_name")
            if table:
                scope.new_tables.add(table)
            scope.schema(pos, existing=False)
            self._in_create_table = True
            for column in args[1:]:
                for inner in ast.walk(column):
                    if isinstance(inner, ast.Call) and _name(inner.func) in ("Enum", "ENUM"):
                        self.enum(inner)
                if table:
                    self._column_facts(table, column)
            self._in_create_table = False
            return
        if method == "bulk_insert":
            scope.data(pos)
            return
        if method == "execute":
            return
        table = text(1, "table_name") if method in (
            "create_index", "create_unique_constraint", "create_check_constraint", "create_primary_key",
            "drop_index") else text(1, "source_table") if method == "create_foreign_key" else text(0, "table_name")
        existing = scope.existing(table)
        scope.schema(pos, existing=existing)
        if method == "add_column":
            added = arg(1, "column")
            if existing and isinstance(added, ast.Call):
                self._add_column(table or "", added, pos)
            if table and added is not None:
                self._column_facts(table, added)
        elif method == "alter_column" and existing:
            name = text(1, "column_name") or "?"
            if _false(keywords.get("nullable")):
                scope.set_not_null(table or "", name, pos)
            if "type_" in keywords:
                new = sa_type(keywords["type_"]) or ("?",)
                scope.type_change(table or "", name, new, pos, using="postgresql_using" in keywords,
                                  old=sa_type(keywords.get("existing_type")))
            if "new_column_name" in keywords:
                scope.removed(f"rename of {table}.{name}", pos)
        elif method in ("drop_column", "drop_table", "rename_table") and existing:
            scope.removed(f"{method} {table}", pos)
        elif method == "create_index":
            scope.index(table, concurrently=_true(keywords.get("postgresql_concurrently")), pos=pos)
        elif method == "drop_index" and _true(keywords.get("postgresql_concurrently")):
            scope.outside_transaction("DROP INDEX CONCURRENTLY", pos)
        elif method in ("create_foreign_key", "create_check_constraint") and existing:
            not_valid = _true(keywords.get("postgresql_not_valid"))
            kind = "foreign key" if method == "create_foreign_key" else "check"
            scope.constraint(kind, text(0, "constraint_name") or "", pos, validated=not not_valid)
            condition = text(2, "condition") if method == "create_check_constraint" else None
            proven = lint_sql.condition_column(condition) if condition else None
            if proven and table:
                scope.not_null_check(text(0, "constraint_name"), table, proven, not_valid)
        elif method in ("create_unique_constraint", "create_primary_key") and existing:
            kind = "unique" if method == "create_unique_constraint" else "primary key"
            scope.constraint(kind, text(0, "constraint_name") or "", pos)

    def _add_column(self, table: str, column: ast.Call, pos: Position) -> None:
        keywords = _keywords(column)
        default = keywords.get("server_default")
        name = _string(column.args[0]) if column.args else None
        not_null = _false(keywords.get("nullable")) and not _true(keywords.get("primary_key"))
        volatile = _volatile(default, self.strings) if default is not None else None
        self.scope.column_added(table, name or "?", pos, not_null=not_null, default=volatile)

    def _column_facts(self, table: str, column: ast.expr) -> None:
        if isinstance(column, ast.Call) and _name(column.func) == "Column" and len(column.args) >= 2:
            name = _string(column.args[0])
            kind = sa_type(column.args[1])
            if name and kind:
                self.scope.facts.column_types[(table, name)] = kind


def _volatile(default: ast.expr, strings: dict[str, ast.Constant]) -> set[str]:
    """The volatile functions a server_default calls: sa.text("gen_random_uuid()"), sa.func.random() ..."""
    names: set[str] = set()
    for node in ast.walk(default):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and _name(node.func.value) == "func":
            names.add(node.func.attr.lower())
    text = _string(default, strings)
    if isinstance(default, ast.Call) and text:
        try:
            (raw,) = lint_sql.pglast().parse_sql(f"SELECT {text}")
            names |= lint_sql.function_names(raw.stmt)
        except Exception:  # a default that is not an expression: left to PostgreSQL
            pass
    return names & lint_sql.VOLATILE


def _calls(node: ast.AST) -> Iterator[ast.Call]:
    """The outermost calls in an expression, in source order (their arguments are the caller's to read)."""
    if isinstance(node, ast.Call):
        yield node
        return
    for child in ast.iter_child_nodes(node):
        yield from _calls(child)


def function(tree: ast.Module, name: str) -> ast.FunctionDef | None:
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return node
    return None


def check(revision: Revision, before: Facts, target: int, env_sets_lock_timeout: bool | None) -> Scope:
    """Read ``revision``'s upgrade() and downgrade(); ``env_sets_lock_timeout`` None: no env.py to read."""
    scope = Scope(revision, before, target)
    upgrade = function(revision.tree, "upgrade")
    if upgrade is not None:
        Reader(scope).run(upgrade.body)
    scope.upgrade_read(env_sets_lock_timeout)
    _downgrade(scope, upgrade)
    return scope


def _downgrade(scope: Scope, upgrade: ast.FunctionDef | None) -> None:
    revision = scope.revision
    downgrade = function(revision.tree, "downgrade")
    if downgrade is None:
        line = upgrade.lineno if upgrade else 1
        scope.no_real_downgrade((line, 1), "no downgrade()")
        return
    body = [n for n in downgrade.body if not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))]
    said = ast.get_docstring(downgrade) is not None or any(
        "#" in line for line in revision.lines[downgrade.lineno: downgrade.end_lineno or downgrade.lineno])
    pos = (downgrade.lineno, downgrade.col_offset + 1)
    if all(isinstance(n, ast.Pass) for n in body) and not said:
        scope.no_real_downgrade(pos, "it does nothing")
    elif len(body) == 1 and isinstance(body[0], ast.Raise) and not said:
        exc = body[0].exc
        if not (isinstance(exc, ast.Call) and exc.args):
            scope.no_real_downgrade(pos, "it raises without a message")
