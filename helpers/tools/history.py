"""Reading the migration attempts ``helpers.history.recorded`` writes (``python -m helpers history``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from ..history import OUTCOMES, TABLE, alive, history_table
from .shared import database
from .shared.scripts import Scripts


@dataclass(frozen=True)
class Attempt:
    """One attempt as recorded; ``outcome`` is ``interrupted`` for a running one whose session is gone."""

    id: int
    command: str
    target: str | None
    from_revision: str | None
    to_revision: str | None
    outcome: str
    started_at: datetime
    ended_at: datetime | None
    duration_seconds: float | None
    sqlstate: str | None
    category: str | None
    message: str | None
    username: str | None
    client_host: str | None
    application_name: str | None
    note: str | None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def read(
    url: str | None = None, *, limit: int = 20, table: str = TABLE, schema: str | None = None
) -> list[Attempt] | None:
    """The last ``limit`` attempts, oldest first; None when nothing was ever recorded (no table). Only reads."""
    source = database.database_url(url)
    t = history_table(table, schema)
    with database.read_only(source) as conn:
        if not conn.dialect.has_table(conn, t.name, schema=schema):
            return None
        outcome = sa.case(
            (sa.and_(t.c.outcome == "running", ~sa.exists(alive(t))), "interrupted"), else_=t.c.outcome
        )
        columns = [c for c in t.c if c.name not in ("outcome", "pid", "backend_start")]
        query = sa.select(*columns, outcome.label("outcome")).order_by(t.c.id.desc()).limit(limit)
        rows = conn.execute(query).mappings().all()
    return [Attempt(**{f: row[f] for f in Attempt.__dataclass_fields__}) for row in reversed(rows)]


def records(scripts: Scripts) -> bool:
    """Does the project's env.py record attempts (does it call ``helpers.history.recorded``)? Read, not run."""
    env_py = Path(scripts.directory.env_py_location)
    return env_py.is_file() and "recorded(" in env_py.read_text(errors="replace")


def lines(attempts: Sequence[Attempt] | None, table: str = TABLE, recording: bool = True) -> list[str]:
    """The attempts as the terminal shows them, one or two lines each, and a count last.

    ``recording``: whether the project's env.py records attempts (``records``), said when there is no table.
    """
    if attempts is None and recording:
        return [f"No attempts recorded: there is no {table} table yet (env.py creates it on the first run)."]
    if attempts is None:
        return [
            f"No attempts recorded: there is no {table} table, and this project's env.py does not record attempts "
            "(wrap its run_migrations() in helpers.history.recorded(context, connection))."
        ]
    out = []
    for a in attempts:
        to = a.to_revision or a.target or "?"
        took = f" in {a.duration_seconds:.3f}s" if a.duration_seconds is not None else ""
        who = f" by {a.username or '?'}@{a.client_host or '?'}"
        if a.application_name:
            who += f" ({a.application_name})"
        out.append(f"{a.started_at.isoformat(sep=' ', timespec='seconds')} {a.command} {a.from_revision} -> {to}: "
                   f"{a.outcome}{took}{who}")
        if a.message:
            out.append(f"    {a.sqlstate or 'no SQLSTATE'} {a.category}: {a.message}")
        if a.note:
            out.append(f"    note: {a.note}")
    counts = {outcome: sum(1 for a in attempts if a.outcome == outcome) for outcome in OUTCOMES}
    summary = ", ".join(f"{n} {outcome}" for outcome, n in counts.items() if n)
    out.append(f"{len(attempts)} attempt{'s' if len(attempts) != 1 else ''}" + (f": {summary}." if summary else "."))
    return out
