"""Partner requests over HTTP on PostgreSQL: the key, the Origin check, CORS, attribution, the report."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from configurator.designs.models import Design
from configurator.extensions import db
from configurator.orders.models import Order
from configurator.partners import services
from tests.support.admin import admin_headers
from tests.support.orders import make_order

PARTNER_ORIGIN = "https://acme.example"
OTHER_ORIGIN = "https://evil.example"
ADDRESS = {"country": "FR", "postal_code": "75011", "city": "Paris", "line1": "1 rue de la Roquette"}
PREFLIGHT = {
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "content-type,x-atelier-key",
}


@dataclass(frozen=True)
class Keys:
    acme: str
    other: str  # another partner's key, whose origin is https://other.example


@pytest.fixture
def keys(pg_app: Flask) -> Keys:
    with pg_app.app_context():
        acme = services.add("acme", [PARTNER_ORIGIN, "http://localhost:5173"]).publishable_key
        other = services.add("other", ["https://other.example"]).publishable_key
        db.session.remove()
    return Keys(acme, other)


@pytest.fixture
def seen(pg_client: FlaskClient) -> Iterator[list[TestResponse]]:
    """Every response the test client gets; none may ever allow any origin or credentials."""
    responses: list[TestResponse] = []
    original = pg_client.open

    def recording(*args: Any, **kwargs: Any) -> TestResponse:
        response = original(*args, **kwargs)
        responses.append(response)
        return response

    pg_client.open = recording  # type: ignore[method-assign]
    yield responses
    assert responses
    for response in responses:
        assert response.headers.get("Access-Control-Allow-Origin") != "*"
        assert "Access-Control-Allow-Credentials" not in response.headers


def partner_headers(key: str, origin: str | None = PARTNER_ORIGIN) -> dict[str, str]:
    headers = {"X-Atelier-Key": key}
    if origin is not None:
        headers["Origin"] = origin
    return headers


def assert_problem(response: TestResponse, status: int, code: str) -> None:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["code"] == code


def test_preflight_from_a_partner_origin_is_answered_exactly(
    keys: Keys, pg_client: FlaskClient, seen: list[TestResponse]
) -> None:
    response = pg_client.options("/api/v1/designs", headers={"Origin": PARTNER_ORIGIN, **PREFLIGHT})
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == PARTNER_ORIGIN
    assert "Origin" in response.vary
    assert "X-Atelier-Key" in response.headers["Access-Control-Allow-Headers"]
    assert "Content-Type" in response.headers["Access-Control-Allow-Headers"]
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert int(response.headers["Access-Control-Max-Age"]) > 0
    assert "Access-Control-Allow-Credentials" not in response.headers


def test_preflight_from_another_origin_gets_no_cors_headers(
    keys: Keys, pg_client: FlaskClient, seen: list[TestResponse]
) -> None:
    for origin in (OTHER_ORIGIN, "null", "https://acme.example.evil.example", "http://acme.example"):
        response = pg_client.options("/api/v1/designs", headers={"Origin": origin, **PREFLIGHT})
        assert_problem(response, 403, "origin-not-allowed")
        assert "Access-Control-Allow-Origin" not in response.headers
        assert "Origin" in response.vary


def test_a_partner_request_from_its_origin_is_shared_with_that_origin_only(
    keys: Keys, pg_client: FlaskClient, seen: list[TestResponse]
) -> None:
    response = pg_client.get("/api/v1/products", headers=partner_headers(keys.acme))
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == PARTNER_ORIGIN
    assert "Origin" in response.vary
    local = pg_client.get("/api/v1/products", headers=partner_headers(keys.acme, "http://localhost:5173"))
    assert local.headers["Access-Control-Allow-Origin"] == "http://localhost:5173"


def test_a_key_used_from_an_origin_its_partner_did_not_list_is_refused(
    keys: Keys, pg_client: FlaskClient, seen: list[TestResponse]
) -> None:
    # Another site copying acme's key, and another partner's origin using acme's key
    for origin in (OTHER_ORIGIN, "https://other.example", "http://localhost:3000"):
        response = pg_client.get("/api/v1/products", headers=partner_headers(keys.acme, origin))
        assert_problem(response, 403, "origin-not-allowed")
        assert "Access-Control-Allow-Origin" not in response.headers
        assert "products" not in response.get_json()  # no data


def test_unknown_and_disabled_keys_are_refused(
    pg_app: Flask, keys: Keys, pg_client: FlaskClient, seen: list[TestResponse]
) -> None:
    for key in ("pk_test_nosuchkey", "pk_live_" + "x" * 32, "sk_test_123", "", "pk_test_\u00e9"):
        response = pg_client.get("/api/v1/products", headers=partner_headers(key))
        assert_problem(response, 401, "unknown-publishable-key")
    # A partner's page with a bad key can read why (its origin is a partner's); another site cannot
    response = pg_client.get("/api/v1/products", headers=partner_headers("pk_test_nosuchkey"))
    assert response.headers["Access-Control-Allow-Origin"] == PARTNER_ORIGIN
    response = pg_client.get("/api/v1/products", headers=partner_headers("pk_test_nosuchkey", OTHER_ORIGIN))
    assert "Access-Control-Allow-Origin" not in response.headers
    # Given acme disabled
    with pg_app.app_context():
        services.disable("acme")
        db.session.remove()
    # Then its key is refused, from its origin or from no origin at all
    for origin in (PARTNER_ORIGIN, None):
        response = pg_client.get("/api/v1/products", headers=partner_headers(keys.acme, origin))
        assert_problem(response, 401, "unknown-publishable-key")
        assert "Access-Control-Allow-Origin" not in response.headers
    preflight = pg_client.options("/api/v1/designs", headers={"Origin": PARTNER_ORIGIN, **PREFLIGHT})
    assert_problem(preflight, 403, "origin-not-allowed")


def test_first_party_requests_need_no_key(
    keys: Keys, pg_client: FlaskClient, seen: list[TestResponse]
) -> None:
    # Servers and curl send no Origin; the shop's own pages send their own origin
    assert pg_client.get("/api/v1/products").status_code == 200
    own = pg_client.post(
        "/api/v1/designs", json={"product": "mug", "picks": {}}, headers={"Origin": "http://localhost"}
    )
    assert own.status_code == 201
    assert "Access-Control-Allow-Origin" not in own.headers
    public = pg_client.get(
        "/api/v1/products", headers={"Origin": "http://127.0.0.1:8000"}
    )  # ATELIER_PUBLIC_URL
    assert public.status_code == 200
    # A browser on another site without a key is refused, even from a partner's origin
    for origin in (OTHER_ORIGIN, PARTNER_ORIGIN):
        response = pg_client.get("/api/v1/products", headers={"Origin": origin})
        assert_problem(response, 403, "origin-not-allowed")
        assert "X-Atelier-Key" in response.get_json()["detail"]
        assert "Access-Control-Allow-Origin" not in response.headers


def test_admin_api_and_webhooks_are_not_partner_paths(
    pg_app: Flask, keys: Keys, pg_client: FlaskClient, seen: list[TestResponse]
) -> None:
    headers = {
        **admin_headers(pg_app, "orders:read"),
        "Origin": OTHER_ORIGIN,
        "X-Atelier-Key": "pk_test_bogus",
    }
    response = pg_client.get("/api/v1/admin/orders", headers=headers)
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers
    preflight = pg_client.options("/api/v1/admin/orders", headers={"Origin": PARTNER_ORIGIN, **PREFLIGHT})
    assert "Access-Control-Allow-Origin" not in preflight.headers
    webhook = pg_client.post("/api/v1/payments/stripe/webhook", data=b"{}", headers={"Origin": OTHER_ORIGIN})
    assert webhook.get_json()["code"] != "origin-not-allowed"


def test_designs_and_orders_made_with_a_key_are_attributed(
    pg_app: Flask, keys: Keys, pg_client: FlaskClient, seen: list[TestResponse]
) -> None:
    headers = partner_headers(keys.acme)
    # Given a shopper on acme's site who saves a design, remixes it, carts and checks out
    saved = pg_client.post(
        "/api/v1/designs", json={"product": "mug", "picks": {"colour": "gold"}}, headers=headers
    )
    assert saved.status_code == 201
    assert saved.headers["Access-Control-Allow-Origin"] == PARTNER_ORIGIN
    design = saved.get_json()
    remix = pg_client.post(design["links"]["remix"], json={"picks": {}}, headers=headers).get_json()
    cart = pg_client.post("/api/v1/carts", json={"currency": "EUR"}, headers=headers).get_json()["id"]
    added = pg_client.post(
        f"/api/v1/carts/{cart}/lines", json={"design": remix["id"], "quantity": 2}, headers=headers
    )
    assert added.status_code == 201, added.get_json()
    contact = {"email": "ada@example.org", "name": "Ada Lovelace", "address": ADDRESS}
    assert pg_client.put(f"/api/v1/carts/{cart}/contact", json=contact, headers=headers).status_code == 200
    checkout = pg_client.post(f"/api/v1/carts/{cart}/checkout", json={}, headers=headers)
    assert checkout.status_code == 201, checkout.get_json()
    order = checkout.get_json()["order"]
    # And a design saved on the shop's own storefront
    own = pg_client.post("/api/v1/designs", json={"product": "mug", "picks": {}}).get_json()
    # Then the partner's designs and order carry it, the storefront's does not
    with pg_app.app_context():
        acme = services.find("acme")
        by_id = {d.public_id: d.partner_id for d in db.session.scalars(db.select(Design))}
        assert by_id == {design["id"]: acme.id, remix["id"]: acme.id, own["id"]: None}
        placed = db.session.scalar(db.select(Order).where(Order.number == order["number"]))
        assert placed is not None
        assert placed.partner_id == acme.id
        db.session.remove()


def test_services_attribute_nothing_outside_a_partner_request(pg_app: Flask) -> None:
    made = make_order(pg_app)
    with pg_app.app_context():
        order = db.session.get(Order, made.id)
        assert order is not None
        assert order.partner_id is None


def _order_through(pg_app: Flask, pg_client: FlaskClient, key: str, origin: str, currency: str) -> str:
    headers = partner_headers(key, origin)
    design = pg_client.post(
        "/api/v1/designs", json={"product": "mug", "picks": {}}, headers=headers
    ).get_json()
    cart = pg_client.post("/api/v1/carts", json={"currency": currency}, headers=headers).get_json()["id"]
    pg_client.post(
        f"/api/v1/carts/{cart}/lines", json={"design": design["id"], "quantity": 1}, headers=headers
    )
    contact = {"email": "ada@example.org", "name": "Ada Lovelace", "address": ADDRESS}
    pg_client.put(f"/api/v1/carts/{cart}/contact", json=contact, headers=headers)
    checkout = pg_client.post(f"/api/v1/carts/{cart}/checkout", json={}, headers=headers).get_json()
    token: str = checkout["order"]["token"]
    assert pg_client.post(f"/api/v1/orders/{token}/complete", headers=headers).status_code == 200
    number: str = checkout["order"]["number"]
    return number


def test_the_admin_api_reports_per_partner(
    pg_app: Flask, keys: Keys, pg_client: FlaskClient, seen: list[TestResponse]
) -> None:
    # Given two paid orders through acme (EUR and USD), one through the other partner, one direct
    eur = _order_through(pg_app, pg_client, keys.acme, PARTNER_ORIGIN, "EUR")
    _order_through(pg_app, pg_client, keys.acme, PARTNER_ORIGIN, "USD")
    _order_through(pg_app, pg_client, keys.other, "https://other.example", "EUR")
    make_order(pg_app)
    headers = admin_headers(pg_app, "orders:read")
    # Then the partner report counts each partner's designs, orders and paid revenue per currency
    response = pg_client.get("/api/v1/admin/partners", headers=headers)
    assert response.status_code == 200, response.get_json()
    items = {item["name"]: item for item in response.get_json()["items"]}
    acme = items["acme"]
    assert (acme["designs"], acme["orders"], acme["paid_orders"]) == (2, 2, 2)
    assert [r["currency"] for r in acme["revenue"]] == ["EUR", "USD"]
    assert all(r["orders"] == 1 and float(r["amount"]) > 0 for r in acme["revenue"])
    assert acme["origins"] == ["http://localhost:5173", PARTNER_ORIGIN]
    assert acme["publishable_key"] == keys.acme
    assert (items["other"]["orders"], items["other"]["designs"]) == (1, 1)
    # And the orders list filters by partner, the detail and the export name it
    listed = pg_client.get("/api/v1/admin/orders", query_string={"partner": "acme"}, headers=headers)
    assert listed.get_json()["total"] == 2
    assert pg_client.get("/api/v1/admin/orders", headers=headers).get_json()["total"] == 4
    none = pg_client.get("/api/v1/admin/orders", query_string={"partner": "nobody"}, headers=headers)
    assert none.get_json()["total"] == 0
    detail = pg_client.get(f"/api/v1/admin/orders/{eur}", headers=headers).get_json()
    assert detail["partner"] == "acme"
    export = pg_client.get(
        "/api/v1/admin/orders/export.json", query_string={"partner": "acme"}, headers=headers
    )
    assert {row["partner"] for row in export.get_json()} == {"acme"}
    csv = pg_client.get("/api/v1/admin/orders/export.csv", headers=headers).get_data(as_text=True)
    assert "partner" in csv.splitlines()[0].split(",")


def test_the_partner_report_needs_the_orders_read_scope(pg_app: Flask, pg_client: FlaskClient) -> None:
    assert pg_client.get("/api/v1/admin/partners").status_code == 401
    headers = admin_headers(pg_app, "designs:read")
    assert pg_client.get("/api/v1/admin/partners", headers=headers).status_code == 403


def test_openapi_documents_the_key_on_public_operations_only(pg_client: FlaskClient) -> None:
    document = pg_client.get("/openapi.json").get_json()
    scheme = document["components"]["securitySchemes"]["publishableKey"]
    assert scheme == {**scheme, "type": "apiKey", "in": "header", "name": "X-Atelier-Key"}
    designs = document["paths"]["/api/v1/designs"]["post"]
    assert designs["security"] == [{}, {"publishableKey": []}]
    assert {"401", "403"} <= set(designs["responses"])
    assert document["paths"]["/api/v1/admin/partners"]["get"]["security"] == [{"adminToken": []}]
    assert "security" not in document["paths"]["/api/v1/payments/stripe/webhook"]["post"]
