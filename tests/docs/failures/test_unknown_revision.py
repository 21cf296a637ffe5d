"""docs/failures/unknown-revision.md: alembic_version names a revision this code does not have.

- console blocks: the failure, compare (differs, then same), identify (built, then read from its cache), plain
  stamp refused, stamp --purge.
- git: the revision's file is on another branch of a real git repository made from the example
  project; it is put back, its downgrade runs, and the schema is 0009's again.
- a stock env.py (the ordinary project's) prints Alembic's FAILED line; diagnose names the page.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from alembic.util import CommandError

from helpers import diagnose, failures
from tests.support.console import check_console_blocks
from tests.support.database import Database
from tests.support.ordinary import ordinary_project
from tests.support.paths import PROJECT, page, snippet_dir
from tests.support.project import project_with
from tests.support.scenario import Captures, at_revision
from tests.support.transcript import Run, helpers, shell

PAGE = page("failures/unknown-revision")
FILES = snippet_dir(PAGE)
LOST = "3f2a9c1d7b4e"
REVISION_FILE = FILES / "git" / f"{LOST}_add_camera_serial.py"
#: Fixed names and dates, so the commits' hashes on the page are the same on every run.
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Ann", "GIT_AUTHOR_EMAIL": "ann@example.com", "GIT_AUTHOR_DATE": "2026-11-30T10:00:00Z",
    "GIT_COMMITTER_NAME": "Ann", "GIT_COMMITTER_EMAIL": "ann@example.com",
    "GIT_COMMITTER_DATE": "2026-11-30T10:00:00Z", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
}


def test_console_blocks(update_snapshots: bool) -> None:
    check_console_blocks(PAGE, update_snapshots)


def _git_repository(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """The example project in git: main at 0009, branch feature/camera-serial with the lost revision."""
    workdir = project_with(tmp_path)
    env = {**os.environ, **GIT_ENV}
    for command_line in (
        "git -c init.defaultBranch=main init -q",
        "git add . && git commit -qm 'The security app at 0009'",
        "git checkout -qb feature/camera-serial",
    ):
        assert shell(command_line, env=env, cwd=workdir).returncode == 0
    shutil.copy(REVISION_FILE, workdir / "versions")
    assert shell("git add . && git commit -qm 'Add cameras.serial'", env=env, cwd=workdir).returncode == 0
    return workdir, env


def test_the_file_is_put_back_from_git_and_its_downgrade_runs(
    database: Database, update_snapshots: bool, tmp_path: Path
) -> None:
    captures = Captures(PAGE, update_snapshots)
    workdir, git_env = _git_repository(tmp_path)
    env = {**database.env, **GIT_ENV}
    assert database.alembic("upgrade", "0009", cwd=workdir).returncode == 0
    at_0009 = database.fingerprint().schema
    assert database.alembic("upgrade", "head", cwd=workdir).returncode == 0  # the branch's deploy
    assert shell("git checkout -q main", env=git_env, cwd=workdir).returncode == 0  # the rollback of the code
    before = database.fingerprint()
    failed = database.alembic("upgrade", "head", cwd=workdir)
    assert failed.returncode == 1
    assert f"Can't locate revision identified by '{LOST}'" in failed.output
    assert database.fingerprint() == before

    def step(name: str, command_line: str) -> Run:
        done = captures.check(f"git/{name}.txt", shell(command_line, env=env, cwd=workdir))
        assert done.returncode == 0, done.output
        return done

    # No commit hash: it changes with every change to the example project.
    found = step("log", f"git log --all --format='%D: %s' -- 'versions/*{LOST}*'")
    assert "feature/camera-serial: Add cameras.serial" in found.output
    step("restore", f"git show feature/camera-serial:versions/{LOST}_add_camera_serial.py "
                    f"> versions/{LOST}_add_camera_serial.py")
    ran = step("downgrade", "alembic downgrade 0009")
    assert f"Running downgrade {LOST} -> 0009" in ran.output
    step("current", f"rm versions/{LOST}_add_camera_serial.py && alembic current")
    assert database.fingerprint().schema == at_0009
    assert database.scalar("SELECT version_num FROM alembic_version") == "0009"


def test_plain_stamp_changes_nothing_and_purge_leaves_one_row(database: Database) -> None:
    at_revision(database, "0009", FILES / "unknown-id-only.sql")
    before = database.fingerprint()
    assert database.alembic("stamp", "0009").returncode == 1
    assert database.fingerprint() == before
    assert database.alembic("stamp", "--purge", "0009").returncode == 0
    assert [tuple(r) for r in database.sql("SELECT version_num FROM alembic_version")] == [("0009",)]


def test_a_stock_env_py_prints_alembics_failed_line(database: Database, tmp_path: Path) -> None:
    workdir = ordinary_project(tmp_path)
    assert database.alembic("upgrade", "head", cwd=workdir).returncode == 0
    database.sql(f"UPDATE alembic_version SET version_num = '{LOST}'")
    failed = database.alembic("upgrade", "head", cwd=workdir)
    assert failed.returncode == 255
    assert f"FAILED: Can't locate revision identified by '{LOST}'" in failed.output


def test_diagnose_names_this_page_for_the_exception_alembic_raises(database: Database) -> None:
    """From Python (env.py re-raises when there is no command line): the CommandError, raised from ResolutionError."""
    at_revision(database, "0009", FILES / "unknown-id-only.sql")
    config = Config(str(PROJECT / "alembic.ini"))
    config.attributes["configure_logger"] = False
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        with pytest.raises(CommandError) as caught:
            command.upgrade(config, "head")
    diagnosis = diagnose(caught.value)
    assert diagnosis.category is failures.UNKNOWN_REVISION
    assert diagnosis.message == f"Can't locate revision identified by '{LOST}'"
    assert diagnosis.lines()[-1].endswith("/failures/unknown-revision/")


def test_the_guarded_stamp_replaces_the_unknown_revision(database: Database, update_snapshots: bool) -> None:
    """``python -m helpers stamp 0009``: compare finds the schema the same, then the unknown revision is purged."""
    captures = Captures(PAGE, update_snapshots)
    at_revision(database, "0009", FILES / "unknown-id-only.sql")
    done = captures.check("guarded-stamp.txt", helpers("stamp", "0009", env=database.env))
    assert done.returncode == 0
    assert "Stamped 0009." in done.output
    assert database.scalar("SELECT string_agg(version_num, ',') FROM alembic_version") == "0009"
