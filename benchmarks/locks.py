"""How long each schema change blocks a concurrent writer: the plain Alembic operation against the helper.

For tables of 10k, 100k and 1M rows (``--rows`` to change), a second session updates random rows
in a loop while the migration runs; the longest single UPDATE is how long the migration blocked
writes. Each operation runs as a migration would: inside Alembic's context, in one transaction.

    python benchmarks/locks.py            # or: nox -s benchmark-locks
    python benchmarks/locks.py --rows 10000 100000
"""

from __future__ import annotations

import argparse
import random
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from helpers import MigrationContext
from tests.support import throwaway
from tests.support.migrating import migration

SETUP = """
CREATE TABLE cameras (id int PRIMARY KEY);
INSERT INTO cameras SELECT g FROM generate_series(1, 100) g;
CREATE TABLE events (id bigint PRIMARY KEY, camera_id int, kind text, note_plain text, note_helper text);
INSERT INTO events (id, camera_id, kind) SELECT g, 1 + g % 100, 'motion' FROM generate_series(1, :rows) g;
VACUUM ANALYZE events;
"""


@dataclass
class Measure:
    """Longest single write (ms) while the operation ran, and the operation's own duration (s)."""

    blocked_ms: float
    took_s: float


class Writer:
    """A second session updating random rows of events, one autocommitted UPDATE at a time."""

    def __init__(self, engine: sa.Engine, rows: int) -> None:
        self.engine, self.rows = engine, rows
        self.longest = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with self.engine.connect() as conn:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            update = sa.text("UPDATE events SET camera_id = camera_id WHERE id = :id")
            while not self._stop.is_set():
                started = time.perf_counter()
                conn.execute(update, {"id": random.randint(1, self.rows)})
                self.longest = max(self.longest, time.perf_counter() - started)
                time.sleep(0.001)

    def __enter__(self) -> Writer:
        self._thread.start()
        time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def measure(engine: sa.Engine, rows: int, step: Callable[[MigrationContext], object]) -> Measure:
    with Writer(engine, rows) as writer:
        started = time.perf_counter()
        with migration(engine, "bench") as ctx:
            step(ctx)
        took = time.perf_counter() - started
        time.sleep(0.02)
    return Measure(writer.longest * 1000, took)


def reader_holding_the_table(engine: sa.Engine, seconds: float) -> threading.Thread:
    """A report query that keeps ACCESS SHARE on events for ``seconds``: what a plain ALTER queues behind."""
    ready = threading.Event()

    def run() -> None:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT count(*) FROM events WHERE id = 1"))
            ready.set()
            time.sleep(seconds)
            conn.rollback()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    ready.wait()
    return thread


def add_column_behind_a_reader(plain: bool) -> Callable[[sa.Engine], Callable[[MigrationContext], object]]:
    def prepare(engine: sa.Engine) -> Callable[[MigrationContext], object]:
        reader_holding_the_table(engine, 1.0)

        def step(ctx: MigrationContext) -> object:
            ctx.execute("SET LOCAL lock_timeout = '5s'")  # env.py's default
            add = lambda: ctx.ops.add_column("events", sa.Column("extra", sa.Text))  # noqa: E731
            return add() if plain else ctx.with_lock_retries(add)

        return step

    return prepare


def simple(step: Callable[[MigrationContext], object]) -> Callable[[sa.Engine], Callable[[MigrationContext], object]]:
    return lambda engine: step


Prepare = Callable[[sa.Engine], Callable[[MigrationContext], object]]

#: name -> (plain, helper, undo SQL run after each)
OPERATIONS: dict[str, tuple[Prepare, Prepare, str]] = {
    "add column (reader holds 1s)": (
        add_column_behind_a_reader(plain=True),
        add_column_behind_a_reader(plain=False),
        "ALTER TABLE events DROP COLUMN extra",
    ),
    "add foreign key": (
        simple(lambda ctx: ctx.ops.create_foreign_key("fk_ev_cam", "events", "cameras", ["camera_id"], ["id"])),
        simple(lambda ctx: ctx.add_foreign_key("fk_ev_cam", "events", "cameras", ["camera_id"], ["id"])),
        "ALTER TABLE events DROP CONSTRAINT fk_ev_cam",
    ),
    "add check constraint": (
        simple(lambda ctx: ctx.ops.create_check_constraint("ck_ev_kind", "events", "kind <> ''")),
        simple(lambda ctx: ctx.add_check("ck_ev_kind", "events", "kind <> ''")),
        "ALTER TABLE events DROP CONSTRAINT ck_ev_kind",
    ),
    "set not null": (
        simple(lambda ctx: ctx.ops.alter_column("events", "kind", nullable=False)),
        simple(lambda ctx: ctx.set_not_null("events", "kind")),
        "ALTER TABLE events ALTER COLUMN kind DROP NOT NULL",
    ),
    "create index": (
        simple(lambda ctx: ctx.ops.create_index("ix_ev_kind", "events", ["kind", "camera_id"])),
        simple(lambda ctx: ctx.create_index_concurrently("ix_ev_kind", "events", ["kind", "camera_id"])),
        "DROP INDEX ix_ev_kind",
    ),
    "backfill a column": (
        simple(lambda ctx: ctx.execute("UPDATE events SET note_plain = kind WHERE note_plain IS NULL")),
        simple(lambda ctx: ctx.backfill(
            "events", {"note_helper": sa.text("kind")}, "note_helper IS NULL", batch_size=5000
        )),
        "SELECT 1",
    ),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    args = parser.parse_args()
    import logging

    logging.getLogger("alembic").setLevel(logging.WARNING)
    server = throwaway.start()
    results: list[tuple[str, int, Measure, Measure]] = []
    try:
        for rows in args.rows:
            name = server.create_database()
            engine = sa.create_engine(server.url(name), poolclass=sa.NullPool)
            with engine.begin() as conn:
                for statement in SETUP.split(";"):
                    if statement.strip() and not statement.strip().startswith("VACUUM"):
                        conn.execute(sa.text(statement), {"rows": rows})
            with engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").execute(sa.text("VACUUM ANALYZE events"))
            for label, (plain, helper, undo) in OPERATIONS.items():
                measured = []
                for prepare in (plain, helper):
                    measured.append(measure(engine, rows, prepare(engine)))
                    with engine.begin() as conn:
                        conn.execute(sa.text(undo))
                results.append((label, rows, measured[0], measured[1]))
                print(f"  {rows:>9,} rows  {label:<28} done", file=sys.stderr, flush=True)
            engine.dispose()
            server.drop_database(name)
    finally:
        server.stop()
    print()
    print(f"PostgreSQL {server.provider}; longest blocked write from a second session, and the migration's duration")
    print()
    print("| operation | rows | plain Alembic: writer blocked | helper: writer blocked | plain took | helper took |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for label, rows, plain, helper in results:
        print(
            f"| {label} | {rows:,} | {plain.blocked_ms:,.0f} ms | {helper.blocked_ms:,.0f} ms "
            f"| {plain.took_s:.2f} s | {helper.took_s:.2f} s |"
        )


if __name__ == "__main__":
    main()
