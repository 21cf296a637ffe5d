"""``migration-rollback`` (installed) or ``python -m helpers`` (a checkout, a vendored copy): rehearse, compare,
stamp, history, resume, identify, explain, lint, fleet, for the Alembic project where ``alembic.ini`` is.

Thin over the Python API (``helpers.tools.rehearse``, ``helpers.tools.schema``, ``helpers.tools.lint``,
``helpers.tools.history``, ``helpers.tools.explain``). Exit status 0 when the answer is yes, 1 when it is no (a
failed revision or gate, a difference, a refused stamp, a lint finding), 2 on bad input, with one sentence saying
what was wrong. The report goes to stdout (or ``--output FILE``), everything else, the project's own logging
included, to stderr (``shared.output``).
"""

from __future__ import annotations

import argparse
import io
import json
import re
import sys
from collections.abc import Sequence
from typing import Any, NoReturn, TextIO

from .errors import BadInputError
from .shared import output

#: The console command pyproject.toml installs (``[project.scripts]``), and the spelling in a checkout.
COMMAND, MODULE = "migration-rollback", "python -m helpers"

OK, NO, BAD_INPUT = 0, 1, 2
_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|min)")
_UNITS = {"ms": 0.001, "s": 1.0, "min": 60.0}


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one sentence and exit status 2, without the usage block."""

    def error(self, message: str) -> NoReturn:
        self.exit(BAD_INPUT, f"{self.prog}: {message[0].upper()}{message[1:]}.\n")


def duration(text: str) -> float:
    """``200ms``, ``1.5s``, ``2min`` -> seconds."""
    match = _DURATION.fullmatch(text.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration; use a number with ms, s or min, e.g. 200ms")
    return float(match.group(1)) * _UNITS[match.group(2)]


def copy_method(text: str) -> str:
    if text not in ("auto", "clone", "template", "dump"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a way to copy; use auto, clone, template or dump")
    return text


def count(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of rows; use a whole number, e.g. 100000")
    return int(text)


def parser(prog: str = MODULE) -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    common.add_argument("-c", "--config", metavar="PATH", help="the project's alembic.ini (default: ./alembic.ini)")
    common.add_argument("--url", help="the database (default: DATABASE_URL)")
    top = _Parser(
        prog=prog,
        description="For the Alembic project where alembic.ini is (or -c PATH), against DATABASE_URL (or --url). "
        "Exit status 0: yes; 1: no (a failed revision or gate, a difference, a refused stamp); 2: bad input.",
    )
    seeded = _Parser(add_help=False)
    seeded.add_argument("--seed", metavar="FILE.sql|MODULE:FUNCTION",
                        help="make the schema the revisions build on first, where they do not create it (an "
                        "application's metadata.create_all()): a SQL file run with psql, or a function called with a "
                        "SQLAlchemy connection")
    commands = top.add_subparsers(
        dest="command", required=True, parser_class=_Parser, metavar="COMMAND",
        title="commands (rehearse, compare, stamp, history, resume, identify, explain, lint, fleet)",
    )

    rehearse = commands.add_parser(
        "rehearse", parents=[common], help="run the pending migrations on a copy, report locks, rewrites, durations"
    )
    rehearse.add_argument("target", nargs="?", default="head", help="the revision to upgrade to (default: head)")
    rehearse.add_argument("--json", action="store_true", help="print the report as JSON")
    _output(rehearse)
    rehearse.add_argument("--copy", type=copy_method, default="auto", metavar="{auto,clone,template,dump}",
                          help="template: CREATE DATABASE ... TEMPLATE on the same server; clone: the file system's "
                          "clone (PostgreSQL 18+, file_copy_method = clone); dump: into a throwaway server; auto: "
                          "template when nobody else is connected, else dump (default)")
    rehearse.add_argument("--copy-url", metavar="URL",
                          help="rehearse on this copy someone else made (a Database Lab clone, a branch, a restored "
                          "snapshot) once it is at the source's revision and schema; it is not dropped")
    rehearse.add_argument("--dump", metavar="FILE", help="rehearse on this pg_dump file instead of the database")
    rehearse.add_argument("--keep", action="store_true", help="keep the copy afterwards")
    rehearse.add_argument("--no-round-trip", dest="round_trip", action="store_false",
                          help="skip the downgrade and second upgrade")
    rehearse.add_argument("--max-lock", type=duration, metavar="DURATION",
                          help="fail when a lock that blocks the application's writes to an existing table (SHARE, "
                          "SHARE ROW EXCLUSIVE, EXCLUSIVE, ACCESS EXCLUSIVE) is held longer, until its commit "
                          "(e.g. 200ms)")
    rehearse.add_argument("--max-rewrite-rows", type=count, metavar="N",
                          help="fail when a table of more than N rows is rewritten")
    rehearse.add_argument("--max-rows", type=count, metavar="N",
                          help="fail when a statement writes more than N rows (UPDATE, INSERT, DELETE: a backfill), or "
                          "reads or rewrites a table of more than N rows under its lock (SET NOT NULL, a CHECK or "
                          "foreign key validated, a rewrite)")
    rehearse.add_argument("--crash-points", action="store_true",
                          help="kill the migration (SIGKILL) at every statement boundary of each revision that runs "
                          "outside one transaction, and before its alembic_version update, on clones; say whether a "
                          "plain retry or resume recovers")
    rehearse.add_argument("--fail-on", choices=("stuck", "resume"),
                          help="with --crash-points: exit 1 when a point is stuck (or, with resume, needs resume)")

    compare = commands.add_parser(
        "compare", parents=[common, seeded], help="compare the database's schema with what revision REV builds"
    )
    stamp = commands.add_parser(
        "stamp", parents=[common, seeded], help="stamp REV only when the database is what REV builds"
    )
    for sub in (compare, stamp):
        sub.add_argument("revision", metavar="REV")
        _ignore_objects(sub)
        sub.add_argument("--throwaway", action="store_true",
                         help="build REV on a throwaway server of the same major, not on the database's server")
    compare.add_argument("--json", action="store_true", help="print the differences as JSON")
    _output(compare)
    stamp.add_argument("--force", action="store_true", help="stamp even when the schema differs (recorded as forced)")

    identify = commands.add_parser(
        "identify", parents=[common, seeded],
        help="which revision the database's schema matches, whatever alembic_version says",
    )
    _ignore_objects(identify)
    identify.add_argument("--throwaway", action="store_true",
                          help="build the revisions on a throwaway server of the same major")
    identify.add_argument("--no-cache", dest="cache", action="store_false",
                          help="build every revision again, and keep nothing (default: reuse the schemas an earlier "
                          "call built from the same scripts, env.py, seed and server major, kept in "
                          "$XDG_CACHE_HOME/migration-rollback, else ~/.cache/migration-rollback)")
    identify.add_argument("--json", action="store_true", help="print the answer as JSON")
    _output(identify)

    history = commands.add_parser("history", parents=[common], help="the last migration attempts")
    history.add_argument("--json", action="store_true",
                         help="print them as JSON: a list, or null when there is no attempt table")
    history.add_argument("--limit", type=count, default=20, help="how many (default: 20)")
    _output(history)

    resume = commands.add_parser(
        "resume", parents=[common],
        help="finish a revision that committed part-way (an autocommit block), or undo it with --abandon",
        description="Reads the statement ledger (alembic_history_statements) and the catalog, prints the plan, then "
        "runs what is left of the half-applied revision through env.py and records it in alembic_version. The plan "
        "is printed first in any case; --plan is never implied, on a terminal or not. Exit 1 where an applied "
        "statement changed since it ran, or --abandon would lose data.",
    )
    mode = resume.add_mutually_exclusive_group()
    mode.add_argument("--plan", action="store_true",
                      help="only say which statements ran, failed and are left, and what is live (writes nothing)")
    mode.add_argument("--abandon", action="store_true",
                      help="take the database back to the revision before: drop what the statements created, "
                      "refusing where data would be lost")
    resume.add_argument("--json", action="store_true", help="print the plan as JSON")
    _output(resume)

    explain = commands.add_parser(
        "explain", help="what an error is and how to resolve it, offline: its page's steps and address"
    )
    explain.add_argument("error", metavar="CODE-OR-TEXT", nargs="+",
                         help="a SQLSTATE (23505), condition name, exception class or a pasted error line")
    _output(explain)


    lint = commands.add_parser("lint", help="check revision files against the rules for safe migrations")
    lint.add_argument("paths", nargs="*", metavar="PATH",
                      help="revision files or folders (default: the versions folder of alembic.ini)")
    lint.add_argument("-c", "--config", metavar="PATH", help="the project's alembic.ini (default: found upwards)")
    lint.add_argument("--format", choices=("text", "json", "github", "sarif"), default="text")
    _output(lint)
    lint.add_argument("--select", metavar="RULES", help="only these rules (comma-separated ids or prefixes: ML003,ML0)")
    lint.add_argument("--ignore", metavar="RULES", help="leave out these rules (comma-separated)")
    lint.add_argument("--target-version", type=count, metavar="N",
                      help="the oldest PostgreSQL major the revisions run on (default: 15)")
    lint.add_argument("--no-squawk", dest="squawk", action="store_false", default=None,
                      help="do not run squawk on the offline SQL")
    lint.add_argument("--since", metavar="REV",
                      help="report only revisions after REV: REV and the revisions below it are not reported "
                           "(adopting lint on an existing history)")
    from .fleet.command import add_parser as add_fleet

    add_fleet(commands, _Parser)
    return top



class _OldIgnore(argparse.Action):
    """``--ignore PATTERN``, the spelling of ``--ignore-objects`` before lint's ``--ignore RULES``: still taken
    for one release, with a line on stderr."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        print(f"{parser.prog}: --ignore {values} is now --ignore-objects {values}; --ignore will stop meaning "
              "object patterns in the next release.", file=sys.stderr)
        getattr(namespace, self.dest).append(values)


