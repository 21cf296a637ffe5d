"""helpers/tools/crash_points.py: ``rehearse --crash-points`` kills the migration at every boundary on clones and
says, per point, whether the plain retry or ``resume`` recovers; ``--fail-on stuck`` makes it a gate."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.support import ordinary, transcript
from tests.support.cli import cli
from tests.support.database import Database
from tests.support.project import project_with

REVISION = "recovery/failed-midway/versions/0010_index_concurrently.py"
#: The same on every server and driver (the tools' own engines are psycopg; the stock env.py's run is a process of
#: its own): `nox -s once`. The failed-midway page runs the crash points on every version, and tests/test_statements.py
#: kills the migration through each driver.
pytestmark = pytest.mark.once


def test_the_page_revision_needs_resume_after_its_first_statement(database: Database, tmp_path: Path) -> None:
    project = project_with(tmp_path, REVISION)
    assert database.alembic("upgrade", "0009", cwd=project).returncode == 0
    before = database.fingerprint(history=True)
    database.alone()

    done = cli("rehearse", "--crash-points", "--json", cwd=project, env=database.env)

    assert done.status == 0, done.err
    points = {p["point"]: (p["verdict"], p["retry"]) for p in json.loads(done.out)["points"]}
    assert points == {
        "0010:0": ("retry converges", ""),
        "0010:1": ("needs resume", 'relation "ix_events_camera_id" already exists'),
        "0010:2": ("needs resume", 'relation "ix_events_camera_id" already exists'),
        "0010:version": ("needs resume", 'relation "ix_events_camera_id" already exists'),
    }
    assert database.fingerprint(history=True) == before  # only clones were touched


def test_fail_on_stuck_is_a_gate(database: Database, tmp_path: Path) -> None:
    """A helper that looks before it acts, then a plain concurrent build: the replay's statements shift, resume
    refuses, the retry fails on the committed index: stuck. Written idempotent (IF NOT EXISTS), the retry converges."""
    project = project_with(tmp_path)
    revision = project / "versions" / "0010_mixed.py"
    body = (
        '"""Index cameras by owner through the helpers, then events by camera by hand.\n\nRevision ID: 0010\n'
        'Revises: 0009\n"""\nfrom alembic import op\n\nfrom helpers import MigrationContext\n\n'
        "revision = '0010'\ndown_revision = '0009'\n\n\ndef upgrade() -> None:\n"
        "    with MigrationContext('index_cameras') as ctx:\n"
        "        ctx.create_index_concurrently('ix_cameras_owner_id', 'cameras', ['owner_id'])\n"
        "    with op.get_context().autocommit_block():\n"
        "        op.execute('CREATE INDEX CONCURRENTLY ix_events_camera_id ON events (camera_id)')\n"
    )
    revision.write_text(body)
    assert database.alembic("upgrade", "0009", cwd=project).returncode == 0
    database.alone()

    stuck = cli("rehearse", "--crash-points", "--fail-on", "stuck", cwd=project, env=database.env)

    assert stuck.status == 1, stuck.out + stuck.err
    assert "0010:version (before the alembic_version update): stuck: the alembic_version update (refused at " \
        "statement 1)" in stuck.out

    revision.write_text(body.replace("CONCURRENTLY ix_events", "CONCURRENTLY IF NOT EXISTS ix_events"))
    database.alone()
    fine = cli("rehearse", "--crash-points", "--fail-on", "stuck", cwd=project, env=database.env)
    assert fine.status == 0, fine.out + fine.err
    assert fine.out.splitlines()[-1].startswith("3 crash point(s): 3 retry converges")


def test_fail_on_without_crash_points_is_bad_input(database: Database, tmp_path: Path) -> None:
    done = cli("rehearse", "--fail-on", "stuck", cwd=project_with(tmp_path), env=database.env)
    assert (done.status, done.err) == (2, "error: --fail-on stuck goes with --crash-points; add it, or leave "
                                          "--fail-on out.\n")


def test_a_stock_env_py_gets_the_ledger_from_the_rehearsal_and_from_resume(database: Database, tmp_path: Path) -> None:
    """An env.py that records nothing (alembic init's): the tools attach the statement ledger to its connection."""
    project = project_with(tmp_path, REVISION)
    assert database.alembic("upgrade", "0009", cwd=project).returncode == 0
    ordinary.stock_env(project, "generic")
    assert "recorded(" not in (project / "env.py").read_text()
    database.alone()

    # In a process of its own, as a reader runs it (this one may hold asyncio state a fork would inherit).
    # The generic template's env.py is synchronous: its reader's URL names a synchronous driver.
    env = {**database.env, "DATABASE_URL": database.url.replace("+asyncpg", "+psycopg")}
    done = transcript.run([sys.executable, "-m", "helpers", "rehearse", "--crash-points"], env=env, cwd=project)

    assert done.returncode == 0, done.output
    assert done.output.splitlines()[-1].startswith("4 crash point(s): 1 retry converges, 3 needs resume"), done.output


def test_a_busy_database_is_bad_input_and_nothing_is_made(database: Database, tmp_path: Path) -> None:
    project = project_with(tmp_path, REVISION)
    assert database.alembic("upgrade", "0009", cwd=project).returncode == 0
    with database.engine.connect() as other:
        other.exec_driver_sql("SELECT 1")
        done = cli("rehearse", "--crash-points", cwd=project, env=database.env)
    assert done.status == 2
    assert done.err.startswith(f"error: Database '{database.name}' cannot be cloned while other sessions are connected")
