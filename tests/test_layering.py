"""helpers/ depends one way: no import cycle among its modules, no reaching into another module's private names.

Read from the source with ``ast``, so imports under ``if TYPE_CHECKING:`` and inside functions count.
"""

from __future__ import annotations

import ast
from pathlib import Path

HELPERS = Path(__file__).resolve().parent.parent / "helpers"

#: The one private name of another package the helpers read, and why (see its docstring):
#: Alembic has no public way to tell whether the open transaction is its own.
ALLOWED_PRIVATE = {("autocommit", "_transaction")}


def modules() -> dict[str, ast.Module]:
    return {path.stem: ast.parse(path.read_text(), str(path)) for path in sorted(HELPERS.glob("*.py"))}


def imports_of(tree: ast.Module, known: set[str]) -> set[str]:
    """The helpers modules ``tree`` imports: ``from .x import y``, ``from . import x`` (``__init__``: the package)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module is not None:
                found.add(node.module.split(".")[0])
            else:
                found.update(alias.name if alias.name in known else "__init__" for alias in node.names)
    return found


def cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle in ``graph`` as a path that starts and ends on the same module, or None."""
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = "open"
        path.append(module)
        for imported in sorted(graph.get(module, ())):
            if state.get(imported) == "open":
                return [*path[path.index(imported) :], imported]
            if imported not in state and (found := visit(imported)):
                return found
        state[module] = "done"
        path.pop()
        return None

    for module in sorted(graph):
        if module not in state and (found := visit(module)):
            return found
    return None


def private_names_defined(tree: ast.Module) -> set[str]:
    """Private names a module defines itself: functions, classes, variables and attributes it assigns."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return {name for name in names if name.startswith("_")}


def private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def foreign_private_uses(module: str, tree: ast.Module) -> list[str]:
    """``obj._name``, ``getattr(obj, "_name")`` and ``from .x import _name`` for names ``module`` does not define."""
    own = private_names_defined(tree)
    uses: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        name = None
        if isinstance(node, ast.Attribute) and private(node.attr):
            name = node.attr
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in {"getattr", "setattr", "hasattr", "delattr"}
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
            and private(node.args[1].value)
        ):
            name = node.args[1].value
        elif isinstance(node, ast.ImportFrom):
            uses.extend((node.lineno, f"imports {alias.name}") for alias in node.names if private(alias.name))
            continue
        if name is not None and name not in own and (module, name) not in ALLOWED_PRIVATE:
            uses.append((node.lineno, f"uses {name}"))
    return [f"{module}.py:{line}: {what}" for line, what in sorted(uses)]


def test_no_import_cycle_among_helpers_modules() -> None:
    trees = modules()
    graph = {name: imports_of(tree, set(trees)) for name, tree in trees.items()}
    found = cycle(graph)
    assert found is None, "import cycle in helpers/: " + " -> ".join(found or [])


def test_operations_do_not_import_migration_context() -> None:
    """The operations need a Step; MigrationContext wraps them, never the reverse."""
    trees = modules()
    graph = {name: imports_of(tree, set(trees)) for name, tree in trees.items()}
    importers = sorted(name for name, imported in graph.items() if "context" in imported and name != "__init__")
    assert importers == [], f"modules importing helpers.context: {importers}"


def test_no_module_reaches_into_private_names_it_does_not_define() -> None:
    uses = [use for module, tree in modules().items() for use in foreign_private_uses(module, tree)]
    assert uses == [], "\n".join(uses)


def test_the_checks_catch_what_they_are_for() -> None:
    """A cycle through a TYPE_CHECKING import, ctx._did from another module, and op._proxy are all caught."""
    known = {"context", "constraints"}
    constraints = ast.parse(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from .context import MigrationContext\n"
        "def f(ctx):\n"
        "    ctx._did('x')\n"
        "    return getattr(op, '_proxy', None)\n"
    )
    context = ast.parse("from . import constraints\n")
    graph = {"constraints": imports_of(constraints, known), "context": imports_of(context, known)}
    assert cycle(graph) == ["constraints", "context", "constraints"]
    assert foreign_private_uses("constraints", constraints) == [
        "constraints.py:5: uses _did",
        "constraints.py:6: uses _proxy",
    ]
