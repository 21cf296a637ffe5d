"""helpers/tools/search_rules.py: docs/javascripts/error-search.json is the matcher's rules now, and the script that
reads it (docs/javascripts/error-search.js, run with node) answers what explain answers, line for line."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from helpers.tools import search_rules
from tests.support.error_search import PROSE, SCRIPT, every_line, python_answer, real_lines
from tests.support.snapshots import check_file

#: No server and no driver in it: run once (`nox -s once`), not on every server and driver.
pytestmark = pytest.mark.once

#: Runs the script as the browser does, on every line at once: one node process.
NODE_RUN = """
const search = require(process.argv[1]);
const fs = require("fs");
const rules = search.compile(JSON.parse(fs.readFileSync(process.argv[2], "utf8")));
const lines = JSON.parse(fs.readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify(lines.map(line => search.recognise(rules, line))));
"""


def test_the_rules_file_is_made_from_the_rows(update_snapshots: bool) -> None:
    """A row, a page or the matcher changed: ``--update-snapshots`` (or python -m helpers.tools.search_rules)
    rewrites docs/javascripts/error-search.json."""
    check_file(search_rules.RULES, search_rules.text(), update_snapshots)


def test_every_row_names_the_page_explain_names() -> None:
    rows = search_rules.rows()
    assert rows["unique_violation"]["href"] == "failures/duplicate-key/"
    assert rows["class_42"]["href"] == "failures/classes/42/"
    enum_value = rows["unsafe_new_enum_value_usage"]["href"]
    assert enum_value == "failures/enums/#a-new-value-used-in-the-same-transaction-55p04"


@pytest.fixture(scope="module")
def script_answers() -> dict[str, dict[str, object] | None]:
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        pytest.skip("no node: apt-get install nodejs (the script's answers are checked in Chromium by nox -s browser)")
    lines = every_line()
    done = subprocess.run(
        [node, "-e", NODE_RUN, str(SCRIPT), str(search_rules.RULES)],
        input=json.dumps(lines),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return dict(zip(lines, json.loads(done.stdout), strict=True))


def test_the_script_answers_what_explain_answers_for_every_line(
    script_answers: dict[str, dict[str, object] | None],
) -> None:
    """Every row's symptoms in every wording, every code, name and Alembic message, the real lines: same row, same
    page, same code, same "closest"."""
    differ = []
    for line, answer in script_answers.items():
        ours = None if answer is None else {key: answer[key] for key in ("row", "href", "code", "closest")}
        if ours != python_answer(line):
            differ.append(f"{line!r}:\n  script  {ours}\n  explain {python_answer(line)}")
    assert len(script_answers) > 2000
    assert differ == [], f"{len(differ)} lines differ:\n" + "\n".join(differ[:20])


def test_the_script_names_a_page_for_every_real_line_and_none_for_prose(
    script_answers: dict[str, dict[str, object] | None],
) -> None:
    for entry in real_lines():
        answer = script_answers[entry["line"]]
        assert answer is not None and answer["href"], entry["line"]
    assert [line for line in PROSE if script_answers[line] is not None] == []
