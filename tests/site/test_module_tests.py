"""Every module of helpers/ has a test file of its own, or CONTRIBUTING.md's table names the tests that cover it."""

from __future__ import annotations

import re

from tests.support.paths import ROOT

HELPERS = ROOT / "helpers"
CONTRIBUTING = ROOT / "CONTRIBUTING.md"


def own_test(module: str) -> str:
    """``tools/lint/run.py`` -> ``tests/tools/lint/test_run.py``; ``context.py`` -> ``tests/test_context.py``."""
    folder, _, name = module.rpartition("/")
    return "/".join(part for part in ("tests", folder, f"test_{name}") if part)


def covered_elsewhere(text: str) -> dict[str, list[str]]:
    """CONTRIBUTING.md's table of modules tested through other tests: module path -> the test paths it names."""
    table = text.split("| module | tested by |", 1)[1].split("\n\n", 1)[0]
    found: dict[str, list[str]] = {}
    for row in table.splitlines()[2:]:
        cells = row.split("|")
        if len(cells) < 3:
            continue
        modules = re.findall(r"`([^`]+\.py)`", cells[1])
        folder = modules[0].rpartition("/")[0] if modules else ""
        tests = re.findall(r"`(tests/[^`]+)`", cells[2])
        for module in modules:
            found[module if "/" in module else f"{folder}/{module}"] = tests
    return found


def test_every_module_has_tests_named() -> None:
    elsewhere = covered_elsewhere(CONTRIBUTING.read_text(encoding="utf-8"))
    modules = sorted(
        path.relative_to(ROOT).as_posix() for path in HELPERS.rglob("*.py") if not path.name.startswith("__")
    )
    untested = [
        module for module in modules
        if not (ROOT / own_test(module.removeprefix("helpers/"))).is_file() and module not in elsewhere
    ]
    assert untested == [], f"modules with no test file and no row in CONTRIBUTING.md's table: {untested}"
    stale = [module for module in elsewhere if not (ROOT / module).is_file()]
    assert stale == [], f"CONTRIBUTING.md's table names modules that do not exist: {stale}"
    missing = sorted({test for tests in elsewhere.values() for test in tests if not (ROOT / test).exists()})
    assert missing == [], f"CONTRIBUTING.md's table names tests that do not exist: {missing}"
