"""The copy button of every code block, clicked in the browser, puts the right text on the clipboard.

Shell transcripts (console blocks, and text blocks that start with a ``$ `` command) copy their commands
only, one per line, so what is pasted into a shell runs the commands and nothing else. Every other block
copies exactly what the page shows, which for an included block is the snippet file's text (the included
section of it), byte for byte but for the trailing newline Material trims.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import NewContext, Site
from tests.browser.site import DOCS, code_blocks, url_path

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
#: Then, in the same call: the clipboard emptied, the block's copy button in the middle of the window, and where
#: it is. The click itself is the mouse's (a real one: the page sees a trusted click), at that point; one round
#: trip instead of Playwright's checks before a click (visible, stable over two frames, not covered), a third
#: of this file's time.
READY = f"""block => {{
  ({REVEAL})(block);
  const button = block.querySelector("button[data-md-type=copy]");
  button.scrollIntoView({{block: "center"}});
  const box = button.getBoundingClientRect();
  return navigator.clipboard.writeText("").then(() => [box.x + box.width / 2, box.y + box.height / 2]);
}}"""

PAGES = sorted(
    p for p in DOCS.rglob("*.md") if p.relative_to(DOCS).as_posix() not in GENERATED and code_blocks(p)
)


def test_pages_with_code_blocks_are_found() -> None:
    assert len(PAGES) > 10
    transcripts = [b for p in PAGES for b in code_blocks(p) if b.is_transcript]
    assert any(b.expected_copy != b.content.rstrip() for b in transcripts), "no transcript with output to test"


@pytest.mark.parametrize("md", PAGES, ids=[p.relative_to(DOCS).as_posix() for p in PAGES])
def test_copy_button_copies_commands_or_the_snippet(new_context: NewContext, site: Site, md: Path) -> None:
    context, log = new_context(
        viewport={"width": 1280, "height": 900}, permissions=["clipboard-read", "clipboard-write"]
    )
    page = context.new_page()
    page.goto(site.url(url_path(md)), wait_until="load")
    expected = code_blocks(md)
    rendered = page.locator("div.highlight:has(> pre > code)")
    assert rendered.count() == len(expected), (
        f"{md.relative_to(DOCS)}: {len(expected)} fences in the Markdown, {rendered.count()} code blocks on the page"
    )
    wrong: list[str] = []
    for index, block in enumerate(expected):
        x, y = rendered.nth(index).evaluate(READY)
        page.mouse.click(x, y)
        copied = page.evaluate("navigator.clipboard.readText()")
        if copied != block.expected_copy:
            kind = "commands only" if block.is_transcript else "the block's text"
            wrong.append(f"{block.where} ({block.language}, should copy {kind}):\n"
                         f"  expected {block.expected_copy!r}\n  copied   {copied!r}")
    assert wrong == [], "\n".join(wrong)
    assert log.errors == []
