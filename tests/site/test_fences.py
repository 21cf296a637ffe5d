"""No untested code on the site: every fence in docs/ is a checked console block, a tested file, or listed.

The rule is structural. A page ``docs/<dir>/<page>.md`` has its test module at
``tests/docs/<dir>/test_<page>.py`` (``PAGE`` names the page) and its files under
``snippets/<dir>/<page>/``. A fence passes when it is
- a console block: the page's test module has ``test_console_blocks``, and the files its
  declaration loads are the page's own, the shared data's or the example project's;
- only ``--8<--`` includes of the page's own files, of ``snippets/project/`` (run by every page
  and tests/test_project.py), of ``snippets/data/``, or of ``helpers/`` (tests/test_<module>.py);
- Python written inline on the page (```` ```python ````, not indented under an admonition or
  a tab): pytest-markdown-docs runs it (``nox -s markdown-docs``, tests/support/markdown_docs.py);
- marked not runnable with the class ``.not-runnable`` (a config fragment, your own server's
  settings), listed in NOT_RUNNABLE below, so adding one is a visible decision.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from types import ModuleType

import pytest

from tests.support.console import parse_page
from tests.support.fences import Fence, fences
from tests.support.markdown_docs import collected_lines
from tests.support.paths import (
    DOCS,
    HELPERS,
    PAGES_WITHOUT_OWN_TEST,
    PROJECT,
    ROOT,
    SHARED_DATA,
    SNIPPETS,
    page_key,
    page_test_file,
    pages,
    relative,
    snippet_dir,
)

NOT_RUNNABLE = {
    ("docs/index.md", "export PGHOST=db.internal PGPORT=5432 PGUSER=migrator PGDATABASE=security"),
    ("docs/monitoring.md", "[logger_alembic]"),
    ("docs/see-also/testing.md", "python3 -m pip install nox"),
    ("docs/see-also/testing.md", "alembic upgrade head && alembic downgrade base && alembic upgrade head"),
}
_SECTION = re.compile(r"[A-Za-z_][\w-]*")


def page_test_module(page: Path) -> ModuleType | None:
    """The page's test module, imported, or None when the file does not exist."""
    path = page_test_file(page)
    if not path.is_file():
        return None
    name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    return importlib.import_module(name)


def owned_by(page: Path, file: Path) -> bool:
    """True when ``file`` is the page's own, shared data, the example project or the helpers package."""
    return any(file.is_relative_to(base) for base in (snippet_dir(page), PROJECT, SHARED_DATA, HELPERS))


def fence_problems(page: Path, fence: Fence, module: ModuleType | None) -> list[str]:
    where = fence.where
    test = relative(page_test_file(page))
    if fence.is_console:
        return [] if module is not None and hasattr(module, "test_console_blocks") else [
            f"{where}: a console block, but {test} has no test_console_blocks"
        ]
    includes = fence.includes
    if includes is None and fence.line in collected_lines(fence.page):
        return []  # inline Python: pytest-markdown-docs runs it
    if includes is None:
        return [
            f"{where}: a ```{fence.info or '(no language)'} block that no test runs; include it from a "
            "tested file under snippets/ (--8<--), make it a console block, write it as ```python at the "
            "left margin (pytest-markdown-docs runs it), or mark it {.LANG .not-runnable}"
        ]
    found = []
    for match in includes:
        path, section = match["path"], match["section"]
        file = next((base / path for base in (SNIPPETS, HELPERS) if (base / path).is_file()), None)
        if file is None:
            found.append(f"{where}: includes {path!r}, which is not a file under snippets/ or helpers/")
        elif not owned_by(page, file):
            own = relative(snippet_dir(page))
            found.append(f"{where}: includes {path!r}; a page shows its own files, under {own}/")
        elif module is None and not file.is_relative_to(HELPERS):
            found.append(f"{where}: includes {path!r}, but the page's test {test} does not exist")
        if section and not _SECTION.fullmatch(section):
            found.append(f"{where}: includes {path!r} by line numbers; use a named section")
    return found


