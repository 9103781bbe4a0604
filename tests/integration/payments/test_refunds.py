"""Refunds on PostgreSQL against the local Stripe stand-in: whatever order the success webhook, the
refund webhook, the shopper's return and a reconciliation run arrive in, money returned in full ends
in a refunded order that was never paid, made, or confirmed; a partial refund is recorded and the
order stays paid."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from configurator.extensions import db
from configurator.mail.models import OutboxMessage
from configurator.orders.models import Order, OrderEvent, OrderStatus
from configurator.payments.models import Payment
from configurator.payments.reconcile import reconcile
from configurator.proofs.models import Proof
from tests.support.admin import admin_headers
from tests.support.fake_stripe import FakeStripe
from tests.support.payments import checked_out, count, order_status, refunded_event, succeeded_event

Step = Callable[[Flask, FlaskClient, FakeStripe, dict[str, Any]], None]


def shopper_returns(app: Flask, client: FlaskClient, stripe: FakeStripe, body: dict[str, Any]) -> None:
    response = client.post(body["order"]["links"]["complete"])
    # Paid, or refunded: either way the shopper is told where the order stands, never an error.
    assert response.status_code == 200, response.get_json()


def reconcile_fix(app: Flask, client: FlaskClient, stripe: FakeStripe, body: dict[str, Any]) -> None:
    with app.app_context():
        report = reconcile(fix=True)
    assert report.errors == []


ARRIVALS: dict[str, Step] = {
    "success": succeeded_event,
    "refund": refunded_event,
    "return": shopper_returns,
    "reconcile": reconcile_fix,
}


def history(app: Flask, number: str) -> list[tuple[str | None, str, str | None]]:
    with app.app_context():
        order = db.session.scalars(select(Order).where(Order.number == number)).one()
        events = db.session.scalars(
            select(OrderEvent).where(OrderEvent.order_id == order.id).order_by(OrderEvent.id)
        )
        return [(e.from_status, e.to_status, e.note) for e in events]


def stored(app: Flask, number: str) -> tuple[Order, Payment]:
    with app.app_context():
        order = db.session.scalars(select(Order).where(Order.number == number)).one()
        payment = db.session.scalars(select(Payment).where(Payment.order_id == order.id)).one()
        db.session.expunge_all()
        return order, payment


def listed(app: Flask, client: FlaskClient, number: str) -> dict[str, Any]:
    page = client.get("/api/v1/admin/orders", headers=admin_headers(app, "orders:read")).get_json()
    (item,) = [item for item in page["items"] if item["number"] == number]
    return dict(item)


@pytest.mark.parametrize("arrivals", list(itertools.permutations(ARRIVALS)), ids=lambda p: "-then-".join(p))
def test_money_returned_before_anyone_heard_of_the_success_never_makes_the_order_paid(
    pg_app: Flask, pg_client: FlaskClient, fake_stripe: FakeStripe, arrivals: tuple[str, ...]
) -> None:
    # Given a payment that succeeded and was refunded in full from Stripe's dashboard before any of
    # its news reached the shop (the success webhook failed during an outage and is retried later)
    body = checked_out(pg_app, pg_client)
    reference = body["payment"]["reference"]
    fake_stripe.set_status(reference, "succeeded")
    fake_stripe.refund(reference)

    # When the success event, the refund event, the shopper's return and a reconciliation arrive
    for name in arrivals:
        ARRIVALS[name](pg_app, pg_client, fake_stripe, body)

    # Then the order is refunded, was never paid, and nothing was confirmed or made
    number = body["order"]["number"]
    order, payment = stored(pg_app, number)
    assert order.status == OrderStatus.REFUNDED
    assert order.paid_at is None
    assert order.refunded_at is not None
    assert order.refunded == order.total
    assert (payment.status, payment.amount_refunded_minor) == ("refunded", payment.amount_minor)
    note = "Refunded in full before the payment was confirmed: never paid, not to be made"
    assert history(pg_app, number) == [(None, "pending", None), ("pending", "refunded", note)]
    assert count(pg_app, OutboxMessage) == 0
    assert count(pg_app, Proof) == 0
    # And the merchant's list says why
    item = listed(pg_app, pg_client, number)
    assert (item["status"], item["status_note"]) == ("refunded", note)
    assert item["refunded"] == item["total"]


@pytest.mark.parametrize(
    "arrivals",
    list(itertools.permutations(["success", "return", "reconcile"])),
    ids=lambda p: "-then-".join(p),
)
def test_a_refund_after_the_order_was_paid_refunds_it_and_keeps_its_confirmation(
    pg_app: Flask, pg_client: FlaskClient, fake_stripe: FakeStripe, arrivals: tuple[str, ...]
) -> None:
    # Given a payment whose success reached the shop (in any of its ways, any number of times)
    body = checked_out(pg_app, pg_client)
    reference = body["payment"]["reference"]
    fake_stripe.set_status(reference, "succeeded")
    for name in arrivals:
        ARRIVALS[name](pg_app, pg_client, fake_stripe, body)
    number = body["order"]["number"]
    assert order_status(pg_app, number) == "paid"
    # (what a paid order sets off: the checks above and below are not vacuous)
    assert count(pg_app, OutboxMessage) == 1
    made = count(pg_app, Proof)
    assert made > 0

    # When the merchant refunds it in full and Stripe says so
    fake_stripe.refund(reference)
    refunded_event(pg_app, pg_client, fake_stripe, body)

    # Then it is refunded once, after having been paid; nothing more is sent or made
    order, _ = stored(pg_app, number)
    assert order.status == OrderStatus.REFUNDED
    assert order.paid_at is not None
    assert [(f, t) for f, t, _ in history(pg_app, number)] == [
        (None, "pending"),
        ("pending", "paid"),
        ("paid", "refunded"),
    ]
    assert (count(pg_app, OutboxMessage), count(pg_app, Proof)) == (1, made)


def test_a_partial_refund_keeps_the_order_paid_and_records_the_amount(
    pg_app: Flask, pg_client: FlaskClient, fake_stripe: FakeStripe
) -> None:
    body = checked_out(pg_app, pg_client)
    reference = body["payment"]["reference"]
    number = body["order"]["number"]
    fake_stripe.set_status(reference, "succeeded")
    fake_stripe.refund(reference, amount=250)

    # The refund event arrives first, then the success: the order is paid, 2.50 returned
    refunded_event(pg_app, pg_client, fake_stripe, body)
    succeeded_event(pg_app, pg_client, fake_stripe, body)

    order, payment = stored(pg_app, number)
    assert order.status == OrderStatus.PAID
    assert order.refunded == Decimal("2.50")
    assert (payment.status, payment.amount_refunded_minor) == ("succeeded", 250)
    total = body["order"]["total"]
    assert history(pg_app, number)[-1] == ("paid", "paid", f"Partly refunded: 2.50 of {total} EUR")
    assert count(pg_app, OutboxMessage) == 1
    item = listed(pg_app, pg_client, number)
    assert (item["status"], item["refunded"]) == ("paid", "2.50")

    # A stale answer read before the refund cannot lower the amount; the rest of the money, later,
    # refunds the order
    succeeded_event(pg_app, pg_client, fake_stripe, body)
    fake_stripe.refund(reference)
    refunded_event(pg_app, pg_client, fake_stripe, body)

    order, payment = stored(pg_app, number)
    assert order.status == OrderStatus.REFUNDED
    assert str(order.refunded.quantize(Decimal("0.01"))) == total
    assert history(pg_app, number)[-1] == (
        "paid",
        "refunded",
        "Refunded in full through the payment provider",
    )


def test_reconcile_reports_a_paid_order_whose_refund_webhook_was_lost(
    pg_app: Flask, pg_client: FlaskClient, fake_stripe: FakeStripe
) -> None:
    body = checked_out(pg_app, pg_client)
    reference = body["payment"]["reference"]
    fake_stripe.set_status(reference, "succeeded")
    succeeded_event(pg_app, pg_client, fake_stripe, body)
    fake_stripe.refund(reference)  # its webhook never arrives

    with pg_app.app_context():
        looked = reconcile()
        fixed = reconcile(fix=True)
        again = reconcile(fix=True)

    (found,) = looked.findings
    assert (found.status, found.becomes, found.fixed) == (OrderStatus.PAID, OrderStatus.REFUNDED, False)
    assert [f.fixed for f in fixed.findings] == [True]
    assert again.findings == []
    assert order_status(pg_app, body["order"]["number"]) == "refunded"
