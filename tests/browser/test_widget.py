"""The partner widget on a partner's page served from a second origin."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import psycopg
import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from tests.browser.conftest import CHOSEN_ALREADY, ROOT, Server, serve
from tests.browser.steps import expect_paid_confirmation, fill_contact, price_box
from tests.support.admin import admin_headers
from tests.support.services import Postgres

HOST_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Bistro Gifts</title>
<style>
  atelier-configurator {{ --atelier-accent: rgb(138, 43, 90); --atelier-radius: 2px; }}
</style></head>
<body>
<h1>Bistro Gifts</h1>
<atelier-configurator product="engraved-mug" key="{key}" api="{shop}"></atelier-configurator>
<script>
  window.atelierEvents = [];
  for (const name of ["atelier:ready", "atelier:change", "atelier:add-to-cart", "atelier:error"]) {{
    document.addEventListener(name, (event) => window.atelierEvents.push({{ name, detail: event.detail }}));
  }}
</script>
<script src="{shop}/assets/atelier-widget.js" async></script>
</body></html>
"""


def host_app(page_html: Callable[[], str]) -> Callable[..., Iterable[bytes]]:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        body = page_html().encode()
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [body]

    return app


@pytest.fixture(scope="module")
def partner_site(shop: Server, shop_app: Flask) -> Iterator[tuple[Server, str]]:
    """A partner page on its own origin, with a publishable key that lists that origin."""
    from configurator.partners import services as partners

    key: dict[str, str] = {}
    site = serve(host_app(lambda: HOST_PAGE.format(key=key["value"], shop=shop.url)))
    with shop_app.app_context():
        key["value"] = partners.add("bistro-gifts", [site.url]).publishable_key
    yield site, key["value"]
    site.stop()


@pytest.fixture(scope="module")
def pg_shop(postgres: Postgres, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Flask]]:
    """The shop on a PostgreSQL database of its own (the demo catalog), served on its own port."""
    from configurator import create_app
    from configurator.extensions import db

    admin_url = postgres.url.replace("+psycopg", "")
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute("CREATE DATABASE widget_orders OWNER atelier")
    app = create_app(
        {
            "ATELIER_CATALOG": str(ROOT / "catalog"),
            "SQLALCHEMY_DATABASE_URI": postgres.url.rsplit("/", 1)[0] + "/widget_orders",
            "SECRET_KEY": "browser-tests",
            "ATELIER_MEDIA_ROOT": str(tmp_path_factory.mktemp("pg-shop-media")),
        }
    )
    running = serve(app)
    yield running, app
    running.stop()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute("DROP DATABASE widget_orders WITH (FORCE)")


def export_partners(app: Flask) -> dict[str, str]:
    """Order number -> the partner column of the merchant's CSV export of orders."""
    text = (
        app.test_client()
        .get("/api/v1/admin/orders/export.csv", headers=admin_headers(app, "orders:read"))
        .get_data(as_text=True)
    )
    return {row["order_number"]: row["partner"] for row in csv.DictReader(io.StringIO(text))}


