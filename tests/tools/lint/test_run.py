"""helpers/tools/lint/run.py (and revision, sql, squawk, output, rules): ``python -m helpers
lint`` reads revision files without running them, reports each finding at its file and line, and exits 0 clean,
1 with findings, 2 on bad input. The rules one by one: tests/docs/test_safe_migrations.py."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from helpers.tools.lint import run as lint
from helpers.tools.lint.rules import RULES
from tests.support.cli import cli
from tests.support.paths import PROJECT, ROOT
from tests.support.project import project_with
from tests.support.sarif import sarif_problems

HEADER = '''"""{doc}"""
import sqlalchemy as sa
from alembic import op

revision = "{rev}"
down_revision = "{down}"


'''


def revision(folder: Path, rev: str, body: str, down: str = "0009", doc: str = "A revision.") -> Path:
    path = folder / f"{rev}_test.py"
    path.write_text(HEADER.format(doc=doc, rev=rev, down=down) + textwrap.dedent(body).lstrip())
    return path


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``python -m helpers lint ARGS`` in ``cwd``, run in this process; stdout and stderr apart."""
    done = cli("lint", *args, cwd=cwd)
    return subprocess.CompletedProcess(["python", "-m", "helpers", "lint", *args], done.status, done.out, done.err)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return project_with(tmp_path)


DOWN = "\n\ndef downgrade() -> None:\n    op.drop_index('ix_events_kind', table_name='events')\n"


def test_a_plain_index_is_reported_at_its_file_line_and_column(project: Path) -> None:
    revision(project / "versions", "0010", "def upgrade() -> None:\n    op.create_index('ix_events_kind', 'events', "
             "['kind'])\n" + DOWN)

    result = run("--no-squawk", "versions/0010_test.py", cwd=project)

    assert result.returncode == 1, result.stderr
    first, see, summary = result.stdout.splitlines()
    assert first == ("versions/0010_test.py:10:5 ML003 index built without CONCURRENTLY on an existing table blocks "
                     "its writes (on events)")
    assert see == "    SEE: http://127.0.0.1:8000/safe-migrations/#ml003"
    assert summary == "1 finding in 1 of 1 files."


def test_the_default_is_the_versions_folder_of_alembic_ini(project: Path) -> None:
    result = run("--no-squawk", cwd=project)

    found = re.findall(r"^(versions/\S+):\d+:\d+ (ML\d+)", result.stdout, re.M)
    assert found == [("versions/0004_unique_user_email.py", "ML003"), ("versions/0005_events_camera_fk.py", "ML005")]
    assert result.stdout.splitlines()[-1] == "2 findings in 2 of 9 files."


def test_concurrent_index_in_autocommit_block_is_clean_and_exit_0(project: Path) -> None:
    revision(project / "versions", "0010", """
        def upgrade() -> None:
            with op.get_context().autocommit_block():
                op.create_index("ix_events_kind", "events", ["kind"], postgresql_concurrently=True)


        def downgrade() -> None:
            with op.get_context().autocommit_block():
                op.drop_index("ix_events_kind", table_name="events", postgresql_concurrently=True)
        """)

    result = run("versions/0010_test.py", cwd=project)

    assert (result.returncode, result.stdout.strip()) == (0, "No findings in 1 file."), result.stderr


def test_an_index_on_a_table_the_revision_creates_is_fine(project: Path) -> None:
    revision(project / "versions", "0010", """
        def upgrade() -> None:
            op.create_table("notes", sa.Column("id", sa.Integer, primary_key=True), sa.Column("body", sa.Text))
            op.create_index("ix_notes_body", "notes", ["body"])
            op.execute("CREATE INDEX ix_notes_id ON notes (id)")


        def downgrade() -> None:
            op.drop_table("notes")
        """)

    assert run("--no-squawk", "versions/0010_test.py", cwd=project).returncode == 0


def test_sql_is_read_by_postgresql_grammar_at_its_own_line(project: Path) -> None:
    revision(project / "versions", "0010", '''
        def upgrade() -> None:
            op.execute("""
                SET LOCAL lock_timeout = '2s';
                CREATE INDEX ix_events_kind ON events (kind);
            """)
        ''' + DOWN)

    report = lint.lint([project / "versions" / "0010_test.py"], options=lint.Options(squawk=False))

    assert [(f.rule, f.line) for f in report.findings] == [("ML003", 12)]


def test_noqa_silences_the_rule_named_only(project: Path) -> None:
    revision(project / "versions", "0010", """
        def upgrade() -> None:
            op.create_index("ix_events_kind", "events", ["kind"])  # noqa: ML003 - events is tiny
            op.drop_column("users", "phone")  # noqa: ML003
        """ + DOWN)

    report = lint.lint([project / "versions" / "0010_test.py"], options=lint.Options(squawk=False))

    assert [f.rule for f in report.findings] == ["ML008"]


