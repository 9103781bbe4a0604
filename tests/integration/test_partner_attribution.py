"""Attribution on PostgreSQL: a cart the partner's widget filled stays the partner's when the shopper
pays on the shop's own checkout page, and the partner's export and insights count its order."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from configurator.extensions import db
from configurator.insights import services as insights
from configurator.partners import services as partners
from tests.support.admin import admin_headers

PARTNER_ORIGIN = "https://bistro.example"
ADDRESS = {"country": "FR", "postal_code": "75011", "city": "Paris", "line1": "1 rue de la Roquette"}
CONTACT = {"email": "ada@example.org", "name": "Ada Lovelace", "address": ADDRESS}


@pytest.fixture
def widget(pg_app: Flask) -> dict[str, str]:
    """The headers of the widget's calls from the partner's page: its key, its origin."""
    with pg_app.app_context():
        key = partners.add("bistro", [PARTNER_ORIGIN]).publishable_key
        db.session.remove()
    return {"X-Atelier-Key": key, "Origin": PARTNER_ORIGIN}


def save_and_cart(client: FlaskClient, headers: dict[str, str], picks: dict[str, Any]) -> str:
    """What the configurator does on "Add to cart": save the design, open a cart, add the line."""
    design = client.post("/api/v1/designs", json={"product": "mug", "picks": picks}, headers=headers)
    assert design.status_code == 201, design.get_json()
    cart = client.post("/api/v1/carts", json={"currency": "EUR"}, headers=headers).get_json()["id"]
    line = {"design": design.get_json()["id"], "quantity": 1}
    added = client.post(f"/api/v1/carts/{cart}/lines", json=line, headers=headers)
    assert added.status_code == 201, added.get_json()
    token: str = cart
    return token


def pay_on_the_shop(client: FlaskClient, cart: str) -> str:
    """The shop's own cart and checkout pages: same origin, no key."""
    assert client.put(f"/api/v1/carts/{cart}/contact", json=CONTACT).status_code == 200
    checkout = client.post(f"/api/v1/carts/{cart}/checkout", json={})
    assert checkout.status_code == 201, checkout.get_json()
    order = checkout.get_json()["order"]
    assert client.post(f"/api/v1/orders/{order['token']}/complete").status_code == 200
    number: str = order["number"]
    return number


def export_rows(client: FlaskClient, headers: dict[str, str], **query: str) -> dict[str, str]:
    """Order number -> partner column of the CSV export (one row per order line)."""
    text = client.get("/api/v1/admin/orders/export.csv", query_string=query, headers=headers).get_data(
        as_text=True
    )
    return {row["order_number"]: row["partner"] for row in csv.DictReader(io.StringIO(text))}


def test_a_widget_cart_paid_on_the_shop_is_the_partners_order(
    pg_app: Flask, pg_client: FlaskClient, widget: dict[str, str]
) -> None:
    # Given a shopper who adds a mug to the cart in bistro's widget, then pays on the shop's pages
    through_widget = pay_on_the_shop(pg_client, save_and_cart(pg_client, widget, {"colour": "gold"}))
    # And another who does everything on the shop's own pages
    direct = pay_on_the_shop(pg_client, save_and_cart(pg_client, {}, {"colour": "gold"}))
    admin = admin_headers(pg_app, "orders:read", "insights:read")
    # Then the partner's report and export count the widget's order, and only that one
    report = pg_client.get("/api/v1/admin/partners", headers=admin).get_json()["items"]
    assert [(p["name"], p["designs"], p["orders"], p["paid_orders"]) for p in report] == [("bistro", 1, 1, 1)]
    assert export_rows(pg_client, admin, partner="bistro") == {through_widget: "bistro"}
    assert export_rows(pg_client, admin) == {through_widget: "bistro", direct: ""}
    detail = pg_client.get(f"/api/v1/admin/orders/{direct}", headers=admin).get_json()
    assert detail["partner"] is None
    # And the insights count one paid order through bistro, one through the storefront
    with pg_app.app_context():
        insights.aggregate(insights.today())
        found = insights.report("mug")
        assert {f.partner: f.orders for f in found.funnel_by_partner} == {None: 1, "bistro": 1}
        assert insights.report("mug", partner="bistro").funnel.orders == 1
        db.session.remove()


def test_a_widget_design_shared_and_carted_on_the_shop_stays_the_partners(
    pg_app: Flask, pg_client: FlaskClient, widget: dict[str, str]
) -> None:
    # Given a design saved in bistro's widget, whose share link the shopper opens on the shop
    saved = pg_client.post("/api/v1/designs", json={"product": "mug", "picks": {}}, headers=widget)
    design = saved.get_json()
    # When the shop's design page adds it to a new cart, and the shopper pays there
    cart = pg_client.post("/api/v1/carts", json={"currency": "EUR"}).get_json()["id"]
    pg_client.post(f"/api/v1/carts/{cart}/lines", json={"design": design["id"], "quantity": 1})
    number = pay_on_the_shop(pg_client, cart)
    # Then the order is bistro's
    admin = admin_headers(pg_app, "orders:read")
    assert export_rows(pg_client, admin, partner="bistro") == {number: "bistro"}
