"""``fleet rehearse``: ``python -m helpers rehearse`` on copies of a sample of the fleet, and one summary.

The sample is spread over the revisions the targets are at (one of each revision in turn, in the
targets' order), because a migration fails on the tenants whose data or starting point differs.
Each rehearsal is the ``rehearse`` command itself, run as a process of its own with ``--json``
(the fleet reaches no other family's internals): it copies the target, runs the pending migrations
on the copy, and drops it; the target is only read.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from typing import Any

from ..errors import BadInputError
from .status import TargetStatus
from .targets import Target


@dataclass
class Rehearsed:
    name: str
    revision: str
    ok: bool
    summary: str
    failure: str | None = None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def sample(targets: Sequence[Target], states: Sequence[TargetStatus], size: int | None) -> list[Target]:
    """``size`` targets spread over the revisions found (all of them when ``size`` is None); unreachable ones left
    out."""
    if any(t.schema for t in targets):
        raise BadInputError(
            "fleet rehearse copies whole databases, and the tenant schemas share one: rehearse that database with "
            "python -m helpers rehearse, or name databases with --targets."
        )
    groups: dict[str, list[Target]] = defaultdict(list)
    for target, state in zip(targets, states, strict=True):
        if state.state != "unreachable":
            groups[state.revision].append(target)
    chosen: list[Target] = []
    queues = list(groups.values())
    while queues and (size is None or len(chosen) < size):
        for queue in list(queues):
            if size is not None and len(chosen) >= size:
                break
            chosen.append(queue.pop(0))
            if not queue:
                queues.remove(queue)
    return chosen


#: This package by the name it was imported under: ``migration_rollback_helpers`` installed, ``helpers`` in a
#: checkout, ``backend.alembic.helpers`` vendored; ``python -m`` of it runs these commands, whatever the name.
_PACKAGE = __name__.rsplit(".tools.", 1)[0]


def rehearse_one(target: Target, ini: str, revision: str, current: str) -> Rehearsed:
    done = subprocess.run(
        [sys.executable, "-m", _PACKAGE, "rehearse", revision, "--json", "-c", ini, "--url", target.url],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        line = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
        return Rehearsed(target.name, current, False, f"not rehearsed: {line}")
    failure = report.get("failure")
    first = failure["lines"][0] if failure and failure.get("lines") else None
    return Rehearsed(target.name, current, bool(report.get("ok")), str(report.get("summary", "")), first)


def rehearse_all(
    chosen: Sequence[Target], current: dict[str, str], ini: str, revision: str, parallel: int
) -> list[Rehearsed]:
    with ThreadPoolExecutor(max_workers=max(1, min(parallel, len(chosen)))) as pool:
        return list(pool.map(lambda t: rehearse_one(t, ini, revision, current[t.name]), chosen))


def lines(results: Sequence[Rehearsed], total: int) -> list[str]:
    width = max((len(r.name) for r in results), default=6)
    out = []
    for r in results:
        out.append(f"{r.name:<{width}}  {r.revision:<6} {r.summary}")
        if r.failure:
            out.append(f"    {r.failure}")
    failed = [r.name for r in results if not r.ok]
    out.append(
        f"Rehearsed {len(results)} of {total} targets: {len(results) - len(failed)} ok, {len(failed)} failed"
        + (f" ({', '.join(failed)})." if failed else ".")
    )
    return out
