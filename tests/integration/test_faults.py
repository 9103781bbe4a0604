"""Faults on real parts: a worker SIGKILLed mid-render, Redis restarted under a running shop, and
PostgreSQL gone while Stripe calls the webhook; plus the reconciliation that finds a payment whose
webhook never came.

Private servers (configurator.devservices) are stopped and started inside the tests, so the session's
PostgreSQL and Redis, which other tests share, are never touched.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, func, select, text

from configurator.cli import main as atelier
from configurator.devservices import Postgres, Redis, stop_postgres
from configurator.extensions import db
from configurator.mail.models import OutboxMessage
from configurator.orders.models import Order, OrderEvent, OrderLine, OrderStatus
from configurator.payments.models import Payment, ProviderEvent
from configurator.proofs.models import Proof
from configurator.proofs.services import wanted
from configurator.ratelimit import REDIS_PREFIX, RedisLimiter, limiter
from configurator.storage import blob_store
from tests.conftest import TEST_CATALOG, empty_database
from tests.support.checkout import ready_cart
from tests.support.fake_stripe import PUBLISHABLE_KEY, SECRET_KEY, WEBHOOK_SECRET, FakeStripe, sign
from tests.support.network import ConnectionAttempts
from tests.support.smtp import SmtpServer
from tests.support.waiting import wait_until
from tests.support.worker import QUEUE, Worker, flush_broker, mark_paid, place_order, worker_environment

DEMO = Path(__file__).resolve().parents[2] / "catalog"
VISIBILITY_TIMEOUT = 3  # seconds before Redis hands a dead worker's message to another
PUBLISH_ATTEMPTS = 4  # Celery sends a task to a broker that is down once, then retries three times
WEBHOOK = "/api/v1/payments/stripe/webhook"


# -- helpers -------------------------------------------------------------------------------------------


def count(app: Flask, model: Any, *conditions: Any) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(model).where(*conditions)) or 0)


def order_status(app: Flask, order_id: int) -> str:
    with app.app_context():
        return str(db.session.get_one(Order, order_id, populate_existing=True).status)


def paid_events(app: Flask, order_id: int) -> int:
    return count(app, OrderEvent, OrderEvent.order_id == order_id, OrderEvent.to_status == "paid")


def expected_proofs(app: Flask, order_id: int) -> int:
    """How many files the order's lines need (every view of every line, and a spec sheet each)."""
    from configurator.catalog import versions

    with app.app_context():
        lines = db.session.scalars(select(OrderLine).where(OrderLine.order_id == order_id)).all()
        return sum(len(wanted(versions.served(line.version).product)) for line in lines)


def stripe_settings(fake_stripe: FakeStripe) -> dict[str, Any]:
    return {
        "ATELIER_PAYMENTS": "stripe",
        "ATELIER_STRIPE_SECRET_KEY": SECRET_KEY,
        "ATELIER_STRIPE_PUBLISHABLE_KEY": PUBLISHABLE_KEY,
        "ATELIER_STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "ATELIER_STRIPE_API_BASE": fake_stripe.url,
        "ATELIER_STRIPE_MAX_NETWORK_RETRIES": 0,
    }


def checked_out(app: Flask, client: FlaskClient) -> dict[str, Any]:
    response = client.post(f"/api/v1/carts/{ready_cart(app)}/checkout", json={})
    assert response.status_code == 201, response.get_json()
    body: dict[str, Any] = response.get_json()
    return body


def deliver(client: FlaskClient, payload: bytes) -> Any:
    headers = {"Content-Type": "application/json", "Stripe-Signature": sign(payload)}
    return client.post(WEBHOOK, data=payload, headers=headers)


def configure_and_preview(client: FlaskClient, colour: str = "sage") -> tuple[int, int]:
    """A shopper's configure call and the preview image it links to: both status codes."""
    configured = client.post("/api/v1/products/engraved-mug/configure", json={"picks": {"colour": colour}})
    if configured.status_code != 200:
        return configured.status_code, 0
    preview = client.get(configured.get_json()["preview"]["url"], headers={"Accept": "image/png"})
    return configured.status_code, preview.status_code


def outbox_message(app: Flask) -> OutboxMessage:
    with app.app_context():
        return db.session.scalars(select(OutboxMessage).execution_options(populate_existing=True)).one()


def broker_tasks(url: str) -> tuple[list[str], list[str]]:
    """The names of the tasks waiting in the queue, and of those a worker took and has not
    acknowledged (kombu's Redis transport keeps them in a hash until they are acknowledged, or the
    visibility timeout hands them out again)."""
    client = redis.Redis.from_url(url)
    try:
        queued = [json.loads(raw)["headers"]["task"] for raw in client.lrange(QUEUE, 0, -1)]
        taken = [json.loads(raw)[0]["headers"]["task"] for raw in client.hvals("unacked")]
        return queued, taken
    finally:
        client.close()


