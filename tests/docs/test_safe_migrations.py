"""docs/safe-migrations.md: for each rule, lint flags the dangerous revision and not the safe one, and on a real
server the dangerous one does what the page says (fails with its SQLSTATE, takes the lock the rehearsal traces,
rewrites the table) and the safe one does not. The examples the page points to are where it says."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from helpers.tools.lint import run as lint
from helpers.tools.lint.revision import function, read
from helpers.tools.lint.rules import RULES
from helpers.tools.rehearse.crash_points import crash_points
from helpers.tools.rehearse.run import Rehearsal, rehearse
from helpers.tools.rehearse.trace import strength
from tests.support import transcript
from tests.support.database import Database
from tests.support.paths import DOCS, PROJECT, page, snippet_dir
from tests.support.project import project_with, upgrade
from tests.support.scenario import Captures

PAGE = page("safe-migrations")
FILES = snippet_dir(PAGE)
SEED = (
    "INSERT INTO users (id, email, name) VALUES (1, 'ana@example.com', 'Ana');"
    "INSERT INTO cameras (id, owner_id, name, location) VALUES (1, 1, 'door', 'hall'), (2, 1, 'car', 'garage');"
    "INSERT INTO events (camera_id, kind) SELECT 1 + g % 2, 'motion' FROM generate_series(1, 5000) g"
)


def workdir(tmp_path: Path, rule: str, which: str) -> Path:
    """The example project with the rule's revision (and the one before it, for the enum rules) added."""
    folder = FILES / RULES[rule].name
    before = [folder / "before.py"] if (folder / "before.py").is_file() else []
    project = project_with(tmp_path, *before, folder / f"{which}.py")
    if (folder / "env.py").is_file():  # the rule is about what env.py does not do
        shutil.copy(folder / "env.py", project / "env.py")
    return project


def test_every_rule_has_a_dangerous_and_a_safe_revision() -> None:
    assert sorted(p.name for p in FILES.iterdir() if p.is_dir()) == sorted(rule.name for rule in RULES.values())
    for rule in RULES.values():
        assert {"dangerous.py", "safe.py"} <= {p.name for p in (FILES / rule.name).iterdir()}, rule.name


@pytest.mark.parametrize("rule", sorted(RULES))
def test_lint_flags_the_dangerous_revision_in_its_upgrade(rule: str, tmp_path: Path, update_snapshots: bool) -> None:
    project = workdir(tmp_path, rule, "dangerous")
    path = project / "versions" / "dangerous.py"

    shown = transcript.helpers("lint", "versions/dangerous.py", cwd=project)
    Captures(PAGE, update_snapshots).check(f"{RULES[rule].name}/lint.txt", shown)
    assert shown.returncode == 1
    report = lint.lint([path], options=lint.Options(squawk=False))

    flagged = [f for f in report.findings if f.rule == rule]
    assert flagged, [f"{f.rule} {f.message}" for f in report.findings]
    revision = read(path)
    upgrade_, downgrade_ = function(revision.tree, "upgrade"), function(revision.tree, "downgrade")
    assert upgrade_ and downgrade_
    where = downgrade_ if rule == "ML013" else upgrade_
    if rule == "ML015":  # once for the project, on its env.py, naming where the revision first takes a lock
        (finding,) = flagged
        assert finding.path == project / "env.py"
        line = int(re.findall(r"dangerous\.py:(\d+)\)$", finding.message)[0])
        assert where.lineno <= line <= (where.end_lineno or 0)
        return
    assert all(where.lineno <= f.line <= (where.end_lineno or 0) for f in flagged)


@pytest.mark.parametrize("rule", sorted(RULES))
def test_lint_passes_the_safe_revision(rule: str, tmp_path: Path) -> None:
    project = workdir(tmp_path, rule, "safe")

    report = lint.lint([project / "versions" / "safe.py"])

    assert [f"{f.rule} {f.message}" for f in report.findings] == []
    assert report.notes == []  # squawk read its offline SQL too


def _rehearse(database: Database, tmp_path: Path, rule: str, which: str) -> Rehearsal:
    """Rehearse the revision on a copy of a database with a few users, cameras and events (made once per test)."""
    project = workdir(tmp_path / which, rule, which)
    if not database.scalar("SELECT to_regclass('users') IS NOT NULL"):
        upgrade(database.url, "0010" if (FILES / RULES[rule].name / "before.py").is_file() else "0009", project)
        database.sql(SEED)
    return rehearse(project / "alembic.ini", database.alone(), round_trip=False)


FAILS = {"ML000": "42601", "ML001": "23502", "ML004": "25001", "ML010": "55P04", "ML011": "42710"}


