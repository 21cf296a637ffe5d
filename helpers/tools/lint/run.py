"""``python -m helpers lint``: the guide's rules for safe migrations, checked on revision files before they run.

Revision files are read, never run: their syntax tree (:mod:`.lint_revision`), their SQL through PostgreSQL's
grammar (:mod:`.lint_sql`, pglast), and squawk's findings on their offline SQL (:mod:`.lint_squawk`). The
rules are :data:`.lint_rules.RULES`; the output formats are in :mod:`.lint_output`.

Configuration: ``[tool.helpers.lint]`` in the nearest ``pyproject.toml`` (``select``, ``ignore``,
``target-version``, ``squawk``), overridden by the command line. ``# noqa: ML003`` on a line (or on the first
line of the call it is in) silences that rule there; a bare ``# noqa`` silences every rule.
"""

from __future__ import annotations

import ast
import configparser
import os
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import BadInputError
from . import revision as lint_revision
from . import squawk as lint_squawk
from .rules import SQUAWK_RULES, page_address
from .scope import Facts, Finding, Position, Revision, env_without_lock_timeout, is_rule, looks_like_ours

#: The oldest PostgreSQL major the guide is checked on.
DEFAULT_TARGET = 15
_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<rules>[\w-]+(?:\s*,\s*[\w-]+)*))?", re.I)


@dataclass
class Options:
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    target: int = DEFAULT_TARGET
    squawk: bool = True
    since: str | None = None  # a revision: it and its ancestors are not reported (lint adopted on a history)

    def wants(self, rule: str) -> bool:
        def matches(patterns: list[str]) -> bool:
            return any(rule == p or (p.isalnum() and rule.startswith(p)) for p in patterns)

        return (not self.select or matches(self.select)) and not matches(self.ignore)


@dataclass
class Report:
    findings: list[Finding]
    files: int
    notes: list[str]  # what could not be checked, one sentence each (squawk skipped ...)


def options_from(pyproject: Path | None, **overrides: Any) -> Options:
    """``[tool.helpers.lint]`` of ``pyproject`` (when it has one), then the command line's ``overrides``.

    As in ruff, a command line's ``select`` replaces the configured one and its ``ignore`` adds to it.
    """
    options = Options()
    if pyproject is not None and pyproject.is_file():
        try:
            table = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {}).get("helpers", {}).get(
                "lint", {})
        except tomllib.TOMLDecodeError as exc:
            raise BadInputError(f"{pyproject} is not valid TOML: {exc}.") from None
        unknown = set(table) - {"select", "ignore", "target-version", "squawk", "since"}
        if unknown:
            raise BadInputError(
                f"[tool.helpers.lint] in {pyproject} has unknown keys {', '.join(sorted(unknown))}; "
                "use select, ignore, target-version, squawk, since.")
        since = table.get("since")
        options = Options(list(table.get("select", [])), list(table.get("ignore", [])),
                          int(table.get("target-version", DEFAULT_TARGET)), bool(table.get("squawk", True)),
                          str(since) if since is not None else None)
        for key in ("select", "ignore"):
            check_rules(getattr(options, key), f"{key} in [tool.helpers.lint] of {pyproject}")
    for key in ("select", "ignore"):
        check_rules(overrides.get(key) or [], f"--{key}")
    for key, value in overrides.items():
        if value is not None:
            setattr(options, key, options.ignore + value if key == "ignore" else value)
    return options


def unknown_rules(names: Iterable[str]) -> list[str]:
    """Of ``names``, those that are neither one of our rules (or a prefix of some: ``ML0``) nor squawk's."""
    others = [n for n in dict.fromkeys(names) if not is_rule(n) and n not in SQUAWK_RULES]
    asked = [n for n in others if not looks_like_ours(n) and re.fullmatch(r"[a-z]+(?:-[a-z]+)+", n)]
    unknown = set(lint_squawk.unknown(asked)) | (set(others) - set(asked))
    return [n for n in others if n in unknown]


def check_rules(names: Iterable[str], where: str) -> None:
    """Bad input (one sentence naming it) for a rule ``where`` names that does not exist: a typo there would
    silently select nothing or ignore nothing."""
    unknown = unknown_rules(names)
    if unknown:
        raise BadInputError(f"{where} names {unknown[0]}, which is not a rule of helpers lint or of squawk; "
                            f"the rules are on {page_address()}.")


