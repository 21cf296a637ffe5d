"""Scratch databases: a copy of the reader's database to rehearse on, or an empty one to build a revision in.

Two ways to copy, both leaving the source untouched:

- ``clone``: ``CREATE DATABASE copy TEMPLATE source`` on the same server. Fast (a file copy), but
  PostgreSQL allows it only while nobody else is connected to the source, and the role needs
  ``CREATEDB``.
- ``from_dump``: a plain ``pg_dump`` of the source (or a dump file the reader has) restored into a
  throwaway server of the same major version (``servers``). Reading the source is all a dump needs.

An empty database to build revisions in may first get the schema the revisions build on, where
they do not create it themselves (``--seed``: a ``Seed``, ``seed_from``, ``plant``).
"""

from __future__ import annotations

import contextlib
import importlib
import os
import re
import secrets
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection

from ...diagnosis import diagnose, sqlstate_of
from ..errors import BadInputError, first_line
from . import dumps
from .database import connected, disposed_engine, location
from .scripts import Scripts

if TYPE_CHECKING:
    from alembic.config import Config
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
    seeded: str | None = None  # what the empty database was seeded with (``plant``)

    def url_for(self, source: URL) -> URL:
        """The scratch database's URL with the source URL's scheme, for the reader's env.py."""
        return self.url.set(drivername=source.drivername)

    def describe(self, source: str) -> str:
        if self.method == "clone":
            return f"{source} cloned on the same server (CREATE DATABASE ... TEMPLATE)"
        if self.method == "empty":
            where = "on the same server" if self.server is None else (
                f"on a throwaway PostgreSQL {self.server.major} ({self.server.provider})"
            )
            return f"a database {where} seeded from {self.seeded}" if self.seeded else f"an empty database {where}"
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


def _admin(url: URL) -> contextlib.AbstractContextManager[Connection]:
    """A connection to the server's maintenance database, outside any transaction (CREATE/DROP DATABASE)."""
    return connected(admin_url(url), isolation_level="AUTOCOMMIT")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class SourceBusyError(Exception):
    """Someone else is connected to the source database: it cannot be cloned now."""


def _create(url: URL, name: str, template: str | None) -> None:
    try:
        with _admin(url) as conn:
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


def drop_database(url: URL, name: str) -> None:
    """``DROP DATABASE ... WITH (FORCE)`` on the server of ``url``."""
    with _admin(url) as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {_quote(name)} WITH (FORCE)")


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


#: ``--seed pkg.models:create_base``: a module and a function in it.
_FUNCTION = re.compile(r"[A-Za-z_][\w.]*:[A-Za-z_]\w*")
#: SQLSTATEs of a statement that needs an object the database does not have (undefined_table, _column,
#: _object, _function, invalid_schema_name): what a revision says when its base was made outside the revisions.
_MISSING = {"42P01", "42703", "42704", "42883", "3F000"}
SEED_HINT = (
    "if the revisions build on a schema made outside them (metadata.create_all()), give it with --seed FILE.sql "
    "or --seed module:function"
)


@dataclass(frozen=True)
class Seed:
    """The schema a project's revisions build on where they do not create it themselves (``--seed``).

    Either a SQL file (``sql``, e.g. ``pg_dump --schema-only`` of a database at the base), run with
    ``psql`` in one transaction, stopping at its first error, its owner and privilege lines left out
    as for a dump; or ``function``, called with a SQLAlchemy ``Connection`` to the scratch database
    inside a transaction (``def create_base(connection): metadata.create_all(connection)``).
    """

    named: str  # as the reader gave it
    sql: bytes | None = None
    function: Callable[[Connection], object] | None = None


def seed_from(value: str | os.PathLike[str], scripts: Scripts) -> Seed:
    """The seed ``value`` names: ``module:function`` (imported as env.py would import it, with the folder of
    alembic.ini and its ``prepend_sys_path`` first on ``sys.path``), else a SQL file, read now.

    Raises BadInputError with one sentence for a file that is missing or cannot be read, or a function
    that cannot be imported.
    """
    text = os.fspath(value)
    path = Path(text)
    if _FUNCTION.fullmatch(text) and not path.exists():
        return Seed(text, function=_imported(text, scripts))
    try:
        return Seed(text, sql=path.read_bytes())
    except FileNotFoundError:
        raise BadInputError(f"The seed file {path} does not exist.") from None
    except OSError as exc:
        raise BadInputError(f"The seed file {path} cannot be read: {exc.strerror or first_line(exc)}.") from None


