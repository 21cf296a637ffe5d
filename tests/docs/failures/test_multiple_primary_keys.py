"""docs/failures/multiple-primary-keys.md: a primary key added to a table that has one (42P16); replace it, retry.

The existing key is found, replaced in the same revision, and the upgrade retried; the downgrade brings it back.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.support.database import Database
from tests.support.paths import page, snippet_dir
from tests.support.project import project_with
from tests.support.scenario import Captures, at_revision, break_at, stock_symptom

PAGE = page("failures/multiple-primary-keys")
FILES = snippet_dir(PAGE)
REVISION = FILES / "versions" / "0010_events_primary_key_with_time.py"


def test_a_second_primary_key(database: Database, update_snapshots: bool, tmp_path: Path) -> None:
    captures = Captures(PAGE, update_snapshots)
    workdir = project_with(tmp_path, REVISION)
    at_revision(database, "0009", cwd=workdir)
    at_0009 = database.fingerprint().schema
    message = 'multiple primary keys for table "events" are not allowed'
    failed = break_at(database, captures, "0009", "an invalid table definition", message, cwd=workdir)
    assert "SEE: http://127.0.0.1:8000/failures/multiple-primary-keys/" in failed
    stock_symptom(database, captures, "stock.txt", tmp_path, REVISION, error="InvalidTableDefinition")

    found = captures.check("find-key.txt", captures.psql(database, "-f", "find-key.sql"))
    assert " events_pkey | PRIMARY KEY (id)" in found.output

    shutil.copy(FILES / "fixed" / REVISION.name, workdir / "versions" / REVISION.name)
    retry = captures.check("retry.txt", database.alembic("upgrade", "head", cwd=workdir))
    assert retry.returncode == 0, retry.output
    assert " pk_events | PRIMARY KEY (id, created_at)" in captures.psql(database, "-f", "find-key.sql").output
    assert database.scalar("SELECT count(*) FROM events") == 2
    # The fixed downgrade puts the old key back: the schema is 0009's again.
    assert database.alembic("downgrade", "0009", cwd=workdir).returncode == 0
    assert database.fingerprint().schema == at_0009