def redis_keys(url: str, pattern: str) -> list[bytes]:
    client = redis.Redis.from_url(url)
    try:
        return list(client.keys(pattern))
    finally:
        client.close()


def dispose(app: Flask) -> None:
    """Close an app's connections (an app the test built itself, beside the fixtures')."""
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def run_atelier(monkeypatch: pytest.MonkeyPatch, args: list[str], **environment: Any) -> Any:
    """Run the `atelier` command as an operator would, configured from ATELIER_* variables."""
    for name, value in environment.items():
        monkeypatch.setenv(name, str(value))
    result = CliRunner().invoke(atelier, args, catch_exceptions=False)
    return result


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


def start_worker(
    workers: list[Worker], config: dict[str, Any], broker_url: str, smtp: SmtpServer, folder: Path
) -> Worker:
    environment = worker_environment(
        config["SQLALCHEMY_DATABASE_URI"],
        broker_url,
        ATELIER_BROKER_VISIBILITY_TIMEOUT=VISIBILITY_TIMEOUT,
        ATELIER_MEDIA_ROOT=config["ATELIER_MEDIA_ROOT"],
        **smtp.config(),
    )
    worker = Worker(environment, folder).start()
    workers.append(worker)
    return worker


# -- 1. A worker SIGKILLed while it renders proofs -----------------------------------------------------


def test_a_worker_killed_mid_render_leaves_the_proofs_to_the_next_one(
    pg_app: Flask,
    pg_config: dict[str, Any],
    postgres: Postgres,
    redis_server: Redis,
    smtp: SmtpServer,
    workers: list[Worker],
    tmp_path: Path,
) -> None:
    from configurator import create_app

    flush_broker(redis_server.url)
    config = {**pg_config, "ATELIER_BROKER_URL": redis_server.url, **smtp.config()}
    app = create_app(config)  # pg_app empties the database afterwards; this one sends to Redis
    first = start_worker(workers, config, redis_server.url, smtp, tmp_path)
    order = place_order(app)
    want = expected_proofs(app, order.id)
    # Given another session holding the proofs table against writes: the worker renders its first
    # file, stores it, and then waits to record it, inside the task, as long as the test wants
    engine = create_engine(postgres.url)
    guard = engine.connect()
    try:
        guard.execute(text("LOCK TABLE proofs IN SHARE MODE"))
        assert mark_paid(app, order.id)
        waiting = text("SELECT count(*) FROM pg_locks WHERE relation = 'proofs'::regclass AND NOT granted")
        wait_until(lambda: guard.scalar(waiting), what=lambda: f"the worker on the lock\n{first.output()}")
        # When the worker is SIGKILLed there, with one file written and not recorded
        first.kill()
    finally:
        guard.rollback()
        guard.close()
        engine.dispose()
    assert count(app, Proof) == 0
    assert list(Path(config["ATELIER_MEDIA_ROOT"]).rglob("spec.pdf"))  # stored, never recorded
    # The task's message was taken and never acknowledged: Redis keeps it aside, not back in the
    # queue, so only the visibility timeout can hand it out again
    queued, taken = broker_tasks(redis_server.url)
    assert taken == ["proofs.render_proofs"]
    assert "proofs.render_proofs" not in queued
    # Then another worker gets the unacknowledged task once the visibility timeout has passed and
    # runs it once, to the end
    second = start_worker(workers, config, redis_server.url, smtp, tmp_path)
    output = second.wait_for_log(f"order {order.id} proofs:")
    assert output.count("Task proofs.render_proofs[") == 2  # received, succeeded: one run
    assert f"order {order.id} proofs: {want} rendered, 0 already stored" in output
    # And every proof is there once, its file matching its row
    with app.app_context():
        proofs = db.session.scalars(select(Proof)).all()
        store = blob_store()
        assert len(proofs) == want
        assert len({(p.order_line_id, p.kind, p.view) for p in proofs}) == want
        assert all(store.exists(p.blob_key) for p in proofs)
        assert db.session.get_one(Order, order.id).status == OrderStatus.PAID
    # And the confirmation went out once, whichever worker sent it: its one attempt is on record
    wait_until(lambda: outbox_message(app).status == "sent", what="the confirmation sent")
    assert outbox_message(app).attempts == 1
    assert len(smtp.received) == 1
    assert paid_events(app, order.id) == 1
    dispose(app)


# -- 2. Redis restarted under a running shop -----------------------------------------------------------


@pytest.fixture
def private_redis() -> Iterator[list[Redis]]:
    """A Redis of the test's own (the test restarts it: the list holds the one running now)."""
    servers = [Redis.start()]
    yield servers
    servers[-1].stop()


