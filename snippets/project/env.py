"""Alembic environment of the example project, as the guide shows it.

- The database comes from ``DATABASE_URL``, or from a Connection or an Engine (sync or async)
  handed over in ``config.attributes["connection"]`` (Alembic's cookbook recipe for programmatic
  use; pytest-alembic hands an Engine).
- The driver is the URL's: ``postgresql://`` means psycopg 3; ``postgresql+psycopg2://`` and
  ``postgresql+asyncpg://`` work too (an async driver runs through ``connection.run_sync``).
- The whole run is one transaction: if any revision fails, none of them is kept.
- Revision and table count are logged before and after; a failure is diagnosed by SQLSTATE.
- Two runs never migrate at once: each holds an advisory lock for the whole run, and a second
  run waits for it (``migration_lock_wait``, 60s by default), then finds nothing left to do.
- Offline (``--sql``) mode writes the SQL without connecting.
- Every upgrade, downgrade and stamp is recorded in ``alembic_history`` on a connection of its
  own, failed ones too (``helpers.history``; ``python -m helpers history`` shows them).
"""

import asyncio
import logging
import os
import re
import sys
from contextlib import nullcontext
from logging.config import fileConfig
from typing import TYPE_CHECKING, Any, NoReturn
from urllib.parse import unquote

import sqlalchemy as sa
from alembic import context
from alembic.util import CommandError
from sqlalchemy.engine import Connection

from helpers.advisory import migration_lock
from helpers.diagnosis import log_failure
from helpers.history import recorded

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

logger = logging.getLogger("alembic.env")

_DURATION = re.compile(r"(\d+)\s*(ms|s|min)?")  # PostgreSQL's spelling; no unit means ms
_SECONDS = {None: 0.001, "ms": 0.001, "s": 1.0, "min": 60.0}
#: Every run against one database takes this advisory lock (helpers.advisory.lock_key).
MIGRATION_LOCK = "alembic_version"
_MIGRATING_COMMANDS = {"upgrade", "downgrade", "stamp"}
_COUNT_TABLES = sa.text(
    """
    SELECT count(*) FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p')
      AND c.relname NOT IN ('alembic_version', 'alembic_history', 'alembic_history_statements')
      AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname NOT LIKE 'pg\\_%'
    """
)


def database_url() -> sa.URL:
    """DATABASE_URL in any libpq form; psycopg 3 unless its scheme names another driver."""
    text = os.environ.get("DATABASE_URL", "").strip()
    if not text:
        raise CommandError("DATABASE_URL is not set; export it, e.g. DATABASE_URL=postgresql://user@host/security")
    url = sa.make_url(text)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    if url.host and url.host.startswith("%2F"):  # libpq's percent-encoded socket directory: a host in the query
        url = url.set(host=None).update_query_dict({"host": unquote(url.host)})
    if url.get_driver_name() == "asyncpg" and "sslmode" in url.query:  # asyncpg spells libpq's sslmode "ssl"
        url = url.difference_update_query(["sslmode"]).update_query_dict({"ssl": url.query["sslmode"]})
    return url


def lock_timeout() -> str:
    value = context.get_x_argument(as_dictionary=True).get("lock_timeout") or config.get_main_option(
        "lock_timeout", "0"
    )
    if not _DURATION.fullmatch(value):
        raise CommandError(f"lock_timeout {value!r} is not valid; use a number with ms, s or min, e.g. 5s.")
    return value


def migration_lock_wait() -> float:
    """Seconds to wait for another run's migration lock: -x migration_lock_wait=, alembic.ini, or 60s."""
    value = context.get_x_argument(as_dictionary=True).get("migration_lock_wait") or config.get_main_option(
        "migration_lock_wait", "60s"
    )
    match = _DURATION.fullmatch(value)
    if not match:
        raise CommandError(f"migration_lock_wait {value!r} is not valid; use a number with ms, s or min, e.g. 60s.")
    return int(match.group(1)) * _SECONDS[match.group(2)]


def set_lock_timeout(timeout: str) -> None:
    """SET LOCAL lock_timeout for this run's transaction (written into the script in --sql mode)."""
    context.execute(sa.text("SELECT set_config('lock_timeout', :value, true)").bindparams(value=timeout))


