"""docs/see-also/code-quality.md: the single-head hook passes on one head and fails on two; the helpers-lint hook
runs through pre-commit on a throwaway repository; the CI workflow's lint commands run as written; the table of
which rule comes from where is what lint finds on the example project."""

from __future__ import annotations

import collections
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from helpers.tools.lint import run as lint
from helpers.tools.lint import squawk as lint_squawk
from helpers.tools.lint.rules import RULES, SQUAWK_COVERED, SQUAWK_STYLE
from tests.support import transcript
from tests.support.paths import PROJECT, ROOT, SNIPPETS, page, snippet_dir
from tests.support.project import project_with
from tests.support.sarif import sarif_problems
from tests.support.scenario import Captures

PAGE = page("see-also/code-quality")
FILES = snippet_dir(PAGE)
HOOK = FILES / "check_single_head.py"
BRANCH = (
    '"""{rev}"""\nrevision = "{rev}"\ndown_revision = "0009"\n\n\n'
    "def upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n"
)
#: The workflow's `python` is this run's interpreter, which imports this checkout's helpers.
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
SAFE_MIGRATIONS = SNIPPETS / "safe-migrations"


def _hook(workdir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(HOOK), str(workdir / "alembic.ini")], capture_output=True, text=True, timeout=60
    )


def test_one_head_passes(tmp_path: Path) -> None:
    assert _hook(project_with(tmp_path)).returncode == 0


def test_two_heads_fail_with_one_sentence(tmp_path: Path) -> None:
    workdir = project_with(tmp_path)
    for rev in ("0010", "0011"):  # two branches made on the same base, as two feature branches do
        (workdir / "versions" / f"{rev}_branch.py").write_text(BRANCH.format(rev=rev))

    result = _hook(workdir)

    assert result.returncode == 1
    assert result.stderr.startswith("Alembic has 2 heads (0010, 0011)")


def test_the_documented_config_runs_this_hook() -> None:
    config = (FILES / "pre-commit-config.yaml").read_text()
    assert f"entry: python tools/{HOOK.name} " in config


def test_the_example_project_output(tmp_path: Path, update_snapshots: bool) -> None:
    shown = transcript.helpers("lint", cwd=project_with(tmp_path), env=ENV)
    Captures(PAGE, update_snapshots).check("example-project.txt", shown)
    assert shown.returncode == 1


def _table() -> dict[str, tuple[str, str, str]]:
    """The page's table: first cell (the rule) -> (from, squawk's rules left out, on the example project)."""
    rows = re.findall(r"^\| (.+?) \| (ours|squawk) \|\s*(.*?)\s*\| (.+?) \|$", PAGE.read_text(), re.M)
    return {rule: (source, left_out, found) for rule, source, left_out, found in rows}


def _spelled(revisions: list[str]) -> str:
    counts = collections.Counter(revisions)
    return ", ".join(f"{r} ({n})" if n > 1 else r for r, n in sorted(counts.items())) or "none"


def test_the_table_is_what_each_rule_finds_on_the_example_project() -> None:
    table = _table()
    ours = {rule: row for rule, row in table.items() if row[0] == "ours"}
    assert list(ours) == list(RULES)
    covered: dict[str, list[str]] = collections.defaultdict(list)
    for squawk_rule, rule in SQUAWK_COVERED.items():
        covered[rule].append(f"`{squawk_rule}`")
    assert {rule: row[1] for rule, row in ours.items()} == {rule: ", ".join(covered[rule]) for rule in RULES}

    style = [rule.split("`")[1] for rule, row in table.items() if row[0] == "squawk" and "(style" in rule]
    assert set(style) <= SQUAWK_STYLE
    report = lint.lint(None, PROJECT / "alembic.ini", lint.Options(select=["ML", *style]))
    found: dict[str, list[str]] = collections.defaultdict(list)
    for finding in report.findings:
        found[finding.rule].append(finding.path.name[:4])
    assert {rule: row[2] for rule, row in ours.items()} == {rule: _spelled(found.pop(rule, [])) for rule in RULES}
    assert {rule: table[f"`{rule}` (style, when selected)"][2] for rule in style} == {
        rule: _spelled(found.pop(rule, [])) for rule in style}
    assert found == {}  # nothing else: the rest of squawk's rules find nothing here