def find_upwards(start: Path, name: str) -> Path | None:
    for folder in (start.resolve(), *start.resolve().parents):
        if (folder / name).is_file():
            return folder / name
    return None


def versions_folders(ini: Path) -> list[Path]:
    """The folders of revision files ``alembic.ini`` names (``version_locations``, else script_location/versions)."""
    parser = configparser.ConfigParser(defaults={"here": str(ini.parent.resolve())})
    try:
        parser.read(ini, encoding="utf-8")
        section = parser["alembic"]
        location = section.get("script_location")
    except (configparser.Error, KeyError):
        location = None
    if not location:
        raise BadInputError(f"{ini} has no [alembic] script_location; name the revision files or folders to check.")
    base = script_location(ini) or ini.parent / location
    if section.get("version_locations"):
        separator = {"space": " ", "newline": "\n", "os": None}.get(section.get("version_path_separator", "os"))
        parts = section["version_locations"].split(separator) if separator else re.split(r"[\s,:;]+",
                                                                                          section["version_locations"])
        return [ini.parent / p.strip() for p in parts if p.strip()]
    return [base / "versions"]


def _files(paths: Iterable[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*.py") if "__pycache__" not in p.parts and p.name != "__init__.py")
        elif path.is_file():
            found.append(path)
        else:
            raise BadInputError(f"{path} does not exist; name revision files or folders of them.")
    return found


def script_location(ini: Path) -> Path | None:
    """The folder ``alembic.ini``'s script_location names: beside alembic.ini, else (as Alembic reads it) from the
    working folder; None when it names none that exists."""
    found = _script_location(ini)
    return found[0] / found[1] if found else None


def _script_location(ini: Path) -> tuple[Path, str] | None:
    """(the folder script_location is read from, script_location)."""
    parser = configparser.ConfigParser(defaults={"here": str(ini.parent.resolve())})
    try:
        parser.read(ini, encoding="utf-8")
        location = parser["alembic"].get("script_location")
    except (configparser.Error, KeyError):
        return None
    if not location:
        return None
    for base in (ini.parent, Path.cwd()):
        if (base / location).is_dir():
            return base, location
    return None


@dataclass
class Env:
    """The env.py every revision of a folder runs under: whether it sets lock_timeout, and the line where it runs
    the migrations (where a finding about it is reported)."""

    path: Path
    sets_lock_timeout: bool
    line: int


def read_env(env: Path) -> Env | None:
    """``env`` read once (any lock_timeout in its code: SET, set_config, connect options); None: no such file."""
    if not env.is_file():
        return None
    try:
        tree = ast.parse(env.read_text(encoding="utf-8"))
    except SyntaxError as exc:
        raise BadInputError(f"{env} does not parse: line {exc.lineno}: {exc.msg}.") from None
    comments = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr)}  # docstrings
    sets = any(
        isinstance(node, ast.Constant) and isinstance(node.value, str) and "lock_timeout" in node.value
        and id(node) not in comments for node in ast.walk(tree))
    runs = [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute) and node.func.attr == "run_migrations"]
    return Env(env.resolve(), sets, max(runs, default=1))  # the online run: the template writes it last


def _under(folder: Path, project_folders: set[Path]) -> bool:
    """A versions folder of the project, or a folder inside one (``recursive_version_locations``)."""
    return any(folder == f or f in folder.parents for f in project_folders)


def _env_for(folder: Path, script: Path | None, project_folders: set[Path]) -> Path:
    """The project's env.py (in alembic.ini's script_location) for its versions folders; else the one beside."""
    if script is not None and _under(folder, project_folders):
        return script / "env.py"
    return folder.parent / "env.py"


def _ordered(revisions: list[Revision]) -> list[Revision]:
    """Parents before children (by down_revision); files without a revision id last."""
    by_id = {r.revision: r for r in revisions if r.revision}
    done: set[str] = set()
    order: list[Revision] = []

    def visit(revision: Revision, seen: frozenset[str]) -> None:
        if revision.revision in done or revision.revision in seen:
            return
        for parent in revision.down_revisions:
            if parent in by_id:
                visit(by_id[parent], seen | {revision.revision or ""})
        done.add(revision.revision or "")
        order.append(revision)

    for revision in revisions:
        if revision.revision:
            visit(revision, frozenset())
    return order + [r for r in revisions if not r.revision]


