"""``python -m helpers``: rehearse, compare, stamp, history, identify, explain, lint, for the Alembic project where
``alembic.ini`` is.

Thin over the Python API (``helpers.tools.rehearse``, ``helpers.tools.schema``, ``helpers.tools.lint``,
``helpers.tools.history``, ``helpers.tools.explain``). Exit status 0 when the answer is yes, 1 when it is no (a
failed revision or gate, a difference, a refused stamp, a lint finding), 2 on bad input, with one sentence saying
what was wrong.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from typing import Any, NoReturn, TextIO

from .errors import BadInputError

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
    if text not in ("auto", "clone", "dump"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a way to copy; use auto, clone or dump")
    return text


def count(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of rows; use a whole number, e.g. 100000")
    return int(text)


def parser() -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    common.add_argument("-c", "--config", metavar="PATH", help="the project's alembic.ini (default: ./alembic.ini)")
    common.add_argument("--url", help="the database (default: DATABASE_URL)")
    top = _Parser(
        prog="python -m helpers",
        description="For the Alembic project where alembic.ini is (or -c PATH), against DATABASE_URL (or --url). "
        "Exit status 0: yes; 1: no (a failed revision or gate, a difference, a refused stamp); 2: bad input.",
    )
    seeded = _Parser(add_help=False)
    seeded.add_argument("--seed", metavar="FILE.sql|MODULE:FUNCTION",
                        help="make the schema the revisions build on first, where they do not create it (an "
                        "application's metadata.create_all()): a SQL file run with psql, or a function called with a "
                        "SQLAlchemy connection")
    commands = top.add_subparsers(dest="command", required=True, parser_class=_Parser, metavar="COMMAND",
                                  title="commands (rehearse, compare, stamp, history, identify, explain, lint)")

    rehearse = commands.add_parser(
        "rehearse", parents=[common], help="run the pending migrations on a copy, report locks, rewrites, durations"
    )
    rehearse.add_argument("target", nargs="?", default="head", help="the revision to upgrade to (default: head)")
    rehearse.add_argument("--json", action="store_true", help="print the report as JSON")
    rehearse.add_argument("--copy", type=copy_method, default="auto", metavar="{auto,clone,dump}",
                          help="clone on the same server, or dump into a throwaway server (default: auto)")
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
    stamp.add_argument("--force", action="store_true", help="stamp even when the schema differs (recorded as forced)")

    identify = commands.add_parser(
        "identify", parents=[common, seeded],
        help="which revision the database's schema matches, whatever alembic_version says",
    )
    _ignore_objects(identify)
    identify.add_argument("--throwaway", action="store_true",
                          help="build the revisions on a throwaway server of the same major")
    identify.add_argument("--json", action="store_true", help="print the answer as JSON")

    history = commands.add_parser("history", parents=[common], help="the last migration attempts")
    history.add_argument("--json", action="store_true",
                         help="print them as JSON: a list, or null when there is no attempt table")
    history.add_argument("--limit", type=count, default=20, help="how many (default: 20)")

    explain = commands.add_parser(
        "explain", help="what an error is and how to resolve it, offline: its page's steps and address"
    )
    explain.add_argument("error", metavar="CODE-OR-TEXT", nargs="+",
                         help="a SQLSTATE (23505), condition name, exception class or a pasted error line")


    lint = commands.add_parser("lint", help="check revision files against the rules for safe migrations")
    lint.add_argument("paths", nargs="*", metavar="PATH",
                      help="revision files or folders (default: the versions folder of alembic.ini)")
    lint.add_argument("-c", "--config", metavar="PATH", help="the project's alembic.ini (default: found upwards)")
    lint.add_argument("--format", choices=("text", "json", "github", "sarif"), default="text")
    lint.add_argument("--select", metavar="RULES", help="only these rules (comma-separated ids or prefixes: ML003,ML0)")
    lint.add_argument("--ignore", metavar="RULES", help="leave out these rules (comma-separated)")
    lint.add_argument("--target-version", type=count, metavar="N",
                      help="the oldest PostgreSQL major the revisions run on (default: 15)")
    lint.add_argument("--no-squawk", dest="squawk", action="store_false", default=None,
                      help="do not run squawk on the offline SQL")
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

def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run one command; returns the exit status."""
    out = out or sys.stdout
    args = parser().parse_args(argv)
    try:
        return int(_COMMANDS[args.command](args, out))
    except BadInputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return BAD_INPUT


def _print_json(data: Any, out: TextIO) -> None:
    json.dump(data, out, indent=2, default=str)
    out.write("\n")


def _rehearse(args: argparse.Namespace, out: TextIO) -> int:
    from .rehearse import report as rehearsal_report
    from .rehearse.run import rehearse

    result = rehearse(
        args.config, args.url, target=args.target, copy=args.copy, dump=args.dump, keep=args.keep,
        round_trip=args.round_trip, max_lock=args.max_lock, max_rewrite_rows=args.max_rewrite_rows,
    )
    if args.json:
        _print_json(rehearsal_report.as_json(result), out)
    else:
        print("\n".join(rehearsal_report.lines(result)), file=out)
    return OK if result.ok else NO


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
                                target=args.target_version, squawk=args.squawk)
    report = lint.lint([Path(p) for p in args.paths], config, options)
    for note in report.notes:
        print(f"note: {note}", file=sys.stderr)
    print(lint_output.render(report, args.format), file=out)
    return NO if report.findings else OK


def _identify(args: argparse.Namespace, out: TextIO) -> int:
    from .schema.identify import identify, lines

    found = identify(args.config, args.url, ignore=args.ignore, throwaway=args.throwaway, seed=args.seed)
    if args.json:
        _print_json(found.as_json(), out)
    else:
        print("\n".join(lines(found)), file=out)
    return OK if found.matches else NO




_COMMANDS = {
    "rehearse": _rehearse,
    "compare": _compare,
    "stamp": _stamp,
    "history": _history,
    "identify": _identify,
    "explain": _explain,
    "lint": _lint,
}
