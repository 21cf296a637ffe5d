"""Provisioning and helper overhead, printed as figures (run: nox -s benchmarks).

- time to a first usable database: start (or reach) the server, clone the template, SELECT 1;
- time per fresh database: CREATE DATABASE ... TEMPLATE, the cost every test pays, with each
  ``STRATEGY`` (FILE_COPY, the tests' choice, and WAL_LOG, the default since PostgreSQL 15), and
  the DROP DATABASE after each test; for a wheel's server, the same with its data on disk too
  (the tests keep it in memory: ``throwaway.temporary_files_in_memory``), which is what made a
  fresh database take 170-220 ms on this project's test machine (a database is 300 files);
- a 50-operation migration (40 column adds, 10 table renames) with plain Alembic operations
  against MigrationContext's safe operations, in one transaction each, rounds alternated, as a
  ratio of the medians;
- the round trips of each safe operation: catalog look-ups (statements reading ``pg_catalog``)
  and statements in all, counted with a ``before_cursor_execute`` listener.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext as AlembicContext

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from helpers import MigrationContext
from tests.support import throwaway

ROUNDS = 15
CLONES = 30
DISK_CLONES = 10


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def plain(conn: sa.Connection) -> None:
    ops = Operations(AlembicContext.configure(conn))
    for i in range(40):
        ops.add_column("t0", sa.Column(f"c{i}", sa.String(255), nullable=True))
    for i in range(10):
        ops.rename_table(f"t{i}", f"t{i}_renamed")


def helpers(conn: sa.Connection) -> None:
    with MigrationContext("bench", conn) as ctx:
        for i in range(40):
            ctx.safe_column_add("t0", f"c{i}", "VARCHAR(255)", nullable=True)
        for i in range(10):
            ctx.safe_table_rename(f"t{i}", f"t{i}_renamed")


def migration_time(server: throwaway.Server, body: Callable[[sa.Connection], None]) -> float:
    name = server.create_database()
    engine = sa.create_engine(server.url(name), poolclass=sa.NullPool)
    try:
        with engine.begin() as conn:
            for i in range(10):
                conn.exec_driver_sql(f"CREATE TABLE t{i} (id int)")
        with engine.begin() as conn:
            return timed(lambda: body(conn))
    finally:
        engine.dispose()
        server.drop_database(name)


# -- round trips per safe operation --------------------------------------------------------------
SCHEMA = """
CREATE TABLE users (id serial PRIMARY KEY, name text, email text);
CREATE TABLE events (id serial PRIMARY KEY, user_id int);
INSERT INTO users (name, email) SELECT 'u' || g, 'u' || g || '@example.com' FROM generate_series(1, 10) g;
INSERT INTO events (user_id) SELECT g FROM generate_series(1, 10) g;
CREATE INDEX ix_users_name ON users (name);
"""

#: One migration, run in this order; each operation's statements are counted on their own.
OPERATIONS: list[tuple[str, Callable[[MigrationContext], object]]] = [
    ("verify_table_exists", lambda ctx: ctx.verify_table_exists("users")),
    ("verify_column_exists", lambda ctx: ctx.verify_column_exists("users", "name")),
    ("safe_column_add", lambda ctx: ctx.safe_column_add("users", "nickname", "TEXT")),
    ("safe_column_add (already there)", lambda ctx: ctx.safe_column_add("users", "nickname", "TEXT")),
    ("add_check", lambda ctx: ctx.add_check("ck_users_email", "users", "email LIKE '%@%'")),
    ("add_foreign_key (validate=False)", lambda ctx: ctx.add_foreign_key(
        "fk_events_user", "events", "users", ["user_id"], ["id"], validate=False)),
    ("validate_constraint", lambda ctx: ctx.validate_constraint("events", "fk_events_user")),
    ("set_not_null", lambda ctx: ctx.set_not_null("users", "name")),
    ("create_index_concurrently", lambda ctx: ctx.create_index_concurrently("ix_users_email", "users", ["email"])),
    ("drop_index_concurrently", lambda ctx: ctx.drop_index_concurrently("ix_users_name", "users")),
    ("backfill (10 rows, batches of 5)", lambda ctx: ctx.backfill(
        "users", {"nickname": sa.text("upper(name)")}, "nickname <> upper(name)", batch_size=5)),
    ("safe_table_rename", lambda ctx: ctx.safe_table_rename("events", "user_events")),
]  # fmt: skip


@contextmanager
def in_migration(conn: sa.Connection) -> Iterator[MigrationContext]:
    """A MigrationContext inside Alembic's context and transaction, as a migration runs it."""
    alembic_context = AlembicContext.configure(conn, opts={"transaction_per_migration": False})
    with Operations.context(alembic_context), alembic_context.begin_transaction(), MigrationContext("trips") as ctx:
        yield ctx