def test_the_shop_serves_without_redis_and_catches_up_when_it_returns(
    pg_app: Flask,
    pg_config: dict[str, Any],
    test_config: dict[str, Any],
    private_redis: list[Redis],
    smtp: SmtpServer,
    workers: list[Worker],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    broker = private_redis[0]
    config = {**pg_config, "ATELIER_BROKER_URL": broker.url, **smtp.config()}
    from configurator import create_app

    app = create_app(config)  # its Celery uses the private Redis
    # The demo catalog has views to preview; its rate limiter counts in the same Redis
    shop = create_app({**test_config, "ATELIER_CATALOG": str(DEMO), "ATELIER_BROKER_URL": broker.url})
    assert isinstance(limiter(shop), RedisLimiter)
    shopper = shop.test_client()
    assert configure_and_preview(shopper) == (200, 200)
    assert redis_keys(broker.url, f"{REDIS_PREFIX}*")  # the limiter did count there
    worker = start_worker(workers, config, broker.url, smtp, tmp_path)
    order = place_order(app)

    # Given Redis goes away
    private_redis[0].stop()
    with ConnectionAttempts(broker.port, limit=40) as attempts:
        # Then shoppers still configure and see previews (the rate limiter lets them through)
        assert configure_and_preview(shopper, "sky") == (200, 200)
        # And an order paid meanwhile is paid; its confirmation waits in the outbox, unsent
        assert mark_paid(app, order.id)
    with app.app_context():
        message = db.session.scalars(select(OutboxMessage)).one()
        assert (message.status, message.attempts) == ("pending", 0)
    # And nothing kept trying the missing broker: the two tasks the payment sends (its e-mail and its
    # proofs) gave up after Celery's bounded publish retries, the rate limiter after none
    assert attempts.count <= 2 * PUBLISH_ATTEMPTS, attempts.count

    # When Redis comes back on the same address (empty: what was never sent is not in it)
    private_redis.append(Redis.start(port=broker.port))
    # And the operator sends the outbox and the proofs again (beat's sweep would send the e-mail
    # within ATELIER_MAIL_SWEEP_MINUTES; the proofs have no sweep)
    environment = {
        "ATELIER_DATABASE_URL": pg_config["SQLALCHEMY_DATABASE_URI"],
        "ATELIER_BROKER_URL": broker.url,
        "ATELIER_CATALOG": TEST_CATALOG,
    }
    flushed = run_atelier(monkeypatch, ["mail", "flush", "--older-than", "0"], **environment)
    assert flushed.exit_code == 0, flushed.output
    assert "1 pending message enqueued" in flushed.output
    rendered = run_atelier(monkeypatch, ["proofs", "render", order.number], **environment)
    assert rendered.exit_code == 0, rendered.output

    # Then the worker, which reconnected by itself, delivers the confirmation once and the proofs
    [mail] = smtp.handler.wait_for(1)
    assert order.number in mail.message["Subject"]
    worker.wait_for_log(f"order {order.id} proofs:")
    with app.app_context():
        message = db.session.scalars(select(OutboxMessage)).one()
        assert (message.status, message.attempts) == ("sent", 1)
    assert count(app, Proof) == expected_proofs(app, order.id)
    assert len(smtp.received) == 1
    assert redis_keys(broker.url, "unacked") == []
    dispose(app)


# -- 3. PostgreSQL unreachable while Stripe calls the webhook ------------------------------------------


@pytest.fixture
def private_postgres() -> Iterator[Postgres]:
    """A PostgreSQL cluster of the test's own, which it may stop and start again."""
    server = Postgres.start()
    yield server
    stop_postgres(server.folder, fast=False)
    shutil.rmtree(server.folder, ignore_errors=True)


def test_a_webhook_during_a_database_outage_fails_cleanly_and_its_retry_completes_the_order(
    test_config: dict[str, Any], private_postgres: Postgres, fake_stripe: FakeStripe
) -> None:
    from configurator import create_app

    config = {
        **test_config,
        "SQLALCHEMY_DATABASE_URI": private_postgres.url,
        "ATELIER_AUTO_SETUP": True,
        # The shop's own answer to an unexpected error, not the test client's re-raise
        "PROPAGATE_EXCEPTIONS": False,
        **stripe_settings(fake_stripe),
    }
    app = create_app(config)
    client = app.test_client()
    body = checked_out(app, client)
    reference = body["payment"]["reference"]
    with app.app_context():
        order_id = db.session.scalar(select(Payment.order_id).where(Payment.reference == reference))
    assert order_id is not None
    fake_stripe.set_status(reference, "succeeded")
    payload = fake_stripe.event("payment_intent.succeeded", fake_stripe.intents[reference])

    # Given the database goes away
    stop_postgres(private_postgres.folder)
    try:
        # When Stripe delivers the event
        failed = deliver(client, payload)
        # Then it is told to try again later
        assert failed.status_code >= 500
        assert failed.mimetype == "application/problem+json"
    finally:
        Postgres.start(private_postgres.folder, private_postgres.port)

    # And nothing of it stayed: no event on record, the order pending, no confirmation
    assert count(app, ProviderEvent) == 0
    assert order_status(app, order_id) == "pending"
    assert count(app, OutboxMessage) == 0

    # When Stripe delivers the event again, and again
    retried = deliver(client, payload)
    again = deliver(client, payload)

    # Then the order is paid exactly once, with one confirmation
    assert retried.status_code == 200, retried.get_json()
    assert retried.get_json()["duplicate"] is False
    assert again.get_json()["duplicate"] is True
    assert order_status(app, order_id) == "paid"
    assert paid_events(app, order_id) == 1
    assert count(app, ProviderEvent) == 1
    assert count(app, OutboxMessage) == 1
    dispose(app)


# -- Reconciliation: a payment whose webhook never arrived ---------------------------------------------


def test_reconcile_finds_and_fixes_a_payment_whose_webhook_never_came(
    pg_config: dict[str, Any], fake_stripe: FakeStripe, monkeypatch: pytest.MonkeyPatch
) -> None:
    from configurator import create_app

    app = create_app({**pg_config, **stripe_settings(fake_stripe)})
    try:
        client = app.test_client()
        # Given two orders checked out: one paid at Stripe (its webhook lost), one not paid
        paid = checked_out(app, client)
        unpaid = checked_out(app, client)
        fake_stripe.set_status(paid["payment"]["reference"], "succeeded")
        number = paid["order"]["number"]
        environment = {
            "ATELIER_DATABASE_URL": pg_config["SQLALCHEMY_DATABASE_URI"],
            "ATELIER_CATALOG": TEST_CATALOG,
            **stripe_settings(fake_stripe),
        }

        # When the operator reconciles without --fix
        listed = run_atelier(monkeypatch, ["payments", "reconcile", "--since", "1"], **environment)

        # Then the paid one is reported, and nothing changes
        assert listed.exit_code == 0, listed.output
        assert number in listed.output
        assert "pending here, should be paid" in listed.output
        assert unpaid["order"]["number"] not in listed.output
        assert "2 order(s) checked, 1 to change" in listed.output
        with app.app_context():
            statuses = {
                number: status for number, status in db.session.execute(select(Order.number, Order.status))
            }
        assert set(statuses.values()) == {"pending"}

        # When the operator fixes it, twice
        fixed = run_atelier(monkeypatch, ["payments", "reconcile", "--fix"], **environment)
        again = run_atelier(monkeypatch, ["payments", "reconcile", "--fix"], **environment)

        # Then the order is paid once, through the same path as the webhook, with one confirmation
        assert fixed.exit_code == 0, fixed.output
        assert "marked paid" in fixed.output
        assert "1 to change, 1 changed" in fixed.output
        assert again.exit_code == 0, again.output
        # (the paid one is still asked about: its money could be returned later)
        assert "2 order(s) checked, 0 to change" in again.output
        with app.app_context():
            order = db.session.scalars(select(Order).where(Order.number == number)).one()
            assert order.status == OrderStatus.PAID
            [event] = db.session.scalars(
                select(OrderEvent).where(OrderEvent.order_id == order.id, OrderEvent.to_status == "paid")
            )
            assert event.actor == "reconcile"
            payment = db.session.scalars(select(Payment).where(Payment.order_id == order.id)).one()
            assert payment.status == "succeeded"
        assert count(app, OutboxMessage) == 1
        with app.app_context():
            left = db.session.scalar(select(Order.status).where(Order.number == unpaid["order"]["number"]))
        assert left == "pending"
    finally:
        empty_database(app)


def test_reconcile_says_so_when_stripe_does_not_answer(
    pg_config: dict[str, Any], fake_stripe: FakeStripe, monkeypatch: pytest.MonkeyPatch
) -> None:
    from configurator import create_app

    app = create_app({**pg_config, **stripe_settings(fake_stripe)})
    try:
        checked_out(app, app.test_client())
        fake_stripe.intents.clear()  # Stripe answers 404 for it: an error, never a silent "unpaid"
        environment = {
            "ATELIER_DATABASE_URL": pg_config["SQLALCHEMY_DATABASE_URI"],
            "ATELIER_CATALOG": TEST_CATALOG,
            **stripe_settings(fake_stripe),
        }

        result = run_atelier(monkeypatch, ["payments", "reconcile"], **environment)

        assert result.exit_code == 1
        assert "No answer for: pi_" in result.output
    finally:
        empty_database(app)
