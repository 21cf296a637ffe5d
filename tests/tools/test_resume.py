"""helpers/tools/resume.py: ``python -m helpers resume`` plans, refuses an edited statement, and abandons only
what can be undone without losing data; bad input writes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from helpers.advisory import lock_key
from helpers.tools import resume
from tests.support.cli import cli
from tests.support.database import Database
from tests.support.paths import SNIPPETS
from tests.support.project import project_with

REVISION = "recovery/failed-midway/versions/0010_index_concurrently.py"
SHARED_PHONE = SNIPPETS / "recovery" / "failed-midway" / "shared_phone.sql"


@pytest.fixture
def half_applied(database: Database, tmp_path: Path) -> Path:
    """Revision 0010 failed at its second statement: the first index built, the second INVALID."""
    project = project_with(tmp_path, REVISION)
    assert database.alembic("upgrade", "0009", cwd=project).returncode == 0
    database.load(SHARED_PHONE)
    assert database.alembic("upgrade", "head", cwd=project).returncode == 1
    return project


def open_rows(database: Database) -> int:
    return int(database.scalar("SELECT count(*) FROM alembic_history_statements WHERE NOT closed"))  # type: ignore[arg-type]


def test_plan_shows_what_ran_what_failed_and_what_is_left(database: Database, half_applied: Path) -> None:
    done = cli("resume", "--plan", "--json", cwd=half_applied, env=database.env)

    assert done.status == 0, done.err
    found = json.loads(done.out)["plan"]
    assert (found["revision"], found["down_revision"]) == ("0010", "0009")
    assert [(s["position"], s["outcome"], s["live"], s["action"]) for s in found["statements"]] == [
        (1, "applied", "built", "skip"),
        (2, "failed", "INVALID", "rebuild"),
    ]
    assert found["left"] == ["CREATE INDEX CONCURRENTLY ix_cameras_firmware_version ON cameras (firmware_version)"]


def test_an_applied_statement_changed_since_it_ran_is_refused_and_nothing_is_written(
    database: Database, half_applied: Path
) -> None:
    revision = half_applied / "versions" / Path(REVISION).name
    revision.write_text(revision.read_text().replace('"events", ["camera_id"]', '"events", ["camera_id", "kind"]'))
    rows = open_rows(database)

    for args in (("resume", "--plan"), ("resume",)):
        done = cli(*args, cwd=half_applied, env=database.env)
        assert done.status == 1, done.out
        assert "Refused: statement 1 changed since it ran" in done.out
        assert "CHANGED since it ran; the file now says: CREATE INDEX CONCURRENTLY ix_events_camera_id ON events " \
            "(camera_id, kind)" in done.out

    assert open_rows(database) == rows
    assert database.scalar("SELECT indisvalid FROM pg_index WHERE indexrelid = 'ux_users_phone'::regclass") is False
    assert database.scalar("SELECT version_num FROM alembic_version") == "0009"


def test_a_changed_statement_that_has_not_run_yet_is_fine(database: Database, half_applied: Path) -> None:
    revision = half_applied / "versions" / Path(REVISION).name
    revision.write_text(revision.read_text().replace('["firmware_version"]', '["firmware_version", "name"]'))
    database.sql("UPDATE users SET phone = NULL WHERE email = 'bob@example.com'")

    done = cli("resume", cwd=half_applied, env=database.env)

    assert done.status == 0, done.out + done.err
    assert done.out.splitlines()[-1] == "Resumed 0010: alembic_version is 0010; alembic upgrade head goes on."
    assert database.scalar("SELECT pg_get_indexdef('ix_cameras_firmware_version'::regclass)").endswith(  # type: ignore[union-attr]
        "(firmware_version, name)"
    )
    assert open_rows(database) == 0


def test_abandon_refuses_where_rows_changed_and_changes_nothing(database: Database, tmp_path: Path) -> None:
    project = project_with(tmp_path)
    (project / "versions" / "0010_retire_then_index.py").write_text(
        '"""Retire cameras, then index users by phone (unique).\n\nRevision ID: 0010\nRevises: 0009\n"""\n'
        "from alembic import op\n\nrevision = '0010'\ndown_revision = '0009'\n\n\ndef upgrade() -> None:\n"
        "    with op.get_context().autocommit_block():\n"
        "        op.execute(\"UPDATE cameras SET status = 'retired'\")\n"
        "        op.create_index('ux_users_phone', 'users', ['phone'], unique=True, postgresql_concurrently=True)\n"
    )
    assert database.alembic("upgrade", "0009", cwd=project).returncode == 0
    database.load(SHARED_PHONE)
    assert database.alembic("upgrade", "head", cwd=project).returncode == 1
    before = database.fingerprint(history=True)

    done = cli("resume", "--abandon", cwd=project, env=database.env)

    assert done.status == 1
    assert done.out == (
        "Not abandoned: statement 1 (UPDATE cameras SET status = 'retired') changed rows or dropped something: "
        "undo it by hand. Nothing was changed.\n"
    )
    assert database.fingerprint(history=True) == before


def test_nothing_to_resume(database: Database, tmp_path: Path) -> None:
    project = project_with(tmp_path)
    assert database.alembic("upgrade", "0009", cwd=project).returncode == 0
    for args in (("resume",), ("resume", "--abandon")):
        done = cli(*args, cwd=project, env=database.env)
        assert done.status == 0
        assert done.out.startswith("Nothing to ")


def test_bad_input_is_one_sentence_and_writes_nothing(database: Database, half_applied: Path, tmp_path: Path) -> None:
    before = database.fingerprint(history=True)
    both = cli("resume", "--plan", "--abandon", cwd=half_applied, env=database.env)
    no_project = cli("resume", cwd=tmp_path, env=database.env)
    no_database = cli("resume", "--url", "postgresql://nobody@/nowhere?host=/nonexistent", cwd=half_applied,
                      env=database.env)

    assert (both.status, no_project.status, no_database.status) == (2, 2, 2)
    assert both.err == "python -m helpers resume: Argument --abandon: not allowed with argument --plan.\n"
    assert no_project.err.startswith("error: No alembic.ini in ")
    assert no_database.err.startswith("error: Cannot reach ")
    assert database.fingerprint(history=True) == before


def test_another_run_holding_the_lock_stops_resume_before_it_writes(
    database: Database, half_applied: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(resume, "LOCK_WAIT", 0.0)
    with database.engine.connect() as other:
        other.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": lock_key(resume.LOCK)})
        done = cli("resume", cwd=half_applied, env=database.env)
    assert done.status == 1
    assert "Another migration run still holds the migration lock" in done.err
    assert open_rows(database) == 2
