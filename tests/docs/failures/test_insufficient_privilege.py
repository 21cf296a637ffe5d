"""docs/failures/insufficient-privilege.md: 42501, a role that may not create in public, and one that owns nothing."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from tests.support import transcript
from tests.support.database import Database
from tests.support.ordinary import from_last_exception
from tests.support.paths import PROJECT, page
from tests.support.project import project_with
from tests.support.scenario import Captures

PAGE = page("failures/insufficient-privilege")
REVISION = "failures/insufficient-privilege/versions/0010_add_camera_room.py"
NO_SCHEMA = "permission denied for schema public"
NOT_OWNER = "must be owner of table cameras"


def test_insufficient_privilege(database: Database, update_snapshots: bool, tmp_path: Path) -> None:
    captures = Captures(PAGE, update_snapshots)
    url = sa.make_url(database.url)
    env = {
        **database.env,
        "MIGRATOR_URL": url.set(username="migrator", password="migrator").render_as_string(hide_password=False),
        "APP_URL": url.set(username="app", password="app").render_as_string(hide_password=False),
    }

    def shell(command: str, cwd: Path = PROJECT) -> transcript.Run:
        return transcript.shell(command, env=env, cwd=cwd)

    assert captures.psql(database, "-v", "ON_ERROR_STOP=1", "-q", "-f", "roles.sql").returncode == 0
    try:
        # 1. A fresh database on PostgreSQL 15 or later: migrator may not create anything in public.
        before = database.fingerprint()
        failed = captures.check("no-create.txt", shell("DATABASE_URL=$MIGRATOR_URL alembic upgrade head"))
        assert failed.returncode == 1
        assert f"ERROR - Migration failed due to insufficient privilege: {NO_SCHEMA}" in failed.output
        assert "SEE: http://127.0.0.1:8000/failures/insufficient-privilege/" in failed.output
        assert database.fingerprint() == before
        stock = project_with(tmp_path, name="stock", stock_env=True)
        plain = captures.check(
            "no-create-stock.txt", shell(from_last_exception("DATABASE_URL=$MIGRATOR_URL alembic upgrade head"), stock)
        )
        assert f"sqlalchemy.exc.ProgrammingError: (psycopg.errors.InsufficientPrivilege) {NO_SCHEMA}" in plain.output
        assert database.fingerprint() == before

        granted = captures.check(
            "grant-create.txt", captures.psql(database, "-v", "ON_ERROR_STOP=1", "-f", "grant-create.sql")
        )
        assert granted.returncode == 0
        done = captures.check("no-create-retry.txt", shell("DATABASE_URL=$MIGRATOR_URL alembic upgrade head"))
        assert done.returncode == 0, done.output
        # Before its grants, the application's role may not even read the rows.
        denied = captures.check(
            "no-select.txt", shell("PGUSER=app PGPASSWORD=app psql -c 'SELECT count(*) FROM users'", captures.dir)
        )
        assert "ERROR:  permission denied for table users" in denied.output
        app = captures.check(
            "grant-app.txt",
            shell("PGUSER=migrator PGPASSWORD=migrator psql -v ON_ERROR_STOP=1 -f grant-app.sql", captures.dir),
        )
        assert app.returncode == 0, app.output

        # 2. The application's role runs a revision that changes a table it does not own.
        workdir = project_with(tmp_path, REVISION)
        before = database.fingerprint()
        failed = captures.check("not-owner.txt", shell("DATABASE_URL=$APP_URL alembic upgrade head", workdir))
        assert failed.returncode == 1
        assert f"ERROR - Migration failed due to insufficient privilege: {NOT_OWNER}" in failed.output
        assert database.fingerprint() == before
        stock = project_with(tmp_path, REVISION, name="stock-0010", stock_env=True)
        plain = captures.check(
            "not-owner-stock.txt", shell(from_last_exception("DATABASE_URL=$APP_URL alembic upgrade head"), stock)
        )
        assert f"sqlalchemy.exc.ProgrammingError: (psycopg.errors.InsufficientPrivilege) {NOT_OWNER}" in plain.output
        assert database.fingerprint() == before

        found = captures.check("who-owns.txt", shell("PGUSER=app PGPASSWORD=app psql -f who-owns.sql", captures.dir))
        assert " app          | t          | f" in found.output
        assert " cameras         | migrator | f" in found.output

        retry = captures.check("not-owner-retry.txt", shell("DATABASE_URL=$MIGRATOR_URL alembic upgrade head", workdir))
        assert retry.returncode == 0, retry.output
        assert "0010 (head)" in database.alembic("current", cwd=workdir).output
        assert database.scalar("SELECT pg_get_userbyid(relowner) FROM pg_class WHERE relname = 'cameras'") == "migrator"
    finally:
        database.sql("DROP OWNED BY migrator, app")
        database.sql("DROP ROLE migrator")
        database.sql("DROP ROLE app")
