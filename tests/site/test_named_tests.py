"""Every test a page names (`tests/...py`, `tests/...py::test_name`, a folder) exists."""

from __future__ import annotations

import ast
import re

from tests.support.paths import ROOT, pages, relative

_NAMED = re.compile(r"`(tests/[^`<>*\s]+?)(?:::(\w+))?`")


def test_every_named_test_exists() -> None:
    missing = []
    for page in pages():
        for path, function in _NAMED.findall(page.read_text(encoding="utf-8")):
            file = ROOT / path
            if not file.exists():
                missing.append(f"{relative(page)}: {path}")
            elif function:
                defined = {n.name for n in ast.walk(ast.parse(file.read_text())) if isinstance(n, ast.FunctionDef)}
                if function not in defined:
                    missing.append(f"{relative(page)}: {path}::{function}")
    assert missing == []
