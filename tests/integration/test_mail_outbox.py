"""The order confirmation goes through the outbox: one row per paid order, one e-mail per row, and
nothing about the e-mail (a down server, a re-run task) undoes or repeats the order.

The first tests run eagerly in-process on SQLite, as the demo does; the others run a real worker
subprocess on PostgreSQL and Redis. Every e-mail goes to a real SMTP server on loopback.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from configurator.cli import main
from configurator.extensions import db
from configurator.mail.models import OutboxMessage, OutboxStatus
from configurator.mail.tasks import send_outbox_message
from configurator.orders.models import Order, OrderStatus
from configurator.tasks import send_now
from tests.support.checkout import ready_cart
from tests.support.services import Redis
from tests.support.smtp import SmtpServer
from tests.support.worker import Worker, flush_broker, mark_paid, place_order, worker_environment


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """An SMTP server on a port of its own; not listening until the test starts it."""
    server = SmtpServer()
    yield server
    server.stop()


def outbox(app: Flask) -> list[OutboxMessage]:
    with app.app_context():
        rows = list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        db.session.expunge_all()
        return rows


def order_status(app: Flask, order_id: int) -> str:
    with app.app_context():
        return db.session.get_one(Order, order_id).status


def wait_until(check: Callable[[], bool], timeout: float = 60.0) -> None:  # a deadline for a busy machine
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s")
        time.sleep(0.05)


# -- In-process (the demo: no broker, SQLite) ------------------------------------------------------


def test_the_demo_writes_the_confirmation_to_the_log(app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    # Given a pending order in the demo, with no SMTP server configured
    order = place_order(app)
    # When it is paid
    with caplog.at_level(logging.INFO, logger="configurator.mail"):
        assert mark_paid(app, order.id)
    # Then the confirmation is in the log, in full, and its outbox row says so
    logged = [r.getMessage() for r in caplog.records if r.name == "configurator.mail.tasks"]
    assert len(logged) == 1
    assert "logged, not sent" in logged[0]
    assert f"Subject: Your order {order.number} is confirmed" in logged[0]
    [message] = outbox(app)
    assert (message.status, message.attempts, message.kind) == ("sent", 1, "order_confirmation")


@pytest.fixture
def smtp_app(test_config: dict[str, Any], smtp: SmtpServer) -> Flask:
    from configurator import create_app

    smtp.start()
    return create_app({**test_config, **smtp.config(), "ATELIER_PUBLIC_URL": "https://shop.example/"})


def test_paying_sends_one_confirmation_with_the_order(smtp_app: Flask, smtp: SmtpServer) -> None:
    # Given a pending order for two engraved mugs
    order = place_order(smtp_app)
    # When it is paid, and the payment is reported again
    assert mark_paid(smtp_app, order.id)
    assert not mark_paid(smtp_app, order.id)
    # Then one e-mail went out, to the shopper, about this order, with its lines, totals and link
    [mail] = smtp.handler.wait_for(1)
    assert mail.recipients == ["ada@example.com"]
    assert mail.message["Subject"] == f"Your order {order.number} is confirmed"
    body = mail.body
    # Money as English writes it (CLDR): the symbol before the amount
    assert "1. Engraved mug × 2: €17.75 each, €35.50" in body
    assert "Glaze: Ink" in body
    assert "Engraving: Ada" in body
    assert "Gift box: yes" in body
    with smtp_app.app_context():
        summary = db.session.get_one(Order, order.id).summary
    assert summary[-1]["label"] == "Total"
    for item in summary:  # subtotal, shipping, tax, total: as charged
        assert f"{item['label']}: €{Decimal(item['amount']):,.2f}" in body
    assert f"https://shop.example/orders/{order.token}" in body
    # And the outbox row is sent, with the Message-ID the e-mail carries
    [message] = outbox(smtp_app)
    assert message.status == "sent"
    assert message.sent_at is not None
    assert mail.message_id.startswith(f"<outbox.{message.id}.")


def test_an_order_placed_in_french_is_confirmed_in_french(smtp_app: Flask, smtp: SmtpServer) -> None:
    # Given a cart checked out by a shopper reading French
    client = smtp_app.test_client()
    token = ready_cart(smtp_app, [("mug", {"colour": "ink", "engraving": "Ada", "gift_box": True}, 2)])
    checkout = client.post(f"/api/v1/carts/{token}/checkout", headers={"Accept-Language": "fr-FR, en;q=0.5"})
    assert checkout.status_code == 201, checkout.get_json()
    number = checkout.get_json()["order"]["number"]
    with smtp_app.app_context():
        order = db.session.scalars(select(Order).where(Order.number == number)).one()
        order_id, labels = order.id, [item["label"] for item in order.summary]
        assert order.locale == "fr"
    # Then the order's own labels are French, and so is its confirmation
    assert "TVA" in " ".join(labels)
    assert mark_paid(smtp_app, order_id)
    [mail] = smtp.handler.wait_for(1)
    assert mail.message["Subject"] == f"Votre commande {number} est confirmée"
    body = mail.body
    assert body.startswith("Bonjour")
    # Money and punctuation as French writes them: "17,75 €", a space before the colon
    assert "× 2 : 17,75\u00a0€ l'unité, 35,50\u00a0€" in body
    assert "Émail : Encre" in body
    assert "Coffret cadeau : oui" in body
    assert "Suivez votre commande" in body
    assert "Thank you" not in body


def test_an_order_placed_in_german_is_confirmed_in_german(smtp_app: Flask, smtp: SmtpServer) -> None:
    # Given an order placed by a shopper reading German (the test catalog has no German labels, so
    # the order keeps the language as checkout negotiated it for a German-speaking shop)
    order = place_order(smtp_app)
    with smtp_app.app_context():
        db.session.get_one(Order, order.id).locale = "de"
        db.session.commit()
    assert mark_paid(smtp_app, order.id)
    [mail] = smtp.handler.wait_for(1)
    # Then the e-mail's own sentences, its money and its yes/no are German
    assert mail.message["Subject"] == f"Ihre Bestellung {order.number} ist bestätigt"
    body = mail.body
    assert body.startswith("Guten Tag ")
    assert "× 2: 17,75\u00a0€ pro Stück, 35,50\u00a0€" in body
    assert ": ja" in body
    assert "Verfolgen Sie Ihre Bestellung" in body
    for english in ("Thank you", "Hello", " each", "Follow your order", ": yes"):
        assert english not in body


def test_running_the_task_again_sends_nothing_more(smtp_app: Flask, smtp: SmtpServer) -> None:
    order = place_order(smtp_app)
    mark_paid(smtp_app, order.id)
    [message] = outbox(smtp_app)
    # When the task runs again for the same message (a redelivery, a sweep)
    with smtp_app.app_context():
        send_now(send_outbox_message, message.id)
    # Then the server still has one e-mail and the row one attempt
    assert len(smtp.received) == 1
    assert [m.attempts for m in outbox(smtp_app)] == [1]


def test_the_confirmation_is_queued_once_per_order(app: Flask) -> None:
    from configurator.mail.services import queue_order_confirmation
    from configurator.orders import services as orders

    order = place_order(app)
    with app.app_context():
        # When the hook runs twice in one transaction (two payment events racing through)
        row = orders.lock(order.id)
        queue_order_confirmation(row)
        queue_order_confirmation(row)
        db.session.commit()
    # Then the unique (order, kind) keeps one message, and the transaction is intact
    assert len(outbox(app)) == 1


def test_a_failure_to_queue_the_e_mail_never_undoes_the_payment(
    app: Flask, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from configurator.mail import services

    def broken(order: Order, public_url: str) -> str:
        raise RuntimeError("template exploded")

    monkeypatch.setattr(services, "confirmation_of", broken)
    order = place_order(app)
    # When the order is paid and writing the e-mail fails
    with caplog.at_level(logging.ERROR, logger="configurator.mail"):
        assert mark_paid(app, order.id)
    # Then the order is paid all the same, and the failure is logged for a person
    assert order_status(app, order.id) == OrderStatus.PAID
    assert outbox(app) == []
    assert any("could not queue the confirmation" in r.getMessage() for r in caplog.records)


def test_a_down_server_leaves_the_message_pending_until_a_flush(
    test_config: dict[str, Any], smtp: SmtpServer
) -> None:
    from configurator import create_app

    # Given a shop whose SMTP server is down
    app = create_app({**test_config, **smtp.config()})
    order = place_order(app)
    # When an order is paid
    assert mark_paid(app, order.id)
    # Then the order is paid and the message waits, with the reason
    assert order_status(app, order.id) == OrderStatus.PAID
    [message] = outbox(app)
    assert message.status == "pending"
    assert message.last_error is not None
    assert "ConnectionRefusedError" in message.last_error
    # When the server is back and an operator flushes the outbox
    smtp.start()
    result = app.test_cli_runner().invoke(main, ["mail", "flush", "--older-than", "0"])
    assert result.exit_code == 0, result.output
    assert "1 pending message enqueued" in result.output
    # Then the e-mail arrives once, and the row is sent after two attempts
    assert len(smtp.handler.wait_for(1)) == 1
    [message] = outbox(app)
    assert (message.status, message.attempts) == ("sent", 2)


def test_a_message_whose_sends_never_finished_fails_once_its_attempts_are_used_up(
    test_config: dict[str, Any], smtp: SmtpServer
) -> None:
    from sqlalchemy import update

    from configurator import create_app
    from configurator.mail.tasks import MAX_ATTEMPTS

    # Given a pending message whose attempts are all used up by sends that never finished (each one's
    # worker died mid-send, and the sweep sent the task again with a new id each time)
    app = create_app({**test_config, **smtp.config()})
    order = place_order(app)
    assert mark_paid(app, order.id)  # the server is down: pending after one attempt
    with app.app_context():
        db.session.execute(update(OutboxMessage).values(attempts=MAX_ATTEMPTS, last_error=None))
        db.session.commit()
    # When the server answers and the outbox is flushed
    smtp.start()
    result = app.test_cli_runner().invoke(main, ["mail", "flush", "--older-than", "0"])
    assert result.exit_code == 0, result.output
    # Then the message is failed with the reason, and nothing more is sent
    [message] = outbox(app)
    assert (message.status, message.attempts) == ("failed", MAX_ATTEMPTS)
    assert message.last_error == f"given up after {MAX_ATTEMPTS} attempts; the last one never finished"
    assert smtp.received == []
    assert order_status(app, order.id) == OrderStatus.PAID


def test_a_refused_recipient_fails_the_message_not_the_order(
    smtp_app: Flask, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def refuse(server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        return "550 5.1.1 No such mailbox"

    monkeypatch.setattr(smtp.handler, "handle_RCPT", refuse, raising=False)
    order = place_order(smtp_app, email="nobody@example.com")
    assert mark_paid(smtp_app, order.id)
    [message] = outbox(smtp_app)
    assert message.status == OutboxStatus.FAILED
    assert message.last_error is not None
    assert "550" in message.last_error
    assert order_status(smtp_app, order.id) == OrderStatus.PAID


def test_without_an_smtp_host_production_keeps_messages_waiting(app: Flask) -> None:
    from dataclasses import replace

    from configurator.mail.tasks import MailSettings, attempt

    order = place_order(app)
    with app.app_context():
        # Given a pending message, and the settings of a production shop that has no SMTP host
        message = OutboxMessage(
            kind="order_confirmation", order_id=order.id, recipient="ada@example.com", subject="s", body="b"
        )
        db.session.add(message)
        db.session.commit()
        settings = replace(MailSettings.from_config(app.config), host="", log_instead=False)
        # When the task tries to send it
        result = attempt(message.id, settings)
    # Then it waits, says why, and has not used up an attempt
    assert result.outcome == "pending"
    [waiting] = outbox(app)
    assert (waiting.status, waiting.attempts) == ("pending", 0)
    assert "ATELIER_SMTP_HOST is not set" in (waiting.last_error or "")


# -- A real worker (PostgreSQL, Redis) ----------------------------------------------------------------


@pytest.fixture
def pg_config(pg_config: dict[str, Any], redis_server: Redis, smtp: SmtpServer) -> dict[str, Any]:
    """The shop of these tests sends its tasks to Redis, and its e-mail to the test's server."""
    flush_broker(redis_server.url)
    return {**pg_config, "ATELIER_BROKER_URL": redis_server.url, **smtp.config()}


