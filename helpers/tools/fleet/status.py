"""Where every target is: its revision from its own ``alembic_version``, its last attempt from its ledger.

Targets are read side by side on a bounded number of connections (threads: reading is all they do,
no Alembic run), each in a READ ONLY transaction through psycopg 3, so a thousand answer in seconds.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any

import psycopg
from psycopg import sql

from ...history import TABLE
from ..errors import first_line
from ..shared.database import CONNECT_TIMEOUT
from ..shared.scripts import Scripts
from .targets import Target

VERSION_TABLE = "alembic_version"
AT_HEAD, BEHIND, UNKNOWN, UNREACHABLE = "at head", "behind", "unknown revision", "unreachable"
STATES = (AT_HEAD, BEHIND, UNKNOWN, UNREACHABLE)
#: Targets read at once by default (each a connection for the few milliseconds its reads take).
CONNECTIONS = 32


@dataclass
class Read:
    """What one target's own tables say: its heads, its last attempt, and the attempts of one rollout."""

    heads: tuple[str, ...] = ()
    versioned: bool = False
    last: dict[str, Any] | None = None
    attempts: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None


@dataclass
class TargetStatus:
    name: str
    state: str
    revision: str
    reason: str
    last_attempt: dict[str, Any] | None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class FleetStatus:
    head: str
    targets: list[TargetStatus]

    @property
    def all_at_head(self) -> bool:
        return all(t.state == AT_HEAD for t in self.targets)

    def counts(self) -> dict[str, int]:
        """Targets per revision (``base`` for none, ``-`` for unreachable), most first."""
        return dict(Counter("-" if t.state == UNREACHABLE else t.revision for t in self.targets).most_common())

    def as_json(self) -> dict[str, Any]:
        return {
            "head": self.head,
            "all_at_head": self.all_at_head,
            "states": {state: sum(1 for t in self.targets if t.state == state) for state in STATES},
            "revisions": self.counts(),
            "targets": [t.as_json() for t in self.targets],
        }


def conninfo(target: Target) -> str:
    """libpq's connection string for the target's URL, whatever its form (socket directory in the query too)."""
    url = target.sa_url()
    params: dict[str, Any] = {str(k): (",".join(v) if isinstance(v, tuple) else v) for k, v in url.query.items()}
    for key, value in (
        ("host", url.host),
        ("port", url.port),
        ("user", url.username),
        ("password", url.password),
        ("dbname", url.database),
    ):
        if value:
            params[key] = value
    params.setdefault("connect_timeout", CONNECT_TIMEOUT)
    return psycopg.conninfo.make_conninfo(**params)


def _table(schema: str | None, name: str) -> sql.Composable:
    return sql.Identifier(schema, name) if schema else sql.Identifier(name)


def _regclass(schema: str | None, name: str) -> str:
    """The table's name as ``to_regclass`` reads it, quoted (never resolved through search_path for a schema)."""

    def quote(part: str) -> str:
        return '"' + part.replace('"', '""') + '"'

    return f"{quote(schema)}.{quote(name)}" if schema else quote(name)


def read(target: Target, rollout: str | None = None) -> Read:
    """The target's heads and last attempt (and every attempt of ``rollout``); ``error`` when it does not answer."""
    found = Read()
    try:
        with psycopg.connect(conninfo(target), autocommit=True) as conn:
            conn.execute("SET default_transaction_read_only = on")
            cur = conn.execute(
                "SELECT to_regclass(%s) IS NOT NULL, to_regclass(%s) IS NOT NULL",
                (_regclass(target.schema, VERSION_TABLE), _regclass(target.schema, TABLE)),
            )
            row = cur.fetchone()
            has_version, has_history = bool(row and row[0]), bool(row and row[1])
            if has_version:
                found.versioned = True
                query = sql.SQL("SELECT version_num FROM {} ORDER BY 1").format(_table(target.schema, VERSION_TABLE))
                found.heads = tuple(str(r[0]) for r in conn.execute(query))
            if has_history:
                history = _table(target.schema, TABLE)
                gone = sql.SQL(
                    "h.outcome = 'running' AND NOT EXISTS (SELECT FROM pg_catalog.pg_stat_activity a "
                    "WHERE a.pid = h.pid AND a.backend_start = h.backend_start)"
                )
                last = conn.execute(
                    sql.SQL("SELECT row_to_json(h)::text, {gone} FROM {h} h ORDER BY h.id DESC LIMIT 1").format(
                        gone=gone, h=history
                    )
                ).fetchone()
                if last:
                    found.last = _attempt(last[0], bool(last[1]))
                if rollout is not None:
                    # row_to_json, not the column: a ledger made before rollouts has no rollout column.
                    rows = conn.execute(
                        sql.SQL(
                            "SELECT row_to_json(h)::text, {gone}, "
                            "(SELECT n.from_revision FROM {h} n WHERE n.id > h.id ORDER BY n.id LIMIT 1) "
                            "FROM {h} h WHERE row_to_json(h)->>'rollout' = %s ORDER BY h.id"
                        ).format(gone=gone, h=history),
                        (rollout,),
                    )
                    now = ", ".join(found.heads) or "base"
                    found.attempts = [_attempt(r[0], bool(r[1]), r[2] if r[2] is not None else now) for r in rows]
    except psycopg.Error as exc:
        found.error = first_line(exc)
    return found


