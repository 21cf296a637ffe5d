"""helpers/ depends one way: the core never imports the commands (helpers/tools/), no import cycle among its
modules, no reaching into another module's private names; ``import helpers`` loads the core only.

Read from the source with ``ast``, so imports under ``if TYPE_CHECKING:`` and inside functions count.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.once  # no server: helpers/'s imports, read

HELPERS = Path(__file__).resolve().parent.parent / "helpers"

#: The private names of other packages the helpers read, and why (autocommit: see its docstring):
#: Alembic has no public way to tell whether the open transaction is its own.
ALLOWED_PRIVATE = {
    ("autocommit", "_transaction"),
    # Alembic has no public hook before each revision runs: the statement ledger wraps the steps' function.
    ("statements", "_migrations_fn"),
    # os._exit, public despite its name: the forked child of a crash point must not run the parent's cleanup.
    ("tools.rehearse.crash_points", "_exit"),
}


#: The package of the commands (``python -m helpers``), which imports the core and is never imported by it.
TOOLS = "tools"
#: ``python -m helpers`` starts the commands: the one core module that imports them.
ENTRY_POINT = "__main__"
#: The rooms of helpers/tools/, one per family of commands: each imports the core, what every command may
#: use (``SHARED``) and itself, never another family.
FAMILIES = ("lint", "rehearse", "schema")
#: What every family may import besides the core: the commands' error, the shared pieces, the reader of
#: the attempts ``helpers.history`` records (``compare`` and ``stamp`` read them; it imports only the shared),
#: and ``resume`` (``rehearse --crash-points`` runs it on each crashed copy; it imports only the shared).
SHARED = (f"{TOOLS}.errors", f"{TOOLS}.shared.", f"{TOOLS}.history", f"{TOOLS}.resume")


def modules() -> dict[str, ast.Module]:
    """Every module of helpers/ by dotted name under it: ``context``, ``tools.cli``, ``tools.__init__`` ..."""
    return {
        ".".join(path.relative_to(HELPERS).with_suffix("").parts): ast.parse(path.read_text(), str(path))
        for path in sorted(HELPERS.rglob("*.py"))
    }


def package_of(module: str) -> list[str]:
    """The package a module is in, as parts: ``tools.cli`` -> ``["tools"]``, ``tools.__init__`` -> ``["tools"]``."""
    return module.split(".")[:-1]


def imports_of(tree: ast.Module, known: set[str], module: str = "") -> set[str]:
    """The helpers modules ``tree`` (the module named ``module``) imports, relative imports resolved:
    ``from .x import y``, ``from . import x``, ``from ..x import y``; a package stands for its ``__init__``."""
    found = set()
    package = package_of(module)
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom) or node.level == 0:
            continue
        target = ".".join([*package[: len(package) - node.level + 1], *(node.module or "").split(".")]).strip(".")
        for alias in node.names:
            submodule = f"{target}.{alias.name}".strip(".")
            if submodule in known:
                found.add(submodule)
            elif target in known:
                found.add(target)
            else:
                found.add(f"{target}.__init__".strip("."))
    return found


def graph() -> dict[str, set[str]]:
    trees = modules()
    return {name: imports_of(tree, set(trees), name) for name, tree in trees.items()}


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
    found = cycle(graph())
    assert found is None, "import cycle in helpers/: " + " -> ".join(found or [])


def test_operations_do_not_import_migration_context() -> None:
    """The operations need a Step; MigrationContext wraps them, never the reverse."""
    importers = sorted(name for name, imported in graph().items() if "context" in imported and name != "__init__")
    assert importers == [], f"modules importing helpers.context: {importers}"


def test_the_core_never_imports_the_commands() -> None:
    """Type-checking imports and imports inside functions included; only ``python -m helpers`` starts them."""
    wrong = sorted(
        f"{name} imports {imported}"
        for name, found in graph().items()
        if not name.startswith(f"{TOOLS}.") and name != ENTRY_POINT
        for imported in found
        if imported.startswith(f"{TOOLS}.")
    )
    assert wrong == [], "the core imports helpers.tools: " + "; ".join(wrong)


def room_of(module: str) -> str:
    """``tools.lint.run`` -> ``tools.lint``, ``tools.shared.scratch`` -> ``tools.shared``, ``tools.cli`` -> ``tools``;
    a core module -> ``""``."""
    parts = module.split(".")
    if parts[0] != TOOLS:
        return ""
    return ".".join(parts[:2]) if len(parts) > 2 else TOOLS


def room_violations(graph: dict[str, set[str]]) -> list[str]:
    """Imports across rooms that are not allowed: a family importing another family or a top-level command
    module (``cli``, ``explain``), and the shared pieces importing any family or command module."""
    wrong = []
    for name, found in graph.items():
        room = room_of(name)
        if room in {f"{TOOLS}.{family}" for family in FAMILIES}:
            allowed: tuple[str, ...] = (*SHARED, f"{room}.")
        elif room == f"{TOOLS}.shared":
            allowed = (f"{TOOLS}.errors", f"{TOOLS}.shared.")
        else:
            continue
        wrong.extend(
            f"{name} imports {imported}"
            for imported in sorted(found)
            if room_of(imported) and not imported.startswith(allowed) and imported != f"{TOOLS}.__init__"
        )
    return wrong


def test_the_families_import_each_other_only_through_the_shared_pieces() -> None:
    """lint never imports rehearse or schema (nor they each other); the shared pieces import no family."""
    tools = {name for name in graph() if room_of(name)}
    assert {room_of(name) for name in tools} >= {f"{TOOLS}.{family}" for family in (*FAMILIES, "shared")}
    assert room_violations(graph()) == []


def test_the_room_check_catches_a_family_importing_another() -> None:
    found = {
        "tools.lint.run": {"tools.rehearse.run", "tools.shared.running", "tools.errors", "context"},
        "tools.shared.scratch": {"tools.schema.compare"},
        "tools.schema.identify": {"tools.schema.compare", "tools.history", "tools.cli"},
    }
    assert sorted(room_violations(found)) == [
        "tools.lint.run imports tools.rehearse.run",
        "tools.schema.identify imports tools.cli",
        "tools.shared.scratch imports tools.schema.compare",
    ]


def fresh_python(script: str) -> list[str]:
    """The words ``script`` prints, run by a new interpreter beside helpers/ (nothing imported before)."""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                          cwd=HELPERS.parent)
    return done.stdout.split()


def test_import_helpers_loads_the_core_only() -> None:
    """What a migration's ``from helpers import MigrationContext`` (or ``import helpers``) loads: no command, no
    ``alembic.command``."""
    for first in ("from helpers import MigrationContext", "import helpers"):
        script = (
            f"import sys\n{first}\n"
            "print(' '.join(sorted(m for m in sys.modules if m.startswith(('helpers.tools', 'alembic.command')))))"
        )
        assert fresh_python(script) == [], first


def test_the_commands_stay_reachable_from_the_package() -> None:
    """``helpers.rehearse`` and the rest of the commands' API load ``helpers.tools`` on first use, not before."""
    script = (
        "import sys, helpers\nassert 'helpers.tools.rehearse' not in sys.modules\n"
        "print(helpers.rehearse.__module__, helpers.read_history.__module__, helpers.Comparison.__module__)"
    )
    assert fresh_python(script) == [
        "helpers.tools.rehearse.run", "helpers.tools.history", "helpers.tools.schema.compare"
    ]


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
    found = {name: imports_of(tree, known, name) for name, tree in (("constraints", constraints), ("context", context))}
    assert cycle(found) == ["constraints", "context", "constraints"]
    assert foreign_private_uses("constraints", constraints) == [
        "constraints.py:5: uses _did",
        "constraints.py:6: uses _proxy",
    ]


def test_a_core_module_importing_the_commands_is_seen() -> None:
    """From the core, ``from .tools.scratch import clone`` and, in tools, ``from ..context import X`` resolve."""
    known = {"context", "tools.scratch", "tools.__init__", "tools.rehearse"}
    core = ast.parse("def f():\n    from .tools.scratch import clone\n")
    tool = ast.parse("from ..context import MigrationContext\nfrom . import scratch\n")
    assert imports_of(core, known, "context") == {"tools.scratch"}
    assert imports_of(tool, known, "tools.rehearse") == {"context", "tools.scratch"}
