"""Batched data migrations: update a big table a bounded batch at a time, each batch committed.

Batches walk the key in order; a row leaves the work once ``where`` no longer matches it (say
``new_column IS NULL``), so a run that failed part-way resumes without redoing finished batches.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from .autocommit import outside_transaction
from .errors import MigrationHelperError
from .identifiers import check_identifier, parse_table
from .preflight import Lookup
from .step import Step

logger = logging.getLogger("alembic.helpers")


def backfill(
    step: Step,
    table: str,
    values: Mapping[str, Any],
    where: str | sa.ColumnElement[bool] | sa.TextClause,
    *,
    key: str = "id",
    batch_size: int = 1000,
    pause: float = 0.0,
    schema: str | None = None,
) -> int:
    """``UPDATE table SET values WHERE where``, ``batch_size`` rows per committed batch; returns rows updated.

    ``values`` maps column names to Python values (bound) or SQL expressions (``sa.text(...)``);
    ``where`` must stop matching a row once it is done. Commits the migration's work so far first.
    """
    if not isinstance(batch_size, int) or isinstance(batch_size, bool) or not 1 <= batch_size <= 100_000:
        raise MigrationHelperError(f"batch_size {batch_size!r} is not valid; give a whole number from 1 to 100000.")
    if not isinstance(pause, int | float) or pause < 0:
        raise MigrationHelperError(f"pause {pause!r} is not valid; give seconds, 0 or more.")
    if not values:
        raise MigrationHelperError(f"values {values!r} is empty; name at least one column to set.")
    found = parse_table(table, schema)
    columns = [key, *values]
    for column in columns:
        check_identifier(column, "column name")
    state = step.preflight(Lookup(found, columns=columns))
    if state is not None:
        found = state.require_table()
        state.require_columns(columns)
    target = sa.table(found.name, *(sa.column(c) for c in {key, *values}), schema=found.schema)
    condition = sa.text(where) if isinstance(where, str) else where
    if state is None:  # offline: a script cannot loop, so write one plain UPDATE
        step.ops.execute(sa.update(target).where(condition).values(dict(values)))
        step.record(f"backfilled {found} in one UPDATE (offline)")
        return 0
    def batch_after(first: bool) -> sa.Update:
        rows = sa.select(target.c[key]).where(condition).order_by(target.c[key]).limit(batch_size)
        if not first:
            rows = rows.where(target.c[key] > sa.bindparam("after"))
        chosen = target.c[key].in_(rows.scalar_subquery())
        return sa.update(target).where(chosen).values(dict(values)).returning(target.c[key])

    first_batch, next_batch = batch_after(True), batch_after(False)
    done = batches = 0
    last: Any = None
    started = time.perf_counter()
    with outside_transaction(step, f"backfill of {found}"):
        conn = step.connection
        top = conn.execute(sa.select(sa.func.max(target.c[key]))).scalar()
        while True:
            # autocommit: each UPDATE is one batch and one commit
            keys = conn.execute(first_batch if last is None else next_batch, {"after": last}).scalars().all()
            if not keys:
                break
            batches += 1
            done += len(keys)
            last = max(keys)
            logger.info(
                "%s: backfill %s batch %d: %d rows (%d so far), %s up to %s of %s",
                step.name, found, batches, len(keys), done, key, last, top,
            )
            if pause:
                time.sleep(pause)
    step.record(f"backfilled {done} rows of {found} in {batches} batches ({time.perf_counter() - started:.1f}s)")
    return done
