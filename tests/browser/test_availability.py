"""Availability in Chromium: the merchant marks a glaze sold out from the availability page on a phone,
with the keyboard alone, and the shopper's product page greys it out at once with the merchant's
message as its description; put back on sale, it is offered again."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from flask import Flask
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import Server
from tests.browser.steps import field, no_horizontal_scroll, open_product, snap, token_of
from tests.support.admin import admin_headers
from tests.support.checkout import ready_cart

PHONE = {"width": 375, "height": 812}
TOKENS = itertools.count()
SKY = "/api/v1/admin/availability/engraved-mug/colour/sky"
MESSAGE = "Sky blue glaze is back in March."
FRENCH = "L'émail bleu ciel revient en mars."


def row_of(page: Page) -> Locator:
    return page.locator('[data-option="colour.sky"]')


@pytest.fixture
def merchant(shop_app: Flask, shop: Server) -> Iterator[dict[str, str]]:
    # One token per test: the shop, and its tokens' names, are shared by the whole session.
    name = f"browser-availability-{next(TOKENS)}"
    headers = admin_headers(shop_app, "catalog:read", "catalog:publish", name=name)
    yield headers
    # The shop is shared by every browser test: the glaze goes back on sale whatever happened here.
    shop_app.test_client().delete(SKY, headers=headers)


def test_a_glaze_sold_out_from_a_phone_is_greyed_out_with_the_message_for_shoppers(
    open_context: object, page: Page, shop: Server, merchant: dict[str, str]
) -> None:
    # Given the merchant on the availability page, on a phone
    admin = open_context(PHONE)  # type: ignore[operator]
    admin.goto(f"{shop.url}/admin/availability")
    admin.get_by_label("Admin token").fill(token_of(merchant))
    admin.get_by_label("Admin token").press("Enter")
    admin.get_by_label("Product").select_option(label="Engraved mug")
    choice = admin.get_by_role("combobox", name="Sky blue", exact=True)
    expect(choice).to_have_value("available")

    # When, by keyboard only, they mark sky blue sold out with a message and press Enter
    choice.focus()
    admin.keyboard.press("ArrowDown")
    expect(choice).to_have_value("sold_out")
    admin.keyboard.press("Tab")
    message = admin.locator('[data-option="colour.sky"]').get_by_label("Message for shoppers (English)")
    expect(message).to_be_focused()
    admin.keyboard.type(MESSAGE)
    # The brand writes in French and German too: a message for each, the next fields in order.
    admin.keyboard.press("Tab")
    expect(row_of(admin).get_by_label("Message for shoppers (French)")).to_be_focused()
    admin.keyboard.type(FRENCH)
    admin.keyboard.press("Enter")

    # Then the row says so, and the page fits the phone
    row = admin.locator('[data-option="colour.sky"]')
    expect(row.locator(".availability-state")).to_contain_text(f"Sold out. Shoppers read: “{MESSAGE}”")
    no_horizontal_scroll(admin)
    snap(admin, "availability-admin-phone")

    # And the shopper's product page greys sky blue out with the message as its description
    open_product(page, shop, "engraved-mug")
    sky = field(page, "colour").get_by_role("radio", name="Sky blue")
    expect(sky).to_have_attribute("aria-disabled", "true")
    expect(sky).to_have_accessible_description(MESSAGE)
    sky.focus()
    snap(page, "availability-sold-out-glaze")

    # When the merchant puts it back on sale
    choice.select_option("available")
    row.get_by_role("button", name="Save").click()
    expect(row.locator(".availability-state")).to_have_text("On sale.")

    # Then a shopper opening the product is offered it again
    open_product(page, shop, "engraved-mug")
    expect(field(page, "colour").get_by_role("radio", name="Sky blue")).not_to_have_attribute(
        "aria-disabled", "true"
    )


def test_a_cart_holding_a_glaze_gone_sold_out_shows_the_message_and_cannot_be_paid(
    page: Page, shop: Server, shop_app: Flask, merchant: dict[str, str]
) -> None:
    # Given a shopper's cart with a sky blue mug, ready to pay
    cart = ready_cart(shop_app, [("engraved-mug", {"colour": "sky"}, 1)])
    page.add_init_script(f"localStorage.setItem('atelier.cart', {cart!r})")

    # When the merchant marks sky blue sold out
    body = {"state": "sold_out", "message": {"en": MESSAGE}}
    marked = shop_app.test_client().put(SKY, json=body, headers=merchant)
    assert marked.status_code == 200, marked.get_json()

    # Then the cart page shows the merchant's message on the line
    page.goto(f"{shop.url}/cart")
    line = page.locator(".cart-line")
    expect(line.locator(".atelier-problems")).to_have_text(MESSAGE)
    snap(page, "availability-cart-flagged")

    # And checkout refuses to take the payment, saying why
    page.goto(f"{shop.url}/checkout")
    page.get_by_role("button", name="Continue to payment").click()
    expect(page.get_by_text(MESSAGE).first).to_be_visible()
    snap(page, "availability-checkout-refused")
