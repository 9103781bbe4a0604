"""The shop's pages around the configurator: the brand in the header, the catalog's pictures, the cart
and checkout forms, the order page's wrapping."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from tests.browser.conftest import Server

BRAND = "Northwind Crafts"  # catalog/brand.yaml's label
ADDRESS = {"country": "FR", "postal_code": "75011", "city": "Paris", "line1": "1 rue de la Roquette"}


@dataclass(frozen=True)
class Placed:
    design: str  # a saved design's id
    cart: str  # an open cart holding it
    order: str  # the token of a paid order of it


def place(app: Flask, picks: dict[str, object], *, contact: bool = True) -> Placed:
    """A saved design, an open cart with it, and a paid order of it, made through the API."""
    client = app.test_client()
    design = client.post("/api/v1/designs", json={"product": "engraved-mug", "picks": picks}).get_json()["id"]
    carts = []
    for _ in range(2):
        cart = client.post("/api/v1/carts", json={"currency": "EUR"}).get_json()["id"]
        added = client.post(f"/api/v1/carts/{cart}/lines", json={"design": design, "quantity": 1})
        assert added.status_code == 201, added.get_json()
        carts.append(cart)
    contact_details = {"email": "sam@example.org", "name": "Sam Lee", "address": ADDRESS}
    assert client.put(f"/api/v1/carts/{carts[1]}/contact", json=contact_details).status_code == 200
    order = client.post(f"/api/v1/carts/{carts[1]}/checkout", json={}).get_json()["order"]["token"]
    assert client.post(f"/api/v1/orders/{order}/complete").status_code == 200
    return Placed(design, carts[0], order)


@pytest.fixture(scope="module")
def placed(shop_app: Flask) -> Placed:
    return place(shop_app, {"engraving": "For Sam"})


def hold_cart(page: Page, shop: Server, cart: str) -> None:
    """This browser keeps `cart` as its cart (as the product page leaves it after "Add to cart")."""
    page.add_init_script(f"localStorage.setItem('atelier.cart', {cart!r})")


def test_every_shop_page_carries_the_brands_name(page: Page, shop: Server, placed: Placed) -> None:
    hold_cart(page, shop, placed.cart)
    pages = {
        "/": "Products",
        "/products/engraved-mug": "Engraved mug",
        f"/designs/{placed.design}": "Engraved mug, a shared design",
        "/cart": "Cart",
        "/checkout": "Checkout",
        f"/orders/{placed.order}": "Order ",
    }
    for path, title in pages.items():
        page.goto(f"{shop.url}{path}")
        header = page.get_by_role("banner")
        expect(header.get_by_role("link").first).to_have_text(BRAND)
        expect(header).not_to_contain_text("Atelier")
        expect(page).to_have_title(re.compile(f"^{re.escape(title)}.* · {BRAND}$"))


def test_every_catalog_card_shows_its_products_picture(page: Page, shop: Server) -> None:
    page.goto(f"{shop.url}/")
    cards = page.locator(".product-card")
    expect(cards).to_have_count(5)
    for card in cards.all():
        name = card.get_by_role("heading").inner_text()
        # The picture is the preview of the product's default design, at the URL the API links
        picture = card.locator(".product-picture img")
        expect(picture, f"{name} has no picture").to_have_attribute(
            "src", re.compile(r"^/api/v1/previews/\d+/[a-z_-]+\?design=")
        )
        expect(picture).to_have_js_property("complete", True)
        assert picture.evaluate("image => image.naturalWidth") > 0, f"{name}'s picture did not load"
    curtain = cards.filter(has_text="Made-to-measure curtain").locator(".product-picture img")
    assert curtain.evaluate("image => [image.naturalWidth, image.naturalHeight]") == [384, 512]
