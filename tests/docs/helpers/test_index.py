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


def test_helpers_import_only_alembic_sqlalchemy_and_the_standard_library() -> None:
    outside: set[str] = set()
    for module in HELPERS.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            outside |= {name.split(".")[0] for name in names}
    assert outside - sys.stdlib_module_names - {"__future__"} <= {"alembic", "sqlalchemy"}
