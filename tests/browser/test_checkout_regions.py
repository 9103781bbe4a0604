"""Checkout asks for the region where the shop's tax depends on it (the demo's Canary Islands, outside
the EU's VAT): a select of the country's regions by name, reached and chosen by keyboard, on a 390 px
phone, and the order summary's tax follows it before anything is saved."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import ARTIFACTS, CHOSEN_ALREADY, STEP_WITHIN_MS, Server
from tests.browser.steps import no_horizontal_scroll, tab_to

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser: Browser, browser_context_args: dict[str, Any], shop: Server) -> Iterator[Page]:
    context = browser.new_context(**{**browser_context_args, "viewport": PHONE, "has_touch": True})
    context.add_init_script(CHOSEN_ALREADY % json.dumps(shop.url.rstrip("/")))
    page = context.new_page()
    page.set_default_timeout(STEP_WITHIN_MS)
    yield page
    context.close()


def cart_with_a_mug(app: Flask, address: dict[str, str] | None = None) -> str:
    """An open cart holding the default mug (€14.00, VAT included), made through the API."""
    client = app.test_client()
    design = client.post("/api/v1/designs", json={"product": "engraved-mug"}).get_json()["id"]
    cart: str = client.post("/api/v1/carts", json={"currency": "EUR"}).get_json()["id"]
    assert (
        client.post(f"/api/v1/carts/{cart}/lines", json={"design": design, "quantity": 1}).status_code == 201
    )
    if address is not None:
        from configurator.carts.models import Cart
        from configurator.extensions import db

        # Saved as it was before countries were checked: the API refuses it now
        with app.app_context():
            row = db.session.scalars(db.select(Cart).where(Cart.token == cart)).one()
            row.email, row.name, row.address = "sam@example.org", "Sam Lee", address
            db.session.commit()
    return cart


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_a_spanish_address_gives_its_region_and_the_tax_follows_it(
    phone: Page, shop: Server, shop_app: Flask
) -> None:
    page = phone
    cart = cart_with_a_mug(shop_app)
    page.add_init_script(f"localStorage.setItem('atelier.cart', {cart!r})")

    # Given checkout, in France (no region asked: the shop's tax there does not depend on one)
    page.goto(f"{shop.url}/checkout")
    summary = page.get_by_role("region", name="Order summary")
    region = page.get_by_label("State, province or region")
    expect(page.get_by_label("Country")).to_have_value("FR")
    expect(summary).to_contain_text("VAT 20%, included")
    expect(region).to_be_hidden()
    page.get_by_label("Email").fill("sam@example.org")
    page.get_by_label("Full name").fill("Sam Lee")
    page.get_by_label("Address", exact=True).fill("Calle Mayor 1")
    page.get_by_label("Postal code").fill("35001")
    page.get_by_label("City").fill("Las Palmas")

    # When the shopper chooses Spain
    page.get_by_label("Country").select_option("ES")

    # Then the region is asked, its options named, and the summary ships to Spain, its VAT to come
    expect(region).to_be_visible()
    expect(region).to_have_accessible_description("Tax here depends on it.")
    expect(region.get_by_role("option", name="Canarias")).to_have_count(1)
    expect(region.get_by_role("option", name="Andalucía")).to_have_count(1)
    expect(summary).to_contain_text("Shipping (Europe)")
    expect(summary).not_to_contain_text("VAT")

    # When they choose Madrid, the summary has Spain's VAT
    region.select_option("ES-MD")
    expect(summary).to_contain_text("VAT 21%, included")
    expect(summary).to_contain_text("€3.97")  # 21/121 of €14.00 and €8.90 shipping
    region.select_option("")

    # When they go on without it, they are told at the field, which takes the focus
    page.get_by_role("button", name="Continue to payment").click()
    expect(page.get_by_text("Choose your state, province or region.")).to_be_visible()
    expect(region).to_be_focused()
    expect(region).to_have_attribute("aria-invalid", "true")
    shot(page, "checkout-region-missing-phone")

    # When they reach the region by keyboard from the country and type the start of its name
    page.get_by_label("Country").focus()
    tab_to(page, region)
    page.keyboard.type("Can")

    # Then the Canary Islands are chosen, the message goes, and the VAT line is theirs: none
    expect(region).to_have_value("ES-CN")
    page.keyboard.press("Tab")
    expect(page.get_by_text("Choose your state, province or region.")).to_be_hidden()
    expect(summary).to_contain_text("VAT 0%, included")
    expect(summary).to_contain_text("€0.00")
    no_horizontal_scroll(page, PHONE["width"])
    shot(page, "checkout-region-phone")

    # And the order keeps the region and its tax
    page.get_by_role("button", name="Continue to payment").click()
    payment = page.get_by_role("region", name="Payment")
    expect(payment).to_contain_text("VAT 0%, included")
    address = shop_app.test_client().get(f"/api/v1/carts/{cart}").get_json()["contact"]["address"]
    assert (address["country"], address["region"]) == ("ES", "ES-CN")


def test_a_cart_saved_with_uk_is_told_to_choose_its_country(
    page: Page, shop: Server, shop_app: Flask, screenshot: Callable[[str], Any]
) -> None:
    cart = cart_with_a_mug(
        shop_app, {"country": "UK", "postal_code": "SW1A 1AA", "city": "London", "line1": "1 Mall"}
    )
    page.add_init_script(f"localStorage.setItem('atelier.cart', {cart!r})")

    # When the shopper opens checkout with the address saved as "UK"
    page.goto(f"{shop.url}/checkout")

    # Then the form loads with what they gave, no country chosen for them, and the country to fix named
    country = page.get_by_label("Country")
    expect(page.get_by_label("City")).to_have_value("London")
    expect(country).to_have_value("")
    expect(country).to_have_accessible_description(
        "Country must be a two-letter country code, not “UK”. Did you mean GB (United Kingdom)? "
        "Shipping and tax follow the country."
    )
    screenshot("checkout-uk-saved")

    # When they choose the United Kingdom, the summary has its shipping, and checkout goes on
    country.select_option("GB")
    expect(page.get_by_role("region", name="Order summary")).to_contain_text("Shipping (Rest of the world)")
    page.get_by_role("button", name="Continue to payment").click()
    expect(page.get_by_role("heading", name="Payment")).to_be_focused()


def test_a_country_given_through_the_api_stays_chosen_though_the_list_lacks_it(
    page: Page, shop: Server, shop_app: Flask
) -> None:
    # Given a cart whose address a partner's integration gave in Kosovo (XK), which the list lacks
    cart = cart_with_a_mug(shop_app)
    kosovo = {"country": "XK", "postal_code": "10000", "city": "Prishtina", "line1": "Rr. Agim Ramadani 1"}
    contact = {"email": "sam@example.org", "name": "Sam Lee", "address": kosovo}
    assert shop_app.test_client().put(f"/api/v1/carts/{cart}/contact", json=contact).status_code == 200
    page.add_init_script(f"localStorage.setItem('atelier.cart', {cart!r})")

    # Then checkout shows it chosen, by name, and priced as the rest of the world
    page.goto(f"{shop.url}/checkout")
    country = page.get_by_label("Country")
    expect(country).to_have_value("XK")
    expect(country.locator("option:checked")).to_have_text("Kosovo")
    expect(page.get_by_role("region", name="Order summary")).to_contain_text("Shipping (Rest of the world)")