def test_squawk_alone_on_the_whole_history_finds_nothing() -> None:
    whole = subprocess.run(
        [sys.executable, "-m", "alembic", "upgrade", "heads", "--sql"], capture_output=True, text=True, cwd=PROJECT,
        env={**ENV, "DATABASE_URL": lint_squawk.PLACEHOLDER_URL}, timeout=120, check=True).stdout
    squawk = lint_squawk.binary()
    assert squawk
    result = subprocess.run([squawk, "--reporter", "json"], input=whole, capture_output=True, text=True, timeout=60)
    assert json.loads(result.stdout) == []


def test_the_documented_config_is_what_lint_reads(tmp_path: Path) -> None:
    shutil.copy(FILES / "lint-config.toml", tmp_path / "pyproject.toml")

    options = lint.options_from(tmp_path / "pyproject.toml", ignore=["ML003"])

    assert options == lint.Options(select=["ML", "prefer-identity"], ignore=["ML013", "ML003"], target=15, squawk=True)


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.email=lint@example.com", "-c", "user.name=lint", *args], cwd=repo, check=True,
                   capture_output=True, timeout=60)


@pytest.mark.once  # no server, and pre-commit builds the hook's environment with pip (seconds to a minute)
def test_the_pre_commit_hook_fails_a_dangerous_revision_and_passes_its_safe_version(tmp_path: Path) -> None:
    if shutil.which("git") is None or shutil.which("pre-commit", path=str(Path(sys.executable).parent)) is None:
        pytest.skip("pre-commit and git are needed to run the hook")
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    if head.returncode != 0:
        pytest.skip("this checkout is not a git repository: pre-commit installs hooks from a commit")
    documented = yaml.safe_load((FILES / "pre-commit-config.yaml").read_text())
    (ours,) = [r for r in documented["repos"] if any(h["id"] == "helpers-lint" for h in r["hooks"])]
    repo = tmp_path / "app"
    shutil.copytree(PROJECT, repo / "migrations", ignore=shutil.ignore_patterns("__pycache__"))
    config = {"repos": [{**ours, "repo": str(ROOT), "rev": head.stdout.strip()}]}  # the documented hook, offline
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    revision = repo / "migrations" / "versions" / "0010_index_events_kind.py"
    shutil.copy(SAFE_MIGRATIONS / "index-not-concurrent" / "dangerous.py", revision)
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    pre_commit = [str(Path(sys.executable).parent / "pre-commit"), "run", "--files", str(revision)]

    dangerous = subprocess.run(pre_commit, cwd=repo, capture_output=True, text=True, timeout=900)

    assert dangerous.returncode == 1, dangerous.stdout + dangerous.stderr
    assert "migrations/versions/0010_index_events_kind.py:14:5 ML003 " in dangerous.stdout
    shutil.copy(SAFE_MIGRATIONS / "index-not-concurrent" / "safe.py", revision)
    _git(repo, "add", "-A")
    safe = subprocess.run(pre_commit, cwd=repo, capture_output=True, text=True, timeout=900)
    assert safe.returncode == 0, safe.stdout + safe.stderr


def test_the_ci_workflow_lint_commands_run_as_written(tmp_path: Path) -> None:
    workflow = yaml.safe_load((FILES / "migrations.yml").read_text())
    steps = workflow["jobs"]["lint"]["steps"]
    (install,) = [s["run"] for s in steps if s.get("run", "").startswith("pip install")]
    assert "[migration-lint]" in install
    commands = [s for s in steps if "python -m helpers lint" in s.get("run", "")]
    assert [s.get("working-directory") for s in commands] == [None, None]  # paths relative to the repository
    project_with(tmp_path, name="migrations")

    annotations, sarif = (
        subprocess.run(["bash", "-c", s["run"]], cwd=tmp_path, env=ENV, capture_output=True, text=True, timeout=120)
        for s in commands)

    assert annotations.returncode == 1
    lines = annotations.stdout.splitlines()
    assert len(lines) == 2 and all(
        re.match(r"^::error file=migrations/versions/[^,]+,line=\d+,col=\d+,title=ML\d+::", line) for line in lines
    ), lines
    assert sarif.returncode == 1
    log = json.loads((tmp_path / "helpers-lint.sarif").read_text())
    assert sarif_problems(log) == [] and len(log["runs"][0]["results"]) == 2
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]]
    assert all(uri.startswith("migrations/versions/") for uri in uris)
    (upload,) = [s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif")]
    assert upload["with"]["sarif_file"] == "helpers-lint.sarif"
