"""A rollout's report: a row per target (outcome, from, to, duration; for a failure the diagnosis's first line and
its page), then one line saying how it ended and naming the failed targets."""

from __future__ import annotations

from .rollout import Rollout
from .worker import FAILED, NOT_STARTED


def lines(rollout: Rollout, verb: str = "rollout") -> list[str]:
    rows = [("target", "outcome", "from", "to", "duration")]
    rows += [
        (r.name, r.outcome, r.from_revision, r.to_revision, f"{r.seconds:.3f}s" if r.outcome != NOT_STARTED else "-")
        for r in rollout.results
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    out = []
    for number, row in enumerate(rows):
        out.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
        result = rollout.results[number - 1] if number else None
        if result is not None and result.reason and result.outcome == FAILED:
            out.append(f"    {result.reason}")
            if result.page:
                out.append(f"    SEE: {result.page}")
    counts = {
        o: sum(1 for r in rollout.results if r.outcome == o) for o in ("succeeded", "skipped", "failed", "not started")
    }
    summary = ", ".join(f"{n} {o}" for o, n in counts.items() if n)
    out.append(f"{verb.capitalize()} {rollout.id}: {summary} in {rollout.seconds:.3f}s.")
    if rollout.halted:
        out.append(f"Halted: {rollout.halted}.")
    if rollout.failed:
        out.append(f"Failed: {', '.join(r.name for r in rollout.failed)}.")
    return out
