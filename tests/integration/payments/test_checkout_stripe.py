"""Checkout with Stripe, on PostgreSQL, against a local stand-in for Stripe's API: PaymentIntents made
once per order, and webhooks signed for real, processed once, in any order, racing the browser."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text

from configurator import events
from configurator.api.checkout import COMPLETES_PER_MINUTE
from configurator.extensions import db
from configurator.mail.models import OutboxMessage
from configurator.orders import services as order_services
from configurator.orders.models import Order, OrderEvent
from configurator.payments import services as payment_services
from configurator.payments.models import Payment, ProviderEvent
from rules.money import to_minor
from tests.conftest import FIXTURES
from tests.support.checkout import cart_total, ready_cart
from tests.support.fake_stripe import PUBLISHABLE_KEY, FakeStripe, sign
from tests.support.payments import (
    WEBHOOK,
    checked_out,
    checkout,
    count,
    deliver,
    order_status,
    paid_events,
    payment_status,
)
from tests.support.waiting import wait_until

YEN_CATALOG = FIXTURES / "catalog_yen"


# -- checkout --------------------------------------------------------------------------------------------


def test_checkout_creates_one_payment_intent(
    pg_app: Flask, pg_client: FlaskClient, fake_stripe: FakeStripe
) -> None:
    # Given a cart with two ink mugs, in euros
    token = ready_cart(pg_app)
    total, _ = cart_total(pg_app, token)
    cents = to_minor(total, "EUR")

    # When the shopper checks out, then the browser retries
    first = checkout(pg_client, token)
    second = checkout(pg_client, token)

    # Then there is one PaymentIntent, in cents, and the browser has what Stripe.js needs
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.get_json() == first.get_json()
    payment = first.get_json()["payment"]
    assert len(fake_stripe.intents) == 1
    intent = fake_stripe.intents[payment["reference"]]
    assert payment["client_secret"] == intent["client_secret"]
    assert payment["publishable_key"] == PUBLISHABLE_KEY
    assert payment["test"] is True
    assert (payment["amount_minor"], payment["currency"]) == (cents, "EUR")
    (call,) = fake_stripe.create_calls()
    assert call.params["amount"] == str(cents)
    assert call.params["currency"] == "eur"
    assert call.params["automatic_payment_methods"] == {"enabled": "true"}
    assert call.idempotency_key
    assert call.idempotency_key.endswith(f"-{cents}-eur")


def test_metadata_holds_ids_and_a_hash_not_the_design(
    pg_app: Flask, pg_client: FlaskClient, fake_stripe: FakeStripe
) -> None:
    token = ready_cart(pg_app, [("mug", {"colour": "gold", "engraving": "For Ada"}, 1)])
    order = checkout(pg_client, token).get_json()["order"]

    (call,) = fake_stripe.create_calls()
    metadata = call.params["metadata"]

    assert set(metadata) == {"order_number", "order_id", "cart_token_hash"}
    assert metadata["order_number"] == order["number"]
    assert len(metadata) <= 50
    assert all(len(value) <= 500 for value in metadata.values())
    sent = json.dumps(call.params)
    for secret_or_design in (token, order["token"], "For Ada", "gold", "ada@example.org", "Paris"):
        assert secret_or_design not in sent


@pytest.mark.parametrize("catalog", [YEN_CATALOG])
def test_a_zero_decimal_currency_is_charged_in_whole_yen(
    pg_app: Flask, pg_client: FlaskClient, fake_stripe: FakeStripe
) -> None:
    # 3 celadon cups at JPY 1,980
    body = checked_out(pg_app, pg_client, lines=[("cup", {"glaze": "celadon"}, 3)], currency="JPY")

    assert body["order"]["total"] == "5940"
    assert (body["payment"]["amount_minor"], body["payment"]["currency"]) == (5940, "JPY")
    (call,) = fake_stripe.create_calls()
    assert (call.params["amount"], call.params["currency"]) == ("5940", "jpy")


def test_a_lost_answer_is_retried_with_the_same_key(
    pg_app: Flask, pg_client: FlaskClient, fake_stripe: FakeStripe
) -> None:
    # Given Stripe makes the intent but its answer never arrives
    token = ready_cart(pg_app)
    fake_stripe.drop_replies = 1
    lost = checkout(pg_client, token)
    assert lost.status_code == 502
    assert lost.mimetype == "application/problem+json"

    # When the shopper tries again
    again = checkout(pg_client, token)

    # Then the same intent is found through the idempotency key: one intent, one order, one payment
    assert again.status_code == 201, again.get_json()
    keys = {call.idempotency_key for call in fake_stripe.create_calls()}
    assert len(fake_stripe.create_calls()) == 2
    assert len(keys) == 1
    assert len(fake_stripe.intents) == 1
    assert again.get_json()["payment"]["reference"] in fake_stripe.intents
    assert (count(pg_app, Order), count(pg_app, Payment)) == (1, 1)


@pytest.mark.parametrize("retries", [1])
def test_the_sdks_own_retry_reuses_the_key(
    pg_app: Flask, pg_client: FlaskClient, fake_stripe: FakeStripe
) -> None:
    token = ready_cart(pg_app)
    fake_stripe.drop_replies = 1

    response = checkout(pg_client, token)

    assert response.status_code == 201, response.get_json()
    assert len(fake_stripe.create_calls()) == 2
    assert len({call.idempotency_key for call in fake_stripe.create_calls()}) == 1
    assert len(fake_stripe.intents) == 1


# -- the browser comes back ---------------------------------------------------------------------------


def test_complete_asks_stripe_and_refuses_an_unpaid_order(
    pg_app: Flask, pg_client: FlaskClient, fake_stripe: FakeStripe, monkeypatch: pytest.MonkeyPatch
) -> None:
    # (every return asks, however soon after the last: what a return reuses is tested below)
    monkeypatch.setattr(payment_services, "RECHECK_SECONDS", 0)
    body = checked_out(pg_app, pg_client)
    complete = body["order"]["links"]["complete"]

    # The browser claims success before the payment went through: Stripe is asked, not the browser
    early = pg_client.post(complete)
    assert early.status_code == 409
    problem = early.get_json()
    assert problem["code"] == "payment-failed"
    assert problem["errors"][0]["code"] == "requires_payment_method"
    assert order_status(pg_app, body["order"]["number"]) == "pending"
    # The shopper reads, in their language, that the payment has not gone through; Stripe's status
    # word is for integrators
    french = pg_client.post(complete, headers={"Accept-Language": "fr"}).get_json()
    assert french["detail"].startswith("Votre paiement n'a pas encore abouti.")
    assert french["errors"][0]["detail"].startswith("Votre paiement n'a pas encore abouti.")
    assert "requires_payment_method" not in french["detail"] + french["errors"][0]["detail"]
    assert french["technical_detail"] == "The payment has not succeeded: it is requires_payment_method."

    fake_stripe.set_status(body["payment"]["reference"], "succeeded")
    done = pg_client.post(complete)
    again = pg_client.post(complete)

    assert done.status_code == 200
    assert done.get_json()["status"] == "paid"
    assert done.get_json()["payment"]["status"] == "succeeded"
    assert again.get_json() == done.get_json()
    assert paid_events(pg_app) == 1


def test_returns_in_a_loop_ask_stripe_once_and_are_then_refused(
    pg_app: Flask, pg_client: FlaskClient, fake_stripe: FakeStripe, monkeypatch: pytest.MonkeyPatch
) -> None:
    # (a window far longer than the test: what is counted is calls, never time)
    monkeypatch.setattr(payment_services, "RECHECK_SECONDS", 3600)
    body = checked_out(pg_app, pg_client)
    reference = body["payment"]["reference"]
    asked = [r for r in fake_stripe.requests if r.path.endswith(reference)]

    # When a script posts the shopper's return 150 times while the payment has not gone through
    answers = [pg_client.post(body["order"]["links"]["complete"]) for _ in range(150)]

    # Then Stripe was asked once; the 30 allowed in the minute are told the payment is not done, the
    # rest are refused with the time to wait
    statuses = [answer.status_code for answer in answers]
    assert statuses == [409] * COMPLETES_PER_MINUTE + [429] * (150 - COMPLETES_PER_MINUTE)
    assert {a.get_json()["errors"][0]["code"] for a in answers[:COMPLETES_PER_MINUTE]} == {
        "requires_payment_method"
    }
    refused = answers[-1]
    assert refused.mimetype == "application/problem+json"
    assert refused.get_json()["code"] == "rate-limited"
    assert int(refused.headers["Retry-After"]) >= 1
    fetched = [r for r in fake_stripe.requests if r.path.endswith(reference)]
    assert len(fetched) - len(asked) == 1


def test_a_return_after_the_window_asks_stripe_again(
    pg_app: Flask, pg_client: FlaskClient, fake_stripe: FakeStripe, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(payment_services, "RECHECK_SECONDS", 0)
    body = checked_out(pg_app, pg_client)
    reference = body["payment"]["reference"]
    before = len(fake_stripe.requests)

    for _ in range(3):
        assert pg_client.post(body["order"]["links"]["complete"]).status_code == 409

    assert len([r for r in fake_stripe.requests[before:] if r.path.endswith(reference)]) == 3


# -- webhooks -------------------------------------------------------------------------------------------


def test_a_signed_succeeded_event_marks_the_order_paid(
    pg_app: Flask, pg_client: FlaskClient, fake_stripe: FakeStripe
) -> None:
    body = checked_out(pg_app, pg_client)
    reference = body["payment"]["reference"]
    fake_stripe.set_status(reference, "succeeded")

    response = deliver(
        pg_client, fake_stripe.event("payment_intent.succeeded", fake_stripe.intents[reference])
    )

    assert response.status_code == 200, response.get_json()
    assert response.get_json()["handled"] is True
    assert response.get_json()["duplicate"] is False
    assert order_status(pg_app, body["order"]["number"]) == "paid"
    assert payment_status(pg_app, reference) == "succeeded"
    with pg_app.app_context():
        event = db.session.scalar(select(OrderEvent).where(OrderEvent.to_status == "paid"))
        assert event is not None
        assert event.actor == "stripe-webhook"


def _altered(payload: bytes) -> bytes:
    return payload.replace(b'"livemode": false', b'"livemode": true')


@pytest.mark.parametrize(
    ("case", "signature"),
    [
        ("wrong secret", lambda p: sign(p, secret="whsec_someone_else")),
        ("altered body", lambda p: sign(p)),
        ("old timestamp", lambda p: sign(p, timestamp=int(time.time()) - 301)),
        ("no v1 signature", lambda p: f"t={int(time.time())}"),
        ("garbage", lambda p: "not a signature"),
    ],
)
def test_an_untrustworthy_webhook_is_refused_with_no_side_effect(
    pg_app: Flask, pg_client: FlaskClient, fake_stripe: FakeStripe, case: str, signature: Any
) -> None:
    body = checked_out(pg_app, pg_client)
    reference = body["payment"]["reference"]
    fake_stripe.set_status(reference, "succeeded")
    payload = fake_stripe.event("payment_intent.succeeded", fake_stripe.intents[reference])
    header = signature(payload)
    sent = _altered(payload) if case == "altered body" else payload
    asked_before = len(fake_stripe.requests)

    response = deliver(pg_client, sent, header)

    assert response.status_code == 400, case
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == 400
    # Nothing happened: no event recorded, nothing asked of Stripe, the order still pending
    assert count(pg_app, ProviderEvent) == 0
    assert len(fake_stripe.requests) == asked_before
    assert order_status(pg_app, body["order"]["number"]) == "pending"
    assert payment_status(pg_app, reference) == "requires_payment_method"


def test_a_webhook_without_a_signature_header_is_refused(pg_app: Flask, pg_client: FlaskClient) -> None:
    response = pg_client.post(WEBHOOK, data=b'{"id": "evt_1"}', headers={"Content-Type": "application/json"})

    assert response.status_code == 400
    assert count(pg_app, ProviderEvent) == 0


@pytest.mark.parametrize("payload", [b"\xff\xfe not utf-8", b"not json", b"[]", b'{"id": "evt_1"}'])
def test_a_signed_body_that_is_no_event_is_refused(
    pg_app: Flask, pg_client: FlaskClient, payload: bytes
) -> None:
    response = deliver(pg_client, payload)

    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert count(pg_app, ProviderEvent) == 0


def test_a_redelivered_event_is_processed_once(
    pg_app: Flask, pg_client: FlaskClient, fake_stripe: FakeStripe
) -> None:
    body = checked_out(pg_app, pg_client)
    reference = body["payment"]["reference"]
    fake_stripe.set_status(reference, "succeeded")
    payload = fake_stripe.event("payment_intent.succeeded", fake_stripe.intents[reference])

    first = deliver(pg_client, payload)
    second = deliver(pg_client, payload)

    assert (first.status_code, second.status_code) == (200, 200)
    assert first.get_json()["duplicate"] is False
    assert second.get_json()["duplicate"] is True
    assert count(pg_app, ProviderEvent) == 1
    assert paid_events(pg_app) == 1
    fetched = [r for r in fake_stripe.requests if r.method == "GET" and r.path.endswith(reference)]
    assert len(fetched) == 1  # the redelivery did not even ask Stripe


def test_a_late_failure_event_leaves_the_order_paid(
    pg_app: Flask, pg_client: FlaskClient, fake_stripe: FakeStripe
) -> None:
    # Given a first attempt that failed, then a second that succeeded
    body = checked_out(pg_app, pg_client)
    reference = body["payment"]["reference"]
    failed = fake_stripe.event("payment_intent.payment_failed", fake_stripe.intents[reference])
    fake_stripe.set_status(reference, "succeeded")
    succeeded = fake_stripe.event("payment_intent.succeeded", fake_stripe.intents[reference])

    # When Stripe delivers the success first and the older failure after it
    assert deliver(pg_client, succeeded).status_code == 200
    late = deliver(pg_client, failed)

    # Then the failure is acknowledged, and the order and payment stay as Stripe has them now
    assert late.status_code == 200
    assert late.get_json()["duplicate"] is False
    assert order_status(pg_app, body["order"]["number"]) == "paid"
    assert payment_status(pg_app, reference) == "succeeded"
    assert paid_events(pg_app) == 1


def test_an_event_whose_copy_is_stale_acts_on_the_intent_as_it_is_now(
    pg_app: Flask, pg_client: FlaskClient, fake_stripe: FakeStripe
) -> None:
    # The failure event arrives first, but by then the shopper's second attempt has succeeded
    body = checked_out(pg_app, pg_client)
    reference = body["payment"]["reference"]
    failed = fake_stripe.event("payment_intent.payment_failed", fake_stripe.intents[reference])
    fake_stripe.set_status(reference, "succeeded")

    assert deliver(pg_client, failed).status_code == 200

    assert order_status(pg_app, body["order"]["number"]) == "paid"


def test_a_failure_is_recorded_on_the_payment(
    pg_app: Flask, pg_client: FlaskClient, fake_stripe: FakeStripe
) -> None:
    body = checked_out(pg_app, pg_client)
    reference = body["payment"]["reference"]
    fake_stripe.set_status(reference, "canceled")

    response = deliver(
        pg_client, fake_stripe.event("payment_intent.canceled", fake_stripe.intents[reference])
    )

    assert response.status_code == 200
    assert payment_status(pg_app, reference) == "canceled"
    assert order_status(pg_app, body["order"]["number"]) == "pending"
    shown = pg_client.get(body["order"]["links"]["self"]).get_json()
    assert shown["payment"]["status"] == "canceled"


def test_a_full_refund_makes_the_order_refunded(
    pg_app: Flask, pg_client: FlaskClient, fake_stripe: FakeStripe
) -> None:
    body = checked_out(pg_app, pg_client)
    reference = body["payment"]["reference"]
    fake_stripe.set_status(reference, "succeeded")
    deliver(pg_client, fake_stripe.event("payment_intent.succeeded", fake_stripe.intents[reference]))

    # A partial refund changes nothing; the full refund refunds the order
    partial = fake_stripe.refund(reference, amount=100)
    deliver(pg_client, fake_stripe.event("charge.refunded", fake_stripe.charges[partial]))
    assert order_status(pg_app, body["order"]["number"]) == "paid"
    full = fake_stripe.refund(reference)
    response = deliver(pg_client, fake_stripe.event("charge.refunded", fake_stripe.charges[full]))

    assert response.status_code == 200
    shown = pg_client.get(body["order"]["links"]["self"]).get_json()
    assert shown["status"] == "refunded"
    assert shown["refunded_at"] is not None
    assert shown["payment"]["status"] == "refunded"


def test_event_types_we_do_not_handle_are_acknowledged(
    pg_app: Flask, pg_client: FlaskClient, fake_stripe: FakeStripe
) -> None:
    payload = fake_stripe.event("customer.created", {"id": "cus_1", "object": "customer"})

    response = deliver(pg_client, payload)

    assert response.status_code == 200
    assert response.get_json()["handled"] is False
    assert count(pg_app, ProviderEvent) == 0


def test_an_event_about_an_intent_stripe_does_not_know_is_acknowledged(
    pg_app: Flask, pg_client: FlaskClient, fake_stripe: FakeStripe
) -> None:
    body = checked_out(pg_app, pg_client)
    stranger = {"id": "pi_not_ours", "object": "payment_intent", "status": "succeeded"}

    response = deliver(pg_client, fake_stripe.event("payment_intent.succeeded", stranger))

    assert response.status_code == 200
    assert response.get_json()["handled"] is True
    assert order_status(pg_app, body["order"]["number"]) == "pending"


def _waiting_for_a_row_lock() -> bool:
    with db.engine.connect() as connection:
        return bool(connection.scalar(text("SELECT count(*) FROM pg_locks WHERE NOT granted")))


def test_the_webhook_and_the_browser_racing_make_one_paid_transition(
    pg_app: Flask, pg_client: FlaskClient, fake_stripe: FakeStripe, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a payment that has just succeeded
    body = checked_out(pg_app, pg_client)
    reference = body["payment"]["reference"]
    fake_stripe.set_status(reference, "succeeded")
    payload = fake_stripe.event("payment_intent.succeeded", fake_stripe.intents[reference])
    calls = {
        "webhook": lambda c: deliver(c, payload),
        "browser": lambda c: c.post(body["order"]["links"]["complete"]),
    }
    finished = {name: threading.Event() for name in calls}
    answers: dict[str, Any] = {}
    failures: list[BaseException] = []

    # The race made certain: whichever request first reads the order (meant to be under its row lock)
    # keeps its transaction open there until the other one is either waiting for a row lock or done.
    # With the locks, the other waits and then finds the order paid; without them, both read "pending"
    # before either commits, every time.
    real_lock = order_services.lock
    held: list[str] = []
    first = threading.Lock()

    def lock_and_hold(order_id: int) -> Order:
        order = real_lock(order_id)
        with first:
            holding = not held
            if holding:
                held.append(threading.current_thread().name)
        if holding:
            (other,) = (name for name in calls if name != held[0])
            wait_until(
                lambda: finished[other].is_set() or _waiting_for_a_row_lock(),
                120,
                what=f"the {other} request waiting for a row lock, or done",
            )
        return order

    monkeypatch.setattr(order_services, "lock", lock_and_hold)

    def run(name: str) -> None:
        client = pg_app.test_client()  # each request pushes its own app context, so its own session
        try:
            answers[name] = calls[name](client)
        except BaseException as error:  # noqa: BLE001  # reported by the main thread
            failures.append(error)
        finally:
            finished[name].set()

    # When Stripe's webhook and the shopper's browser arrive at the same moment
    threads = [threading.Thread(target=run, args=(name,), name=name) for name in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(180)

    # Then both are answered, and the order became paid exactly once, with one confirmation
    assert not failures
    assert held  # the race took place
    assert answers["webhook"].status_code == 200, answers["webhook"].get_json()
    assert answers["browser"].status_code == 200, answers["browser"].get_json()
    assert answers["browser"].get_json()["status"] == "paid"
    assert order_status(pg_app, body["order"]["number"]) == "paid"
    assert paid_events(pg_app) == 1
    confirmations = 1 if events.order_paid.receivers else 0
    assert count(pg_app, OutboxMessage) == confirmations