def _ignore_objects(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--ignore-objects", dest="ignore", action="append", default=[], metavar="PATTERN",
                     help="leave out objects whose name matches (shell pattern: legacy_*, audit.*); repeatable")
    sub.add_argument("--ignore", dest="ignore", action=_OldIgnore, help=argparse.SUPPRESS)

def _output(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--output", metavar="FILE", default=None,
                     help="write the report to FILE instead of stdout (whatever the project logs goes to stderr)")


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, prog: str = MODULE) -> int:
    """Run one command; returns the exit status. Its report goes to ``out`` (stdout) or ``--output FILE`` once it is
    done; whatever else is printed or logged while it runs (the project's env.py and revisions) goes to stderr."""
    out = out or sys.stdout
    args = parser(prog).parse_args(argv)
    if args.command in _STREAMED or (args.command in _STREAMED_AS_TEXT and not getattr(args, "json", False)):
        try:
            return int(_COMMANDS[args.command](args, out))
        except BadInputError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return BAD_INPUT
    report = io.StringIO()
    try:
        output.check_writable(getattr(args, "output", None))
        with output.report_only(out):
            status = int(_COMMANDS[args.command](args, report))
        output.deliver(report.getvalue(), out, getattr(args, "output", None))
        return status
    except BadInputError as exc:
        output.deliver(report.getvalue(), out, None)
        print(f"error: {exc}", file=sys.stderr)
        return BAD_INPUT


