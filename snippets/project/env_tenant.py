"""The example project's env.py for a schema per tenant: ``alembic -x tenant=acme upgrade head``.

Alembic's cookbook recipe for schema-level multi-tenancy ("Rudimental Schema-Level Multi Tenancy
for PostgreSQL Databases"): the revisions name no schema; each run sets ``search_path`` to the
tenant's schema, which also holds its own ``alembic_version`` and ``alembic_history``. Everything
else is env.py's: one transaction, the state logged before and after, the diagnosis on failure, an
advisory lock per tenant (two runs on one tenant never migrate at once, two tenants may).
``python -m helpers fleet --schemas 'tenant_*'`` runs it once per matching schema.
"""

import logging
import os
import re
from contextlib import nullcontext
from logging.config import fileConfig
from typing import NoReturn

import sqlalchemy as sa
from alembic import context
from alembic.util import CommandError
from sqlalchemy.engine import Connection

from helpers.advisory import migration_lock
from helpers.diagnosis import log_failure
from helpers.history import recorded
from helpers.identifiers import check_identifier

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

logger = logging.getLogger("alembic.env")

_DURATION = re.compile(r"(\d+)\s*(ms|s|min)?")
_SECONDS = {None: 0.001, "ms": 0.001, "s": 1.0, "min": 60.0}
_MIGRATING_COMMANDS = {"upgrade", "downgrade", "stamp"}
_COUNT_TABLES = sa.text(
    """
    SELECT count(*) FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p') AND c.relname NOT IN ('alembic_version', 'alembic_history')
      AND n.nspname = :schema
    """
)


def tenant() -> str:
    """The tenant's schema: ``-x tenant=NAME``."""
    name = context.get_x_argument(as_dictionary=True).get("tenant")
    if not name:
        raise CommandError("No tenant: pass -x tenant=NAME (the tenant's schema): alembic -x tenant=acme upgrade head")
    return check_identifier(name, "tenant schema")


def database_url() -> sa.URL:
    text = os.environ.get("DATABASE_URL", "").strip()
    if not text:
        raise CommandError("DATABASE_URL is not set; export it, e.g. DATABASE_URL=postgresql://user@host/security")
    url = sa.make_url(text)
    return url.set(drivername="postgresql+psycopg") if url.drivername in ("postgresql", "postgres") else url


def setting(name: str, default: str) -> str:
    value = context.get_x_argument(as_dictionary=True).get(name) or config.get_main_option(name, default)
    if not _DURATION.fullmatch(value):
        raise CommandError(f"{name} {value!r} is not valid; use a number with ms, s or min, e.g. 5s.")
    return value


def seconds(value: str) -> float:
    match = _DURATION.fullmatch(value)
    assert match is not None
    return int(match.group(1)) * _SECONDS[match.group(2)]


def is_migrating() -> bool:
    command = getattr(config.cmd_opts, "cmd", None)
    return command is None or command[0].__name__ in _MIGRATING_COMMANDS


# --8<-- [start:tenant]
def enter_tenant(connection: Connection, schema: str) -> None:
    """The session's search_path is the tenant's schema alone (quoted: any name a schema may have)."""
    exists = sa.text("SELECT count(*) FROM pg_catalog.pg_namespace WHERE nspname = :schema")
    if not connection.execute(exists, {"schema": schema}).scalar():
        raise CommandError(f"Tenant schema {schema!r} does not exist; create it first (CREATE SCHEMA).")
    path = connection.dialect.identifier_preparer.quote(schema)
    connection.execute(sa.text("SELECT set_config('search_path', :path, false)"), {"path": path})
    connection.commit()
    connection.dialect.default_schema_name = schema  # the cookbook's line: autogenerate compares this schema


def run_on(connection: Connection) -> None:
    schema = tenant()
    enter_tenant(connection, schema)
    # Its own alembic_version (and alembic_history) in the tenant's schema.
    context.configure(
        connection=connection, target_metadata=None, transaction_per_migration=False, version_table_schema=schema
    )
    migrating = is_migrating()
    with recorded(context, connection) if migrating else nullcontext():
        migrate(connection, schema, migrating)


# --8<-- [end:tenant]


def log_state(connection: Connection, schema: str, when: str) -> None:
    was_in_transaction = connection.in_transaction()
    heads = sorted(context.get_context().get_current_heads())
    tables = connection.execute(_COUNT_TABLES, {"schema": schema}).scalar()
    logger.info("%s migration: tenant %s, revision %s, %s tables", when, schema, ", ".join(heads) or "base", tables)
    if not was_in_transaction:
        connection.commit()


def migrate(connection: Connection, schema: str, migrating: bool) -> None:
    timeout = setting("lock_timeout", "0")
    wait = seconds(setting("migration_lock_wait", "60s"))
    try:
        # One lock per tenant: two runs on one tenant wait for each other, two tenants migrate side by side.
        with migration_lock(connection, f"alembic_version:{schema}", wait) if migrating else nullcontext():
            if migrating:
                log_state(connection, schema, "Before")
            with context.begin_transaction():
                context.execute(sa.text("SELECT set_config('lock_timeout', :value, true)").bindparams(value=timeout))
                context.run_migrations()
            if migrating:
                log_state(connection, schema, "After")
    except Exception as exc:
        fail(exc)


def fail(exc: Exception) -> NoReturn:
    log_failure(logger, exc)
    if config.cmd_opts is None or not hasattr(config.cmd_opts, "cmd"):  # called from Python (-x alone: the fleet)
        raise exc
    raise SystemExit(1) from exc


def run_migrations_online() -> None:
    given = config.attributes.get("connection")
    if isinstance(given, Connection):
        run_on(given)
        return
    engine = sa.create_engine(database_url(), poolclass=sa.NullPool)
    try:
        try:
            connecting = engine.connect()
        except sa.exc.DBAPIError as exc:
            fail(exc)
        with connecting as connection:
            run_on(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise CommandError("env_tenant.py runs online only: one tenant's schema at a time.")
run_migrations_online()
