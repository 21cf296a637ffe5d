"""docs/failures/too-many-connections.md: the migration's role has no connection slot left (53300); end the idle ones.

The role's CONNECTION LIMIT is taken by the application's idle sessions: the refused connection's diagnosis, with no
SQLSTATE from psycopg, files it here; the sessions are found and ended, and the retry applies every revision. The
database's limit and the role's each refuse a connection with their own wording.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

from helpers import diagnose, failures
from tests.support import drivers, transcript
from tests.support.database import Database
from tests.support.ordinary import from_last_exception
from tests.support.paths import page
from tests.support.project import project_with
from tests.support.scenario import Captures

PAGE = page("failures/too-many-connections")
LABEL = "too many connections"
NOTHING_RAN = "Nothing ran: the server refused the connection before the migration began"


@contextmanager
def sessions(url: sa.URL, count: int, application: str) -> Iterator[None]:
    """``count`` idle sessions at ``url``, as an application's pool keeps them, named ``application``."""
    engine = drivers.engine(url)
    try:
        with ExitStack() as stack:
            for _ in range(count):
                connection = stack.enter_context(engine.connect())
                connection.execute(
                    sa.text("SELECT set_config('application_name', :name, false)"), {"name": application}
                )
                connection.commit()
            yield
    finally:
        engine.dispose()


def test_the_role_has_no_slot_left(database: Database, update_snapshots: bool, tmp_path: Path) -> None:
    captures = Captures(PAGE, update_snapshots)
    deployer = sa.make_url(database.url).set(username="deployer", password="deployer")
    env = {**database.env, "DEPLOYER_URL": deployer.render_as_string(hide_password=False)}
    assert captures.psql(database, "-v", "ON_ERROR_STOP=1", "-q", "-f", "roles.sql").returncode == 0
    try:
        with sessions(deployer, 2, "camera-api"):
            before = database.fingerprint()
            run = captures.check(
                "upgrade.txt", transcript.shell("DATABASE_URL=$DEPLOYER_URL alembic upgrade head", env=env)
            )
            assert run.returncode == 1, run.output
            assert f"ERROR - Migration failed due to {LABEL}: " in run.output
            assert 'too many connections for role "deployer"' in run.output
            assert f"ROLLBACK: {NOTHING_RAN}" in run.output
            assert "SEE: http://127.0.0.1:8000/failures/too-many-connections/" in run.output
            if not drivers.is_async():
                stock = project_with(tmp_path, name="stock", stock_env=True)
                plain = captures.check(
                    "stock.txt",
                    transcript.shell(
                        from_last_exception("DATABASE_URL=$DEPLOYER_URL alembic upgrade head"), env=env, cwd=stock
                    ),
                )
                assert plain.output.startswith("sqlalchemy.exc.OperationalError: "), plain.output
                assert 'too many connections for role "deployer"' in plain.output
            assert database.fingerprint() == before

            found = captures.check("find-slots.txt", captures.psql(database, "-f", "find-slots.sql"))
            assert " deployer |                2 |        2 |    2 | camera-api" in found.output, found.output
            ended = captures.check("end-idle.txt", captures.psql(database, "-f", "end-idle.sql"))
            assert "     2" in ended.output, ended.output
            retry = captures.check(
                "retry.txt", transcript.shell("DATABASE_URL=$DEPLOYER_URL alembic upgrade head", env=env)
            )
            assert retry.returncode == 0, retry.output
            assert "After migration: revision 0009" in retry.output
    finally:
        database.sql("REASSIGN OWNED BY deployer TO CURRENT_USER")
        database.sql("DROP OWNED BY deployer")
        database.sql("DROP ROLE deployer")


@pytest.mark.parametrize("limit", ["ROLE", "DATABASE"])
def test_each_limit_refuses_with_its_words(database: Database, limit: str) -> None:
    """The page's table: a role's limit and a database's, each taken by one session, refuse the next with 53300."""
    role = f"slots_{limit.lower()}"
    database.sql(f"CREATE ROLE \"{role}\" LOGIN PASSWORD 'slots'")
    url = sa.make_url(database.url).set(username=role, password="slots")
    target = role if limit == "ROLE" else database.name
    try:
        # The limit counts every session of the database but superusers': the other case's holder may still be
        # leaving (the oldest session once refused this case's own holder).
        database.alone()
        database.sql(f'ALTER {limit} "{target}" CONNECTION LIMIT 1')
        with sessions(url, 1, "holder"):
            engine = drivers.engine(url)
            try:
                with pytest.raises(sa.exc.DBAPIError) as caught, engine.connect():
                    pass
            finally:
                engine.dispose()
        diagnosis = diagnose(caught.value)
        words = f'too many connections for {limit.lower()} "{target}"'
        assert words in diagnosis.message, diagnosis.message
        assert diagnosis.sqlstate == ("53300" if drivers.is_async() else None)  # psycopg gives none on connect
        assert diagnosis.category is failures.TOO_MANY_CONNECTIONS
        assert diagnosis.address == "http://127.0.0.1:8000/failures/too-many-connections/"
        wording = f'too many connections for {limit.lower()} "<{limit.lower()}>"'
        assert f"| `{wording}` |" in PAGE.read_text(encoding="utf-8")
    finally:
        if limit == "DATABASE":
            database.sql(f'ALTER DATABASE "{target}" CONNECTION LIMIT -1')
        database.sql(f'DROP ROLE "{role}"')
