"""Limited editions paid through Stripe on PostgreSQL: cards saved with SetupIntents, charged
off-session when the edition is made, declines sent back to the shopper, cards forgotten when it is
not made, and one charge per pre-order however many closes race."""

from __future__ import annotations

import threading

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from configurator.community import campaigns
from configurator.community.models import Campaign, PreOrder
from configurator.community.tasks import settle
from configurator.extensions import db
from configurator.mail.models import OutboxMessage
from configurator.orders.models import Order
from configurator.payments.models import Payment
from tests.support.campaigns import CONTACT, edition, preorder
from tests.support.fake_stripe import FakeStripe
from tests.support.payments import count, deliver


def close_now(app: Flask, campaign_id: str) -> None:
    with app.app_context():
        found = db.session.scalar(select(Campaign.id).where(Campaign.public_id == campaign_id))
        assert found is not None
        settle(campaigns.close(found, early=True))
        db.session.remove()


def order_of(app: Flask, token: str) -> tuple[str, str | None]:
    with app.app_context():
        order = db.session.scalar(select(Order).where(Order.token == token))
        assert order is not None
        payment = db.session.scalar(select(Payment).where(Payment.order_id == order.id))
        found = (order.status, payment.client_secret if payment is not None else None)
        db.session.remove()
        return found


def test_a_made_edition_charges_saved_cards_off_session_and_sends_a_decline_back_to_its_shopper(
    pg_app: Flask, pg_client: FlaskClient, fake_stripe: FakeStripe
) -> None:
    fake_stripe.declining["pm_card_declined"] = "card_declined"
    campaign = edition(pg_app, pg_client, threshold=2)
    good = preorder(pg_client, fake_stripe, campaign, "pm_card_visa")
    declined = preorder(pg_client, fake_stripe, campaign, "pm_card_declined")
    walked_away = preorder(pg_client, fake_stripe, campaign, None)
    assert fake_stripe.create_calls() == []  # saving a card charges nothing

    close_now(pg_app, campaign["id"])
    charges = fake_stripe.off_session_calls()
    assert sorted(c.params["payment_method"] for c in charges) == ["pm_card_declined", "pm_card_visa"]
    assert {c.params["customer"] for c in charges} <= set(fake_stripe.customers)
    assert order_of(pg_app, good["order"])[0] == "paid"
    assert order_of(pg_app, walked_away["order"]) == ("cancelled", None)

    status, secret = order_of(pg_app, declined["order"])
    assert status == "pending"  # waits for the shopper, who can pay on the order page
    assert secret is not None
    with pg_app.app_context():
        mails = db.session.scalars(select(OutboxMessage.kind).order_by(OutboxMessage.id)).all()
        assert sorted(mails) == ["order_confirmation", "preorder_declined"]
        db.session.remove()

    # Charging again (a redelivered task) asks Stripe nothing more.
    with pg_app.app_context():
        for found in db.session.scalars(select(PreOrder.id)).all():
            campaigns.charge(found)
        db.session.remove()
    assert len(fake_stripe.off_session_calls()) == 2

    # The shopper pays on the order page; Stripe's webhook makes the order paid.
    intent = next(i for i in fake_stripe.intents.values() if i["client_secret"] == secret)
    fake_stripe.set_status(intent["id"], "succeeded")
    assert deliver(pg_client, fake_stripe.event("payment_intent.succeeded", intent)).status_code == 200
    assert order_of(pg_app, declined["order"])[0] == "paid"


def test_a_missed_edition_forgets_every_saved_card_and_charges_nothing(
    pg_app: Flask, pg_client: FlaskClient, fake_stripe: FakeStripe
) -> None:
    campaign = edition(pg_app, pg_client, threshold=3)
    made = [preorder(pg_client, fake_stripe, campaign, f"pm_card_{n}") for n in range(2)]
    close_now(pg_app, campaign["id"])
    assert fake_stripe.create_calls() == []
    assert fake_stripe.methods == {"pm_card_0": None, "pm_card_1": None}  # detached: unusable by the shop
    for each in made:
        assert order_of(pg_app, each["order"]) == ("cancelled", None)
    assert count(pg_app, OutboxMessage, OutboxMessage.kind == "preorder_released") == 2


def test_concurrent_closes_charge_each_preorder_once(
    pg_app: Flask, pg_client: FlaskClient, fake_stripe: FakeStripe
) -> None:
    campaign = edition(pg_app, pg_client, threshold=2)
    made = [preorder(pg_client, fake_stripe, campaign, f"pm_card_{n}") for n in range(3)]
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def close() -> None:
        try:
            start.wait()
            close_now(pg_app, campaign["id"])
        except BaseException as error:  # noqa: BLE001 - reported by the test below
            errors.append(error)

    threads = [threading.Thread(target=close) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(c.params["payment_method"] for c in fake_stripe.off_session_calls()) == [
        f"pm_card_{n}" for n in range(3)
    ]
    assert [order_of(pg_app, each["order"])[0] for each in made] == ["paid"] * 3
    assert count(pg_app, OutboxMessage, OutboxMessage.kind == "order_confirmation") == 3


def test_concurrent_preorders_never_pass_the_editions_maximum(
    pg_app: Flask, pg_client: FlaskClient, fake_stripe: FakeStripe
) -> None:
    campaign = edition(pg_app, pg_client, threshold=1, most=3)
    start = threading.Barrier(6)
    answers: list[int] = []

    def order_one() -> None:
        client = pg_app.test_client()
        start.wait()
        made = client.post(campaign["links"]["preorders"], json={"quantity": 1, "contact": CONTACT})
        answers.append(made.status_code)

    threads = [threading.Thread(target=order_one) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [201, 201, 201, 409, 409, 409]
    assert count(pg_app, PreOrder) == 3
