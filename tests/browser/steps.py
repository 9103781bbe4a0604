"""What a shopper does and sees, in words the tests can share."""

from __future__ import annotations

import json
import re
from typing import Any

from playwright.sync_api import Locator, Page, Request, expect

from tests.browser.conftest import ARTIFACTS, Server

# Every note the configurator shows beside a value the shopper did not pick themselves.
NOT_PICKED = re.compile("Our suggestion|The only option with your choices|Adjusted to fit your choices")


def price_box(page: Page | Locator) -> Locator:
    return page.get_by_role("region", name="Price and actions")


def tab_to(page: Page, target: Locator, *, backwards: bool = False, limit: int = 80) -> None:
    """Press Tab (or Shift+Tab) until `target` has the focus; fail if the focus order never reaches it."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        page.keyboard.press(key)
        if target.evaluate("element => element === element.getRootNode().activeElement"):
            return
    raise AssertionError(f"{key} never reached {target}")


def no_horizontal_scroll(page: Page, width: int = 375) -> None:
    scroll_width = page.evaluate("document.scrollingElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} scrolls sideways: {scroll_width}px wide"


def fill_contact(page: Page) -> None:
    page.get_by_label("Email").fill("sam@example.org")
    page.get_by_label("Full name").fill("Sam Lee")
    page.get_by_label("Address", exact=True).fill("1 rue de la Roquette")
    page.get_by_label("Postal code").fill("75011")
    page.get_by_label("City").fill("Paris")
    page.get_by_label("Country").select_option("FR")


def expect_paid_confirmation(page: Page) -> None:
    expect(page.get_by_role("heading", name="Thank you for your order")).to_be_visible()
    expect(page.get_by_text("Order number")).to_contain_text("-")
    expect(page.get_by_text("Status:")).to_contain_text("Paid")
    expect(page.get_by_text("no money moved")).to_be_visible()


def click_greyed(target: Locator) -> None:
    """Click a greyed-out option as a person does. (Playwright's own click waits for aria-disabled
    controls to become enabled, which these never do: they stay clickable and ask first.)"""
    # In the middle of the screen, as a person would look at it: at an edge, a sticky bar may cover it.
    target.evaluate("element => element.scrollIntoView({block: 'center'})")
    box = target.bounding_box()
    assert box is not None, f"{target} is not on the page"
    target.page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def field(page: Page | Locator, attribute: str) -> Locator:
    """The configurator's control of one attribute (its fieldset or field box)."""
    return page.locator(f'[data-attribute="{attribute}"]')


def open_product(page: Page, shop: Server, product: str) -> None:
    """Open a product page and wait until its first answer (price and options) is shown."""
    page.goto(f"{shop.url}/products/{product}")
    expect(page.locator("[data-configurator]")).not_to_have_attribute("aria-busy", re.compile(".*"))
    expect(price_box(page)).to_contain_text("Total")


def configure_requests(page: Page) -> list[dict[str, Any]]:
    """The bodies of the configure requests the page sends, in order (filled as they go)."""
    sent: list[dict[str, Any]] = []

    def keep(request: Request) -> None:
        if request.method == "POST" and request.url.endswith("/configure"):
            sent.append(json.loads(request.post_data or "{}"))

    page.on("request", keep)
    return sent


def snap(page: Page, name: str) -> None:
    """A full-page screenshot into tests/browser/artifacts/ (not committed)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def token_of(headers: dict[str, str]) -> str:
    """The admin token of `Authorization` headers, as a merchant pastes it into an admin page."""
    return headers["Authorization"].split()[1]


def accept_privacy(page: Page) -> None:
    """The shopper reopens their privacy choice from the footer and accepts."""
    page.get_by_role("button", name="Privacy choices").click()
    panel = page.get_by_role("region", name="Your privacy choices")
    panel.get_by_role("button", name="Accept all").click()
    expect(panel).to_be_hidden()
