"""docs/failures/missing-object.md: a downgrade drops a constraint by a name the database lacks (42704); fix, retry.

The real name is found, the revision's downgrade fixed and retried; an index already dropped by hand; what a naming
convention makes autogenerate write; the messages of the page's table.
"""

from __future__ import annotations

import runpy
import shutil
from pathlib import Path

from alembic.autogenerate import produce_migrations, render_python_code
from alembic.migration import MigrationContext

from tests.support import drivers
from tests.support.console import check_console_blocks
from tests.support.database import Database
from tests.support.ordinary import from_last_exception
from tests.support.paths import page, snippet_dir
from tests.support.project import project_with
from tests.support.scenario import Captures, at_revision, fails
from tests.support.snapshots import check_file

PAGE = page("failures/missing-object")
FILES = snippet_dir(PAGE)
REVISION = FILES / "versions" / "0010_unique_camera_name.py"
FIXED = FILES / "fixed" / "0010_unique_camera_name.py"


def test_console_blocks(update_snapshots: bool) -> None:
    check_console_blocks(PAGE, update_snapshots)


def test_a_downgrade_that_names_the_constraint_differently(
    database: Database, update_snapshots: bool, tmp_path: Path
) -> None:
    captures = Captures(PAGE, update_snapshots)
    workdir = project_with(tmp_path, REVISION)
    at_revision(database, "0009", cwd=workdir)
    at_0009 = database.fingerprint().schema
    at_revision(database, "0010", cwd=workdir)
    before = database.fingerprint()

    message = 'constraint "uq_cameras_owner_id_name" of relation "cameras" does not exist'
    failed = fails(
        database, captures, "a missing object", message, capture="downgrade.txt", args=("downgrade", "-1"), cwd=workdir
    )
    assert "SEE: http://127.0.0.1:8000/failures/missing-object/" in failed

    if not drivers.is_async():  # the stock env.py's traceback (the async template is another env.py)
        stock = project_with(tmp_path, REVISION, name="stock", stock_env=True)
        run = captures.check("stock.txt", database.shell(from_last_exception("alembic downgrade -1"), cwd=stock))
        assert run.output.startswith("sqlalchemy.exc.ProgrammingError: (") and "errors.UndefinedObject) " in run.output
        assert database.fingerprint() == before

    found = captures.check("find-name.txt", captures.psql(database, "-f", "find-name.sql"))
    assert "cameras_owner_id_name_key | UNIQUE (owner_id, name)" in found.output

    shutil.copy(FIXED, workdir / "versions" / FIXED.name)
    retry = captures.check("retry.txt", database.alembic("downgrade", "-1", cwd=workdir))
    assert retry.returncode == 0, retry.output
    assert database.scalar("SELECT version_num FROM alembic_version") == "0009"
    assert database.fingerprint().schema == at_0009
    # And back up: the fixed revision still upgrades, and now downgrades every time.
    assert database.alembic("upgrade", "head", cwd=workdir).returncode == 0
    assert database.alembic("downgrade", "-1", cwd=workdir).returncode == 0


def _only_unique_constraints_of_cameras(
    obj: object, name: str | None, type_: str, reflected: bool, other: object
) -> bool:
    """Autogenerate's filter: the cameras table and its unique constraints, nothing else of the example project."""
    return name == "cameras" if type_ == "table" else type_ == "unique_constraint"


def test_autogenerate_names_the_constraint_in_both_directions(database: Database, update_snapshots: bool) -> None:
    """With models.py's naming convention, autogenerate writes the same name into upgrade() and downgrade()."""
    models = runpy.run_path(str(FILES / "models.py"))
    metadata = models["metadata"]
    assert database.alembic("upgrade", "0009").returncode == 0
    with database.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"target_metadata": metadata, "include_object": _only_unique_constraints_of_cameras}
        )
        migrations = produce_migrations(context, metadata)
    written = (
        "# upgrade()\n"
        + render_python_code(migrations.upgrade_ops)
        + "\n# downgrade()\n"
        + render_python_code(migrations.downgrade_ops)
        + "\n"
    )
    check_file(FILES / "autogenerate.txt", written, update_snapshots)
    named = "op.f('uq_cameras_owner_id_name'), 'cameras'"
    assert f"op.create_unique_constraint({named}, ['owner_id', 'name'])" in written
    assert f"op.drop_constraint({named}, type_='unique')" in written


def test_the_tables_messages_are_postgresqls(database: Database) -> None:
    """Each row of the page's table: the statement a revision runs on a missing object, and what PostgreSQL says."""
    assert database.alembic("upgrade", "0009").returncode == 0
    text = PAGE.read_text(encoding="utf-8")
    for statement, sqlstate, message in (
        (
            "ALTER TABLE cameras DROP CONSTRAINT uq_cameras_x",
            "42704",
            'constraint "..." of relation "..." does not exist',
        ),
        ("DROP INDEX ix_cameras_name", "42704", 'index "..." does not exist'),
        ("ALTER TABLE cameras DROP COLUMN serial", "42703", 'column "..." of relation "..." does not exist'),
        ("DROP TABLE camera_models", "42P01", 'table "..." does not exist'),
        ("ALTER TABLE camera_models ADD COLUMN name text", "42P01", 'relation "..." does not exist'),
        ("ALTER TABLE cameras ADD COLUMN mode camera_mode", "42704", 'type "..." does not exist'),
    ):
        ran = database.psql("-v", "VERBOSITY=verbose", "-c", statement)
        words = message.split('"..."')
        assert f"ERROR:  {sqlstate}: " in ran.output, ran.output
        line = ran.output.split(f"ERROR:  {sqlstate}: ", 1)[1].splitlines()[0]
        assert line.startswith(words[0]) and line.endswith(words[-1]), line
        assert f"| `{message}` | `{sqlstate}` |" in text, message


def test_postgresqls_names_for_unnamed_constraints(database: Database) -> None:
    """The page's step 2: <table>_<columns>_key, then a number when that name is taken."""
    assert database.alembic("upgrade", "0009").returncode == 0
    database.sql("ALTER TABLE cameras ADD UNIQUE (owner_id, name)")
    database.sql("ALTER TABLE cameras ADD UNIQUE (owner_id, name)")
    names = database.sql(
        "SELECT conname FROM pg_constraint WHERE conrelid = 'cameras'::regclass AND contype = 'u' ORDER BY 1"
    )
    assert [name for (name,) in names] == ["cameras_owner_id_name_key", "cameras_owner_id_name_key1"]
