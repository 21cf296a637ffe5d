"""Where things are, and how a page's path leads to its files and its test.

``docs/<dir>/<page>.md`` has its test at ``tests/docs/<dir>/test_<page with - as _>.py`` and the
files only it shows under ``snippets/<dir>/<page>/``; ``snippets/project/`` is the example project
every page runs, ``snippets/data/`` data several pages share.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
SNIPPETS = ROOT / "snippets"
PROJECT = SNIPPETS / "project"
SHARED_DATA = SNIPPETS / "data"
HELPERS = ROOT / "helpers"

#: Pages whose test lives elsewhere: the API reference (tests/test_reference.py) and the
#: corrections table, whose every row names the test that proves it.
PAGES_WITHOUT_OWN_TEST = {"reference.md", "corrections.md"}
#: Folders whose pages are made from data (one page per SQLSTATE class, from helpers/sqlstate_classes.py and the
#: failure catalog): every page of the folder has one test module, the folder index's (``test_index.py``), which
#: names them all in ``PAGES`` and holds each equal to the data.
GENERATED_FOLDERS = {"failures/classes"}


def relative(path: Path) -> str:
    """``path`` relative to the repository, as messages show it."""
    try:
        return path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)


def page(name: str) -> Path:
    """The page ``docs/<name>.md``, e.g. ``page("failures/duplicate-key")``."""
    path = DOCS / f"{name}.md"
    if not path.is_file():
        raise FileNotFoundError(f"no page docs/{name}.md")
    return path


def page_key(page_path: Path) -> str:
    """``failures/duplicate-key`` for ``docs/failures/duplicate-key.md``."""
    return page_path.resolve().relative_to(DOCS).with_suffix("").as_posix()


def snippet_dir(page_path: Path) -> Path:
    """The folder of the files only this page shows: ``snippets/<dir>/<page>/``."""
    return SNIPPETS / page_key(page_path)


def page_test_file(page_path: Path) -> Path:
    """The page's test file: ``tests/docs/<dir>/test_<page with - as _>.py`` (a generated folder's index's)."""
    key = Path(page_key(page_path))
    if key.parent.as_posix() in GENERATED_FOLDERS:
        return ROOT / "tests" / "docs" / key.parent / "test_index.py"
    return ROOT / "tests" / "docs" / key.parent / f"test_{key.name.replace('-', '_')}.py"


def pages() -> list[Path]:
    """Every page of the guide."""
    return sorted(DOCS.rglob("*.md"))
