"""Provisioning and helper overhead, printed as figures (run: nox -s benchmarks).

- time to a first usable database: start (or reach) the server, clone the template, SELECT 1;
- time per fresh database: CREATE DATABASE ... TEMPLATE, the cost every test pays;
- a 50-operation migration (40 column adds, 10 table renames) with plain Alembic operations
  against MigrationContext's safe operations, in one transaction each, as a ratio.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext as AlembicContext

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from helpers import MigrationContext
from tests import throwaway

ROUNDS = 7
CLONES = 30


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


def main() -> None:
    start = time.perf_counter()
    server = throwaway.start()
    first = server.create_database()
    with sa.create_engine(server.url(first), poolclass=sa.NullPool).connect() as conn:
        conn.exec_driver_sql("SELECT 1")
    first_usable = time.perf_counter() - start

    clones = []
    for _ in range(CLONES):
        started = time.perf_counter()
        name = server.create_database()
        clones.append(time.perf_counter() - started)
        server.drop_database(name)

    plain_times = [migration_time(server, plain) for _ in range(ROUNDS)]
    helper_times = [migration_time(server, helpers) for _ in range(ROUNDS)]
    server.stop()

    p, h = statistics.median(plain_times), statistics.median(helper_times)
    print(f"provider: {server.provider}")
    print(f"first usable database (server start + clone + SELECT 1): {first_usable:.2f} s")
    print(f"fresh database from template, median of {CLONES}: {statistics.median(clones) * 1000:.1f} ms")
    print(f"50-operation migration, median of {ROUNDS}:")
    print(f"  plain Alembic operations: {p * 1000:.1f} ms")
    print(f"  MigrationContext safe operations: {h * 1000:.1f} ms")
    print(f"  overhead ratio (helpers / plain): {h / p:.2f}x")


if __name__ == "__main__":
    main()
