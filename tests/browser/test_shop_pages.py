"""The shop's pages around the configurator: the brand in the header, the catalog's pictures, the cart
and checkout forms, the order page's wrapping."""

from __future__ import annotations

import itertools
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
    expect(cards).to_have_count(len(page.request.get(f"{shop.url}/api/v1/products").json()["products"]))
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


def test_the_cart_asks_for_no_address_before_checkout(page: Page, shop: Server, placed: Placed) -> None:
    # Given a cart the shopper has not checked out yet (no contact details: checkout asks for them)
    hold_cart(page, shop, placed.cart)
    page.goto(f"{shop.url}/cart")
    summary = page.get_by_role("region", name="Order summary")
    expect(summary).to_contain_text("Total")
    # Then nothing tells them off about an address they were never asked for
    expect(page.get_by_text(re.compile("address", re.IGNORECASE))).to_have_count(0)
    expect(summary.get_by_role("link", name="Checkout")).to_be_visible()


def test_checkout_fields_show_their_errors_once_touched_or_submitted(
    page: Page, shop: Server, placed: Placed
) -> None:
    hold_cart(page, shop, placed.cart)
    page.goto(f"{shop.url}/checkout")
    email, name = page.get_by_label("Email"), page.get_by_label("Full name")
    expect(email).to_be_visible()
    # On arrival: no message, nothing marked wrong
    expect(page.locator(".atelier-field-message:visible")).to_have_count(0)
    expect(page.locator("[aria-invalid]")).to_have_count(0)
    # When the shopper goes through the e-mail field without filling it, only that field says so
    email.focus()
    email.blur()
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_accessible_description("Enter your email address.")
    expect(page.locator("[aria-invalid]")).to_have_count(1)
    # And a mistyped address is named, then the message goes as soon as it is right
    email.fill("sam@")
    expect(email).to_have_accessible_description(re.compile("email address such as"))
    email.fill("sam@example.org")
    expect(email).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator(".atelier-field-message:visible")).to_have_count(0)
    # When they submit, every required field left empty says what it needs, the first has the focus
    page.get_by_role("button", name="Continue to payment").click()
    expect(page.locator("[aria-invalid]")).to_have_count(4)
    expect(name).to_be_focused()
    expect(page.get_by_label("Postal code")).to_have_accessible_description("Enter the postal code.")
    expect(page.get_by_label("Address line 2 (optional)")).not_to_have_attribute("aria-invalid", "true")


def test_the_checkout_summary_is_as_tall_as_its_lines(page: Page, shop: Server, placed: Placed) -> None:
    hold_cart(page, shop, placed.cart)
    page.goto(f"{shop.url}/checkout")
    summary = page.get_by_role("region", name="Order summary")
    lines = summary.locator("dt")
    # priced for the country the form shows (France), before anything is saved
    expect(lines).to_have_text(["Subtotal", "Shipping (France)", "VAT 20%, included", "Total"])
    form, box = page.locator("form.checkout-form").bounding_box(), summary.bounding_box()
    rows = [line.bounding_box() for line in lines.all()]
    assert form is not None
    assert box is not None
    assert all(row is not None for row in rows)
    # Side by side on a desktop, yet the summary keeps its rows together instead of stretching
    assert box["x"] > form["x"] + form["width"]
    tops = [(row["y"], row["y"] + row["height"]) for row in rows if row is not None]
    gaps = [top - bottom for (_, bottom), (top, _) in itertools.pairwise(tops)]
    assert max(gaps) < 16, rows
    assert box["height"] < form["height"] / 2


# Every word of the page's text, and how many line boxes it is drawn on (a broken word, more than one).
BROKEN_WORDS = """
root => {
  const broken = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const match of node.textContent.matchAll(/\\S+/g)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const rects = [...range.getClientRects()].filter((r) => r.width > 0);
      const tops = new Set(rects.map((r) => Math.round(r.top)));
      if (tops.size > 1) broken.push(match[0]);
    }
  }
  return broken;
}
"""


@pytest.mark.parametrize("viewport", [(1280, 900), (390, 844)], ids=["desktop", "phone"])
def test_the_order_and_cart_pages_never_break_a_word(
    page: Page, shop: Server, placed: Placed, viewport: tuple[int, int]
) -> None:
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    hold_cart(page, shop, placed.cart)
    for path, view in ((f"/orders/{placed.order}", "[data-order-view]"), ("/cart", "[data-cart-view]")):
        page.goto(f"{shop.url}{path}")
        content = page.locator(view)
        expect(content).not_to_have_attribute("aria-busy", "true")
        expect(content.get_by_text("Ceramic", exact=True)).to_be_visible()
        assert content.evaluate(BROKEN_WORDS) == [], path


def test_the_catalog_says_from_the_cheapest_design_that_can_be_bought(page: Page, shop: Server) -> None:
    page.goto(f"{shop.url}/")
    curtain = page.locator(".product-card").filter(has_text="Made-to-measure curtain")
    # its base price (€25.00) buys no curtain: the cheapest valid one costs €36.94
    expect(curtain.locator(".product-price")).to_contain_text("36.94")