def round_trips(server: throwaway.Server) -> list[tuple[str, int, int]]:
    """(operation, catalog look-ups, statements in all) for each of ``OPERATIONS``."""
    name = server.create_database()
    engine = sa.create_engine(server.url(name), poolclass=sa.NullPool)
    statements: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(SCHEMA)
        sa.event.listen(engine, "before_cursor_execute", count)
        counts = []
        with engine.connect() as conn, in_migration(conn) as ctx:
            _ = ctx.ops, ctx.connection
            for label, operation in OPERATIONS:
                statements.clear()
                operation(ctx)
                catalog = sum("pg_catalog." in s for s in statements)
                counts.append((label, catalog, len(statements)))
        return counts
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
        engine.dispose()
        server.drop_database(name)


def from_a_wheel() -> bool:
    """True when this run's server is a wheel's, whose data folder this process places."""
    major = os.environ.get("PG_MAJOR")
    return not os.environ.get("DATABASE_URL") and (major is None or int(major) in throwaway.WHEEL_MAJORS)


def clone_times(server: throwaway.Server, rounds: int = CLONES) -> dict[str, float]:
    """Median seconds of a clone by each strategy, and of the DROP after it, rounds alternated."""
    times: dict[str, list[float]] = {"FILE_COPY": [], "WAL_LOG": [], "DROP": []}
    for _ in range(rounds):  # alternated, so that a change in the machine's load weighs on both alike
        for strategy in ("FILE_COPY", "WAL_LOG"):
            started = time.perf_counter()
            name = server.create_database(strategy=strategy)
            times[strategy].append(time.perf_counter() - started)
            started = time.perf_counter()
            server.discard_database(name)
            times["DROP"].append(time.perf_counter() - started)
    return {label: statistics.median(values) for label, values in times.items()}


def print_clones(where: str, medians: dict[str, float], rounds: int) -> None:
    print(f"fresh database from template, data {where}, median of {rounds}:")
    for label, seconds in medians.items():
        what = "DROP DATABASE after a test" if label == "DROP" else f"STRATEGY {label}"
        chosen = " (the tests' choice)" if label == "FILE_COPY" else ""
        print(f"  {what}{chosen}: {seconds * 1000:.1f} ms")


def main() -> None:
    on_disk: dict[str, float] | None = None
    disk = tempfile.gettempdir()
    if from_a_wheel():
        disk_server = throwaway.start(in_memory=False)
        on_disk = clone_times(disk_server, DISK_CLONES)
        disk_server.stop()
    memory = throwaway.temporary_files_in_memory()
    start = time.perf_counter()
    server = throwaway.start()
    first = server.create_database()
    with sa.create_engine(server.url(first), poolclass=sa.NullPool).connect() as conn:
        conn.exec_driver_sql("SELECT 1")
    first_usable = time.perf_counter() - start
    clones = clone_times(server)

    plain_times: list[float] = []
    helper_times: list[float] = []
    for _ in range(ROUNDS):  # alternated, so that a change in the machine's load weighs on both alike
        plain_times.append(migration_time(server, plain))
        helper_times.append(migration_time(server, helpers))
    trips = round_trips(server)
    server.stop()

    p, h = statistics.median(plain_times), statistics.median(helper_times)
    print(f"provider: {server.provider}")
    print(f"first usable database (server start + clone + SELECT 1): {first_usable:.2f} s")
    print_clones(f"in memory ({memory or 'no RAM file system: on disk'})", clones, CLONES)
    if on_disk is not None:
        print_clones(f"on disk ({disk})", on_disk, DISK_CLONES)
    print(f"50-operation migration, median of {ROUNDS}:")
    print(f"  plain Alembic operations: {p * 1000:.1f} ms")
    print(f"  MigrationContext safe operations: {h * 1000:.1f} ms")
    print(f"  overhead ratio (helpers / plain): {h / p:.2f}x")
    print("round trips per safe operation (catalog look-ups / statements in all):")
    width = max(len(label) for label, _, _ in trips)
    for label, catalog, total in trips:
        print(f"  {label:<{width}}  {catalog} / {total}")


if __name__ == "__main__":
    main()
