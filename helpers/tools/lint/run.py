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
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import BadInputError
from . import revision as lint_revision
from . import squawk as lint_squawk
from .scope import Facts, Finding, Revision

#: The oldest PostgreSQL major the guide is checked on.
DEFAULT_TARGET = 15
_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<rules>[\w-]+(?:\s*,\s*[\w-]+)*))?", re.I)


@dataclass
class Options:
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    target: int = DEFAULT_TARGET
    squawk: bool = True

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
        unknown = set(table) - {"select", "ignore", "target-version", "squawk"}
        if unknown:
            raise BadInputError(
                f"[tool.helpers.lint] in {pyproject} has unknown keys {', '.join(sorted(unknown))}; "
                "use select, ignore, target-version, squawk.")
        options = Options(list(table.get("select", [])), list(table.get("ignore", [])),
                          int(table.get("target-version", DEFAULT_TARGET)), bool(table.get("squawk", True)))
    for key, value in overrides.items():
        if value is not None:
            setattr(options, key, options.ignore + value if key == "ignore" else value)
    return options


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
    base = ini.parent / location
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


def _env_sets_lock_timeout(folder: Path) -> bool | None:
    """Whether the env.py beside a versions folder sets lock_timeout (any mention in its code); None: no env.py."""
    env = folder.parent / "env.py"
    if not env.is_file():
        return None
    try:
        tree = ast.parse(env.read_text(encoding="utf-8"))
    except SyntaxError as exc:
        raise BadInputError(f"{env} does not parse: line {exc.lineno}: {exc.msg}.") from None
    comments = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr)}  # docstrings
    return any(
        isinstance(node, ast.Constant) and isinstance(node.value, str) and "lock_timeout" in node.value
        and id(node) not in comments for node in ast.walk(tree))


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


def _noqa(revision: Revision, finding: Finding) -> bool:
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
    if ini is not None:
        try:
            project_folders = {f.resolve() for f in versions_folders(ini)}
        except BadInputError as exc:  # the files were named: they are checked without the project
            notes.append(f"squawk was not run: {exc}")
            ini = None
    wanted = [p.resolve() for p in _files(paths)]
    folders = {p.parent for p in wanted} | project_folders
    if ini is not None and not any(p.parent in project_folders for p in wanted):
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
    env_lock = {folder: _env_sets_lock_timeout(folder) for folder in folders}
    facts: dict[str, Facts] = {}
    statements: dict[str, list[tuple[int, int]]] = {}
    findings: list[Finding] = []
    for revision in _ordered(revisions):
        before = Facts()
        for parent in revision.down_revisions:
            before = before.merged(facts.get(parent, Facts()))
        try:
            scope = lint_revision.check(revision, before, options.target, env_lock.get(revision.path.resolve().parent))
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
    if not options.squawk:
        notes.clear()
    if options.squawk and ini is not None:
        findings += _squawk(ini, revisions, set(wanted), options, notes, statements)
    kept = [f for f in findings if options.wants(f.rule) and not _noqa(by_path[f.path.resolve()], f)]
    kept.sort(key=lambda f: (str(f.path), f.line, f.column, f.rule))
    return Report(kept, len(wanted), notes)


def _squawk(ini: Path, revisions: list[Revision], wanted: set[Path], options: Options, notes: list[str],
            statements: dict[str, list[tuple[int, int]]]) -> list[Finding]:
    by_id = {r.revision: r for r in revisions if r.revision and r.path.resolve() in wanted}
    if not by_id:
        return []
    try:
        chunks = {rev: sql for rev, sql in lint_squawk.offline_sql(ini).items() if rev in by_id}
        found = lint_squawk.run(chunks, options.target, options.select)
    except (RuntimeError, OSError) as exc:
        notes.append(f"squawk was not run: {exc}")
        return []
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
