"""Scratch databases: a copy of the reader's database to rehearse on, or an empty one to build a revision in.

Two ways to copy, both leaving the source untouched:

- ``clone``: ``CREATE DATABASE copy TEMPLATE source`` on the same server. Fast (a file copy), but
  PostgreSQL allows it only while nobody else is connected to the source, and the role needs
  ``CREATEDB``.
- ``from_dump``: a plain ``pg_dump`` of the source (or a dump file the reader has) restored into a
  throwaway server of the same major version (``servers``). Reading the source is all a dump needs.
"""

from __future__ import annotations

import re
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL

from ..diagnosis import diagnose, sqlstate_of
from ..errors import BadInputError
from . import dumps
from .database import engine, location
from .servers import Throwaway, throwaway


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
                f"The role {user!r} may not create a scratch database on {location(url)} ({first}): grant it CREATEDB, "
                f"or {instead}."
            ) from exc
        raise BadInputError(f"A scratch database cannot be created on {location(url)}: {first}.") from exc
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


def from_dump(source: URL | None, major: int, dump_file: Path | None = None) -> Scratch:
    """Restore ``dump_file`` (or a fresh dump of ``source``) into a database on a throwaway server of ``major``."""
    began = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="helpers-dump-"))
    try:
        if dump_file is None:
            assert source is not None
            dump_file = dumps.dump(source, workdir / "source.sql")
        kind = dumps.dump_format(dump_file)
        server = throwaway(major)
        try:
            name = scratch_name(str(source.database) if source is not None else "dump", "rehearse")
            _create(server.url, name, None)
            dumps.restore(server, dump_file, kind, name)
        except BaseException:
            server.stop()
            raise
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return Scratch(server.url.set(database=name), name, "dump", time.perf_counter() - began, server, server.stop)
