"""The one Markdown fence parser of the test suite: console blocks, the fence walker and the browser tests use it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from tests.support.paths import relative

_FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})\s*(?P<info>.*)$")
#: A pymdownx.snippets include line: ``--8<-- "path"`` or ``--8<-- "path:section"``.
INCLUDE = re.compile(r'^--8<--\s+"(?P<path>[^":]+)(?::(?P<section>[^"]+))?"\s*$')


@dataclass(frozen=True)
class Fence:
    """A fenced code block of a page: where it opens, its info string, its content lines."""

    page: Path
    line: int  # 1-based line of the opening fence
    indent: str
    info: str
    body: tuple[int, int]  # 0-based [start, end) of the content lines
    content: tuple[str, ...]  # the non-blank content lines, stripped

    @property
    def where(self) -> str:
        return f"{relative(self.page)}:{self.line}"

    @property
    def is_console(self) -> bool:
        """True for the console language (``console`` or ``{.console ...}``)."""
        words = self.info.strip().strip("{}").split()
        return bool(words) and words[0].lstrip(".") == "console"

    @property
    def includes(self) -> list[re.Match[str]] | None:
        """The include lines when the block holds only includes, else None."""
        found = [INCLUDE.match(line) for line in self.content]
        return [m for m in found if m] if self.content and all(found) else None


def fences(page: Path) -> list[Fence]:
    """Every fenced block of ``page``, in order."""
    lines = page.read_text(encoding="utf-8").splitlines()
    found: list[Fence] = []
    i = 0
    while i < len(lines):
        match = _FENCE.match(lines[i])
        if not match:
            i += 1
            continue
        close = re.compile(rf"^\s*{re.escape(match['fence'][0])}{{{len(match['fence'])},}}\s*$")
        end = i + 1
        while end < len(lines) and not close.match(lines[end]):
            end += 1
        content = tuple(line.strip() for line in lines[i + 1 : end] if line.strip())
        found.append(Fence(page, i + 1, match["indent"], match["info"].strip(), (i + 1, end), content))
        i = end + 1
    return found