def _noqa(revision: Revision | None, finding: Finding, others: dict[Path, list[str]]) -> bool:
    """``# noqa`` on the finding's line, or on the first line of the statement it is in (env.py: its line)."""
    if revision is None:
        text = others.get(finding.path, [])
        match = _NOQA.search(text[finding.line - 1]) if 0 < finding.line <= len(text) else None
        return bool(match and (not match["rules"] or finding.rule in re.split(r"\s*,\s*", match["rules"])))
    lines = {finding.line}
    for node in ast.walk(revision.tree):
        if isinstance(node, ast.stmt) and node.lineno <= finding.line <= (node.end_lineno or 0) and (
                not isinstance(node, (ast.FunctionDef, ast.With))):
            lines.add(node.lineno)
    for number in lines:
        if 0 < number <= len(revision.lines):
            match = _NOQA.search(revision.lines[number - 1])
            if match and (not match["rules"] or finding.rule in re.split(r"\s*,\s*", match["rules"])):
                return True
    return False


def lint(paths: Sequence[Path] | None = None, config: Path | None = None, options: Options | None = None) -> Report:
    """Check the revision files ``paths`` (files or folders; default: the versions folder of ``config``)."""
    options = options or Options()
    ini = config or find_upwards(Path(paths[0]) if paths else Path.cwd(), "alembic.ini")
    if config is not None and not config.is_file():
        raise BadInputError(f"No {config}: pass the project's alembic.ini with -c PATH.")
    if not paths:
        if ini is None:
            raise BadInputError(f"No alembic.ini in {Path.cwd()}: run this where alembic.ini is, pass -c PATH, "
                                "or name the revision files or folders to check.")
        paths = versions_folders(ini)
    notes: list[str] = []
    project_folders: set[Path] = set()
    script = script_location(ini) if ini is not None else None
    if ini is not None:
        try:
            project_folders = {f.resolve() for f in versions_folders(ini)}
        except BadInputError as exc:  # the files were named: they are checked without the project
            notes.append(f"squawk was not run: {exc}")
            ini = None
    wanted = [p.resolve() for p in _files(paths)]
    folders = {p.parent for p in wanted} | project_folders
    if ini is not None and not any(_under(p.parent, project_folders) for p in wanted):
        notes.append(f"squawk was not run: the files are not in the versions folder of {ini}")
        ini = None
    elif ini is None and not notes:
        notes.append("squawk was not run: no alembic.ini above the files to write their offline SQL with")
    everything = {p.resolve() for folder in folders if folder.is_dir() for p in _files([folder])} | set(wanted)
    try:
        revisions = [lint_revision.read(p) for p in sorted(everything)]
    except lint_revision.BadRevision as exc:
        raise BadInputError(str(exc)) from None
    by_path = {r.path.resolve(): r for r in revisions}
    old = _at_or_below(options.since, revisions) if options.since else set()
    wanted = [p for p in wanted if by_path[p].revision not in old or by_path[p].revision is None]
    envs = {folder: read_env(_env_for(folder, script, project_folders)) for folder in folders}
    facts: dict[str, Facts] = {}
    statements: dict[str, list[tuple[int, int]]] = {}
    findings: list[Finding] = []
    unguarded: dict[Path, list[tuple[Path, Position]]] = {}  # env.py -> revisions locking without lock_timeout
    for revision in _ordered(revisions):
        before = Facts()
        for parent in revision.down_revisions:
            before = before.merged(facts.get(parent, Facts()))
        env = envs.get(revision.path.resolve().parent)
        try:
            scope = lint_revision.check(revision, before, options.target,
                                        env.sets_lock_timeout if env is not None else None)
        except BadInputError:
            raise
        except Exception as exc:  # a construct the rules do not expect: said, and the other files still checked
            notes.append(f"{revision.path} was only partly checked: {type(exc).__name__}: {exc} (a lint bug)")
            continue
        if revision.revision:
            facts[revision.revision] = before.merged(scope.facts)
            statements[revision.revision] = scope.statements
        if revision.path.resolve() in wanted:
            findings += scope.findings
            if env is not None and scope.locks_without_timeout is not None:
                unguarded.setdefault(env.path, []).append((revision.path, scope.locks_without_timeout))
    for env_path, locking in unguarded.items():
        line = next(e.line for e in envs.values() if e is not None and e.path == env_path)
        findings.append(env_without_lock_timeout(env_path, line, sorted(locking, key=lambda r: str(r[0]))))
    if not options.squawk:
        notes.clear()
    if options.squawk and ini is not None:
        found = _script_location(ini)
        workdir = found[0] if found and found[0] != ini.parent else None
        findings += _squawk(ini, revisions, set(wanted), options, notes, statements, workdir)
    _check_noqa([r for r in revisions if r.path.resolve() in wanted])  # the files reported on
    lines = {path: path.read_text(encoding="utf-8", errors="replace").splitlines() for path in unguarded}
    kept = [f for f in findings if options.wants(f.rule) and not _noqa(by_path.get(f.path.resolve()), f, lines)]
    kept.sort(key=lambda f: (str(f.path), f.line, f.column, f.rule))
    return Report(kept, len(wanted), notes)