def events(page: Page, name: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = page.evaluate(
        "name => window.atelierEvents.filter(e => e.name === name).map(e => e.detail)", name
    )
    return found


def test_the_widget_works_on_an_allowed_partner_origin(
    page: Page, shop: Server, shop_app: Flask, partner_site: tuple[Server, str]
) -> None:
    site, _ = partner_site
    previews: list[str] = []
    page.on("request", lambda request: previews.append(request.url) if "/previews/" in request.url else None)
    page.goto(f"{site.url}/")
    widget = page.locator("atelier-configurator")
    # It renders inside its shadow root, themed by the host page's custom properties
    expect(widget.get_by_role("heading", name="Engraved mug")).to_be_visible()
    expect(price_box(widget)).to_contain_text("Total €14.00")
    page.wait_for_function("window.atelierEvents.some(e => e.name === 'atelier:ready')")
    assert events(page, "atelier:ready")[0]["product"] == "engraved-mug"
    button = widget.get_by_role("button", name="Add to cart")
    assert button.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(138, 43, 90)"

    # Picks reach the host page as events with the server's price
    widget.get_by_text("Large (450 ml)", exact=True).click()
    expect(price_box(widget)).to_contain_text("Total €17.00")
    page.wait_for_function(
        "window.atelierEvents.some(e => e.name === 'atelier:change' && e.detail.design.picks.size)"
    )
    change = events(page, "atelier:change")[-1]
    assert (change["design"]["product"], change["design"]["picks"]) == ("engraved-mug", {"size": "large"})
    # and the whole design those picks stand for: the one that is priced and ordered
    assert change["design"]["choices"]["size"] == "large"
    assert change["design"]["choices"]["colour"] == "snow"
    assert change["price"]["total"] == "17.00"

    button.click()
    expect(widget.get_by_role("link", name="View cart (1 item)")).to_be_visible()
    added = events(page, "atelier:add-to-cart")
    assert len(added) == 1
    cart = shop_app.test_client().get(f"/api/v1/carts/{added[0]['cart']}").get_json()
    assert [line["design"] for line in cart["lines"]] == [added[0]["design"]]
    assert cart["lines"][0]["choices"]["size"] == "large"
    assert events(page, "atelier:error") == []
    # Its previews are asked for by the URLs the API gave, nothing added (no key, no cache-buster)
    assert previews
    assert all(sorted(parse_qs(urlsplit(url).query)) == ["design", "size"] for url in previews), previews


def test_the_widget_is_refused_on_an_origin_not_allowed(page: Page, partner_site: tuple[Server, str]) -> None:
    # Same page, same key, but reached as localhost: an origin the partner does not list
    site, _ = partner_site
    page.goto(f"http://localhost:{site.server.server_port}/")
    page.wait_for_function("window.atelierEvents.some(e => e.name === 'atelier:error')")
    widget = page.locator("atelier-configurator")
    expect(widget.get_by_role("alert")).to_contain_text("could not be loaded")
    expect(price_box(widget)).to_have_count(0)
    assert events(page, "atelier:ready") == []
    assert events(page, "atelier:change") == []


def test_the_widget_says_ready_before_any_change(page: Page, partner_site: tuple[Server, str]) -> None:
    site, _ = partner_site
    page.goto(f"{site.url}/")
    # The first design's price arrives as a change, after the ready the host page waits for
    page.wait_for_function("window.atelierEvents.some(e => e.name === 'atelier:change')")
    names = page.evaluate("window.atelierEvents.map(e => e.name)")
    assert names[0] == "atelier:ready", names
    assert names.count("atelier:ready") == 1
    first_change = events(page, "atelier:change")[0]
    assert (first_change["design"]["product"], first_change["design"]["picks"]) == ("engraved-mug", {})
    assert first_change["price"]["total"] == "14.00"


def test_an_order_from_the_widget_is_the_partners_and_one_from_the_shop_is_not(
    page: Page, pg_shop: tuple[Server, Flask]
) -> None:
    from configurator.partners import services as partners

    shop, app = pg_shop
    key: dict[str, str] = {}
    site = serve(host_app(lambda: HOST_PAGE.format(key=key["value"], shop=shop.url)))
    try:
        with app.app_context():
            key["value"] = partners.add("bistro-orders", [site.url]).publishable_key
        page.add_init_script(CHOSEN_ALREADY % json.dumps(shop.url))
        # Given a shopper who adds a mug to the cart in the widget on the partner's page
        page.goto(f"{site.url}/")
        widget = page.locator("atelier-configurator")
        expect(price_box(widget)).to_contain_text("Total €14.00")
        widget.get_by_role("button", name="Add to cart").click()
        # When they follow "View cart" to the shop and pay on its own checkout page
        widget.get_by_role("link", name="View cart (1 item)").click()
        expect(page.get_by_role("heading", name="Your cart")).to_be_visible()
        page.get_by_role("link", name="Checkout").click()
        fill_contact(page)
        page.get_by_role("button", name="Continue to payment").click()
        page.get_by_role("button", name="Test payment — no money moves").click()
        expect_paid_confirmation(page)
        through_widget = page.locator(".order-number strong").inner_text()
        # And another mug is bought on the shop's own product page
        page.goto(f"{shop.url}/products/engraved-mug")
        expect(price_box(page)).to_contain_text("Total €14.00")
        page.get_by_role("button", name="Add to cart").click()
        expect(page.get_by_role("link", name="View cart (1 item)")).to_be_visible()
        page.goto(f"{shop.url}/checkout")
        fill_contact(page)
        page.get_by_role("button", name="Continue to payment").click()
        page.get_by_role("button", name="Test payment — no money moves").click()
        expect_paid_confirmation(page)
        direct = page.locator(".order-number strong").inner_text()
    finally:
        site.stop()
    # Then the merchant's export names the partner on the widget's order only
    assert export_partners(app) == {through_widget: "bistro-orders", direct: ""}
