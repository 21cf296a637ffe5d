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
