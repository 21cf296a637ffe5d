"""docs/failures/dependent-objects.md: a downgrade drops a column a view uses (2BP01); save, drop the view, retry.

The view is found, saved with pg_dump and dropped, the downgrade retried, and the view brought back after an
upgrade; what CASCADE would have dropped without a word.
"""

from __future__ import annotations

from pathlib import Path

from tests.support import drivers
from tests.support.console import check_console_blocks
from tests.support.database import Database
from tests.support.ordinary import from_last_exception
from tests.support.paths import page, snippet_dir
from tests.support.project import project_with
from tests.support.scenario import Captures, at_revision, fails

PAGE = page("failures/dependent-objects")
FILES = snippet_dir(PAGE)


def test_console_blocks(update_snapshots: bool) -> None:
    check_console_blocks(PAGE, update_snapshots)


def test_a_downgrade_drops_a_column_a_view_uses(database: Database, update_snapshots: bool, tmp_path: Path) -> None:
    captures = Captures(PAGE, update_snapshots)
    workdir = project_with(tmp_path)
    at_revision(database, "0008", cwd=workdir)
    at_0008 = database.fingerprint().schema
    at_revision(database, "0009", FILES / "bad-data.sql", cwd=workdir)
    before = database.fingerprint()

    message = "cannot drop column firmware_version of table cameras because other objects depend on it"
    failed = fails(
        database, captures, "dependent objects", message, capture="downgrade.txt", args=("downgrade", "-1"), cwd=workdir
    )
    assert "DETAIL: view camera_firmware depends on column firmware_version of table cameras" in failed
    assert "SEE: http://127.0.0.1:8000/failures/dependent-objects/" in failed

    if not drivers.is_async():  # the stock env.py's traceback (the async template is another env.py)
        stock = project_with(tmp_path, name="stock", stock_env=True)
        run = captures.check("stock.txt", database.shell(from_last_exception("alembic downgrade -1"), cwd=stock))
        assert run.output.startswith("sqlalchemy.exc.InternalError: (") and "DependentObjectsStillExist) " in run.output
        assert database.fingerprint() == before

    found = captures.check("find-dependents.txt", captures.psql(database, "-f", "find-dependents.sql"))
    assert " camera_firmware | view" in found.output
    save = "pg_dump --schema-only -t camera_firmware -f camera_firmware.sql && "
    save += "grep -A4 'CREATE VIEW' camera_firmware.sql"
    saved = captures.check("save-view.txt", database.shell(save, cwd=tmp_path))
    assert saved.returncode == 0 and "CREATE VIEW public.camera_firmware AS" in saved.output
    drop = ("-v", "ON_ERROR_STOP=1", "-c", "DROP VIEW camera_firmware")
    dropped = captures.check("drop-view.txt", captures.psql(database, *drop))
    assert dropped.returncode == 0

    retry = captures.check("retry.txt", database.alembic("downgrade", "-1", cwd=workdir))
    assert retry.returncode == 0, retry.output
    assert database.scalar("SELECT version_num FROM alembic_version") == "0008"
    assert database.fingerprint().schema == at_0008
    # Back at 0009 (the column again), the saved view comes back as it was.
    assert database.alembic("upgrade", "0009", cwd=workdir).returncode == 0
    assert database.psql("-v", "ON_ERROR_STOP=1", "-q", "-f", str(tmp_path / "camera_firmware.sql")).returncode == 0
    assert database.scalar("SELECT count(*) FROM camera_firmware") == 1