@pytest.mark.parametrize("rule", sorted(FAILS))
def test_the_dangerous_revision_fails_and_the_safe_one_runs(rule: str, database: Database, tmp_path: Path) -> None:
    dangerous = _rehearse(database, tmp_path, rule, "dangerous")
    assert dangerous.failure is not None and dangerous.failure.diagnosis.sqlstate == FAILS[rule]

    safe = _rehearse(database, tmp_path, rule, "safe")
    assert safe.failure is None


def _held(found: Rehearsal, table: str) -> list[tuple[str, bool, bool]]:
    (revision,) = [r for r in found.revisions if r.revision == found.target or r.revision in ("0010", "0011")][-1:]
    return [(lock.mode, lock.outside_transaction, lock.rewritten) for lock in revision.tables
            if lock.table == f"public.{table}"]


LOCKS = {"ML003": "events", "ML014": "events"}


@pytest.mark.parametrize("rule", sorted(LOCKS))
def test_the_dangerous_revision_blocks_writes_and_the_safe_one_does_not(
        rule: str, database: Database, tmp_path: Path) -> None:
    table = LOCKS[rule]
    dangerous = _rehearse(database, tmp_path, rule, "dangerous")
    assert dangerous.failure is None
    assert [(mode, outside) for mode, outside, _ in _held(dangerous, table)] == [("ShareLock", False)]
    assert [b.table for b in dangerous.blockers] == [f"public.{table}"]

    safe = _rehearse(database, tmp_path, rule, "safe")
    assert safe.failure is None
    assert all(strength(mode) <= strength("ShareUpdateExclusiveLock") for mode, _, _ in _held(safe, table))
    assert safe.blockers == []


REWRITES = {"ML007": "events", "ML009": "events"}


@pytest.mark.parametrize("rule", sorted(REWRITES))
def test_the_dangerous_revision_rewrites_the_table_and_the_safe_one_does_not(
        rule: str, database: Database, tmp_path: Path) -> None:
    table = REWRITES[rule]
    dangerous = _rehearse(database, tmp_path, rule, "dangerous")
    assert dangerous.failure is None
    assert [(mode, rewritten) for mode, _, rewritten in _held(dangerous, table)] == [("AccessExclusiveLock", True)]

    safe = _rehearse(database, tmp_path, rule, "safe")
    assert safe.failure is None
    assert [rewritten for _, _, rewritten in _held(safe, table)] == [False]


def test_the_dangerous_revision_needs_resume_after_a_crash_and_the_safe_one_converges(
        database: Database, tmp_path: Path) -> None:
    """ML016 on a real server: rehearse --crash-points kills each revision at every boundary."""
    points = {}
    for which in ("dangerous", "safe"):
        project = workdir(tmp_path / which, "ML016", which)
        if which == "dangerous":
            upgrade(database.url, "0009", project)
            database.sql(SEED)
        found = crash_points(project / "alembic.ini", database.alone())
        points[which] = {p.name: (p.verdict, p.retry) for p in found.points}
    assert points["dangerous"]["0010:1"] == ("needs resume", 'relation "ix_events_kind" already exists')
    assert points["dangerous"]["0010:version"][0] == "needs resume"
    assert {verdict for verdict, _ in points["safe"].values()} == {"retry converges"}
    assert len(points["safe"]) == 3  # before statements 1 and 2, before the version update


def _anchors(target: Path) -> set[str]:
    """The ids MkDocs gives the page's headings (toc's default slugify, or an explicit {#id})."""
    text = target.read_text(encoding="utf-8")
    explicit = set(re.findall(r"\{#([\w-]+)\}", text))
    headings = re.findall(r"^#+\s+(.*)$", text, re.M)
    return explicit | {re.sub(r"[-\s]+", "-", re.sub(r"[^\w\s-]", "", h).strip().lower()) for h in headings}


def test_every_linked_section_exists() -> None:
    links = re.findall(r"\]\(([\w/-]+\.md)(?:#([\w-]+))?\)", PAGE.read_text(encoding="utf-8"))
    assert links
    for target, anchor in links:
        path = DOCS / target
        assert path.is_file(), target
        if anchor:
            assert anchor in _anchors(path), f"{target}#{anchor}"


@pytest.mark.parametrize("rule", sorted(RULES))
def test_each_rules_section_names_the_failures_it_prevents(rule: str) -> None:
    """The catalog's rows name their rules (``prevented_by``); each rule's section names those rows' pages."""
    from helpers.tools import explain

    text = PAGE.read_text(encoding="utf-8")
    section = re.split(r"^## ", text.split(f"\n## {rule}:", 1)[1], flags=re.M)[0]
    assert explain.prevents_markdown(rule) in section.splitlines()


def test_revision_0006_says_its_downgrade_cannot_restore_deleted_rows() -> None:
    (revision,) = (PROJECT / "versions").glob("0006_*.py")
    downgrade = revision.read_text(encoding="utf-8").split("def downgrade", 1)[1]
    assert "backup" in downgrade
