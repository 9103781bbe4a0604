"""The whole purchase in Chromium: configure the mug, meet a rule, repair it, share, buy, pay."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import Server
from tests.browser.steps import click_greyed, expect_paid_confirmation, fill_contact, price_box, tab_to

ENAMEL_NOT_GOLD = re.compile("Enamelled steel mugs don.t come in gold")


def test_the_whole_purchase(page: Page, shop: Server, screenshot: Callable[[str], Path]) -> None:
    # Given the catalog
    page.goto(f"{shop.url}/")
    expect(page.get_by_role("heading", name="Made to order")).to_be_visible()
    screenshot("catalog")
    page.get_by_role("link", name="Engraved mug").click()
    expect(page.get_by_role("heading", level=1, name="Engraved mug")).to_be_visible()
    summary = price_box(page)
    expect(summary).to_contain_text("Total €14.00")
    preview = page.get_by_role("figure", name="Preview of your Engraved mug")
    box_before = preview.bounding_box()

    # When the shopper picks a glaze and a material
    page.get_by_text("Sage green", exact=True).click()
    expect(page.get_by_role("radio", name="Sage green")).to_be_checked()
    page.get_by_text("Enamelled steel", exact=True).click()
    expect(page.get_by_role("radio", name="Enamelled steel")).to_be_checked()
    expect(summary).to_contain_text("Material: Enamelled steel")
    expect(summary).to_contain_text("Total €16.00")

    # then gold is greyed out, still focusable, with its reason as description and tooltip
    gold = page.get_by_role("radio", name="Gold")
    expect(gold).to_have_attribute("aria-disabled", "true")
    expect(gold).to_have_accessible_description(ENAMEL_NOT_GOLD)
    gold.focus()
    expect(gold).to_be_focused()
    page.get_by_text("Gold", exact=True).hover()
    expect(page.get_by_role("tooltip").filter(has_text=ENAMEL_NOT_GOLD)).to_be_visible()

    # When they type an engraving, a refused word is explained and the count is in characters as read
    engraving = page.get_by_label("Engraving", exact=True)
    engraving.fill("Stupid mug")
    refused = re.compile("“Stupid”.*is not allowed in Engraving")
    expect(page.get_by_role("form").get_by_text(refused)).to_be_visible()
    expect(engraving).to_have_accessible_description(refused)
    expect(engraving).to_have_attribute("aria-invalid", "")
    expect(page.get_by_role("status").filter(has_text=refused)).to_be_attached()
    engraving.fill("For Sam 👍🏽")
    expect(page.get_by_text("15 characters left of 24")).to_be_visible()
    engraving.fill("For Sam")
    expect(page.get_by_text("17 characters left of 24")).to_be_visible()
    expect(summary).to_contain_text("Engraving: 6 characters")
    expect(summary).to_contain_text("Total €17.50")
    expect(page.get_by_role("status").filter(has_text="Price now €17.50")).to_be_attached()
    page.get_by_text("Classic serif", exact=True).click()
    expect(page.get_by_role("radio", name="Classic serif")).to_be_checked()

    # When they insist on gold, the shop offers the one change that makes it possible
    click_greyed(page.get_by_text("Gold", exact=True))
    dialog = page.get_by_role("dialog", name="Change your choices?")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Switch material to Ceramic?")
    expect(dialog).to_contain_text(ENAMEL_NOT_GOLD)
    screenshot("product-repair")
    dialog.get_by_role("button", name="Yes, switch").click()
    expect(dialog).to_be_hidden()
    expect(gold).to_be_checked()
    expect(page.get_by_role("radio", name="Ceramic")).to_be_checked()
    expect(summary).to_contain_text("Gold glaze")
    expect(summary).to_contain_text("Total €18.50")
    expect(gold).not_to_have_attribute("aria-disabled", "true")
    # The preview box keeps its place and size whatever loads into it
    assert preview.bounding_box() == box_before
    image = preview.get_by_role("img")
    if image.count():
        expect(image).to_have_js_property("complete", True)
        assert image.evaluate("img => img.naturalWidth") > 0
    else:
        expect(preview).to_contain_text("Engraved mug")
    screenshot("product")

    # When they save, the share link opens the design read-only
    page.get_by_role("button", name="Save & share").click()
    share = page.get_by_label("Share link")
    expect(share).to_have_value(re.compile(rf"^{re.escape(shop.url)}/designs/\S+$"))
    link = share.input_value()
    page.goto(link)
    expect(page.get_by_role("heading", level=1, name="Engraved mug")).to_be_visible()
    expect(page.get_by_text("A shared design")).to_be_visible()
    choices = page.get_by_role("definition")
    expect(choices.filter(has_text="Gold")).to_have_count(1)
    expect(choices.filter(has_text="“For Sam”")).to_have_count(1)
    expect(page.get_by_text("€18.50")).to_be_visible()
    expect(page.get_by_role("link", name="Edit a copy")).to_have_attribute("href", re.compile("remix="))
    screenshot("design")

    # When they add it to the cart and buy two
    page.get_by_role("button", name="Add to cart").click()
    expect(page).to_have_url(f"{shop.url}/cart")
    expect(page.get_by_role("heading", name="Engraved mug")).to_be_visible()
    quantity = page.get_by_label("Quantity of Engraved mug")
    quantity.fill("2")
    quantity.press("Tab")
    expect(page.get_by_role("region", name="Order summary")).to_contain_text("€37.00")
    expect(page.get_by_role("link", name="Cart (2)")).to_be_visible()
    # an engraved mug is the shopper's own: it has no 14-day return, and the cart says so
    expect(page.locator(".cart-line-personal")).to_have_text("Made for you: no 14-day return.")
    screenshot("cart")

    # and check out with the test payment
    page.get_by_role("link", name="Checkout").click()
    fill_contact(page)
    # said before the shopper pays, as EU law asks
    expect(page.get_by_text("cannot be returned under the 14-day right of withdrawal")).to_be_visible()
    screenshot("checkout")
    page.get_by_role("button", name="Continue to payment").click()
    expect(page.get_by_role("heading", name="Payment")).to_be_focused()
    payment = page.get_by_role("region", name="Payment")
    expect(payment).to_contain_text("Shipping (France)")
    expect(payment).to_contain_text("€37.00")
    payment.get_by_role("button", name="Test payment — no money moves").click()

    # then the confirmation shows the paid order
    expect_paid_confirmation(page)
    expect(page.get_by_role("heading", name="Engraved mug × 2")).to_be_visible()
    expect(page.locator(".order-line .cart-line-personal")).to_be_visible()
    expect(page.get_by_role("region", name="Totals")).to_contain_text("€37.00")
    screenshot("order")
    page.goto(f"{shop.url}/cart")
    expect(page.get_by_text("Your cart is empty.")).to_be_visible()


def test_the_purchase_by_keyboard_alone(page: Page, shop: Server) -> None:
    page.goto(f"{shop.url}/products/engraved-mug")
    summary = price_box(page)
    expect(summary).to_contain_text("Total €14.00")

    # Arrow keys move within a group without choosing; Space chooses
    tab_to(page, page.get_by_role("radio", name="Snow white"))
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    expect(page.get_by_role("radio", name="Sage green")).to_be_focused()
    expect(page.get_by_role("radio", name="Snow white")).to_be_checked()
    page.keyboard.press("Space")
    expect(page.get_by_role("radio", name="Sage green")).to_be_checked()
    tab_to(page, page.get_by_role("radio", name="Ceramic"))
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    expect(page.get_by_role("radio", name="Enamelled steel")).to_be_checked()
    expect(summary).to_contain_text("Total €16.00")

    # A greyed option takes the focus and says why; choosing it asks first
    tab_to(page, page.get_by_role("radio", name="Sage green"), backwards=True)
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    gold = page.get_by_role("radio", name="Gold")
    expect(gold).to_be_focused()
    expect(page.get_by_role("tooltip").filter(has_text=ENAMEL_NOT_GOLD)).to_be_visible()
    page.keyboard.press("Space")
    dialog = page.get_by_role("dialog", name="Change your choices?")
    expect(dialog).to_contain_text("Switch material to Ceramic?")
    # Escape keeps the choices as they were
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(gold).to_be_focused()
    expect(page.get_by_role("radio", name="Enamelled steel")).to_be_checked()
    page.keyboard.press("Space")
    expect(dialog.get_by_role("button", name="Yes, switch")).to_be_focused()
    page.keyboard.press("Enter")
    expect(gold).to_be_checked()
    expect(gold).to_be_focused()
    expect(summary).to_contain_text("Total €17.00")

    tab_to(page, page.get_by_label("Engraving", exact=True))
    page.keyboard.type("For Sam")
    expect(summary).to_contain_text("Total €18.50")
    tab_to(page, page.get_by_role("button", name="Save & share"))
    page.keyboard.press("Enter")
    share = page.get_by_label("Share link")
    expect(share).to_be_focused()
    link = share.input_value()

    page.goto(link)
    tab_to(page, page.get_by_role("button", name="Add to cart"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{shop.url}/cart")
    tab_to(page, page.get_by_role("link", name="Checkout"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{shop.url}/checkout")
    for label, text in (
        ("Email", "kim@example.org"),
        ("Full name", "Kim Park"),
        ("Address", "2 Rue Oberkampf"),
        ("Postal code", "75011"),
        ("City", "Paris"),
    ):
        tab_to(page, page.get_by_label(label, exact=True))
        page.keyboard.type(text)
    tab_to(page, page.get_by_role("button", name="Continue to payment"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Payment")).to_be_focused()
    tab_to(page, page.get_by_role("button", name="Test payment — no money moves"))
    page.keyboard.press("Enter")
    expect_paid_confirmation(page)
