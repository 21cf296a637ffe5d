"""No untested code on the site: every fence in docs/ is a tested file, a checked console block, or listed.

A fence passes when it is
- a console block with a declaration (tests/test_console_blocks.py runs it), or
- only ``--8<--`` includes of files that tests run: ``snippets/project/`` (the example project, run
  by tests/test_project.py and the console blocks), ``helpers/`` (its own tests),
  ``snippets/scenarios/NAME/`` (tests/scenarios/test_NAME.py), ``snippets/guide/`` files named
  by a test or by a console block's declaration; or
- marked not runnable with the class ``.not-runnable`` (a config fragment, your own server's
  settings); these are listed in NOT_RUNNABLE below, so adding one is a visible decision.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.console_blocks import DOCS, ROOT, SNIPPETS, fences, is_console_info, parse_page, relative

_INCLUDE = re.compile(r'^--8<--\s+"(?P<path>[^":]+)(?::(?P<section>[^"]+))?"\s*$')

NOT_RUNNABLE = {
    ("docs/index.md", "export PGHOST=db.internal PGPORT=5432 PGUSER=migrator PGDATABASE=security"),
    ("docs/monitoring.md", "[logger_alembic]"),
    ("docs/see-also/testing.md", "python3 -m pip install nox"),
    ("docs/see-also/testing.md", "alembic upgrade head && alembic downgrade base && alembic upgrade head"),
}


def _test_sources() -> str:
    texts = [p.read_text(encoding="utf-8") for p in (ROOT / "tests").rglob("*.py")]
    texts += [
        line
        for p in DOCS.rglob("*.md")
        for line in p.read_text(encoding="utf-8").splitlines()
        if line.lstrip().startswith("<!-- console:")
    ]
    return "\n".join(texts)


def include_problem(path: str, tested: str) -> str | None:
    """Why including ``path`` doesn't count as tested, or None when it does."""
    file = next((base / path for base in (SNIPPETS, ROOT / "helpers") if (base / path).is_file()), None)
    if file is None:
        return f"includes {path!r}, which is not a file under snippets/ or helpers/"
    parts = file.relative_to(ROOT).parts
    if parts[0] == "helpers" or parts[:2] == ("snippets", "project"):
        return None
    if parts[:2] == ("snippets", "scenarios"):
        test = ROOT / "tests" / "scenarios" / f"test_{parts[2].replace('-', '_')}.py"
        return None if test.is_file() else f"includes {path!r}, but {relative(test)} does not exist"
    folders = [part for part in parts[2:-1] if part not in {"versions", "data"}]
    if file.name in tested or any(f'"{folder}"' in tested for folder in folders):
        return None
    return f"includes {path!r}, which no test names"


def problems() -> tuple[list[str], set[tuple[str, str]]]:
    tested = _test_sources()
    found: list[str] = []
    marked: set[tuple[str, str]] = set()
    for page in sorted(DOCS.rglob("*.md")):
        parse_page(page)  # console blocks: declared and well formed, or this raises naming the line
        for fence in fences(page):
            if is_console_info(fence.info):
                continue
            if ".not-runnable" in fence.info.split():
                marked.add((relative(page), fence.content[0] if fence.content else ""))
                continue
            includes = [_INCLUDE.match(line) for line in fence.content]
            if fence.content and all(includes):
                found += [
                    f"{fence.where}: includes {m['path']!r} by line numbers; use a named section"
                    for m in includes
                    if m and m["section"] and not re.fullmatch(r"[A-Za-z_][\w-]*", m["section"])
                ]
                found += [f"{fence.where}: {p}" for m in includes if m and (p := include_problem(m["path"], tested))]
                continue
            found.append(
                f"{fence.where}: a ```{fence.info or '(no language)'} block that no test runs; include it from a "
                "tested file under snippets/ (--8<--), make it a console block, or mark it {.LANG .not-runnable}"
            )
    return found, marked


def test_every_fence_is_tested_or_listed_as_not_runnable() -> None:
    found, marked = problems()
    assert found == [], "\n".join(found)
    assert marked == NOT_RUNNABLE, "update NOT_RUNNABLE in tests/docs/test_fences.py to list exactly these"


def test_an_untested_python_block_is_reported_with_page_and_line(tmp_path: Path, monkeypatch: object) -> None:
    page = tmp_path / "page.md"
    page.write_text("# A page\n\n```python\nprint('hello')\n```\n")
    (only,) = fences(page)
    tested = _test_sources()
    assert not all(_INCLUDE.match(line) for line in only.content)
    assert only.where.endswith("page.md:3")
    assert include_problem("guide/no_such_file.py", tested) is not None
    assert include_problem("guide/savepoint_keep_step1.py", tested) is None
