"""The reader's database: its URL (``--url`` or ``DATABASE_URL``), this package's engines on it, and
what the server says about itself. Every failure to reach it is a ``BadInputError`` in one sentence.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection

from ..errors import BadInputError, first_line

#: Seconds to wait for a server to answer before calling it unreachable.
CONNECT_TIMEOUT = 10


def database_url(given: str | None) -> URL:
    """The URL of ``--url`` or ``DATABASE_URL``, in any libpq form; BadInputError when missing or unparsable."""
    text = (given if given is not None else os.environ.get("DATABASE_URL", "")).strip()
    source = "--url" if given is not None else "DATABASE_URL"
    if not text:
        raise BadInputError("No database: set DATABASE_URL or pass --url postgresql://user@host/dbname.")
    try:
        url = sa.make_url(text)
    except Exception as exc:
        raise BadInputError(
            f"{source} {_hide_password(text)!r} is not a database URL; use postgresql://user@host/dbname."
        ) from exc
    if url.get_backend_name() != "postgresql":
        raise BadInputError(
            f"{source} {_hide_password(text)!r} is not a PostgreSQL URL; use postgresql://user@host/dbname."
        )
    if not url.database:
        raise BadInputError(f"{source} {_hide_password(text)!r} names no database; add it: postgresql://host/dbname.")
    _check_driver(url, f"{source} {_hide_password(text)!r}")
    if url.host and url.host.startswith("%2F"):  # libpq's percent-encoded socket directory
        url = url.set(host=None).update_query_dict({"host": unquote(url.host)})
    return url


#: The package that installs each driver SQLAlchemy names in a URL.
_DRIVER_PACKAGES = {"psycopg": "psycopg[binary]", "psycopg2": "psycopg2-binary", "asyncpg": "asyncpg",
                    "pg8000": "pg8000", "psycopg2cffi": "psycopg2cffi"}


def _check_driver(url: URL, named: str) -> None:
    """BadInputError when the URL's driver is one SQLAlchemy does not know, or is not installed."""
    try:
        dialect = url.get_dialect()
    except sa.exc.NoSuchModuleError:
        raise BadInputError(
            f"{named} names the driver {url.get_driver_name()!r}, which SQLAlchemy does not know; "
            "use postgresql+psycopg://, postgresql+psycopg2:// or postgresql+asyncpg://."
        ) from None
    try:
        dialect.import_dbapi()
    except ImportError:
        package = _DRIVER_PACKAGES.get(dialect.driver, dialect.driver)
        raise BadInputError(
            f"{named} names the driver {dialect.driver!r}, which is not installed here: pip install {package!r}, "
            "or name an installed driver (postgresql+psycopg:// is this package's own)."
        ) from None


def engine_url(url: URL) -> URL:
    """``url`` for this package's own engines: psycopg 3 unless the URL names a synchronous driver."""
    if url.drivername in ("postgresql", "postgres") or url.get_dialect().is_async:
        return url.set(drivername="postgresql+psycopg")
    return url


def location(url: URL) -> str:
    """``host:port/dbname`` as a message names a database (a socket directory as the host)."""
    host = url.host or url.query.get("host") or "localhost"
    port = url.port or url.query.get("port") or 5432
    return f"{host}:{port}/{url.database}"


def engine(url: URL, connect_timeout: int = CONNECT_TIMEOUT, **kwargs: Any) -> sa.Engine:
    """An engine of this package's own (no pool), failing fast when the server does not answer."""
    url = engine_url(url)
    args = {"connect_timeout": connect_timeout} if url.get_driver_name() in ("psycopg", "psycopg2") else {}
    return sa.create_engine(url, poolclass=sa.NullPool, connect_args=args, **kwargs)


@contextlib.contextmanager
def disposed_engine(url: URL, **kwargs: Any) -> Iterator[sa.Engine]:
    """``engine(url, **kwargs)`` for the block, disposed when it ends, however it ends: no connection is left open."""
    eng = engine(url, **kwargs)
    try:
        yield eng
    finally:
        eng.dispose()


@contextlib.contextmanager
def connected(url: URL, **kwargs: Any) -> Iterator[Connection]:
    """One connection to ``url`` for the block, on an engine of its own (``disposed_engine``)."""
    with disposed_engine(url, **kwargs) as eng, eng.connect() as conn:
        yield conn


@contextlib.contextmanager
def read_only(url: URL) -> Iterator[Connection]:
    """A connection to ``url`` whose transactions are all READ ONLY: reading never writes by mistake."""
    with disposed_engine(url) as eng:
        try:
            conn = eng.connect()
        except sa.exc.DBAPIError as exc:
            raise BadInputError(_unreachable(url, exc)) from exc
        with conn:
            conn.exec_driver_sql("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
            conn.commit()
            yield conn


def _unreachable(url: URL, exc: sa.exc.DBAPIError) -> str:
    """One sentence: the server answered but has no such database, or it did not let us in at all.

    libpq reports a failed connection without a SQLSTATE; whether the database exists is asked of
    the server's maintenance database (``postgres``) instead of read from the message.
    """
    orig = exc.orig or exc
    with contextlib.suppress(sa.exc.DBAPIError):
        with connected(url.set(database="postgres")) as conn:
            query = sa.text("SELECT count(*) FROM pg_catalog.pg_database WHERE datname = :name")
            exists = conn.execute(query, {"name": url.database}).scalar_one()
        if not exists:
            return f"The server at {location(url)} answered, but has no database {url.database!r}: {first_line(orig)}"
    return f"The server at {location(url)} does not answer: {first_line(orig)}"


#: libpq's URI query parameters that have a PG* variable, for the client tools (psql, pg_dump).
_QUERY_VARIABLES = {
    "host": "PGHOST",
    "port": "PGPORT",
    "user": "PGUSER",
    "password": "PGPASSWORD",
    "dbname": "PGDATABASE",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "application_name": "PGAPPNAME",
}


def libpq_env(url: URL) -> dict[str, str]:
    """The PG* variables that point the client tools where ``url`` points, in any libpq form.

    Host and port come from the authority (``user@host:5432/db``) or the query string
    (``user@/db?host=/run/postgresql&port=5433``, where SQLAlchemy leaves them); a host that is a
    directory is a unix socket.
    """
    values = {
        "PGHOST": unquote(url.host or ""),  # a socket directory may be percent-encoded: %2Frun%2Fpostgresql
        "PGPORT": str(url.port or ""),
        "PGUSER": url.username or "",
        "PGPASSWORD": url.password or "",
        "PGDATABASE": url.database or "",
    }
    for key, variable in _QUERY_VARIABLES.items():
        value = url.query.get(key)
        if isinstance(value, tuple):  # several hosts: libpq takes them comma-separated
            value = ",".join(value)
        if value and not values.get(variable):
            values[variable] = str(value)
    return {key: value for key, value in values.items() if value}


_PASSWORD = re.compile(r"(://[^:/@]*:)[^@]*@")


def _hide_password(text: str) -> str:
    return _PASSWORD.sub(r"\1***@", text)


def server_major(conn: Connection) -> int:
    """The server's major version: 15, 17, 18 ..."""
    return int(conn.exec_driver_sql("SHOW server_version_num").scalar_one()) // 10000


def other_sessions(conn: Connection) -> list[tuple[int, str, str]]:
    """(pid, user, application_name) of every other session connected to this connection's database."""
    query = """
        SELECT pid, COALESCE(usename::text, ''), COALESCE(application_name, '')
        FROM pg_catalog.pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
        ORDER BY pid"""
    return [(int(r[0]), r[1], r[2]) for r in conn.exec_driver_sql(query)]
