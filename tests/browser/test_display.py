"""Both colour schemes render, and a failure page works on a phone (375 px wide)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.browser.conftest import SCREENSHOTS, NewContext, Site

if TYPE_CHECKING:  # playwright is imported by the fixtures, so that its absence is one skip line
    from playwright.sync_api import Page

FAILURE_PAGE = "failures/duplicate-key/"


def _background(page: Page) -> str:
    return str(page.evaluate("getComputedStyle(document.body).backgroundColor"))


def test_light_and_dark_palettes_render_and_toggle(new_context: NewContext, site: Site) -> None:
    context, log = new_context(viewport={"width": 1280, "height": 900}, color_scheme="light")
    page = context.new_page()
    page.goto(site.url(FAILURE_PAGE), wait_until="load")
    body = page.locator("body")
    assert body.get_attribute("data-md-color-scheme") == "default"
    light = _background(page)
    page.locator("form[data-md-component=palette] label:visible").click()  # "Switch to dark mode"
    assert body.get_attribute("data-md-color-scheme") == "slate"
    dark = _background(page)
    assert light != dark, f"the page background did not change: {light}"
    text = page.evaluate("getComputedStyle(document.querySelector('.md-typeset')).color")
    assert text != dark, "dark scheme: text in the background colour"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "failures-duplicate-key-dark.png")
    page.locator("form[data-md-component=palette] label:visible").click()  # back: "Switch to light mode"
    assert body.get_attribute("data-md-color-scheme") == "default"
    assert _background(page) == light
    assert log.errors == []


def test_dark_scheme_follows_the_system_setting(new_context: NewContext, site: Site) -> None:
    context, log = new_context(viewport={"width": 1280, "height": 900}, color_scheme="dark")
    page = context.new_page()
    page.goto(site.url(), wait_until="load")
    assert page.locator("body").get_attribute("data-md-color-scheme") == "slate"
    assert log.errors == []


#: Output blocks: console blocks and text blocks (captured runs). At a phone's width they wrap.
OUTPUT_BLOCKS = "div.highlight.language-console, div.highlight.language-text"
#: Open the collapsed admonitions around a block and pick its tab, as a reader does to see it.
REVEAL = """block => {
  for (let node = block; node; node = node.parentElement) {
    if (node.tagName === "DETAILS") node.open = true;
    if (node.classList.contains("tabbed-block")) {
      const index = [...node.parentElement.children].indexOf(node);
      const set = node.closest(".tabbed-set");
      const radio = [...set.children].filter(child => child.tagName === "INPUT")[index];
      radio.checked = true;
    }
  }
}"""
#: Each line of the block's text that does not fit its box: a line wider than the <code>'s visible width.
OVERFLOWING_LINES = r"""code => {
  const box = code.getBoundingClientRect();
  const style = getComputedStyle(code);
  const right = box.right - parseFloat(style.paddingRight) - parseFloat(style.borderRightWidth) + 0.5;
  const wide = [];
  const range = document.createRange();
  const walker = document.createTreeWalker(code, NodeFilter.SHOW_TEXT);
  const past = () => [...range.getClientRects()].some(rect => rect.width > 0 && rect.right > right);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    range.selectNodeContents(node);
    if (!past()) continue;
    // A space where a wrapped line breaks may hang past the edge; a visible character may not.
    for (let i = 0; i < node.textContent.length; i++) {
      if (/\s/.test(node.textContent[i])) continue;
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      if (past()) { wide.push(node.textContent.slice(0, 80)); break; }
    }
  }
  return {wide: wide.slice(0, 5), scroll: code.scrollWidth, client: code.clientWidth};
}"""
PHONE_PAGES = ("failures/duplicate-key/", "failures/connection-lost/")


def test_phone_width_output_blocks_wrap_so_no_line_overflows(new_context: NewContext, site: Site) -> None:
    """At 375 px every line of a console block or a captured run reads without scrolling sideways."""
    context, log = new_context(
        viewport={"width": 375, "height": 812}, device_scale_factor=2, is_mobile=True, has_touch=True,
        permissions=["clipboard-read", "clipboard-write"],
    )
    page = context.new_page()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    checked = 0
    for path in PHONE_PAGES:
        page.goto(site.url(path), wait_until="load")
        blocks = page.locator(OUTPUT_BLOCKS)
        assert blocks.count() > 0, path
        for index in range(blocks.count()):
            block = blocks.nth(index)
            block.evaluate(REVEAL)
            code = block.locator("pre > code")
            found = code.evaluate(OVERFLOWING_LINES)
            assert found["wide"] == [] and found["scroll"] <= found["client"], (
                f"{path} output block {index}: lines run past the right edge of the box: {found}"
            )
            checked += 1
        # Wrapped on screen, copied as it is: the failed run's transcript copies its one command.
        first = page.locator("div.highlight.language-text", has_text="ERROR - Migration failed").first
        first.evaluate(REVEAL)
        page.evaluate("navigator.clipboard.writeText('')")
        first.locator("button[data-md-type=copy]").click()
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied in ("alembic upgrade head", "alembic -x lock_timeout=1min upgrade head"), copied
        name = path.strip("/").replace("/", "-")
        page.goto(site.url(path), wait_until="load")
        page.locator("text=ERROR - Migration failed").first.scroll_into_view_if_needed()
        page.screenshot(path=SCREENSHOTS / f"phone-{name}-diagnosis.png", animations="disabled")  # header settled
    assert checked > 10
    assert log.errors == []


def test_phone_width_drawer_opens_and_commands_fit(new_context: NewContext, site: Site) -> None:
    context, log = new_context(
        viewport={"width": 375, "height": 812}, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.goto(site.url(FAILURE_PAGE), wait_until="load")

    # No sideways scrolling of the page: long lines scroll inside their own code block.
    sizes = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert sizes[0] <= sizes[1], f"the page scrolls sideways: scrollWidth {sizes[0]} > clientWidth {sizes[1]}"
    blocks = page.locator("div.highlight:visible")
    assert blocks.count() > 0
    for index in range(blocks.count()):
        box = blocks.nth(index).bounding_box()
        assert box is not None
        assert box["x"] >= 0 and box["x"] + box["width"] <= 375 + 0.5, f"code block {index} sticks out: {box}"
    command = page.locator("div.highlight code", has_text="$ alembic upgrade head").first
    size = float(command.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))
    assert size >= 12, f"commands are set in {size}px type"
    page.screenshot(path=SCREENSHOTS / "phone-failures-duplicate-key.png")

    link = page.locator("nav.md-nav--primary a.md-nav__link", has_text="Foreign key violation")
    from playwright.sync_api import expect

    expect(link).not_to_be_in_viewport()  # the drawer starts closed
    page.locator("label.md-header__button[for=__drawer]").click()
    assert page.locator("#__drawer").is_checked()
    expect(link).to_be_in_viewport()  # waits for the drawer to finish sliding in
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "phone-drawer-open.png", animations="disabled")  # slide finished
    link.click()
    page.wait_for_url("**/failures/foreign-key/")
    assert log.errors == []