_KEPT = (
    "id",
    "command",
    "target",
    "from_revision",
    "to_revision",
    "outcome",
    "started_at",
    "ended_at",
    "duration_seconds",
    "sqlstate",
    "category",
    "message",
    "rollout",
    "note",
)


def _attempt(text: str, interrupted: bool, after: str | None = None) -> dict[str, Any]:
    """The ledger row's kept columns; a running one whose session is gone is ``interrupted``.

    ``after`` (the attempts of a rollout): where the target was right after the attempt, the next attempt's
    ``from_revision``, or the target's revision now when none came after it.
    """
    row = json.loads(text)
    attempt = {key: row.get(key) for key in _KEPT}
    if interrupted:
        attempt["outcome"] = "interrupted"
    if after is not None:
        attempt["after"] = after
    return attempt


def landed(attempt: dict[str, Any]) -> bool:
    """Did this interrupted attempt's COMMIT land? Its session ended with no end recorded (the server stopped, or
    the worker lost its connection, between the COMMIT and the closing row), yet right after it the target was at
    the revision it was going to, not where it started: it moved the target, and only its end is missing.

    Only for the attempts of a rollout (``read(target, rollout)``), which carry ``after``.
    """
    after, going, start = attempt.get("after"), attempt.get("target"), attempt.get("from_revision")
    return (
        attempt["outcome"] == "interrupted"
        and attempt.get("ended_at") is None
        and after is not None
        and going is not None
        and _revisions(after) == _revisions(going)
        and _revisions(after) != _revisions(start or "base")
    )


def _revisions(text: str) -> set[str]:
    return set(text.split(", "))


def classify(target: Target, found: Read, scripts: Scripts) -> TargetStatus:
    """At head, behind (how far), an unknown revision (ahead of these scripts, or another branch's), unreachable."""
    if found.error is not None:
        return TargetStatus(target.name, UNREACHABLE, "-", found.error, found.last)
    revision = ", ".join(found.heads) or "base"
    heads = scripts.heads
    if not found.versioned:
        return TargetStatus(target.name, BEHIND, "base", "no alembic_version table: nothing applied", found.last)
    unknown = scripts.unknown(found.heads)
    if unknown:
        reason = (
            f"revision {', '.join(unknown)} is not in this project's scripts: applied by a newer release, "
            "or another branch's"
        )
        return TargetStatus(target.name, UNKNOWN, revision, reason, found.last)
    if set(found.heads) == set(heads):
        return TargetStatus(target.name, AT_HEAD, revision, "", found.last)
    pending = pending_count(scripts, found.heads)
    return TargetStatus(
        target.name, BEHIND, revision, f"{pending} revision{'s' if pending != 1 else ''} to apply", found.last
    )


def pending_count(scripts: Scripts, current: Sequence[str]) -> int:
    """How many revisions an upgrade to head would apply from ``current``."""
    lower = tuple(current) or "base"
    return sum(1 for _ in scripts.directory.iterate_revisions("heads", lower))


def read_all(targets: Sequence[Target], connections: int = CONNECTIONS, rollout: str | None = None) -> list[Read]:
    """``read`` of every target, ``connections`` at a time, in the targets' order."""
    work: Callable[[Target], Read] = lambda target: read(target, rollout)  # noqa: E731
    with ThreadPoolExecutor(max_workers=max(1, min(connections, len(targets)))) as pool:
        return list(pool.map(work, targets))


def status(targets: Sequence[Target], scripts: Scripts, connections: int = CONNECTIONS) -> FleetStatus:
    """Every target's state; ``all_at_head`` is the answer (exit status 0) only when each is at head."""
    reads = read_all(targets, connections)
    return FleetStatus(", ".join(scripts.heads), [classify(t, r, scripts) for t, r in zip(targets, reads, strict=True)])


def lines(fleet: FleetStatus) -> list[str]:
    """A line per target (state, revision, reason, last attempt), then the counts per revision and state."""
    width = max((len(t.name) for t in fleet.targets), default=6)
    out = []
    for t in fleet.targets:
        last = ""
        if t.last_attempt:
            a = t.last_attempt
            rollout = f" (rollout {a['rollout']})" if a.get("rollout") else ""
            last = f"  last: {a['command']} {a['from_revision']} -> {a['to_revision'] or '?'} {a['outcome']}{rollout}"
        reason = f": {t.reason}" if t.reason else ""
        out.append(f"{t.name:<{width}}  {t.revision:<6} {t.state}{reason}{last}")
    counts = ", ".join(f"{n} at {rev}" if rev != "-" else f"{n} unreachable" for rev, n in fleet.counts().items())
    at_head = sum(1 for t in fleet.targets if t.state == AT_HEAD)
    out.append(f"{len(fleet.targets)} targets, {at_head} at head ({fleet.head}): {counts}.")
    return out
