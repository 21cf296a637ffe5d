"""The guide as built: build it, serve it on loopback, and say what each code block's copy button should copy.

Shared by the browser tests and the Zensical comparison. No browser is needed here.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.fences import fences

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
SNIPPET_BASES = (ROOT / "snippets", ROOT / "helpers")  # mkdocs.yml: pymdownx.snippets base_path
ARTIFACTS = ROOT / "artifacts"

_INCLUDE = re.compile(r'^--8<--\s+"(?P<spec>[^"]+)"\s*$')
_SECTION_MARK = re.compile(r"--8<--\s+\[(?P<kind>start|end):(?P<name>[^\]]+)\]")


def build_mkdocs(site_dir: Path) -> None:
    """``mkdocs build --strict`` of the working tree into ``site_dir``; raises with mkdocs' output on failure."""
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)],
        cwd=ROOT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        raise RuntimeError(f"mkdocs build --strict failed:\n{result.stdout}{result.stderr}")


def page_paths(site_dir: Path) -> list[str]:
    """The URL path of every page of a built site (``""`` for the home page, ``"failures/duplicate-key/"`` ...)."""
    found = []
    for html in site_dir.rglob("index.html"):
        rel = html.parent.relative_to(site_dir).as_posix()
        found.append("" if rel == "." else f"{rel}/")
    return sorted(found)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve(site_dir: Path) -> Iterator[str]:
    """Serve ``site_dir`` on 127.0.0.1 on a free port in a thread; yields the base URL (ending in ``/``)."""
    handler = functools.partial(_QuietHandler, directory=str(site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


# --- what a page's code blocks hold, from the Markdown source -------------------------------------------------


@dataclass(frozen=True)
class CodeBlock:
    """A fenced block of a page: where it is, its language, and what its copy button should put on the clipboard."""

    where: str  # docs/page.md:LINE
    language: str
    content: str  # the text the block shows (includes resolved)
    includes_only: bool  # every content line is a --8<-- include

    @property
    def is_transcript(self) -> bool:
        """A shell transcript: a console block, or a text block whose first line is a ``$ `` command."""
        first = next((line for line in self.content.splitlines() if line.strip()), "")
        return self.language == "console" or (self.language == "text" and first.startswith("$ "))

    @property
    def expected_copy(self) -> str:
        """Transcripts: the commands without ``$ `` and without output. Others: the text as shown.

        Material trims trailing whitespace from what it copies, so the expectation does too.
        """
        if self.is_transcript:
            return "\n".join(line[2:] for line in self.content.splitlines() if line.startswith("$ ")).rstrip()
        return self.content.rstrip()


def _language(info: str) -> str:
    words = info.strip().strip("{}").split()
    return words[0].lstrip(".") if words else ""


def _find_snippet(path: str) -> Path:
    for base in SNIPPET_BASES:
        if (base / path).is_file():
            return base / path
    raise FileNotFoundError(f"snippet {path!r} not found under {[str(b) for b in SNIPPET_BASES]}")


def resolve_include(spec: str) -> str:
    """The text pymdownx.snippets puts in place of ``--8<-- "spec"`` (with ``dedent_subsections: true``)."""
    path, _, selector = spec.partition(":")
    lines = _find_snippet(path).read_text(encoding="utf-8").splitlines(keepends=True)
    if not selector:
        chosen, dedent = lines, False
    elif re.fullmatch(r"\d+(:\d+)?", selector):
        start, _, end = selector.partition(":")
        chosen, dedent = lines[int(start) - 1 : int(end) if end else None], True
    else:
        inside, chosen, dedent = False, [], True
        for line in lines:
            mark = _SECTION_MARK.search(line)
            if mark and mark["name"] == selector:
                if mark["kind"] == "end" and inside:
                    break
                inside = mark["kind"] == "start"
                continue
            if inside:
                chosen.append(line)
    chosen = [line for line in chosen if not _SECTION_MARK.search(line)]
    text = "".join(chosen)
    return textwrap.dedent(text) if dedent else text


def code_blocks(page: Path) -> list[CodeBlock]:
    """Every fenced code block of a Markdown page, in page order, includes resolved."""
    lines = page.read_text(encoding="utf-8").splitlines()
    blocks: list[CodeBlock] = []
    for fence in fences(page):
        indent = fence.indent
        body = [line[len(indent) :] if line.startswith(indent) else line.lstrip() for line in lines[slice(*fence.body)]]
        includes = [_INCLUDE.match(line) for line in fence.content]
        only = bool(includes) and all(includes)
        shown = "".join(resolve_include(m["spec"]) for m in includes if m) if only else "\n".join(body) + "\n"
        blocks.append(CodeBlock(fence.where, _language(fence.info), shown, only))
    return blocks


def url_path(page: Path) -> str:
    """The URL path of a docs/ page with ``use_directory_urls: true``."""
    rel = page.relative_to(DOCS).with_suffix("")
    if rel.name == "index":
        rel = rel.parent
    return "" if rel.as_posix() == "." else f"{rel.as_posix()}/"
