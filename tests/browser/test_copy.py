"""The copy button of every code block, clicked in the browser, puts the right text on the clipboard.

Shell transcripts (console blocks, and text blocks that start with a ``$ `` command) copy their commands
only, one per line, so what is pasted into a shell runs the commands and nothing else. Every other block
copies exactly what the page shows, which for an included block is the snippet file's text (the included
section of it), byte for byte but for the trailing newline Material trims.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.browser.conftest import Log, Site, one_tab
from tests.browser.site import DOCS, code_blocks, url_path

if TYPE_CHECKING:  # playwright is imported by the fixtures, so that its absence is one skip line
    from playwright.sync_api import Browser, CDPSession, Page

#: Pages whose rendered blocks are not all fences of the page (mkdocstrings renders signatures as code).
GENERATED = {"reference.md"}

#: What a reader does first to see a block: open the collapsed admonitions around it, pick its tab.
REVEAL = """block => {
  for (let node = block; node; node = node.parentElement) {
    if (node.tagName === "DETAILS") node.open = true;
    if (node.classList.contains("tabbed-block")) {
      const index = [...node.parentElement.children].indexOf(node);
      const set = node.closest(".tabbed-set");
      const radio = [...set.children].filter(child => child.tagName === "INPUT")[index];
      set.querySelector(`label[for="${radio.id}"]`).click();
    }
  }
}"""
#: Then for a batch of blocks, in one call of the page's own script with a user's activation (what a click gives a
#: page: Chrome DevTools' Runtime.evaluate with userGesture), each block in turn: revealed, its copy button in the
#: middle of the window and the topmost element at the button's centre (what a reader's click would hit), the
#: clipboard emptied, the button clicked, the clipboard read. A real mouse click per block cost three round trips
#: and most of this file's time (2.6 times this on the enums page); a batch stays well within the activation's
#: few seconds.
COPY_EACH = f"""(async indexes => {{
  const blocks = [...document.querySelectorAll("div.highlight:has(> pre > code)")];
  const results = [];
  for (const index of indexes) {{
    const block = blocks[index];
    ({REVEAL})(block);
    const button = block.querySelector("button[data-md-type=copy]");
    button.scrollIntoView({{block: "center"}});
    const box = button.getBoundingClientRect();
    const hit = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
    await navigator.clipboard.writeText("");
    button.click();
    results.push([button.contains(hit), await navigator.clipboard.readText()]);
  }}
  return JSON.stringify(results);
}})"""
#: Blocks per call.
BATCH = 10

PAGES = sorted(p for p in DOCS.rglob("*.md") if p.relative_to(DOCS).as_posix() not in GENERATED and code_blocks(p))


def test_pages_with_code_blocks_are_found() -> None:
    assert len(PAGES) > 10
    transcripts = [b for p in PAGES for b in code_blocks(p) if b.is_transcript]
    assert any(b.expected_copy != b.content.rstrip() for b in transcripts), "no transcript with output to test"


@pytest.fixture(scope="module")
def tab(browser: Browser, site: Site, request_log: list[str]) -> Iterator[tuple[Page, Log, CDPSession]]:
    """One window allowed the clipboard, for every page of this module, and its DevTools session."""
    options = {"viewport": {"width": 1280, "height": 900}, "permissions": ["clipboard-read", "clipboard-write"]}
    with one_tab(browser, site, request_log, __name__, **options) as (page, log):
        yield page, log, page.context.new_cdp_session(page)


@pytest.mark.parametrize("md", PAGES, ids=[p.relative_to(DOCS).as_posix() for p in PAGES])
def test_copy_button_copies_commands_or_the_snippet(tab: tuple[Page, Log, CDPSession], site: Site, md: Path) -> None:
    page, log, cdp = tab
    log.errors.clear()
    page.goto(site.url(url_path(md)), wait_until="load")
    expected = code_blocks(md)
    rendered = page.locator("div.highlight:has(> pre > code)")
    assert rendered.count() == len(expected), (
        f"{md.relative_to(DOCS)}: {len(expected)} fences in the Markdown, {rendered.count()} code blocks on the page"
    )
    wrong: list[str] = []
    for first in range(0, len(expected), BATCH):
        indexes = list(range(first, min(first + BATCH, len(expected))))
        answer = cdp.send(
            "Runtime.evaluate",
            {
                "expression": f"{COPY_EACH}({json.dumps(indexes)})",
                "awaitPromise": True,
                "userGesture": True,
                "returnByValue": True,
            },
        )
        assert "exceptionDetails" not in answer, answer
        for index, (reachable, copied) in zip(indexes, json.loads(answer["result"]["value"]), strict=True):
            block = expected[index]
            if not reachable:
                wrong.append(f"{block.where}: its copy button is covered where a reader would click it")
            elif copied != block.expected_copy:
                kind = "commands only" if block.is_transcript else "the block's text"
                wrong.append(
                    f"{block.where} ({block.language}, should copy {kind}):\n"
                    f"  expected {block.expected_copy!r}\n  copied   {copied!r}"
                )
    assert wrong == [], "\n".join(wrong)
    assert log.errors == []
