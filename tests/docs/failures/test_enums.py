"""docs/failures/enums.md: what Alembic does with sa.Enum, and the three ways enum types break a migration.

- a type left behind by a downgrade (42710): the revision's create_table creates it again;
- a value added and used in one transaction (55P04), only when the type existed before it;
- a value removed while rows still hold it (22P02).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.support.database import Database, server
from tests.support.paths import page, snippet_dir
from tests.support.project import project_with
from tests.support.scenario import Captures, at_revision, break_at, fails, stock_symptom

PAGE = page("failures/enums")
FILES = snippet_dir(PAGE)
SCHEDULES = FILES / "versions" / "0010_camera_schedules.py"
SCHEDULES_FIXED = FILES / "fixed" / SCHEDULES.name
INFRARED = FILES / "versions" / "0011_infrared_mode.py"
INFRARED_FIXED = (FILES / "fixed" / INFRARED.name, FILES / "fixed" / "0012_night_schedules_infrared.py")
RETIRE_NIGHT = FILES / "versions" / "0013_retire_night_mode.py"


def modes(database: Database) -> list[tuple[int, str]]:
    return [tuple(r) for r in database.sql("SELECT id, mode::text FROM camera_schedules ORDER BY id")]  # type: ignore[misc]


def retry(database: Database, captures: Captures, name: str, workdir: Path, head: str) -> None:
    result = captures.check(name, database.alembic("upgrade", "head", cwd=workdir))
    assert result.returncode == 0, result.output
    assert f"{head} (head)" in database.alembic("current", cwd=workdir).output


def test_a_type_left_behind_by_a_downgrade(database: Database, update_snapshots: bool, tmp_path: Path) -> None:
    captures = Captures(PAGE, update_snapshots)
    workdir = project_with(tmp_path, SCHEDULES)
    at_revision(database, "0010", cwd=workdir)
    down = captures.check("left-behind/downgrade.txt", database.alembic("downgrade", "0009", cwd=workdir))
    assert down.returncode == 0
    assert database.scalar("SELECT count(*) FROM pg_type WHERE typname = 'camera_mode'") == 1

    exists = 'type "camera_mode" already exists'
    failed = fails(database, captures, "schema conflict", exists, capture="left-behind/upgrade.txt", cwd=workdir)
    assert "SEE: http://127.0.0.1:8000/failures/enums/#the-type-already-exists-42710" in failed  # the shape chooses
    stock_symptom(database, captures, "left-behind/stock.txt", tmp_path, SCHEDULES, error="DuplicateObject")

    found = captures.check("left-behind/find-type.txt", captures.psql(database, "-f", "left-behind/find-type.sql"))
    assert "camera_mode | {day,night} |" in found.output
    dropped = captures.check(
        "left-behind/drop-type.txt", captures.psql(database, "-v", "ON_ERROR_STOP=1", "-f", "left-behind/drop-type.sql")
    )
    assert "DROP TYPE" in dropped.output
    shutil.copy(SCHEDULES_FIXED, workdir / "versions" / SCHEDULES.name)
    retry(database, captures, "left-behind/retry.txt", workdir, "0010")
    # The fixed revision's downgrade takes its type with it, so the round trip works.
    assert database.alembic("downgrade", "0009", cwd=workdir).returncode == 0
    assert database.scalar("SELECT count(*) FROM pg_type WHERE typname = 'camera_mode'") == 0
    assert database.alembic("upgrade", "head", cwd=workdir).returncode == 0


def test_a_new_value_used_in_the_transaction_that_adds_it(
    database: Database, update_snapshots: bool, tmp_path: Path
) -> None:
    captures = Captures(PAGE, update_snapshots)
    workdir = project_with(tmp_path, SCHEDULES_FIXED, INFRARED)
    label = "an enum value used before it was committed"
    unsafe = 'unsafe use of new value "infrared" of enum type camera_mode'
    failed = break_at(database, captures, "0010", label, unsafe, case="new-value", cwd=workdir)
    assert "SEE: http://127.0.0.1:8000/failures/enums/" in failed
    stock = ("new-value/stock.txt", tmp_path, SCHEDULES_FIXED, INFRARED)
    stock_symptom(database, captures, *stock, error="UnsafeNewEnumValueUsage")

    (workdir / "versions" / INFRARED.name).unlink()
    for revision in INFRARED_FIXED:
        shutil.copy(revision, workdir / "versions" / revision.name)
    retry(database, captures, "new-value/retry.txt", workdir, "0012")
    assert modes(database) == [(1, "day"), (2, "infrared"), (3, "day"), (4, "infrared")]


def test_the_same_revision_from_an_empty_database(database: Database, tmp_path: Path) -> None:
    """Why it passed in CI on 17 and later: the type is created in the same transaction. Not before 17."""
    workdir = project_with(tmp_path, SCHEDULES_FIXED, INFRARED)
    result = database.alembic("upgrade", "head", cwd=workdir)
    if server().major >= 17:
        assert result.returncode == 0, result.output
        assert database.scalar("SELECT enum_range(NULL::camera_mode)::text") == "{day,night,infrared}"
    else:
        assert result.returncode == 1
        assert 'unsafe use of new value "infrared" of enum type camera_mode' in result.output

def test_removing_a_value_still_in_use(database: Database, update_snapshots: bool, tmp_path: Path) -> None:
    captures = Captures(PAGE, update_snapshots)
    workdir = project_with(tmp_path, SCHEDULES_FIXED, *INFRARED_FIXED, RETIRE_NIGHT)
    at_revision(database, "0010", FILES / "new-value" / "bad-data.sql", cwd=workdir)
    removed = 'invalid input value for enum camera_mode: "night"'
    break_at(database, captures, "0012", "a value the new type cannot hold", removed, case="remove-value", cwd=workdir)

    find = captures.psql(database, "-f", "remove-value/find-removed.sql")
    found = captures.check("remove-value/find-removed.txt", find)
    assert "night |     1 | {5}" in found.output
    moved = captures.check(
        "remove-value/move-removed.txt",
        captures.psql(database, "-v", "ON_ERROR_STOP=1", "-f", "remove-value/move-removed.sql"),
    )
    assert "UPDATE 1" in moved.output
    retry(database, captures, "remove-value/retry.txt", workdir, "0013")
    assert database.scalar("SELECT enum_range(NULL::camera_mode)::text") == "{day,infrared}"
    assert database.scalar("SELECT count(*) FROM pg_type WHERE typname = 'camera_mode_old'") == 0


def test_renaming_a_value_runs_in_the_migration(database: Database, tmp_path: Path) -> None:
    """The page's rename revision: ALTER TYPE ... RENAME VALUE in the run's transaction, rows follow, and back."""
    workdir = project_with(tmp_path, SCHEDULES_FIXED, FILES / "rename" / "0011_rename_night_mode.py")
    at_revision(database, "0010", FILES / "new-value" / "bad-data.sql", cwd=workdir)
    result = database.alembic("upgrade", "head", cwd=workdir)
    assert result.returncode == 0, result.output
    assert modes(database) == [(1, "day"), (2, "dark"), (3, "day"), (4, "dark")]
    assert database.alembic("downgrade", "0010", cwd=workdir).returncode == 0
    assert database.scalar("SELECT enum_range(NULL::camera_mode)::text") == "{day,night}"

def test_the_same_enum_in_a_later_revision(database: Database, update_snapshots: bool, tmp_path: Path) -> None:
    """A second create_table with the same sa.Enum fails once the type is there from an earlier run."""
    captures = Captures(PAGE, update_snapshots)
    overrides = FILES / "twice" / "0011_camera_overrides.py"
    workdir = project_with(tmp_path, SCHEDULES, overrides)
    exists = 'type "camera_mode" already exists'
    break_at(database, captures, "0010", "schema conflict", exists, case="twice", data=None, cwd=workdir)

    shutil.copy(FILES / "twice" / "fixed" / overrides.name, workdir / "versions" / overrides.name)
    retry(database, captures, "twice/retry.txt", workdir, "0011")


def test_the_same_enum_twice_in_one_run_passes(database: Database, tmp_path: Path) -> None:
    """In one run Alembic creates a type once (in one revision, or in two run together), so CI from empty passes."""
    one_revision = project_with(tmp_path, FILES / "twice" / "0010_two_tables_one_enum.py", name="one")
    assert database.alembic("upgrade", "head", cwd=one_revision).returncode == 0
    assert database.alembic("downgrade", "0009", cwd=one_revision).returncode == 0
    database.sql("DROP TYPE camera_mode")  # left behind by the downgrade, as on the page
    two_revisions = project_with(tmp_path, SCHEDULES, FILES / "twice" / "0011_camera_overrides.py", name="two")
    result = database.alembic("upgrade", "head", cwd=two_revisions)
    assert result.returncode == 0, result.output


def test_add_column_does_not_create_the_type(database: Database, update_snapshots: bool, tmp_path: Path) -> None:
    captures = Captures(PAGE, update_snapshots)
    workdir = project_with(tmp_path, FILES / "add-column" / "0010_camera_mode.py")
    missing = 'type "camera_mode" does not exist'
    label = "a missing object"
    failed = break_at(database, captures, "0009", label, missing, case="add-column", data=None, cwd=workdir)
    # 42704 is also a missing constraint or index: the SQLSTATE's page is missing-object's, whose table links here.
    assert "SEE: http://127.0.0.1:8000/failures/enums/#add_column-does-not-create-the-type-42704" in failed  # a type

    shutil.copy(FILES / "add-column" / "fixed" / "0010_camera_mode.py", workdir / "versions" / "0010_camera_mode.py")
    retry(database, captures, "add-column/retry.txt", workdir, "0010")
    assert database.alembic("downgrade", "0009", cwd=workdir).returncode == 0
    assert database.scalar("SELECT count(*) FROM pg_type WHERE typname = 'camera_mode'") == 0