@pytest.fixture
def start_worker(
    pg_config: dict[str, Any], redis_server: Redis, smtp: SmtpServer, tmp_path: Path
) -> Iterator[Callable[..., Worker]]:
    started: list[Worker] = []

    def start(**settings: Any) -> Worker:
        environment = worker_environment(
            pg_config["SQLALCHEMY_DATABASE_URI"],
            redis_server.url,
            **{**smtp.config(), **settings},
        )
        worker = Worker(environment, tmp_path).start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def test_a_worker_sends_one_e_mail_per_paid_order(
    pg_app: Flask, smtp: SmtpServer, start_worker: Callable[..., Worker]
) -> None:
    # Given a worker and an SMTP server that is up
    smtp.start()
    worker = start_worker()
    order = place_order(pg_app)
    # When the order is paid (the task is sent to Redis when the payment commits)
    assert mark_paid(pg_app, order.id)
    # Then the worker sends the confirmation
    [mail] = smtp.handler.wait_for(1)
    assert order.number in mail.message["Subject"]
    worker.wait_for_log("'sent'")
    # When the payment is reported again, and the task is sent again by hand
    assert not mark_paid(pg_app, order.id)
    [message] = outbox(pg_app)
    with pg_app.app_context():
        send_now(send_outbox_message, message.id)
    output = worker.wait_for_log("'already sent'")
    # Then the worker found it sent, and the server still has one e-mail
    assert "'already sent'" in output
    assert len(smtp.received) == 1
    [message] = outbox(pg_app)
    assert (message.status, message.attempts) == ("sent", 1)
    assert order_status(pg_app, order.id) == OrderStatus.PAID


def test_a_down_server_is_retried_with_backoff_until_it_answers(
    pg_app: Flask, smtp: SmtpServer, start_worker: Callable[..., Worker]
) -> None:
    # Given a worker, and an SMTP server that is down
    worker = start_worker()
    order = place_order(pg_app)
    # When the order is paid
    assert mark_paid(pg_app, order.id)
    # Then the first attempt fails and is recorded, and the order stays paid
    wait_until(lambda: any(m.last_error for m in outbox(pg_app)))
    [message] = outbox(pg_app)
    assert message.status == "pending"
    assert "ConnectionRefusedError" in (message.last_error or "")
    assert order_status(pg_app, order.id) == OrderStatus.PAID
    worker.wait_for_log("Retry in")
    # When the server comes up
    smtp.start()
    # Then a retry delivers the e-mail, once
    [mail] = smtp.handler.wait_for(1)
    assert order.number in mail.message["Subject"]
    wait_until(lambda: outbox(pg_app)[0].status == "sent")
    [message] = outbox(pg_app)
    assert message.attempts >= 2
    assert len(smtp.received) == 1
    assert order_status(pg_app, order.id) == OrderStatus.PAID
    with pg_app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Order)) == 1
