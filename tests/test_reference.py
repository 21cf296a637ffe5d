"""The API reference (docs/reference.md) documents every name in ``helpers.__all__``, and nothing that is not there."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import helpers

REFERENCE = Path(__file__).resolve().parent.parent / "docs" / "reference.md"
ENTRY = re.compile(r"^:::\s+(\S+)\s*$", re.MULTILINE)


def entries(page: str | None = None) -> list[str]:
    """The objects a page (the reference by default) injects with mkdocstrings, ``::: helpers.name``, in order."""
    return ENTRY.findall(REFERENCE.read_text(encoding="utf-8") if page is None else page)


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


def test_a_page_without_an_entry_is_caught_naming_it() -> None:
    page = REFERENCE.read_text(encoding="utf-8").replace("::: helpers.with_lock_retries\n", "")
    assert missing(page) == ["with_lock_retries"]