def is_migrating() -> bool:
    """True for upgrade, downgrade and stamp; false for current, history and the like."""
    command = getattr(config.cmd_opts, "cmd", None)
    return command is None or command[0].__name__ in _MIGRATING_COMMANDS


def describe(connection: Connection) -> str:
    heads = sorted(context.get_context().get_current_heads())  # alembic_version's order varies: sorted, it does not
    tables = connection.execute(_COUNT_TABLES).scalar()
    return f"revision {', '.join(heads) or 'base'}, {tables} tables"


def log_state(connection: Connection, when: str) -> None:
    was_in_transaction = connection.in_transaction()
    logger.info("%s migration: %s", when, describe(connection))
    if not was_in_transaction:
        connection.commit()


def run_migrations_offline() -> None:
    url = os.environ.get("DATABASE_URL")
    context.configure(
        url=database_url() if url else None,
        dialect_name=None if url else "postgresql",
        literal_binds=True,
        transaction_per_migration=False,
    )
    timeout = lock_timeout()
    with context.begin_transaction():
        set_lock_timeout(timeout)
        context.run_migrations()


def run_on(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=None, transaction_per_migration=False)
    migrating = is_migrating()
    # --8<-- [start:history]
    # Every upgrade, downgrade and stamp goes into alembic_history, failed ones too: python -m helpers history
    with recorded(context, connection) if migrating else nullcontext():
        migrate(connection, migrating)
    # --8<-- [end:history]


def migrate(connection: Connection, migrating: bool) -> None:
    timeout = lock_timeout()
    wait = migration_lock_wait()
    # --8<-- [start:migration_lock]
    try:
        # Held from before "Before" to after "After": a second run waits here, then sees the new head.
        with migration_lock(connection, MIGRATION_LOCK, wait) if migrating else nullcontext():
            if migrating:
                log_state(connection, "Before")
            with context.begin_transaction():
                set_lock_timeout(timeout)
                context.run_migrations()
            if migrating:
                log_state(connection, "After")
    except Exception as exc:
        fail(exc)
    # --8<-- [end:migration_lock]


def fail(exc: Exception) -> NoReturn:
    """Print the diagnosis; the CLI exits with status 1, a caller from Python gets the exception."""
    log_failure(logger, exc)
    if config.cmd_opts is None:
        raise exc
    raise SystemExit(1) from exc  # the diagnosis says it all: no traceback


def run_with(engine: sa.Engine) -> None:
    """An Engine, or what stands in for one: ``connect()`` gives a context manager of a Connection."""
    try:
        connecting = engine.connect()
    except sa.exc.DBAPIError as exc:  # no server there, or one starting up or shutting down
        fail(exc)
    with connecting as connection:
        run_on(connection)


def is_async_engine(given: Any) -> bool:
    """An AsyncEngine, without importing SQLAlchemy's asyncio support (it needs greenlet) when there is none."""
    asyncio_ext = sys.modules.get("sqlalchemy.ext.asyncio")
    return asyncio_ext is not None and isinstance(given, asyncio_ext.AsyncEngine)


async def run_with_async(engine: "AsyncEngine", owned: bool) -> None:
    """An async driver (asyncpg): the same run, on the sync side of ``run_sync``."""
    connection = engine.connect()
    try:
        try:
            await connection.start()
        except sa.exc.DBAPIError as exc:
            fail(exc)
        await connection.run_sync(run_on)
    finally:
        await connection.close()
        if owned:
            await engine.dispose()


def run_migrations_online() -> None:
    given = config.attributes.get("connection")
    if isinstance(given, Connection):
        run_on(given)
    elif is_async_engine(given):
        asyncio.run(run_with_async(given, owned=False))
    elif callable(getattr(given, "connect", None)):  # an Engine (pytest-alembic), or a wrapper that acts as one
        run_with(given)
    elif given is not None:
        raise CommandError(
            f'config.attributes["connection"] is a {type(given).__name__}; hand over a Connection, '
            "an Engine or an AsyncEngine (from async code: await conn.run_sync(...) with its sync Connection)."
        )
    elif (url := database_url()).get_dialect().is_async:
        from sqlalchemy.ext.asyncio import create_async_engine

        asyncio.run(run_with_async(create_async_engine(url, poolclass=sa.NullPool), owned=True))
    else:
        engine = sa.create_engine(url, poolclass=sa.NullPool)
        try:
            run_with(engine)
        finally:
            engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
