"""The site's error search (docs/javascripts/error-search.js over error-search.json) and what it is held to:
every line a reader may paste, and the page ``explain`` names for each."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from helpers import failures, matcher
from helpers.failures import guide_address
from helpers.sqlstate_classes import MESSAGES
from helpers.tools import explain
from tests.support.explaining import EXTRA

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "docs" / "javascripts" / "error-search.js"
REAL_LINES = ROOT / "tests" / "data" / "real_error_lines.json"
#: Prose a reader types into the search box: the error search says nothing, Material's word search answers.
PROSE = (
    "stamp",
    "duplicate key",
    "downgrade base",
    "pg_dump",
    "savepoint",
    "contains null values",
    "how do I roll back a migration",
    "constructor",
    "toString",
    "__proto__",
)


def real_lines() -> list[dict[str, str]]:
    """tests/data/real_error_lines.json: real error lines from public issue trackers, each with its source."""
    entries: list[dict[str, str]] = json.loads(REAL_LINES.read_text(encoding="utf-8"))
    return entries


def symptom_lines() -> dict[str, str]:
    """Every row's symptoms in every wording (``matcher.wordings``: psycopg 3, psycopg2, asyncpg, SQLAlchemy's
    wrapper as the stock traceback's last line shows it, psql, the example env.py's ERROR line, Alembic's
    ``FAILED:``) -> the row's page as ``explain`` names it."""
    lines = {}
    for row in failures.CATALOG:
        for line in matcher.wordings(row):
            lines[line] = page_of(line)
    return {line: page for line, page in lines.items() if page is not None}


def page_of(text: str) -> str | None:
    """The page ``explain`` names for a pasted text, relative to the site's root (with its section), or None."""
    found = explain.find(text)
    if found is None or found.address is None:
        return None
    return found.address.removeprefix(guide_address(""))


def every_line() -> list[str]:
    """What the script is held to: every row's wordings, every code, condition name and exception class (dotted and
    bare), Alembic's messages, PostgreSQL's messages without their code, the real lines, and prose."""
    data = matcher.data()
    lines: list[str] = [line for row in failures.CATALOG for line in matcher.wordings(row)]
    for sqlstate, info in sorted(data["codes"].items()):
        lines += [sqlstate, sqlstate.lower(), *info["conditions"], *(c.upper() for c in info["conditions"])]
        for cls in info["classes"]:
            lines += [cls, cls.rsplit(".", 1)[1], f"{cls}: something went wrong"]
    for classes in data["alembic_classes"].values():
        lines += [name for cls in classes for name in (cls, cls.rsplit(".", 1)[-1])]
    for message in data["alembic_messages"]:
        lines += [matcher.example(message["message"]), f"FAILED: {matcher.example(message['message'])}"]
    lines += [matcher.example(shape) for shape, _ in MESSAGES]
    for row in failures.CATALOG:
        lines += [matcher.example(s) for s in (*row.shapes, *row.symptoms, *row.messages)]
        lines += [f"ERROR - Migration failed due to {row.label}: something else"]
        if row.page:
            lines.append(f"see http://127.0.0.1:8000/{row.page}")
    lines += [entry["line"] for entry in real_lines()]
    lines += [*EXTRA, *PROSE]
    return list(dict.fromkeys(lines))


def python_answer(text: str) -> dict[str, Any] | None:
    """What explain answers, in the script's terms: row, page (``href``), code, closest."""
    found = matcher.match_text(text)
    if found is None:
        return None
    explained = explain.find(text)
    assert explained is not None
    return {"row": found.row.key, "href": page_of(text), "code": found.sqlstate, "closest": not found.sure}
