"""How many real error lines (tests/data/real_error_lines.json, from public issue trackers) `explain` sends to
the right page: prints "N lines: M matched, P with a page, R on the right page".

Uses the ``helpers`` package first on ``sys.path``: run it as ``PYTHONPATH=/path/to/a/checkout python
benchmarks/real_errors.py`` to measure another checkout (an older commit) with the same lines; ``-v`` prints
each line's page.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from helpers.tools import explain

LINES = Path(__file__).resolve().parents[1] / "tests" / "data" / "real_error_lines.json"


def main(argv: list[str]) -> None:
    entries = json.loads(LINES.read_text(encoding="utf-8"))
    matched = with_page = right = 0
    for entry in entries:
        found = explain.find(entry["line"])
        address = found.address if found is not None else None
        page = address.split("/", 3)[3] if address else None
        matched += found is not None
        with_page += address is not None
        right += page == entry["page"]
        if "-v" in argv:
            print("ok" if page == entry["page"] else "--", page, "|", entry["line"][:90])
    print(f"{len(entries)} lines: {matched} matched, {with_page} with a page, {right} on the right page")


if __name__ == "__main__":
    main(sys.argv[1:])