def _prepend_sys_path(config: Config) -> list[str]:
    """The folders alembic.ini's ``prepend_sys_path`` names (Alembic 1.13 has no ``get_prepend_sys_paths_list``)."""
    if hasattr(config, "get_prepend_sys_paths_list"):
        return list(config.get_prepend_sys_paths_list() or [])
    value = config.get_main_option("prepend_sys_path")
    return [part for part in re.split(r", *| +|:", value) if part] if value else []  # Alembic 1.13's split


def _imported(text: str, scripts: Scripts) -> Callable[[Connection], object]:
    module_name, _, name = text.partition(":")
    saved = list(sys.path)
    sys.path[:0] = [str(scripts.ini.parent), *_prepend_sys_path(scripts.config())]
    try:
        function = getattr(importlib.import_module(module_name), name)
    except Exception as exc:  # ImportError, AttributeError, or anything the module raises on import
        raise BadInputError(f"The seed {text} cannot be imported: {first_line(exc)}.") from exc
    finally:
        sys.path[:] = saved
    if not callable(function):
        raise BadInputError(f"The seed {text} is not a function; give one that takes a SQLAlchemy connection.")
    return function  # type: ignore[no-any-return]


def plant(made: Scratch, seed: Seed, major: int) -> None:
    """Make the seed's schema in the empty scratch database ``made`` (PostgreSQL ``major``).

    Raises BadInputError naming the seed and PostgreSQL's error when it fails; the caller drops ``made``.
    """
    began = time.perf_counter()
    if seed.function is not None:
        _call(made, seed.named, seed.function)
    else:
        assert seed.sql is not None
        _run_sql(made, seed.named, seed.sql, major)
    made.seeded = seed.named
    made.seconds += time.perf_counter() - began


def _call(made: Scratch, named: str, function: Callable[[Connection], object]) -> None:
    try:
        with disposed_engine(made.url) as eng, eng.begin() as conn:
            function(conn)
    except Exception as exc:
        reason = diagnose(exc).message if isinstance(exc, sa.exc.DBAPIError) else first_line(exc)
        raise BadInputError(f"The seed {named} fails on an empty database: {reason}.") from exc


def _run_sql(made: Scratch, named: str, sql: bytes, major: int) -> None:
    """With the throwaway server's own psql, else the one on PATH (any version reads plain SQL)."""
    if made.server is not None:
        psql, env = made.server.psql, {**os.environ, **made.server.env}
    else:
        tool = shutil.which("psql")
        if tool is None:
            raise BadInputError(
                f"psql is not on PATH: install PostgreSQL's client tools to run the seed file {named}, or give a "
                "Python function with --seed module:function."
            )
        psql, env = [tool], dumps.client_env(made.url)
    failed = dumps.run_sql(psql, env, made.database, sql, major)
    if failed is not None:
        match = re.match(r"psql:<stdin>:(\d+): (.*)", failed)  # psql:<stdin>:12: ERROR:  relation "x" does ...
        at, reason = (f" at line {match.group(1)}", match.group(2)) if match else ("", failed)
        raise BadInputError(
            f"The seed file {named} fails{at} on an empty database: {' '.join(reason.split()).rstrip('.')}."
        )


def build_failure(error: BaseException, seed: Seed | None) -> str:
    """Where and why building revisions on a scratch database failed: ``an empty database: MESSAGE``, with the
    hint to seed it where none was given and PostgreSQL says an object is missing; or ``a database seeded from
    SEED: MESSAGE``."""
    diagnosis = diagnose(error)
    if seed is not None:
        return f"a database seeded from {seed.named}: {diagnosis.message}"
    hint = f"; {SEED_HINT}" if diagnosis.sqlstate in _MISSING else ""
    return f"an empty database: {diagnosis.message}{hint}"
