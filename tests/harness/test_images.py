"""The PostgreSQL images per major (tests/support/images.py, containers/): real containers, no mocks."""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from tests.support.images import (
    BUILD_SCRIPT,
    ImageUnavailable,
    engine_answers,
    exec_in,
    image_for,
    override_variable,
    start_postgres,
)

NO_ENGINE = "no Docker engine answers: run `bash containers/engine.sh` (root) to start one"
if not engine_answers():
    pytest.skip(NO_ENGINE, allow_module_level=True)

MAJORS = [15, 17, 18, 19]


@pytest.fixture(scope="module", params=MAJORS, ids=[f"pg{m}" for m in MAJORS])
def server(request: pytest.FixtureRequest) -> Iterator[tuple[int, sa.URL, Any]]:
    major: int = request.param
    url, container = start_postgres(major)
    try:
        yield major, url, container
    finally:
        container.stop()


def test_server_is_that_major(server: tuple[int, sa.URL, Any]) -> None:
    major, url, _ = server
    assert url.drivername == "postgresql+psycopg"
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            version = conn.execute(sa.text("SHOW server_version")).scalar_one()
            number = int(conn.execute(sa.text("SHOW server_version_num")).scalar_one())
            encoding = conn.execute(sa.text("SHOW server_encoding")).scalar_one()
            fsync = conn.execute(sa.text("SHOW fsync")).scalar_one()
    finally:
        engine.dispose()
    assert isinstance(version, str)  # not bytes: the cluster is UTF8, not SQL_ASCII
    assert number // 10000 == major  # 19rc1 (19~rc1 from Debian experimental) is 190000
    assert (encoding, fsync) == ("UTF8", "off")


def test_port_published_on_localhost_only(server: tuple[int, sa.URL, Any]) -> None:
    _, url, container = server
    wrapped = container.get_wrapped_container()
    wrapped.reload()
    bindings = wrapped.attrs["NetworkSettings"]["Ports"]["5432/tcp"]
    assert bindings
    assert {b["HostIp"] for b in bindings} == {"127.0.0.1"}
    assert url.host == "127.0.0.1"
    assert str(url.port) in {b["HostPort"] for b in bindings}


def test_password_required_over_tcp(server: tuple[int, sa.URL, Any]) -> None:
    _, url, _ = server
    engine = sa.create_engine(url.set(password="wrong"))
    try:
        with pytest.raises(sa.exc.OperationalError, match="password authentication failed"):
            engine.connect()
    finally:
        engine.dispose()


@pytest.mark.parametrize("tool", ["psql", "pg_dump", "pg_restore", "createdb"])
def test_client_tools_of_that_major_inside(server: tuple[int, sa.URL, Any], tool: str) -> None:
    major, _, container = server
    code, output = exec_in(container, tool, "--version")
    assert code == 0, output
    assert re.search(rf"\(PostgreSQL\) {major}(\.|beta|rc)", output), output  # 18.6, 19rc1


def test_exec_in_runs_sql_on_the_local_socket(server: tuple[int, sa.URL, Any]) -> None:
    _, url, container = server
    code, output = exec_in(container, "psql", "-U", str(url.username), "-d", str(url.database), "-Atc", "select 6 * 7")
    assert (code, output.strip()) == (0, "42")


def test_override_naming_a_missing_image_fails_fast(monkeypatch: pytest.MonkeyPatch) -> None:
    variable = override_variable(15)
    monkeypatch.setenv(variable, "mrp-no-such-registry.invalid/postgres:15")
    monkeypatch.setattr("tests.support.images._images", {})  # no image remembered from another test
    started = time.monotonic()
    with pytest.raises(ImageUnavailable) as raised:
        image_for(15)
    elapsed = time.monotonic() - started
    message = str(raised.value)
    assert variable in message and "docker pull mrp-no-such-registry.invalid/postgres:15" in message
    assert "\n" not in message
    assert elapsed < 20, f"took {elapsed:.1f} s"


def test_second_build_builds_nothing() -> None:
    image = image_for(15)
    if image != "mrp-postgres:15":
        pytest.skip(f"PostgreSQL 15 comes from {image} here, not from containers/build.sh")
    started = time.monotonic()
    done = subprocess.run(["bash", str(BUILD_SCRIPT), "15"], capture_output=True, text=True, check=False, timeout=60)
    elapsed = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    assert "nothing to build" in done.stdout
    assert elapsed < 10, f"took {elapsed:.1f} s"
