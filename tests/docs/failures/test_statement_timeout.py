"""docs/failures/statement-timeout.md: a backfill past the database's statement_timeout (57014); find it, retry."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import sessions
from tests.support.database import Database
from tests.support.ordinary import from_last_exception
from tests.support.paths import page
from tests.support.project import project_with
from tests.support.scenario import Captures, at_revision, break_at, fails
from tests.support.transcript import Background, alembic_path

PAGE = page("failures/statement-timeout")
HEAD = "0010"
REVISION = "failures/statement-timeout/versions/0010_add_events_day.py"
MESSAGE = "canceling statement due to statement timeout"


def test_statement_timeout(
    database: Database, update_snapshots: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    captures = Captures(PAGE, update_snapshots)
    # The harness's own queries (a fingerprint counts a million rows) are no migration: no timeout for them.
    # Commands run with database.env, made before this line: they get the database's 250 ms.
    monkeypatch.setenv("PGOPTIONS", "-c statement_timeout=0")
    workdir = project_with(tmp_path, REVISION)
    stock = project_with(tmp_path, REVISION, name="stock", stock_env=True)
    failed = break_at(database, captures, "0009", "statement timeout", MESSAGE, data="many-events.sql", cwd=workdir)
    assert "SEE: http://127.0.0.1:8000/failures/statement-timeout/" in failed
    before = database.fingerprint()

    # The same revision through the generic env.py most projects have: SQLAlchemy's traceback.
    plain = captures.check("upgrade-stock.txt", database.shell(from_last_exception("alembic upgrade head"), cwd=stock))
    assert f"sqlalchemy.exc.OperationalError: (psycopg.errors.QueryCanceled) {MESSAGE}" in plain.output
    assert database.fingerprint() == before

    found = captures.check("find-timeout.txt", captures.psql(database, "-f", "find-timeout.sql"))
    assert " statement_timeout                   | 250     | ms   | database" in found.output
    assert "(this database) | {statement_timeout=250ms}" in found.output
    # A setting made at connection time wins over the database's, and says so.
    client = database.shell(
        "PGOPTIONS='-c statement_timeout=10min' psql -At -c "
        "\"SELECT setting || unit || ' ' || source FROM pg_settings WHERE name = 'statement_timeout'\""
    )
    assert client.output.strip() == "600000ms client", client.output

    retry = captures.check(
        "retry.txt", database.shell("PGOPTIONS='-c statement_timeout=10min' alembic upgrade head", cwd=workdir)
    )
    assert retry.returncode == 0, retry.output
    assert f"{HEAD} (head)" in database.alembic("current", cwd=workdir).output
    assert database.scalar("SELECT count(*) FROM events WHERE day IS NULL") == 0


def test_a_lock_wait_past_a_shorter_statement_timeout_is_57014(database: Database, update_snapshots: bool) -> None:
    """statement_timeout counts lock waits: at 500 ms, a wait lock_timeout (5 s) would end says statement timeout."""
    captures = Captures(PAGE, update_snapshots)
    at_revision(database, "0008")
    database.sql(f"ALTER DATABASE \"{database.name}\" SET statement_timeout = '500ms'")
    with sessions.blocker(database, captures.dir.parent / "lock-timeout" / "blocker.sql"):
        fails(database, captures, "statement timeout", MESSAGE, capture=None)


def test_a_canceled_statement_is_57014_too(database: Database, update_snapshots: bool) -> None:
    """pg_cancel_backend on the migration's session: 'canceling statement due to user request', rolled back."""
    captures = Captures(PAGE, update_snapshots)
    at_revision(database, "0008")
    with sessions.blocker(database, captures.dir.parent / "lock-timeout" / "blocker.sql"):
        before = database.fingerprint()
        with Background([alembic_path(), "-x", "lock_timeout=1min", "upgrade", "head"], env=database.env) as bg:
            waiting = sessions.wait_until_waiting(database, "%ALTER TABLE %cameras%")
            assert database.scalar("SELECT pg_cancel_backend(:pid)", pid=waiting) is True
            canceled = captures.check("canceled.txt", bg.finish())
        assert database.fingerprint() == before
    assert canceled.returncode == 1
    assert "ERROR - Migration failed due to statement timeout: canceling statement due to user request" in (
        canceled.output
    )
