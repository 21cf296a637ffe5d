"""The API reference (docs/reference.md) documents every name in ``helpers.__all__``, and nothing else of the core.

Besides them it documents the commands' Python API: public names defined in a ``helpers.tools`` module.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

import helpers

pytestmark = pytest.mark.once  # no server: the reference against helpers.__all__

REFERENCE = Path(__file__).resolve().parent.parent / "docs" / "reference.md"
ENTRY = re.compile(r"^:::\s+(\S+)\s*$", re.MULTILINE)


def entries(page: str | None = None) -> list[str]:
    """The objects a page (the reference by default) injects with mkdocstrings, ``::: helpers.name``, in order."""
    return ENTRY.findall(REFERENCE.read_text(encoding="utf-8") if page is None else page)


def outside_the_api(page: str | None = None) -> list[str]:
    """Entries that are neither in ``helpers.__all__`` nor a public name a ``helpers.tools`` module defines."""
    wrong = []
    for entry in entries(page):
        module, _, name = entry.rpartition(".")
        if module == "helpers":
            if name not in helpers.__all__:
                wrong.append(entry)
        elif not module.startswith("helpers.tools.") or name.startswith("_") or getattr(
            resolve(entry), "__module__", None
        ) != module:
            wrong.append(entry)
    return wrong


def missing(page: str | None = None) -> list[str]:
    """The names of ``helpers.__all__`` the page has no ``::: helpers.<name>`` entry for."""
    documented = {entry.removeprefix("helpers.") for entry in entries(page)}
    return [name for name in helpers.__all__ if name not in documented]


def resolve(path: str) -> object:
    """The object a dotted path names: the longest importable module, then attributes."""
    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            target: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for name in parts[cut:]:
            target = getattr(target, name)
        return target
    raise ModuleNotFoundError(path)


def test_every_public_name_has_an_entry() -> None:
    absent = missing()
    assert not absent, f"docs/reference.md has no '::: helpers.<name>' entry for: {', '.join(absent)}"


def test_every_entry_names_something_that_exists_once() -> None:
    found = entries()
    broken = []
    for entry in found:
        try:
            resolve(entry)
        except (ImportError, AttributeError):
            broken.append(entry)
    assert not broken, f"docs/reference.md documents names that do not exist: {', '.join(broken)}"
    twice = sorted({entry for entry in found if found.count(entry) > 1})
    assert not twice, f"docs/reference.md documents these more than once: {', '.join(twice)}"


def test_nothing_outside_the_public_api_is_documented() -> None:
    wrong = outside_the_api()
    assert not wrong, f"docs/reference.md documents names outside helpers.__all__ and the commands' API: {wrong}"


def test_an_entry_outside_the_api_is_caught_naming_it() -> None:
    added = "\n::: helpers.column_types.parse_column_type\n\n::: helpers.tools.cli.OK\n"
    page = REFERENCE.read_text(encoding="utf-8") + added
    assert outside_the_api(page) == ["helpers.column_types.parse_column_type", "helpers.tools.cli.OK"]


def test_a_page_without_an_entry_is_caught_naming_it() -> None:
    page = REFERENCE.read_text(encoding="utf-8").replace("::: helpers.with_lock_retries\n", "")
    assert missing(page) == ["with_lock_retries"]
