"""What a rollout moved, read back from the targets' ledgers, and the jobs that take each target back.

A target the rollout moved has, in its ``alembic_history``, a succeeded upgrade carrying the
rollout's id: the first such attempt's ``from_revision`` is where the target started, the last
one's ``to_revision`` where the rollout left it. An upgrade of the rollout cut off after its COMMIT
landed (its server stopped, or its worker lost the connection, before the end was recorded) moved
the target too: its row is ``interrupted``, and the target's revision right after it says it landed
(``status.landed``); a rerun of the rollout closes that row, and a rollback run before any rerun
counts it all the same. A target with no such attempt is left alone, and so is one found neither
there nor at its start (moved since by someone else).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .status import Read, landed, read_all
from .targets import Target
from .worker import Job


@dataclass(frozen=True)
class Moved:
    target: Target
    start: str
    left_at: str


def moved(reads: Sequence[Read], targets: Sequence[Target]) -> list[Moved | None]:
    """For each target, where the rollout's upgrades took it from and to; None when it moved nothing there.

    Its upgrades: the succeeded ones, and those cut off after their COMMIT landed (``landed``: the target went
    where they were going; their row has no ``to_revision``).
    """
    found: list[Moved | None] = []
    for target, read in zip(targets, reads, strict=True):
        ups = [a for a in read.attempts if a["command"] == "upgrade" and (a["outcome"] == "succeeded" or landed(a))]
        if not ups:
            found.append(None)
            continue
        last = ups[-1]
        left_at = last["to_revision"] if last["outcome"] == "succeeded" else last["after"]
        found.append(Moved(target, str(ups[0]["from_revision"] or "base"), str(left_at or "base")))
    return found


def jobs(
    targets: Sequence[Target], ini: str, rollout: str, rollback_id: str, lock_wait: float, connections: int
) -> tuple[list[Job], list[Target], list[Target]]:
    """The rollback's jobs, the targets the rollout did not move, and those that did not answer."""
    reads = read_all(targets, connections, rollout=rollout)
    out: list[Job] = []
    untouched: list[Target] = []
    unreachable: list[Target] = []
    for target, read, move in zip(targets, reads, moved(reads, targets), strict=True):
        if read.error is not None:
            unreachable.append(target)
        elif move is None:
            untouched.append(target)
        else:
            out.append(
                Job(
                    target,
                    ini,
                    "downgrade",
                    move.start,
                    rollback_id,
                    lock_wait,
                    expect=move.left_at,
                    note=f"rollback of rollout {rollout}",
                )
            )
    return out, untouched, unreachable
