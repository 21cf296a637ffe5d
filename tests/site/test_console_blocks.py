"""The console block checker itself: a changed output fails, the update flag regenerates it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.support.console import ConsoleBlockError, check_page, parse_page
from tests.support.paths import DOCS
from tests.support.snapshots import matches

PAGE = DOCS / "manual-rollback.md"


def _one_char_changed(text: str, needle: str) -> str:
    assert needle in text, f"{needle!r} is no longer on {PAGE.name}; pick another documented output"
    return text.replace(needle, needle[:-1] + chr(ord(needle[-1]) + 1), 1)


def test_one_changed_character_fails_and_update_regenerates_the_page(tmp_path: Path) -> None:
    copy = tmp_path / PAGE.name
    original = PAGE.read_text(encoding="utf-8")
    copy.write_text(_one_char_changed(original, "INFO - After migration: revision 0008, 4 tables"))

    problems = check_page(copy)

    assert len(problems) == 1
    assert problems[0].startswith(f"{copy}:")  # names the page and the line of the command
    assert "$ alembic downgrade -1" in problems[0]
    assert "-INFO - After migration: revision 0008, 4 tablet" in problems[0]

    assert check_page(copy, update=True) == []
    assert copy.read_text(encoding="utf-8") == original
    assert check_page(copy) == []


def test_exit_status_is_shown_and_checked(tmp_path: Path) -> None:
    page = tmp_path / "exit.md"
    page.write_text("<!-- console: revision=empty -->\n```console\n$ psql -c 'SELECT 1/0'\n```\n")

    check_page(page, update=True)

    assert page.read_text().splitlines()[3:6] == ["ERROR:  division by zero", "[exit status 1]", "```"]
    page.write_text(page.read_text().replace("[exit status 1]\n", ""))
    assert check_page(page) != []


def test_wildcards_and_normalised_parts_match() -> None:
    assert matches(["a", "...", "z"], ["a", "b", "c", "z"])
    assert matches(["a", "...", "z"], ["a", "z"])
    assert matches(["took ... ms"], ["took 12 ms"])
    assert matches(["at 2026-01-13 10:00:00"], ["at 2026-11-25 17:42:01"])
    assert not matches(["a", "z"], ["a", "b", "z"])


def test_blocks_without_a_declaration_are_refused(tmp_path: Path) -> None:
    page = tmp_path / "bare.md"
    page.write_text("text\n\n```console\n$ alembic current\n```\n")
    with pytest.raises(ConsoleBlockError, match=r"bare.md:3: console block without a declaration"):
        parse_page(page)


def test_every_page_with_console_blocks_parses() -> None:
    for page in DOCS.rglob("*.md"):
        parse_page(page)
    assert shutil.which("bash")
