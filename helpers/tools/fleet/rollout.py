"""The coordinator: jobs handed to a ``concurrent.futures.Executor`` in waves, under a stop policy.

At most ``parallel`` jobs are handed over at a time, so stopping is simply handing over no more:
the runs already started finish (a migration is never killed mid-DDL), the rest are reported as not
started. The first wave of ``--canary``/``--waves`` is the canary: any failure in it ends the
rollout before the next wave starts, whatever ``--on-error`` says. Otherwise ``stop`` halts at the
first failure, ``continue`` at ``max_failures`` (never, by default).

The coordinator keeps nothing a rerun needs: each target's ``alembic_version`` and ledger say
where it is, and a rerun's jobs skip the targets already there.
"""

from __future__ import annotations

import math
import secrets
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TextIO

from ..errors import BadInputError
from .worker import FAILED, NOT_STARTED, Job, Result, apply


def new_id() -> str:
    """A rollout's id: when it started and a random tail (``20261207T221503-3f9a``), unique across coordinators."""
    return f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{secrets.token_hex(2)}"


def wave_sizes(spec: str | None, canary: int | None, total: int) -> list[int]:
    """Cumulative target counts at the end of each wave: ``1,10%,50%,100%`` of 200 -> ``[1, 20, 100, 200]``."""
    if spec and canary is not None:
        raise BadInputError(
            "--canary and --waves both say how the rollout starts; give one (--canary N is --waves N,100%)."
        )
    if canary is not None:
        if canary < 1:
            raise BadInputError(f"--canary {canary} is not a number of targets; give 1 or more.")
        spec = f"{canary},100%"
    if not spec:
        return [total]
    sizes: list[int] = []
    for part in spec.split(","):
        text = part.strip()
        try:
            if text.endswith("%"):
                share = float(text[:-1])
                if not 0 < share <= 100:
                    raise ValueError
                size = max(1, math.ceil(total * share / 100))
            else:
                size = int(text)
                if size < 1:
                    raise ValueError
        except ValueError:
            raise BadInputError(
                f"--waves {spec!r}: {text!r} is not a wave; give counts or percentages of the targets, "
                "growing, e.g. 1,10%,50%,100%."
            ) from None
        size = min(size, total)
        if sizes and size < sizes[-1]:
            raise BadInputError(
                f"--waves {spec!r}: each wave's size counts the ones before it, so {text!r} cannot "
                "come after a larger one; e.g. 1,10%,50%,100%."
            )
        if not sizes or size > sizes[-1]:
            sizes.append(size)
    if sizes[-1] < total:
        sizes.append(total)  # the last wave is the rest
    return sizes


@dataclass
class Rollout:
    """A rollout's outcome: a result per target, in the targets' order, and why it halted (None if it did not)."""

    id: str
    results: list[Result]
    halted: str | None = None
    seconds: float = 0.0
    waves: list[int] = field(default_factory=list)

    @property
    def failed(self) -> list[Result]:
        return [r for r in self.results if r.outcome == FAILED]

    @property
    def ok(self) -> bool:
        return not self.failed and all(r.outcome != NOT_STARTED for r in self.results)

    def as_json(self) -> dict[str, Any]:
        return {
            "rollout": self.id,
            "ok": self.ok,
            "halted": self.halted,
            "seconds": round(self.seconds, 3),
            "waves": self.waves,
            "counts": {
                o: sum(1 for r in self.results if r.outcome == o)
                for o in ("succeeded", "skipped", "failed", "not started")
            },
            "failed": [r.name for r in self.failed],
            "targets": [r.as_json() for r in self.results],
        }


Progress = Callable[[str], None]


def stderr_progress(stream: TextIO | None = None) -> Progress:
    def say(line: str) -> None:
        print(line, file=stream or sys.stderr, flush=True)

    return say


def run(
    jobs: Sequence[Job],
    executor: Executor,
    *,
    rollout_id: str,
    parallel: int,
    waves: list[int],
    canary: bool = False,
    on_error: str = "stop",
    max_failures: int | None = None,
    progress: Progress = lambda line: None,
    work: Callable[[Job], Result] = apply,
) -> Rollout:
    """Hand ``jobs`` to ``executor`` wave by wave, at most ``parallel`` at a time; the results in the jobs' order."""
    started = time.perf_counter()
    results: dict[int, Result] = {}
    failures = 0
    halted: str | None = None
    done = 0
    limit = max_failures if max_failures is not None else (1 if on_error == "stop" else None)
    begin = 0
    for number, end in enumerate(waves, 1):
        if len(waves) > 1:
            kind = " (canary)" if number == 1 and canary else ""
            progress(f"wave {number}/{len(waves)}{kind}: targets {begin + 1}-{end} of {len(jobs)}")
        pending = list(range(begin, end))
        running: dict[Future[Result], int] = {}
        try:
            while pending or running:
                while pending and len(running) < parallel and halted is None:
                    index = pending.pop(0)
                    running[executor.submit(work, jobs[index])] = index
                if not running:
                    break
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    index = running.pop(future)
                    result = _result_of(future, jobs[index])
                    results[index] = result
                    done += 1
                    progress(_progress_line(done, len(jobs), result))
                    if result.outcome == FAILED:
                        failures += 1
                        if halted is None and number == 1 and canary and len(waves) > 1:
                            halted = f"the canary failed ({result.name}): the other waves did not start"
                            progress(f"halting: {halted}" + _waiting(running))
                        elif halted is None and limit is not None and failures >= limit:
                            halted = (
                                f"{failures} target{'s' if failures != 1 else ''} failed "
                                f"(--on-error {on_error}"
                                + (f", --max-failures {limit}" if max_failures else "")
                                + "): no target started after that"
                            )
                            progress(f"halting: {halted}" + _waiting(running))
        except KeyboardInterrupt:
            halted = "interrupted (Ctrl-C): no target started after that"
            progress(f"halting: {halted}" + _waiting(running))
            for future in list(running):
                index = running.pop(future)
                results[index] = _result_of(future, jobs[index])
        begin = end
        if halted is not None:
            break
    for index, job in enumerate(jobs):
        if index not in results:
            results[index] = Result(job.target.name, NOT_STARTED, reason="not started: the rollout halted")
    return Rollout(rollout_id, [results[i] for i in range(len(jobs))], halted, time.perf_counter() - started, waves)


def _waiting(running: dict[Future[Result], int]) -> str:
    return f"; waiting for the {len(running)} running to finish (never cut mid-DDL)" if running else ""


def _result_of(future: Future[Result], job: Job) -> Result:
    """The job's result; a job the executor lost (its worker died and no retry was left) is a failure."""
    try:
        return future.result()
    except BaseException as exc:  # BrokenProcessPool, a Dask KilledWorker ...
        return Result(
            job.target.name,
            FAILED,
            reason=f"the worker running it was lost: {type(exc).__name__}: {exc}".splitlines()[0],
        )


def _progress_line(done: int, total: int, result: Result) -> str:
    width = len(str(total))
    moved = f" {result.from_revision} -> {result.to_revision}" if result.from_revision != "-" else ""
    why = f": {result.reason}" if result.reason else ""
    return f"[{done:>{width}}/{total}] {result.name} {result.outcome}{moved} ({result.seconds:.3f}s){why}"
