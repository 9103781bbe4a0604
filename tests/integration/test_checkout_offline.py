"""Checkout with the demo's offline provider, on PostgreSQL: a test payment the shopper completes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from configurator.extensions import db
from configurator.orders.models import Order, OrderEvent, OrderLine
from configurator.payments.models import Payment
from rules.money import to_minor
from tests.support.checkout import cart_total, ready_cart


def checkout(client: FlaskClient, token: str, **kwargs: Any) -> Any:
    return client.post(f"/api/v1/carts/{token}/checkout", **kwargs)


def count(app: Flask, model: Any, *conditions: Any) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(model).where(*conditions)) or 0)


def test_checkout_makes_one_order_with_a_test_payment(pg_app: Flask, pg_client: FlaskClient) -> None:
    # Given a cart with two ink mugs and contact details
    token = ready_cart(pg_app)
    total, _ = cart_total(pg_app, token)

    # When the shopper checks out
    response = checkout(pg_client, token, json={})

    # Then the order is pending, priced by the server, and its payment is a marked test payment
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    order, payment = body["order"], body["payment"]
    assert order["status"] == "pending"
    assert order["total"] == str(total)
    assert order["currency"] == "EUR"
    assert [(line["product"], line["quantity"], line["unit_price"]) for line in order["lines"]] == [
        ("mug", 2, "14.00")
    ]
    assert order["contact"]["email"] == "ada@example.org"
    assert payment["provider"] == "offline"
    assert payment["test"] is True
    assert payment["reference"].startswith("offline_test_")
    assert payment["amount_minor"] == to_minor(total, "EUR")
    assert payment["client_secret"] is None
    assert response.headers["Cache-Control"] == "no-store"


def test_the_order_keeps_what_making_each_line_takes(pg_app: Flask, pg_client: FlaskClient) -> None:
    # Given a cart of an enamel mug in a gift box, which takes two weeks to make
    token = ready_cart(pg_app, [("mug", {"material": "enamel", "gift_box": True}, 1)])
    # When the shopper checks out
    ordered = datetime.now(UTC).date()
    order = checkout(pg_client, token, json={}).get_json()["order"]
    # Then the shopper's order says when it ships, and the order line keeps SKU, parts and weight
    (line,) = order["lines"]
    assert line["ships_by"] in {
        (ordered + timedelta(days=14)).isoformat(),
        (datetime.now(UTC).date() + timedelta(days=14)).isoformat(),  # past midnight meanwhile
    }
    with pg_app.app_context():
        (stored,) = db.session.scalars(select(OrderLine)).all()
        assert stored.production is not None
        assert stored.production["sku"] == "MUG-ENA-BOX"
        assert stored.production["parts"] == [
            {"part": "BLANK-MUG", "quantity": "1"},
            {"part": "GIFT-BOX", "quantity": "1"},
        ]
        assert (stored.production["lead_days"], stored.production["weight_grams"]) == (14, "470")
        assert stored.personalised is False  # nothing of the shopper's own in it
    assert line["personalised"] is False


def test_an_engraved_line_is_ordered_as_the_shoppers_own(pg_app: Flask, pg_client: FlaskClient) -> None:
    # Given a cart with an engraved mug: the cart line says it is made for the shopper
    token = ready_cart(pg_app, [("mug", {"engraving": "For Sam"}, 1)])
    (cart_line,) = pg_client.get(f"/api/v1/carts/{token}").get_json()["lines"]
    assert cart_line["personalised"] is True
    # When the shopper checks out, then the order line keeps it (no EU right of withdrawal)
    (line,) = checkout(pg_client, token, json={}).get_json()["order"]["lines"]
    assert line["personalised"] is True
    with pg_app.app_context():
        (stored,) = db.session.scalars(select(OrderLine)).all()
        assert stored.personalised is True


def test_checking_out_again_answers_the_same_order_and_payment(pg_app: Flask, pg_client: FlaskClient) -> None:
    token = ready_cart(pg_app)
    first = checkout(pg_client, token, json={})
    # A retry with no body at all is the same request
    second = checkout(pg_client, token)

    assert (first.status_code, second.status_code) == (201, 200)
    assert second.get_json() == first.get_json()
    assert count(pg_app, Order) == 1
    assert count(pg_app, Payment) == 1


def test_complete_marks_the_order_paid_once(pg_app: Flask, pg_client: FlaskClient) -> None:
    token = ready_cart(pg_app)
    order_token = checkout(pg_client, token, json={}).get_json()["order"]["token"]

    # When the shopper comes back from the (test) payment, twice
    first = pg_client.post(f"/api/v1/orders/{order_token}/complete")
    second = pg_client.post(f"/api/v1/orders/{order_token}/complete")

    # Then the order is paid, and it became paid once
    assert first.status_code == 200, first.get_json()
    assert first.get_json()["status"] == "paid"
    assert first.get_json()["paid_at"] is not None
    assert first.get_json()["payment"]["status"] == "succeeded"
    assert second.get_json() == first.get_json()
    assert count(pg_app, OrderEvent, OrderEvent.to_status == "paid") == 1


def test_the_order_reads_back_with_its_lines_and_contact(pg_app: Flask, pg_client: FlaskClient) -> None:
    token = ready_cart(pg_app, [("mug", {"colour": "gold", "gift_box": True}, 1), ("poster", {}, 3)])
    _, summary = cart_total(pg_app, token)
    made = checkout(pg_client, token, json={}).get_json()["order"]

    body = pg_client.get(made["links"]["self"]).get_json()

    assert body == made
    mug, poster = body["lines"]
    assert mug["choices"]["colour"] == "gold"
    assert {line["kind"] for line in mug["price_lines"]} >= {"base"}
    assert mug["version_id"] > 0
    assert poster["quantity"] == 3
    assert [line["kind"] for line in body["summary"]] == summary
    assert body["contact"]["address"]["city"] == "Paris"


def test_wrong_order_tokens_all_get_the_same_404(pg_app: Flask, pg_client: FlaskClient) -> None:
    token = ready_cart(pg_app)
    real = checkout(pg_client, token, json={}).get_json()["order"]["token"]

    answers = [
        pg_client.get(f"/api/v1/orders/{wrong}").get_json()
        for wrong in ("nope", real[:-1], real + "x", real.swapcase())
    ]

    assert {(a["status"], a["code"], a["detail"]) for a in answers} == {
        (404, "order-not-found", "No order has this id.")
    }


def test_a_cart_without_contact_details_is_refused(pg_app: Flask, pg_client: FlaskClient) -> None:
    token = ready_cart(pg_app, contact=False)

    response = checkout(pg_client, token, json={})

    assert response.status_code == 422
    assert response.get_json()["code"] == "cart-not-ready"
    assert [e["field"] for e in response.get_json()["errors"]] == ["contact"]
    assert count(pg_app, Order) == 0


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"total": "0.01"}, 400, "client-price-refused"),
        ({"amount": 1}, 400, "client-price-refused"),
        ({"totalPrice": "0.01"}, 400, "client-price-refused"),
        ([], 422, "validation-failed"),
        ({"note": "hi"}, 422, "validation-failed"),
    ],
)
def test_checkout_takes_no_price_or_anything_else(
    pg_app: Flask, pg_client: FlaskClient, body: Any, status: int, code: str
) -> None:
    token = ready_cart(pg_app)

    response = checkout(pg_client, token, json=body)

    assert (response.status_code, response.get_json()["code"]) == (status, code)
    assert count(pg_app, Order) == 0


def test_an_unknown_cart_is_a_404(pg_client: FlaskClient) -> None:
    response = checkout(pg_client, "no-such-cart", json={})

    assert response.status_code == 404
    assert response.get_json()["code"] == "cart-not-found"


def test_the_stripe_webhook_is_not_there_without_stripe(pg_client: FlaskClient) -> None:
    response = pg_client.post(
        "/api/v1/payments/stripe/webhook", data=b"{}", headers={"Stripe-Signature": "x"}
    )

    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