#: Commands that say what they do as they go, for a person (no machine output): their lines are not held back.
_STREAMED = {"stamp"}
#: ... and those whose text says how far they got while they run (their --json is held back and kept clean).
_STREAMED_AS_TEXT = {"resume", "fleet"}


class _Terminated(KeyboardInterrupt):
    """SIGTERM (a CI job's timeout), raised where the process is, so every ``finally`` runs: the copy is dropped."""


def _terminate(signum: int, frame: object) -> None:
    raise _Terminated()


def process(prog: str) -> int:
    """``main`` as a process of its own (the console command, ``python -m helpers``): SIGTERM and SIGINT (Ctrl-C)
    end it the same way, scratch databases dropped on the way out, one line on stderr and no traceback; exit status
    143 or 130, as a shell reports a process those signals ended.

    Both are caught whatever the process inherited, as pg_dump catches them. Python raises KeyboardInterrupt on
    SIGINT only where SIGINT started at its default; started with it ignored (a script's background job, ``cmd &``,
    and whatever such a job starts: a test run, CI launched that way), the command would go on migrating the copy:
    a test sending SIGINT would wait in vain, and a CI runner's cancel (SIGINT, then SIGTERM seconds later) would
    leave it only those last seconds to drop the copy. A signal its parent blocked is let through too.
    """
    import signal

    stops = {signal.SIGTERM, signal.SIGINT}
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    if hasattr(signal, "pthread_sigmask"):  # not on Windows
        signal.pthread_sigmask(signal.SIG_UNBLOCK, stops)
    try:
        return main(prog=prog)
    except KeyboardInterrupt as exc:
        name, status = ("SIGTERM", 143) if isinstance(exc, _Terminated) else ("SIGINT", 130)
        for stop in stops:  # a second one while this line is written: ignored
            signal.signal(stop, signal.SIG_IGN)
        print(f"{prog}: stopped by {name}; scratch databases it made were dropped, the source was only read.",
              file=sys.stderr)
        return status


def console() -> int:
    """``migration-rollback``, the console command: ``main`` under the command's own name, as a process."""
    return process(COMMAND)


def _print_json(data: Any, out: TextIO) -> None:
    json.dump(data, out, indent=2, default=str)
    out.write("\n")


def _rehearse(args: argparse.Namespace, out: TextIO) -> int:
    from .rehearse import report as rehearsal_report
    from .rehearse.run import rehearse

    if args.fail_on and not args.crash_points:
        raise BadInputError(f"--fail-on {args.fail_on} goes with --crash-points; add it, or leave --fail-on out.")
    if args.crash_points:
        return _crash_points(args, out)
    result = rehearse(
        args.config, args.url, target=args.target, copy=args.copy, dump=args.dump, copy_url=args.copy_url,
        keep=args.keep, round_trip=args.round_trip, max_lock=args.max_lock, max_rewrite_rows=args.max_rewrite_rows,
        max_rows=args.max_rows,
    )
    if args.json:
        _print_json(rehearsal_report.as_json(result), out)
    else:
        print("\n".join(rehearsal_report.lines(result)), file=out)
    return OK if result.ok else NO