def problems() -> tuple[list[str], set[tuple[str, str]]]:
    found: list[str] = []
    marked: set[tuple[str, str]] = set()
    for page in pages():
        module = page_test_module(page)
        if module is not None and page not in getattr(module, "PAGES", [getattr(module, "PAGE", None)]):
            found.append(f"{relative(page_test_file(page))}: PAGE is not {relative(page)}")
        for block in parse_page(page):  # well formed, or this raises naming the line
            found += [
                f"{block.where}: loads {name!r}, not a file of this page, the shared data or the project"
                for name in block.files()
                if not owned_by(page, SNIPPETS / name)
            ]
        for fence in fences(page):
            if ".not-runnable" in fence.info.split():
                marked.add((relative(page), fence.content[0] if fence.content else ""))
            else:
                found += fence_problems(page, fence, module)
    return found, marked


def test_every_fence_is_tested_or_listed_as_not_runnable() -> None:
    found, marked = problems()
    assert found == [], "\n".join(found)
    assert marked == NOT_RUNNABLE, "update NOT_RUNNABLE in tests/site/test_fences.py to list exactly these"


@pytest.mark.parametrize("page", [p for p in pages() if p.name not in PAGES_WITHOUT_OWN_TEST or p.parent != DOCS],
                         ids=page_key)
def test_every_page_has_its_test_module(page: Path) -> None:
    module = page_test_module(page)
    assert module is not None, f"{relative(page)} has no test: write {relative(page_test_file(page))}"
    assert any(name.startswith("test_") for name in vars(module)), f"{relative(page_test_file(page))} has no test"


def test_every_snippet_folder_belongs_to_a_page() -> None:
    shared = {PROJECT, SHARED_DATA}
    folders = {p.parent for p in SNIPPETS.rglob("*") if p.is_file() and p.name != "README.md"}
    keys = {page_key(p) for p in pages()}
    strays = [
        relative(folder)
        for folder in folders
        if not any(folder.is_relative_to(base) for base in shared)
        and not any(folder.is_relative_to(SNIPPETS / key) for key in keys)
    ]
    assert strays == []


def test_an_untested_block_and_a_foreign_include_are_reported_with_page_and_line(tmp_path: Path) -> None:
    page = DOCS / "failures" / "duplicate-key.md"
    bare = tmp_path / "page.md"
    bare.write_text("# A page\n\n```python\nprint('hello')\n```\n")
    (only,) = fences(bare)
    assert fence_problems(page, only, None) == []  # inline Python: pytest-markdown-docs runs it
    indented = tmp_path / "indented.md"
    indented.write_text("# A page\n\n!!! note\n\n    ```python\n    print('hello')\n    ```\n")
    (hidden,) = fences(indented)
    assert fence_problems(page, hidden, None)[0].endswith(
        "a ```python block that no test runs; include it from a tested file under snippets/ (--8<--), make it "
        "a console block, write it as ```python at the left margin (pytest-markdown-docs runs it), or mark it "
        "{.LANG .not-runnable}"
    )
    assert hidden.where.endswith("indented.md:5")
    assert only.where.endswith("page.md:3")
    foreign = tmp_path / "foreign.md"
    foreign.write_text('```python\n--8<-- "helpers/savepoints/case_duplicate_emails.sql"\n```\n')
    (include,) = fences(foreign)
    (problem,) = fence_problems(page, include, page_test_module(page))
    assert "a page shows its own files, under snippets/failures/duplicate-key/" in problem


def test_every_version_variant_is_shown_where_its_base_is() -> None:
    """A captured file that differs on a PostgreSQL version (``upgrade.pg15.txt``) or through a
    driver (``upgrade.asyncpg.txt``) is on every page that shows ``upgrade.txt``: the reader on 15,
    or on asyncpg, sees what they will get."""
    from tests.support.snapshots import is_variant, pages_including, variants

    missing = [
        f"{page} shows {relative(base)} but not {relative(other)}"
        for base in SNIPPETS.rglob("*.txt")
        if not is_variant(base)
        for other in variants(base)
        for page in pages_including(base)
        if page not in pages_including(other)
    ]
    assert missing == []
