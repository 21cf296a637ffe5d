"""docs/failures/script-location.md: Path doesn't exist, a relative script_location run elsewhere; %(here)s, retry.

Also no alembic.ini where alembic runs; both in the newest Alembic's words (captured) and in 1.13's.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from helpers import failures
from helpers.tools import explain
from tests.support.database import Database
from tests.support.paths import PROJECT, page, snippet_dir
from tests.support.scenario import Captures, at_revision

PAGE = page("failures/script-location")
PATH_DOESNT_EXIST = "FAILED: Path doesn't exist: %s.  Please use the 'init' command to create a new scripts folder."
NO_CONFIG_FILE = "FAILED: No config file 'alembic.ini' found, or file has no '[alembic]' section"
FILES = snippet_dir(PAGE)


def _repository(tmp_path: Path, ini: Path) -> Path:
    """The example project as many repositories lay it out: alembic.ini at the root, the scripts in migrations/."""
    root = tmp_path / "security"
    shutil.copytree(PROJECT, root / "migrations", ignore=shutil.ignore_patterns("__pycache__", "alembic.ini"))
    shutil.copy(ini, root / "alembic.ini")
    return root


def test_a_relative_script_location_from_another_directory(
    database: Database, update_snapshots: bool, tmp_path: Path
) -> None:
    captures = Captures(PAGE, update_snapshots)
    root = _repository(tmp_path, FILES / "alembic.ini")
    at_revision(database, "0008", cwd=root)  # from the root it works
    before = database.fingerprint()

    run_from_migrations = "cd migrations && alembic -c ../alembic.ini upgrade head"
    failed = database.shell(run_from_migrations, cwd=root)
    no_ini = database.shell("cd migrations && alembic upgrade head", cwd=root)
    assert (failed.returncode, no_ini.returncode) == (255, 255)
    # Alembic's wordings: the newest (the page's captured runs), and the one the page quotes for older releases
    # (1.13, nox -s oldest), which names the absolute path and no script_location.
    newest = (PATH_DOESNT_EXIST % "migrations", "FAILED: No 'script_location' key found in configuration.")
    older = (PATH_DOESNT_EXIST % repr(str(root / "migrations" / "migrations")), NO_CONFIG_FILE)
    printed = (failed.output.strip().splitlines()[-1], no_ini.output.strip().splitlines()[-1])
    assert printed in (newest, older), printed
    if printed == newest:
        captures.check("path.txt", failed)
        captures.check("no-ini.txt", no_ini)
    assert database.fingerprint() == before

    shutil.copy(FILES / "fixed" / "alembic.ini", root / "alembic.ini")
    retry = database.shell(run_from_migrations, cwd=root)
    if printed == newest:
        captures.check("retry.txt", retry)
    assert retry.returncode == 0, retry.output
    assert database.scalar("SELECT version_num FROM alembic_version") == "0009"


def test_explain_names_this_page_for_both_lines() -> None:
    for line in (
        PATH_DOESNT_EXIST % "migrations",
        PATH_DOESNT_EXIST % "'/app/migrations/migrations'",
        "FAILED: No 'script_location' key found in configuration.",
        NO_CONFIG_FILE,
    ):
        found = explain.find(line)
        assert found is not None and found.row is failures.SCRIPT_LOCATION, line
        assert found.address is not None and found.address.endswith("/failures/script-location/")
