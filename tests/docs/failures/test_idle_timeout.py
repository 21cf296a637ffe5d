"""docs/failures/idle-timeout.md: a revision waits on a slow service inside its transaction (25P03); retry.

The database ends sessions idle in a transaction: the limit is found and the run retried without it; the
idle-session timeout's code and wording (57P05).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from helpers import diagnose, failures
from tests.support.database import Database
from tests.support.paths import page, snippet_dir
from tests.support.project import project_with
from tests.support.scenario import Captures, break_at, stock_symptom
from tests.support.transcript import shell

PAGE = page("failures/idle-timeout")
FILES = snippet_dir(PAGE)
REVISION = FILES / "versions" / "0010_camera_time_zones.py"
LABEL = "an idle session ended by the server"


def test_a_revision_idle_in_its_transaction(database: Database, update_snapshots: bool, tmp_path: Path) -> None:
    captures = Captures(PAGE, update_snapshots)
    workdir = project_with(tmp_path, REVISION)
    message = "terminating connection due to idle-in-transaction timeout"
    failed = break_at(database, captures, "0009", LABEL, message, cwd=workdir)
    assert "SEE: http://127.0.0.1:8000/failures/idle-timeout/" in failed
    stock_symptom(database, captures, "stock.txt", tmp_path, REVISION, error="IdleInTransactionSessionTimeout")

    found = captures.check("find-timeout.txt", captures.psql(database, "-f", "find-timeout.sql"))
    assert " idle_in_transaction_session_timeout | 1000    | ms   | database" in found.output

    retry_line = "PGOPTIONS='-c idle_in_transaction_session_timeout=0' alembic upgrade head"
    retry = captures.check("retry.txt", shell(retry_line, env=database.env, cwd=workdir))
    assert retry.returncode == 0, retry.output
    zones = [tuple(r) for r in database.sql("SELECT id, time_zone FROM cameras ORDER BY id")]
    assert zones == [(1, "Europe/Paris"), (2, "UTC")]


@pytest.mark.parametrize(
    ("setting", "sqlstate", "message"),
    [
        ("idle_in_transaction_session_timeout", "25P03", "terminating connection due to idle-in-transaction timeout"),
        ("idle_session_timeout", "57P05", "terminating connection due to idle-session timeout"),
    ],
)
def test_each_timeout_ends_the_session_with_its_code(
    database: Database, setting: str, sqlstate: str, message: str
) -> None:
    """The page's table: a session idle in a transaction, or idle outside one, past its limit."""
    with database.engine.connect() as connection:
        connection.execute(sa.text("SELECT set_config(:name, '300ms', false)"), {"name": setting})
        if setting == "idle_session_timeout":
            connection.commit()  # idle outside a transaction
        time.sleep(1.5)
        with pytest.raises(sa.exc.DBAPIError) as caught:
            connection.execute(sa.text("SELECT 1"))
    diagnosis = diagnose(caught.value)
    assert (diagnosis.sqlstate, diagnosis.message) == (sqlstate, message)
    assert diagnosis.category is failures.IDLE_TIMEOUT
    assert f"| `{message}` | `{sqlstate}` |" in PAGE.read_text(encoding="utf-8")
