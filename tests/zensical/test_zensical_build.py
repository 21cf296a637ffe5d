"""The guide builds with Zensical (Material for MkDocs' successor) from the same mkdocs.yml, with the same content.

``nox -s docs-zensical`` runs this file. It compares the Zensical build with ``mkdocs build --strict``:
the same pages, and on every page the same code blocks, text for text (includes of named snippet
sections, line ranges and the mkdocstrings API reference all show up there). A difference fails the
test and names the page and the block. Without Zensical installed the tests skip with one line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import pytest

from tests.browser.site import build_mkdocs
from tests.zensical.compare import build_zensical, code_blocks, pages, zensical_command

if zensical_command() is None:
    pytest.skip(
        "zensical not installed: nox -s docs-zensical, or pip install -e '.[zensical]'", allow_module_level=True
    )


@dataclass
class Builds:
    mkdocs: Path
    zensical: Path
    zensical_output: str


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Builds]:
    work = tmp_path_factory.mktemp("zensical")
    site, output = build_zensical(work)
    mkdocs_site = tmp_path_factory.mktemp("mkdocs") / "site"
    build_mkdocs(mkdocs_site)
    yield Builds(mkdocs_site, site, output)


def test_zensical_builds_strict_without_issues(builds: Builds) -> None:
    print(f"zensical {version('zensical')}: {builds.zensical_output.strip()}")
    assert "No issues found" in builds.zensical_output, builds.zensical_output


def test_same_pages(builds: Builds) -> None:
    ours, theirs = set(pages(builds.mkdocs)), set(pages(builds.zensical))
    assert len(ours) > 20
    assert sorted(ours - theirs) == [], "pages only MkDocs builds"
    assert sorted(theirs - ours) == [], "pages only Zensical builds"


def test_same_code_blocks_on_every_page(builds: Builds) -> None:
    differences: list[str] = []
    compared = 0
    for path in pages(builds.mkdocs):
        ours = code_blocks(builds.mkdocs / path / "index.html")
        theirs = code_blocks(builds.zensical / path / "index.html")
        compared += len(ours)
        if len(ours) != len(theirs):
            differences.append(f"/{path}: {len(ours)} code blocks with MkDocs, {len(theirs)} with Zensical")
            continue
        for index, (mine, other) in enumerate(zip(ours, theirs, strict=True)):
            if mine != other:
                differences.append(
                    f"/{path}: block {index + 1}:\n  mkdocs   {mine[:200]!r}\n  zensical {other[:200]!r}"
                )
    print(f"{compared} code blocks compared on {len(pages(builds.mkdocs))} pages")
    assert compared > 100
    assert differences == [], "Zensical shows different code:\n" + "\n".join(differences)


def test_zensical_site_loads_nothing_from_other_hosts(builds: Builds) -> None:
    """No <script src> or stylesheet from another host (fonts included: mkdocs.yml sets font: false)."""
    outside = re.compile(r'<(?:script|link)\b[^>]*\b(?:src|href)="(?:https?:)?//[^"]+"')
    found = {
        f"{html.relative_to(builds.zensical)}: {match}"
        for html in builds.zensical.rglob("*.html")
        for match in outside.findall(html.read_text(encoding="utf-8"))
    }
    assert sorted(found) == []
