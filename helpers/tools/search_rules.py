"""``docs/javascripts/error-search.json``: the matcher's rules (:func:`helpers.matcher.search_rules`) and each row's
page, for the site's search box and its "paste your error" boxes (``docs/javascripts/error-search.js``).

Made in a checkout, from the rows and the package data, like ``helpers/failures.json``; Zensical runs no MkDocs
hooks, so the file is written here and ``tests/tools/test_search_rules.py`` holds it equal to what this module
makes (``--update-snapshots`` rewrites it; so does ``python -m helpers.tools.search_rules``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from ..failures import CATALOG, CLASS_ROWS, guide_address
from ..matcher import search_rules
from .explain import explain_row

#: Beside the script that reads it; copied into the built site with it.
RULES = Path(__file__).resolve().parents[2] / "docs" / "javascripts" / "error-search.json"
_SENTENCE = re.compile(r"(?<=[a-z)]\.)\s+(?=[A-Z`])")


def rows() -> dict[str, dict[str, str | None]]:
    """Each row an answer may name: the page ``explain`` names (relative to the site's root), its title, and the
    first sentence of what it means."""
    found: dict[str, dict[str, str | None]] = {}
    for row in (*CATALOG, *CLASS_ROWS.values()):
        explained = explain_row(row)
        href = explained.address.removeprefix(guide_address("")) if explained.address else None
        gist = _SENTENCE.split(explained.meaning.replace("`", ""), maxsplit=1)[0]
        code = row.sqlstates[0] if row.sqlstates else None
        found[row.key] = {"href": href, "title": explained.title, "gist": gist, "code": code}
    return found


def build() -> dict[str, Any]:
    return {
        "about": "Made by python -m helpers.tools.search_rules from helpers/failures.py and helpers/failures.json; "
        "read by docs/javascripts/error-search.js.",
        "rows": rows(),
        **search_rules(),
    }


def text() -> str:
    """The file as written: one line per step, code, name and row (reviewable diffs), compact within."""
    data = build()
    lines = ["{"]
    items = list(data.items())
    for index, (key, value) in enumerate(items):
        end = "," if index < len(items) - 1 else ""
        if isinstance(value, dict) and key != "forms" and key != "code":
            inner = [f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in value.items()]
            lines += [f" {json.dumps(key)}: {{", ",\n".join(inner), f" }}{end}"]
        elif isinstance(value, list):
            inner = [f"  {json.dumps(v, ensure_ascii=False)}" for v in value]
            lines += [f" {json.dumps(key)}: [", ",\n".join(inner), f" ]{end}"]
        else:
            lines.append(f" {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}{end}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def write() -> Path:
    RULES.write_text(text(), encoding="utf-8")
    return RULES


if __name__ == "__main__":
    print(write())