def test_select_and_ignore_on_the_command_line_and_in_pyproject(project: Path) -> None:
    revision(project / "versions", "0010", """
        def upgrade() -> None:
            op.create_index("ix_events_kind", "events", ["kind"])
            op.drop_column("users", "phone")
        """ + DOWN)

    def rules(*args: str) -> list[str]:
        return re.findall(r" (ML\d+) ", run("--no-squawk", *args, "versions/0010_test.py", cwd=project).stdout)

    assert rules() == ["ML003", "ML008"]
    assert rules("--select", "ML008") == ["ML008"]
    assert rules("--ignore", "ML003") == ["ML008"]
    (project / "pyproject.toml").write_text('[tool.helpers.lint]\nignore = ["ML008"]\n')
    assert rules() == ["ML003"]
    assert rules("--ignore", "ML003") == []  # the command line wins


def test_target_version_decides_whether_a_constant_default_rewrites(project: Path) -> None:
    revision(project / "versions", "0010", """
        def upgrade() -> None:
            op.add_column("users", sa.Column("plan", sa.Text, nullable=False, server_default="free"))
        """ + DOWN)

    def rules(target: int) -> list[str]:
        options = lint.Options(squawk=False, target=target)
        return [f.rule for f in lint.lint([project / "versions" / "0010_test.py"], options=options).findings]

    assert rules(15) == []
    assert rules(10) == ["ML009"]


def test_a_file_that_does_not_parse_is_bad_input_named_with_its_line(project: Path) -> None:
    (project / "versions" / "0010_broken.py").write_text("def upgrade(:\n    pass\n")

    result = run("versions/0010_broken.py", cwd=project)

    assert result.returncode == 2
    assert result.stderr.strip().endswith("versions/0010_broken.py does not parse: line 1: invalid syntax.")
    assert "Traceback" not in result.stderr


def test_a_path_that_does_not_exist_is_bad_input(project: Path) -> None:
    result = run("versions/nope.py", cwd=project)

    assert (result.returncode, result.stderr.strip()) == (
        2, "error: versions/nope.py does not exist; name revision files or folders of them.")


def test_json_has_the_rule_its_reason_and_page(project: Path) -> None:
    result = run("--format", "json", "--no-squawk", "versions/0004_unique_user_email.py", cwd=project)

    (finding,) = json.loads(result.stdout)
    assert finding | {"why": None, "safe": None} == {
        "path": "versions/0004_unique_user_email.py", "line": 18, "column": 5, "rule": "ML003",
        "name": "index-not-concurrent", "message": RULES["ML003"].message + " (on users)", "why": None,
        "safe": None, "source": "helpers", "url": "http://127.0.0.1:8000/safe-migrations/#ml003"}
    assert finding["why"] == RULES["ML003"].why


def test_github_format_is_one_workflow_command_per_finding(project: Path) -> None:
    result = run("--format", "github", "--no-squawk", cwd=project)

    lines = result.stdout.splitlines()
    assert len(lines) == 2
    pattern = re.compile(r"^::error file=(?P<file>[^,]+),line=(?P<line>\d+),col=(?P<col>\d+),title=(?P<title>ML\d+)"
                         r"::(?P<message>[^\n]+)$")
    first = pattern.match(lines[0])
    assert first and first.group("file", "line", "col", "title") == (
        "versions/0004_unique_user_email.py", "18", "5", "ML003")
    assert "safe-migrations/#ml003" in first.group("message")


def test_sarif_is_a_valid_sarif_2_1_0_log(project: Path) -> None:
    result = run("--format", "sarif", "--no-squawk", cwd=project)

    log = json.loads(result.stdout)
    assert sarif_problems(log) == []
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    results = log["runs"][0]["results"]
    assert [(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]) for r in results] == [
        ("ML003", "versions/0004_unique_user_email.py"), ("ML005", "versions/0005_events_camera_fk.py")]
    assert {rule["id"] for rule in log["runs"][0]["tool"]["driver"]["rules"]} >= set(RULES)


def test_squawk_reports_its_own_findings_under_the_revision(project: Path) -> None:
    revision(project / "versions", "0010", """
        def upgrade() -> None:
            op.execute("SET LOCAL lock_timeout = '2s'")
            op.add_column("users", sa.Column("code", sa.CHAR(4)))


        def downgrade() -> None:
            op.drop_column("users", "code")
        """)

    result = run("--format", "json", "--select", "ML,ban-char-field", "versions/0010_test.py", cwd=project)

    (finding,) = json.loads(result.stdout)
    # at the op call that wrote the statement (the revision's op calls and its offline statements pair up)
    assert (finding["rule"], finding["source"]) == ("ban-char-field", "squawk")
    assert (finding["line"], finding["column"]) == (11, 5)
    assert finding["url"] == "https://squawkhq.com/docs/ban-char-field"
    assert "ALTER TABLE users ADD COLUMN code CHAR(4)" in finding["message"]


def test_squawk_style_rules_stay_out_unless_selected(project: Path) -> None:
    result = run("--format", "json", cwd=project)

    assert {f["rule"] for f in json.loads(result.stdout)} == {"ML003", "ML005"}


