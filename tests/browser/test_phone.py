"""A 375 px wide phone: every page fits without sideways scrolling, and the purchase still works."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import ARTIFACTS, CHOSEN_ALREADY, STEP_WITHIN_MS, Server
from tests.browser.steps import click_greyed, fill_contact, no_horizontal_scroll, price_box

PHONE = {"width": 375, "height": 812}


@pytest.fixture
def phone(browser: Browser, browser_context_args: dict[str, Any], shop: Server) -> Iterator[Page]:
    context = browser.new_context(**{**browser_context_args, "viewport": PHONE, "has_touch": True})
    context.add_init_script(CHOSEN_ALREADY % json.dumps(shop.url.rstrip("/")))
    page = context.new_page()
    page.set_default_timeout(STEP_WITHIN_MS)
    yield page
    context.close()


def test_every_page_fits_a_phone(phone: Page, shop: Server) -> None:
    page = phone
    page.goto(f"{shop.url}/")
    expect(page.get_by_role("link", name="Engraved mug")).to_be_visible()
    no_horizontal_scroll(page)

    page.goto(f"{shop.url}/products/made-to-measure-curtain")
    expect(page.get_by_role("spinbutton", name="Finished width (cm)")).to_be_visible()
    no_horizontal_scroll(page)
    page.goto(f"{shop.url}/products/celebration-cake")
    expect(page.get_by_role("heading", level=1, name="Celebration cake")).to_be_visible()
    no_horizontal_scroll(page)

    page.goto(f"{shop.url}/products/engraved-mug")
    page.get_by_text("Enamelled steel", exact=True).tap()
    expect(price_box(page)).to_contain_text("Total €16.00")
    click_greyed(page.get_by_text("Gold", exact=True))
    dialog = page.get_by_role("dialog", name="Change your choices?")
    expect(dialog).to_contain_text("Switch material to Ceramic?")
    no_horizontal_scroll(page)
    dialog.get_by_role("button", name="Yes, switch").tap()
    page.get_by_label("Engraving", exact=True).fill("For Sam")
    expect(price_box(page)).to_contain_text("Total €18.50")
    no_horizontal_scroll(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "phone-product.png"))

    page.get_by_role("button", name="Save & share").tap()
    expect(page.get_by_label("Share link")).to_be_visible()
    no_horizontal_scroll(page)
    page.get_by_role("button", name="Add to cart").tap()
    page.get_by_role("link", name="View cart (1 item)").tap()
    expect(page.get_by_role("heading", name="Engraved mug")).to_be_visible()
    no_horizontal_scroll(page)
    page.get_by_role("link", name="Checkout").tap()
    fill_contact(page)
    no_horizontal_scroll(page)
    page.get_by_role("button", name="Continue to payment").tap()
    page.get_by_role("button", name="Test payment — no money moves").tap()
    expect(page.get_by_role("heading", name="Thank you for your order")).to_be_visible()
    no_horizontal_scroll(page)