def _crash_points(args: argparse.Namespace, out: TextIO) -> int:
    from .rehearse import crash_points

    def say(line: str) -> None:  # each point as it is tried: the cost first
        print(line, file=out, flush=True)

    report = crash_points.crash_points(args.config, args.url, target=args.target,
                                       say=(lambda line: None) if args.json else say)
    if args.json:
        _print_json(report.as_json(), out)
    else:
        print("\n".join(crash_points.lines(report)), file=out)
    failing = report.stuck() + (report.needing_resume() if args.fail_on == "resume" else [])
    return NO if args.fail_on and failing else OK


def _compare(args: argparse.Namespace, out: TextIO) -> int:
    from .schema.compare import compare, lines

    result = compare(args.config, args.url, args.revision, ignore=args.ignore, throwaway=args.throwaway,
                     seed=args.seed)
    if args.json:
        _print_json(result.as_json(), out)
    else:
        print("\n".join(lines(result)), file=out)
    return OK if result.same else NO


def _stamp(args: argparse.Namespace, out: TextIO) -> int:
    from .schema.compare import checked_stamp

    return OK if checked_stamp(
        args.config, args.url, args.revision, ignore=args.ignore, throwaway=args.throwaway, force=args.force,
        seed=args.seed, out=out,
    ) else NO


def _history(args: argparse.Namespace, out: TextIO) -> int:
    from . import history
    from .shared.scripts import load_scripts

    scripts = load_scripts(args.config)
    attempts = history.read(args.url, limit=args.limit)
    if args.json:  # null: there is no attempt table; []: there is one, with no attempt in it
        _print_json(None if attempts is None else [attempt.as_json() for attempt in attempts], out)
    else:
        print("\n".join(history.lines(attempts, recording=history.records(scripts))), file=out)
    return OK


def _resume(args: argparse.Namespace, out: TextIO) -> int:
    from ..advisory import MigrationLockTimeoutError
    from . import resume
    from .shared.scripts import load_scripts

    scripts = load_scripts(args.config)
    try:
        if args.abandon:
            done = resume.abandon(scripts, args.url)
        else:
            def say(line: str) -> None:  # the plan before env.py's lines, as it happens
                print(line, file=out, flush=True)

            done = resume.resume(scripts, args.url, only_plan=args.plan, say=(lambda line: None) if args.json else say)
    except MigrationLockTimeoutError as exc:  # another run holds the lock: nothing was done
        print(f"error: {exc}", file=sys.stderr)
        return NO
    if args.json:
        _print_json({"ok": done.ok, "plan": done.plan.as_json(), "report": done.report}, out)
    elif args.abandon:
        print("\n".join(done.report), file=out)
    return OK if done.ok else NO


def _explain(args: argparse.Namespace, out: TextIO) -> int:
    from .explain import UNKNOWN, find, lines

    text = " ".join(args.error)
    found = find(text)
    if found is None:
        raise BadInputError(UNKNOWN.format(text=text))
    print("\n".join(lines(found)), file=out)
    return OK


def _lint(args: argparse.Namespace, out: TextIO) -> int:
    from pathlib import Path

    from .lint import output as lint_output
    from .lint import run as lint

    def rules(text: str | None) -> list[str] | None:
        return [r.strip() for r in text.split(",") if r.strip()] if text is not None else None

    config = Path(args.config) if args.config else None
    pyproject = lint.find_upwards(config.parent if config else Path.cwd(), "pyproject.toml")
    options = lint.options_from(pyproject, select=rules(args.select), ignore=rules(args.ignore),
                                target=args.target_version, squawk=args.squawk, since=args.since)
    report = lint.lint([Path(p) for p in args.paths], config, options)
    for line in report.notes:
        output.note(line)
    print(lint_output.render(report, args.format), file=out)
    return NO if report.findings else OK


def _identify(args: argparse.Namespace, out: TextIO) -> int:
    from .schema.identify import identify, lines

    found = identify(args.config, args.url, ignore=args.ignore, throwaway=args.throwaway, seed=args.seed,
                     cache=args.cache)
    if args.json:
        _print_json(found.as_json(), out)
    else:
        print("\n".join(lines(found)), file=out)
    return OK if found.matches else NO




def _fleet(args: argparse.Namespace, out: TextIO) -> int:
    from .fleet.command import main as fleet_main

    return fleet_main(args, out)


_COMMANDS = {
    "rehearse": _rehearse,
    "compare": _compare,
    "stamp": _stamp,
    "history": _history,
    "resume": _resume,
    "identify": _identify,
    "explain": _explain,
    "lint": _lint,
    "fleet": _fleet,
}
