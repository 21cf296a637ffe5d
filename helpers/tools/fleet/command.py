"""``python -m helpers fleet status|upgrade|rollback``: the command line over the fleet's Python API.

Exit status: 0 when every target is at head (status) or every run succeeded or had nothing to do
(upgrade, rollback); 1 otherwise, naming the failed targets; 2 on bad input, in one sentence. The
report goes to stdout, progress to stderr.
"""

from __future__ import annotations

import argparse
import json
from typing import Any, TextIO

from ..errors import BadInputError
from ..shared.scripts import Scripts, load_scripts, resolve
from . import report, rollback, rollout, status
from .executors import executor
from .targets import Target, from_file, from_query, from_schemas
from .worker import Job

OK, NO = 0, 1


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of targets; give a whole number, 1 or more")
    return int(text)


def _on_error(text: str) -> str:
    if text not in ("stop", "continue"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a policy; use stop or continue")
    return text


def add_parser(commands: Any, parser_class: type[argparse.ArgumentParser]) -> None:
    """``fleet`` and its commands, under ``python -m helpers``."""
    chosen = parser_class(add_help=False)
    chosen.add_argument("-c", "--config", metavar="PATH", help="the project's alembic.ini (default: ./alembic.ini)")
    which = chosen.add_argument_group("targets (one of)")
    which.add_argument("--targets", metavar="FILE", help="a line per target: NAME URL, or a URL alone")
    which.add_argument("--targets-sql", metavar="QUERY", help="a query returning url, or name and url, per target")
    which.add_argument("--control-url", metavar="URL", help="the database --targets-sql asks")
    which.add_argument(
        "--schemas",
        metavar="PATTERN",
        help="the schemas of one database (--url or DATABASE_URL) matching PATTERN (tenant_*), each "
        "handed to env.py as -x tenant=NAME",
    )
    chosen.add_argument("--url", help="the database of --schemas (default: DATABASE_URL)")
    chosen.add_argument("--json", action="store_true", help="print the report as JSON")
    chosen.add_argument(
        "--connections",
        type=_positive,
        default=status.CONNECTIONS,
        metavar="N",
        help=f"targets read at once (default: {status.CONNECTIONS})",
    )

    running = parser_class(add_help=False)
    running.add_argument(
        "--parallel", type=_positive, default=4, metavar="N", help="targets migrating at once (default: 4)"
    )
    running.add_argument(
        "--on-error",
        type=_on_error,
        default="stop",
        metavar="{stop,continue}",
        help="stop: start no new target after a failure, let the running ones finish (default); "
        "continue: go on (until --max-failures)",
    )
    running.add_argument("--max-failures", type=_positive, metavar="K", help="halt after K failures")
    running.add_argument(
        "--scheduler",
        metavar="tcp://HOST:8786",
        help="run each target as a task on this Dask cluster (default: local worker processes)",
    )
    running.add_argument(
        "--lock-wait",
        type=float,
        default=600.0,
        metavar="SECONDS",
        help="how long a target waits for another rollout's lock on it (default: 600)",
    )

    running.add_argument(
        "--rollout-id",
        metavar="ID",
        help="upgrade: carry on an earlier rollout under its id (default: a new one); "
        "rollback: this rollback's own id (default: ROLLOUT_ID-rollback)",
    )

    fleet = commands.add_parser("fleet", help="status, upgrade and rollback of many databases or tenant schemas")
    sub = fleet.add_subparsers(
        dest="fleet_command",
        required=True,
        parser_class=parser_class,
        metavar="COMMAND",
        title="commands (status, upgrade, rollback, rehearse)",
    )
    sub.add_parser("status", parents=[chosen], help="each target's revision and last attempt; exit 0 when all at head")
    upgrade = sub.add_parser("upgrade", parents=[chosen, running], help="upgrade every target, in waves")
    upgrade.add_argument("revision", nargs="?", default="head", metavar="REV", help="where to (default: head)")
    upgrade.add_argument("--canary", type=_positive, metavar="N", help="the first N targets alone; any failure ends it")
    upgrade.add_argument("--waves", metavar="SIZES", help="cumulative wave sizes, e.g. 1,10%%,50%%,100%%")
    back = sub.add_parser(
        "rollback",
        parents=[chosen, running],
        help="take every target rollout ROLLOUT_ID moved back to where it started",
    )
    back.add_argument("rollout", metavar="ROLLOUT_ID")
    practice = sub.add_parser(
        "rehearse", parents=[chosen], help="python -m helpers rehearse on copies of a sample of the targets"
    )
    practice.add_argument("revision", nargs="?", default="head", metavar="REV", help="where to (default: head)")
    practice.add_argument(
        "--sample",
        type=_positive,
        metavar="N",
        help="N targets spread over the revisions found (default: every target)",
    )
    practice.add_argument("--parallel", type=_positive, default=2, metavar="N", help="rehearsals at once (default: 2)")


def _targets(args: argparse.Namespace) -> list[Target]:
    given = [name for name in ("targets", "targets_sql", "schemas") if getattr(args, name)]
    if len(given) != 1:
        raise BadInputError(
            "Name the targets one way: --targets FILE, --targets-sql QUERY --control-url URL, or --schemas PATTERN."
        )
    if args.targets:
        return from_file(args.targets)
    if args.targets_sql:
        return from_query(args.control_url, args.targets_sql)
    return from_schemas(args.url, args.schemas)


def _print_json(data: Any, out: TextIO) -> None:
    json.dump(data, out, indent=2, default=str)
    out.write("\n")


def _rehearse(args: argparse.Namespace, targets: list[Target], scripts: Scripts, ini: str, out: TextIO) -> int:
    from . import rehearsals

    resolve(scripts, args.revision)
    found = status.status(targets, scripts, args.connections)
    chosen = rehearsals.sample(targets, found.targets, args.sample)
    current = {t.name: t.revision for t in found.targets}
    results = rehearsals.rehearse_all(chosen, current, ini, args.revision, args.parallel)
    if args.json:
        _print_json(
            {"targets": len(targets), "rehearsed": [r.as_json() for r in results], "ok": all(r.ok for r in results)},
            out,
        )
    else:
        print("\n".join(rehearsals.lines(results, len(targets))), file=out)
    return OK if all(r.ok for r in results) else NO


def main(args: argparse.Namespace, out: TextIO) -> int:
    scripts = load_scripts(args.config)
    targets = _targets(args)
    ini = str(scripts.ini)
    if args.fleet_command == "status":
        found = status.status(targets, scripts, args.connections)
        if args.json:
            _print_json(found.as_json(), out)
        else:
            print("\n".join(status.lines(found)), file=out)
        return OK if found.all_at_head else NO
    if args.fleet_command == "rehearse":
        return _rehearse(args, targets, scripts, ini, out)
    progress = rollout.stderr_progress()
    if args.fleet_command == "upgrade":
        resolve(scripts, args.revision)
        waves = rollout.wave_sizes(args.waves, args.canary, len(targets))
        rollout_id = args.rollout_id or rollout.new_id()
        jobs = [Job(t, ini, "upgrade", args.revision, rollout_id, args.lock_wait) for t in targets]
        canary = bool(args.canary or args.waves)
        verb = "rollout"
    else:
        rollout_id = args.rollout_id or f"{args.rollout}-rollback"
        jobs, untouched, unreachable = rollback.jobs(
            targets, ini, args.rollout, rollout_id, args.lock_wait, args.connections
        )
        if unreachable:
            names = ", ".join(t.name for t in unreachable)
            progress(f"cannot read the ledger of {len(unreachable)} target(s): {names}")
        progress(
            f"rollback {rollout_id} of rollout {args.rollout}: {len(jobs)} target(s) it moved, "
            f"{len(untouched)} left alone"
        )
        waves, canary, verb = [len(jobs)], False, "rollback"
    progress(
        f"{verb} {rollout_id}: {len(jobs)} targets, {args.parallel if not args.scheduler else 'a Dask cluster'}"
        f"{' at a time' if not args.scheduler else ''}"
    )
    with executor(args.scheduler, args.parallel) as pool:
        parallel = args.parallel
        done = rollout.run(
            jobs,
            pool,
            rollout_id=rollout_id,
            parallel=parallel,
            waves=waves or [0],
            canary=canary,
            on_error=args.on_error,
            max_failures=args.max_failures,
            progress=progress,
        )
    if args.fleet_command == "rollback" and unreachable:
        from .worker import FAILED, Result

        done.results += [
            Result(t.name, FAILED, reason="unreachable: its ledger could not be read") for t in unreachable
        ]
    if args.json:
        _print_json(done.as_json(), out)
    else:
        print("\n".join(report.lines(done, verb)), file=out)
    return OK if done.ok else NO
