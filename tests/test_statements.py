"""helpers/statements.py: a revision that commits part-way is recorded statement by statement, committed as it goes.

The revision is the failed-midway page's ``0010``: three ``CREATE INDEX CONCURRENTLY`` in an autocommit block.
The crash tests kill the process running Alembic (SIGKILL, through ``HELPERS_CRASH_AT``) at every statement
boundary and just before the ``alembic_version`` update: the ledger is right each time, ``resume`` reaches the
clean run's schema and a second ``resume`` does nothing, ``--abandon`` brings back the revision before.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from helpers.statements import CRASH_AT
from tests.support import transcript
from tests.support.cli import cli
from tests.support.database import Database, fresh_database
from tests.support.paths import SNIPPETS
from tests.support.project import project_with

REVISION = "recovery/failed-midway/versions/0010_index_concurrently.py"
SHARED_PHONE = SNIPPETS / "recovery" / "failed-midway" / "shared_phone.sql"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return project_with(tmp_path, REVISION)


def ledger(database: Database) -> list[tuple[object, ...]]:
    """(revision, position, outcome, autocommit, sqlstate) of each open row, oldest first."""
    exists = database.scalar("SELECT to_regclass('alembic_history_statements') IS NOT NULL")
    if not exists:
        return []
    return [tuple(r) for r in database.sql(
        "SELECT revision, position, outcome, autocommit, sqlstate FROM alembic_history_statements"
        " WHERE NOT closed ORDER BY id"
    )]


def version(database: Database) -> object:
    return database.scalar("SELECT version_num FROM alembic_version")


def test_a_failure_after_a_committed_statement_is_recorded_and_diagnosed(database: Database, project: Path) -> None:
    assert database.alembic("upgrade", "0009", cwd=project).returncode == 0
    database.load(SHARED_PHONE)

    failed = database.alembic("upgrade", "head", cwd=project)

    assert failed.returncode == 1
    assert ledger(database) == [("0010", 1, "applied", True, None), ("0010", 2, "failed", True, "23505")]
    assert version(database) == "0009"
    assert "PARTIAL: revision 0010 runs outside one transaction (an autocommit block): its first statement " \
        "had committed before this one failed and is still there" in failed.output
    assert "python -m helpers resume" in failed.output
    hashes = database.sql("SELECT sql_hash, sql FROM alembic_history_statements ORDER BY position").all()
    assert hashes[0][1] == "CREATE INDEX CONCURRENTLY ix_events_camera_id ON events (camera_id)"
    assert len(hashes[0][0]) == 16


def test_a_revision_in_one_transaction_writes_no_statement_row(database: Database, project: Path) -> None:
    assert database.alembic("upgrade", "0009", cwd=project).returncode == 0
    assert database.scalar("SELECT to_regclass('alembic_history_statements')") is None
    assert database.alembic("upgrade", "head", cwd=project).returncode == 0
    rows = database.sql("SELECT position, outcome, closed FROM alembic_history_statements ORDER BY id").all()
    assert [tuple(r) for r in rows] == [(1, "applied", True), (2, "applied", True), (3, "applied", True)]


def killed_at(database: Database, project: Path, point: str) -> None:
    """``alembic upgrade head`` in a process of its own, SIGKILLed at ``point``: a fork of this one (no interpreter
    start-up), which runs Alembic's command line as a reader's process does."""
    child = os.fork()
    if child == 0:  # pragma: no cover - the child is killed, or says why not
        try:
            run = transcript.alembic("upgrade", "head", env={**database.env, CRASH_AT: f"0010:{point}"}, cwd=project)
            os._exit(run.returncode)
        finally:
            os._exit(99)
    _, status = os.waitpid(child, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, f"exit status {status >> 8}"


#: Where the process dies: before statement 1, 2, 3 (after 0, 1, 2 committed), and before the version update.
POINTS = {"0": 0, "1": 1, "2": 2, "version": 3}


def test_killed_at_every_boundary_resume_converges_and_abandon_goes_back(database: Database, project: Path) -> None:
    with fresh_database() as clean:
        assert clean.alembic("upgrade", "head", cwd=project).returncode == 0
        wanted = clean.fingerprint().schema
    assert database.alembic("upgrade", "0009", cwd=project).returncode == 0
    before = database.fingerprint().schema

    for point, committed in POINTS.items():
        for way in ("abandon", "resume"):
            killed_at(database, project, point)
            assert version(database) == "0009"
            assert ledger(database) == [("0010", n, "applied", True, None) for n in range(1, committed + 1)], point

            if way == "abandon":
                done = cli("resume", "--abandon", cwd=project, env=database.env)
                assert done.status == 0, done.out + done.err
                assert database.fingerprint().schema == before, point
                assert ledger(database) == []
                continue
            done = cli("resume", cwd=project, env=database.env)
            assert done.status == 0, done.out + done.err
            if committed == 0:  # nothing of 0010 committed: nothing to resume, the plain retry is the way
                assert done.out.startswith("Nothing to resume")
                assert database.alembic("upgrade", "head", cwd=project).returncode == 0
            assert version(database) == "0010"
            assert database.fingerprint().schema == wanted, point
            again = cli("resume", cwd=project, env=database.env)
            assert (again.status, again.out.split(":")[0]) == (0, "Nothing to resume"), point
            assert database.alembic("downgrade", "0009", cwd=project).returncode == 0


MIXED = '''"""A column in the transaction, an index outside it, a comment in the next transaction.

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"


def upgrade() -> None:
    op.add_column("cameras", sa.Column("serial", sa.Text))
    with op.get_context().autocommit_block():
        op.create_index("ix_cameras_serial", "cameras", ["serial"], postgresql_concurrently=True)
    op.execute("COMMENT ON COLUMN cameras.serial IS 'from the label'")
'''


def test_killed_as_the_block_begins_the_statements_it_committed_are_in_the_ledger(
    database: Database, tmp_path: Path
) -> None:
    project = project_with(tmp_path)
    (project / "versions" / "0010_mixed.py").write_text(MIXED)
    assert database.alembic("upgrade", "0009", cwd=project).returncode == 0

    killed_at(database, project, "1")  # the block has committed the column; its index has not started

    assert ledger(database) == [("0010", 1, "applied", False, None)]
    assert database.scalar("SELECT count(*) FROM information_schema.columns WHERE column_name = 'serial'") == 1
    done = cli("resume", cwd=project, env=database.env)
    assert done.status == 0, done.out + done.err
    assert version(database) == "0010"


def test_statements_around_an_autocommit_block_are_applied_or_pending_as_they_committed(
    database: Database, tmp_path: Path
) -> None:
    project = project_with(tmp_path)
    (project / "versions" / "0010_mixed.py").write_text(MIXED)
    assert database.alembic("upgrade", "0009", cwd=project).returncode == 0

    killed_at(database, project, "version")

    # The block committed the column; the comment was to commit with the version update, and did not.
    assert ledger(database) == [
        ("0010", 1, "applied", False, None), ("0010", 2, "applied", True, None), ("0010", 3, "pending", False, None)
    ]
    comment = (
        "SELECT col_description('cameras'::regclass, attnum) FROM pg_attribute "
        "WHERE attrelid = 'cameras'::regclass AND attname = 'serial'"
    )
    assert database.scalar(comment) is None
    done = cli("resume", cwd=project, env=database.env)
    assert done.status == 0, done.out + done.err
    assert "  3. rolled back (it was to commit with the alembic_version update): COMMENT ON COLUMN" in done.out
    assert database.scalar(comment) == "from the label"
    assert version(database) == "0010"