def _at_or_below(since: str, revisions: list[Revision]) -> set[str]:
    """``since`` (a revision id, or a prefix of one only) and every revision it descends from."""
    by_id = {r.revision: r for r in revisions if r.revision}
    matches = [rev for rev in by_id if rev == since] or [rev for rev in by_id if rev.startswith(since)]
    if len(matches) != 1:
        which = "is not a revision of" if not matches else f"could be any of {', '.join(sorted(matches)[:3])} in"
        raise BadInputError(f"--since {since} {which} the history checked; name the revision lint was adopted at.")
    seen: set[str] = set()
    todo = matches
    while todo:
        rev = todo.pop()
        if rev in seen or rev not in by_id:
            continue
        seen.add(rev)
        todo += list(by_id[rev].down_revisions)
    return seen


def _check_noqa(revisions: list[Revision]) -> None:
    """A ``# noqa:`` naming one of our ids or a squawk-like name that no rule has is a typo (bad input); other
    linters' codes (``E501``) are theirs."""
    for revision in revisions:
        for number, text in enumerate(revision.lines, 1):
            match = _NOQA.search(text)
            if not (match and match["rules"]):
                continue
            named = [n for n in re.split(r"\s*,\s*", match["rules"]) if looks_like_ours(n) or "-" in n]
            unknown = unknown_rules(named)
            if unknown:
                raise BadInputError(f"{revision.path}:{number}: # noqa names {unknown[0]}, which is not a rule of "
                                    f"helpers lint or of squawk; the rules are on {page_address()}.")


def _squawk(ini: Path, revisions: list[Revision], wanted: set[Path], options: Options, notes: list[str],
            statements: dict[str, list[tuple[int, int]]], workdir: Path | None = None) -> list[Finding]:
    by_id = {r.revision: r for r in revisions if r.revision and r.path.resolve() in wanted}
    if not by_id:
        return []
    try:
        offline = lint_squawk.offline_sql(ini, workdir)
        chunks = {rev: sql for rev, sql in offline.chunks.items() if rev in by_id}
        found = lint_squawk.run(chunks, options.target, options.select)
    except (RuntimeError, OSError) as exc:
        notes.append(f"squawk was not run: {exc}")
        return []
    for rev, why in offline.failed.items():
        if rev in by_id:
            notes.append(f"squawk was not run on {_relative(by_id[rev].path)}: its upgrade() failed offline "
                         f"(alembic upgrade --sql): {why}")
    findings = []
    for item in found:
        revision = by_id[item.revision]
        upgrade = lint_revision.function(revision.tree, "upgrade")
        written = statements.get(item.revision, [])
        if item.index is not None and len(written) == item.statements:
            line, column = written[item.index]
        else:
            line, column = (upgrade.lineno if upgrade else 1), 1
        findings.append(Finding(revision.path, line, column, item.rule,
                                f"{item.message} (offline SQL: {item.statement[:80]})"))
    return findings


def _relative(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)
