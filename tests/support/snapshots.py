"""Compare a fresh transcript with what a page shows; under ``--update-snapshots`` rewrite it instead.

Two places hold documented output: a captured file under ``snippets/`` that pages include, and
a console block written in the page itself. Both are checked here, and a difference fails naming
the page and the command that rewrites it.
"""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path

from tests.support.normalize import normalize
from tests.support.paths import DOCS, SNIPPETS, relative


def update_command() -> str:
    """The command that rewrites the documented outputs of the test running now."""
    current = os.environ.get("PYTEST_CURRENT_TEST", "tests").split("::")[0]
    return f"python -m pytest {current} --update-snapshots"


def pages_including(path: Path, docs: Path = DOCS) -> list[str]:
    """The pages whose ``--8<--`` lines include the snippet file ``path``."""
    try:
        included = path.resolve().relative_to(SNIPPETS).as_posix()
    except ValueError:
        return []
    return [
        relative(page)
        for page in sorted(docs.rglob("*.md"))
        if any("--8<--" in line and f'"{included}' in line for line in page.read_text(encoding="utf-8").splitlines())
    ]


#: The PostgreSQL major whose output a captured file holds when no per-version variant exists.
REFERENCE_MAJOR = 18
#: Drivers whose output may have a variant of its own (psycopg 3, the default, writes the base file).
OTHER_DRIVERS = ("psycopg2", "asyncpg")


def variant(path: Path, major: int | None = None, driver: str | None = None) -> Path:
    """A variant of a captured file: per version ``upgrade.pg15.txt``, per driver ``upgrade.asyncpg.txt``."""
    tag = driver if driver is not None else f"pg{major}"
    return path.with_name(f"{path.stem}.{tag}{path.suffix}")


def is_variant(path: Path) -> bool:
    """True for ``name.pg15.txt`` and ``name.asyncpg.txt``, false for their base ``name.txt``."""
    tag = path.stem.rpartition(".")[2]
    return "." in path.stem and (re.fullmatch(r"pg\d+", tag) is not None or tag in OTHER_DRIVERS)


def variants(path: Path) -> list[Path]:
    """The per-version, then per-driver variants of ``path`` that exist."""
    drivers = [variant(path, driver=name) for name in OTHER_DRIVERS]
    return sorted(path.parent.glob(f"{path.stem}.pg*{path.suffix}")) + [p for p in drivers if p.exists()]


def check_file(
    path: Path,
    fresh: str,
    update: bool,
    major: int | None = None,
    shown_as: Path | None = None,
    driver: str | None = None,
) -> None:
    """Compare the captured file ``path`` with ``fresh``, or rewrite it when ``update``.

    On PostgreSQL ``major``, the file's variant for that version (``name.pg15.txt``) is the one
    compared when it exists: a version whose output differs keeps its own file, which the pages
    show in a tab of its own. Through a ``driver`` other than psycopg 3 (``PG_DRIVER``), the
    driver's variant (``name.asyncpg.txt``) is the one, the same way (driver sessions run on the
    reference version). Updating on another version or driver writes that variant, and removes it
    when the output no longer differs. ``shown_as`` is the file the pages include when ``path`` is
    a copy (the checker's own tests).
    """
    if driver is not None and driver in OTHER_DRIVERS:
        own: Path | None = variant(path, driver=driver)
    elif major is not None and major != REFERENCE_MAJOR:
        own = variant(path, major)
    else:
        own = None
    target = own if own is not None and own.exists() else path
    if update:
        base = path.read_text(encoding="utf-8") if path.exists() else None
        if own is None or base is None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(fresh, encoding="utf-8")
        elif fresh == base:
            own.unlink(missing_ok=True)
        else:
            own.write_text(fresh, encoding="utf-8")
        return
    captured = target.read_text(encoding="utf-8") if target.exists() else ""
    if captured == fresh:
        return
    name = relative(shown_as or target)
    pages = ", ".join(pages_including(shown_as or target)) or "no page"
    where = f" on PostgreSQL {major}" if major is not None else ""
    where += f" through {driver}" if driver is not None else ""
    diff = "".join(
        difflib.unified_diff(
            captured.splitlines(keepends=True), fresh.splitlines(keepends=True), f"{name} (captured)", "fresh run"
        )
    )
    raise AssertionError(
        f"{name}, shown on {pages}, differs from a fresh run{where}. "
        f"If the change is deliberate, rewrite it with: {update_command()}\n{diff}"
    )


# -- output written in a page (console blocks) ------------------------------------------------------
def _line_pattern(expected: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(part) for part in expected.split("...")) + r"\Z")


def matches(expected: list[str], actual: list[str]) -> bool:
    """``actual`` equals ``expected`` after normalising; in ``expected`` a line ``...`` matches any
    number of lines and ``...`` inside a line any text."""
    want = [normalize(line).rstrip() for line in expected]
    have = [normalize(line).rstrip() for line in actual]
    memo: dict[tuple[int, int], bool] = {}

    def walk(i: int, j: int) -> bool:
        if (i, j) not in memo:
            if i == len(want):
                memo[i, j] = j == len(have)
            elif want[i] == "...":
                memo[i, j] = any(walk(i + 1, k) for k in range(j, len(have) + 1))
            else:
                memo[i, j] = j < len(have) and bool(_line_pattern(want[i]).match(have[j])) and walk(i + 1, j + 1)
        return memo[i, j]

    return walk(0, 0)


def region_difference(page: Path, line: int, heading: str, expected: list[str], actual: list[str]) -> str | None:
    """None when ``actual`` matches the page's ``expected`` lines; else the report, page and line first."""
    if matches(expected, actual):
        return None
    diff = "\n".join(difflib.unified_diff(expected, actual, "page", "fresh run", lineterm=""))
    return f"{relative(page)}:{line}: {heading}\n{diff}"


def rewrite_regions(page: Path, regions: list[tuple[tuple[int, int], list[str]]]) -> None:
    """Replace the 0-based [start, end) line ranges of ``page`` with new lines (ranges may not overlap)."""
    lines = page.read_text(encoding="utf-8").splitlines()
    for (start, end), new in sorted(regions, reverse=True):
        lines[start:end] = new
    page.write_text("\n".join(lines) + "\n", encoding="utf-8")


def fail_with(problems: list[str]) -> None:
    """Fail the calling test with every difference and the command that rewrites them."""
    if problems:
        import pytest

        pytest.fail(
            "\n\n".join(problems) + f"\n\nIf the new output is right: {update_command()}",
            pytrace=False,
        )


# -- the checker's own tests --------------------------------------------------------------------------
def change_one_word(text: str) -> str:
    """``text`` with one word of its last line changed (the line a reader looks at first)."""
    lines = text.rstrip("\n").splitlines()
    for index in range(len(lines) - 1, -1, -1):
        words = lines[index].split(" ")
        for position in range(len(words) - 1, -1, -1):
            if words[position].isalpha():
                words[position] = "changed" if words[position] != "changed" else "altered"
                lines[index] = " ".join(words)
                return "\n".join(lines) + "\n"
    raise ValueError("no word to change")


def mismatch_message(path: Path, tmp: Path) -> str:
    """The failure a one-word change to the captured file ``path`` causes (compared in a temp copy)."""
    real = path.read_text(encoding="utf-8")
    copy = tmp / path.name
    copy.write_text(change_one_word(real), encoding="utf-8")
    try:
        check_file(copy, real, update=False, shown_as=path)
    except AssertionError as exc:
        return str(exc)
    raise AssertionError(f"a one-word change to {relative(path)} went unnoticed")