def test_offline_sql_that_fails_is_a_note_not_a_traceback(project: Path) -> None:
    revision(project / "versions", "0010", """
        def upgrade() -> None:
            op.get_bind().execute(sa.text("SELECT 1")).scalar_one()


        def downgrade() -> None:
            pass  # nothing to undo
        """)

    result = run("versions/0010_test.py", cwd=project)

    assert result.returncode == 0
    assert result.stderr.startswith("note: squawk was not run: ")
    assert "Traceback" not in result.stderr


def test_revisions_are_read_not_run(project: Path) -> None:
    marker = project / "ran"
    revision(project / "versions", "0010", f"""
        open({str(marker)!r}, "w").write("ran")


        def upgrade() -> None:
            op.create_index("ix_events_kind", "events", ["kind"])
        """ + DOWN)

    run("--no-squawk", "versions/0010_test.py", cwd=project)

    assert not marker.exists()


def test_every_rule_has_a_section_on_the_page() -> None:
    page = (ROOT / "docs" / "safe-migrations.md").read_text()
    for rule in RULES.values():
        assert f"{{#{rule.id.lower()}}}" in page, rule.id


def test_the_example_project_is_what_the_code_quality_page_says() -> None:
    report = lint.lint(None, PROJECT / "alembic.ini", lint.Options())
    assert [(f.path.name, f.rule) for f in report.findings] == [
        ("0004_unique_user_email.py", "ML003"), ("0005_events_camera_fk.py", "ML005")]


def test_a_file_outside_any_project_is_checked_by_our_rules_and_says_squawk_was_not_run(tmp_path: Path) -> None:
    revision(tmp_path, "0010", "def upgrade() -> None:\n    op.create_index('ix_events_kind', 'events', ['kind'])\n"
             + DOWN)

    result = run("0010_test.py", cwd=tmp_path)

    assert result.returncode == 1
    assert re.findall(r" (ML\d+) ", result.stdout) == ["ML003"]  # no env.py beside it: ML015 is not checked
    assert result.stderr == "note: squawk was not run: no alembic.ini above the files to write their offline SQL with\n"


def test_without_pglast_one_sentence_says_what_to_install(project: Path) -> None:
    hide = "import sys; sys.modules['pglast'] = None; from helpers.tools.cli import main; sys.exit(main(sys.argv[1:]))"
    result = subprocess.run([sys.executable, "-c", hide, "lint", "--no-squawk"], capture_output=True, text=True,
                            cwd=project, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})

    assert (result.returncode, result.stderr) == (2, "error: python -m helpers lint needs pglast to read SQL; install "
                                                     "it: pip install 'migration-rollback-helpers[migration-lint]'\n")


def test_only_the_rule_table_and_the_scope_name_rule_ids() -> None:
    """The readers (revision.py, sql.py), squawk, output and run say what a revision does; a rule id (``ML005``)
    is named in rules.py, where the rule is, and scope.py, where it is decided, only (docstrings aside)."""
    import ast

    folder = ROOT / "helpers" / "tools" / "lint"
    naming = set()
    for path in sorted(folder.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef) and ast.get_docstring(node)}
        if any(isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
               and re.search(r"\bML\d{3}\b", node.value) for node in ast.walk(tree)):
            naming.add(path.name)
    assert naming == {"rules.py", "scope.py"}


def test_target_version_19_knows_repack(project: Path) -> None:
    """REPACK is 19's (tests/docs/test_versions.py shows each behaviour on the server): a syntax error before; without
    CONCURRENTLY a rewrite under ACCESS EXCLUSIVE (ML014); with it, not inside the revision's transaction (ML004)."""
    revision(project / "versions", "0010", """
        def upgrade() -> None:
            op.execute("VACUUM FULL events")
            op.execute("REPACK events")
            op.execute("REPACK (CONCURRENTLY) events")
            with op.get_context().autocommit_block():
                op.execute("repack (concurrently) events;")
        """ + DOWN)

    def findings(target: int) -> list[tuple[int, str, str]]:
        options = lint.Options(squawk=False, target=target)
        found = lint.lint([project / "versions" / "0010_test.py"], options=options).findings
        return sorted((f.line, f.rule, f.message.partition(" (")[2][:-1]) for f in found if f.rule != "ML012")

    new_in_19 = "REPACK is new in PostgreSQL 19: a syntax error on 18 (--target-version)"
    vacuum = (10, "ML004", "VACUUM")  # on every version: VACUUM refuses a transaction block
    assert findings(18) == [vacuum, (10, "ML014", "VACUUM FULL"), (11, "ML000", new_in_19), (12, "ML000", new_in_19),
                            (14, "ML000", new_in_19)]
    assert findings(19) == [
        vacuum,
        (10, "ML014", "VACUUM FULL; on 19: REPACK (CONCURRENTLY) in an autocommit_block()"),
        (11, "ML014", "REPACK without CONCURRENTLY"),
        (12, "ML004", "REPACK (CONCURRENTLY)"),
    ]
