"""What ``explain`` answers for every row's symptoms in every wording, here or in another Python (a wheel's
virtualenv, a vendored copy): the same script, so the answers compare line for line."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from helpers import failures, matcher

#: Lines beyond the rows' symptoms: a code of each kind (a page, a class page, closest), Alembic's catch-all.
EXTRA = (
    "23505",
    "22012",
    "42704",
    "XX001",
    "UndefinedObject",
    "CommandError",
    "unique_violation",
    'constraint "users_email_key" of relation "users" does not exist',
    "FAILED: Path doesn't exist: /srv/app/alembic.  Please use the 'init' command to create a new scripts folder.",
)

SCRIPT = """
import importlib, json, sys
explain = importlib.import_module(sys.argv[1] + ".tools.explain")
out = {}
for text in json.load(sys.stdin):
    found = explain.find(text)
    out[text] = None if found is None else "\\n".join(explain.lines(found))
print(json.dumps({"file": explain.__file__, "answers": out}))
"""


def pasted_lines() -> list[str]:
    """Every row's symptoms in every driver's wording (``matcher.wordings``), then :data:`EXTRA`."""
    return [line for row in failures.CATALOG for line in matcher.wordings(row)] + list(EXTRA)


def answers(python: str, package: str, cwd: Path, env: dict[str, str] | None = None) -> tuple[str, dict[str, str]]:
    """``explain``'s text for each pasted line, run by ``python`` importing ``package``; and the module's file."""
    result = subprocess.run(
        [python, "-c", SCRIPT, package],
        input=json.dumps(pasted_lines()),
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    return found["file"], found["answers"]


def checkout_answers() -> tuple[str, dict[str, str | None]]:
    """What this checkout's ``explain`` answers, in this process (the same lines and text as :data:`SCRIPT`)."""
    from helpers.tools import explain

    out: dict[str, str | None] = {}
    for text in pasted_lines():
        found = explain.find(text)
        out[text] = None if found is None else "\n".join(explain.lines(found))
    return explain.__file__, out
