"""What the Stripe tests do through the API and read back from the database."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from configurator.extensions import db
from configurator.orders.models import Order, OrderEvent, OrderStatus
from configurator.payments.models import Payment
from tests.support.checkout import ready_cart
from tests.support.fake_stripe import FakeStripe, sign

WEBHOOK = "/api/v1/payments/stripe/webhook"


def checkout(client: FlaskClient, token: str) -> Any:
    return client.post(f"/api/v1/carts/{token}/checkout", json={})


def checked_out(app: Flask, client: FlaskClient, **cart: Any) -> dict[str, Any]:
    """A ready cart checked out: the API's answer (order and payment)."""
    response = checkout(client, ready_cart(app, **cart))
    assert response.status_code == 201, response.get_json()
    body: dict[str, Any] = response.get_json()
    return body


def deliver(client: FlaskClient, payload: bytes, signature: str | None = None) -> Any:
    """Post a webhook event, signed with the test secret unless told otherwise."""
    headers = {"Content-Type": "application/json", "Stripe-Signature": signature or sign(payload)}
    return client.post(WEBHOOK, data=payload, headers=headers)


def count(app: Flask, model: Any, *conditions: Any) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(model).where(*conditions)) or 0)


def order_status(app: Flask, number: str) -> str:
    with app.app_context():
        return str(db.session.scalar(select(Order.status).where(Order.number == number)))


def payment_status(app: Flask, reference: str) -> str:
    with app.app_context():
        return str(db.session.scalar(select(Payment.status).where(Payment.reference == reference)))


def paid_events(app: Flask) -> int:
    return count(app, OrderEvent, OrderEvent.to_status == OrderStatus.PAID.value)


def succeeded_event(app: Flask, client: FlaskClient, stripe: FakeStripe, body: dict[str, Any]) -> None:
    """Stripe tells the shop the checked-out order's PaymentIntent succeeded."""
    intent = stripe.intents[body["payment"]["reference"]]
    response = deliver(client, stripe.event("payment_intent.succeeded", intent))
    assert response.status_code == 200, response.get_json()


def refunded_event(app: Flask, client: FlaskClient, stripe: FakeStripe, body: dict[str, Any]) -> None:
    """Stripe tells the shop the checked-out order's charge was refunded."""
    charge = stripe.charges[stripe.intents[body["payment"]["reference"]]["latest_charge"]]
    response = deliver(client, stripe.event("charge.refunded", charge))
    assert response.status_code == 200, response.get_json()
