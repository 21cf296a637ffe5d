"""Build the guide with Zensical and compare it with the MkDocs build: pages, and each page's code blocks."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

from tests.browser.site import ROOT, page_paths

#: What a Zensical build needs from the working tree (mkdocs.yml paths are relative to it).
SOURCES = ("mkdocs.yml", "docs", "snippets", "helpers")


def zensical_command() -> list[str] | None:
    """How to run Zensical from this interpreter, or None when it is not installed."""
    zensical = shutil.which("zensical", path=str(Path(sys.executable).parent)) or shutil.which("zensical")
    return [zensical] if zensical else None


def build_zensical(workdir: Path) -> tuple[Path, str]:
    """``zensical build --strict`` of a copy of the working tree in ``workdir``; returns (site dir, its output).

    A copy, because Zensical has no option for the output folder and keeps a cache next to mkdocs.yml.
    Raises RuntimeError with Zensical's output when the build fails.
    """
    command = zensical_command()
    if command is None:
        raise RuntimeError("zensical is not installed")
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, workdir / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, workdir / name)
    result = subprocess.run([*command, "build", "--strict"], cwd=workdir, capture_output=True, text=True, timeout=300)
    output = result.stdout + result.stderr
    if result.returncode != 0:
        raise RuntimeError(f"zensical build --strict failed (exit {result.returncode}):\n{output}")
    return workdir / "site", output


class _CodeBlocks(HTMLParser):
    """The text of every ``<pre><code>`` in a page's main content, and the ids of headings."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self._pre = 0
        self._code: list[str] | None = None
        self._skip = 0  # inside a <nav> or <button> in a code block (Material's copy button)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "pre":
            self._pre += 1
        elif tag == "code" and self._pre and self._code is None:
            self._code = []
        elif tag in {"nav", "button"} and self._pre:
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "pre":
            self._pre -= 1
        elif tag == "code" and self._code is not None and self._pre:
            self.blocks.append("".join(self._code))
            self._code = None
        elif tag in {"nav", "button"} and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if self._code is not None and not self._skip:
            self._code.append(data)


def code_blocks(html: Path) -> list[str]:
    """The text of each code block of a built page, in order, trailing whitespace removed."""
    parser = _CodeBlocks()
    parser.feed(html.read_text(encoding="utf-8"))
    return [re.sub(r"\s+$", "", block) for block in parser.blocks]


def pages(site: Path) -> list[str]:
    return page_paths(site)
