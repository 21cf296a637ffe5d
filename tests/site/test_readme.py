"""README.md for users, CONTRIBUTING.md and benchmarks/README.md for the rest: short, true and linked.

The README stays under 250 lines; its quick start is what CI runs; every block of code or output it shows is a
file a test runs (named just before the block); every command example parses; every relative link of the three
files resolves to a file, and an ``#anchor`` into a page of the guide to one of its headings.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from helpers.tools.cli import parser
from tests.support.paths import ROOT

README = ROOT / "README.md"
PROSE = (README, ROOT / "CONTRIBUTING.md", ROOT / "benchmarks" / "README.md")
FENCE = re.compile(r"^(?P<indent> *)```(?P<lang>\w*)\n(?P<body>.*?)^(?P=indent)```$", re.M | re.S)
#: [text](target): a target that is neither a URL nor a bare anchor is a path relative to the file.
LINK = re.compile(r"\[[^\]]*\]\((?P<target>[^)\s]+)\)")


def blocks(text: str) -> list[re.Match[str]]:
    return list(FENCE.finditer(text))


def test_the_readme_is_short() -> None:
    lines = README.read_text(encoding="utf-8").count("\n")
    assert lines < 250, f"README.md has {lines} lines: keep it for users, the rest goes to CONTRIBUTING.md"


def test_the_quick_start_is_what_ci_runs() -> None:
    text = README.read_text(encoding="utf-8")
    (quick,) = [b for b in blocks(text) if "nox -s serve" in b["body"]]
    commands = [line.split("#")[0].strip() for line in quick["body"].splitlines()]
    assert commands == ["python3 -m pip install nox && nox -s serve", "python3 -m pip install nox uv && nox"]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "python3 -m pip install -q nox uv && nox " in ci  # the README's test command, quietly


def test_every_code_block_is_a_tested_file() -> None:
    """A python or console block equals the file the sentence before it names (`snippets/...`)."""
    text = README.read_text(encoding="utf-8")
    shown = [b for b in blocks(text) if b["lang"] in ("python", "console")]
    assert shown
    for block in shown:
        before = text[: block.start()].rstrip("\n").rsplit("\n\n", 1)[-1]
        named = re.findall(r"`(snippets/[^`]+\.(?:py|txt))`", before)
        assert named, f"the paragraph before the block at offset {block.start()} names no snippets/ file"
        assert block["body"] == (ROOT / named[-1]).read_text(encoding="utf-8"), f"README.md differs from {named[-1]}"


def test_every_command_example_parses() -> None:
    text = README.read_text(encoding="utf-8")
    examples = [
        line.split("#")[0].strip()
        for block in blocks(text)
        for line in block["body"].splitlines()
        if line.startswith("python -m helpers ")
    ]
    commands = {example.split()[3] for example in examples}
    assert {"rehearse", "compare", "stamp", "history", "identify", "lint", "explain"} <= commands
    for example in examples:
        parser().parse_args(shlex.split(example)[3:])  # a bad one exits 2 with one sentence


def _anchors(page: Path) -> set[str]:
    """The ids of a page's headings: MkDocs' (toc's slugify, or an explicit ``{#id}``), which GitHub's match."""
    text = page.read_text(encoding="utf-8")
    explicit = set(re.findall(r"\{#([\w-]+)\}", text))
    headings = re.findall(r"^#+\s+(.*?)(?:\s*\{#[\w-]+\})?$", text, re.M)
    return explicit | {re.sub(r"[-\s]+", "-", re.sub(r"[^\w\s-]", "", h).strip().lower()) for h in headings}


@pytest.mark.parametrize("prose", PROSE, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_relative_link_resolves(prose: Path) -> None:
    text = FENCE.sub("", prose.read_text(encoding="utf-8"))
    broken = []
    for target in (m["target"] for m in LINK.finditer(text)):
        if re.match(r"[a-z]+:", target):
            continue
        path, _, anchor = target.partition("#")
        file = (prose.parent / path).resolve() if path else prose
        if not file.exists() or (anchor and file.suffix == ".md" and anchor not in _anchors(file)):
            broken.append(target)
    assert broken == [], f"{prose.relative_to(ROOT)}: links that resolve to nothing: {broken}"
