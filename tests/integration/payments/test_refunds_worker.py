"""A paid order's confirmation and proofs wait in the broker; its money is returned in full before a
real worker gets to them: the worker sends nothing and makes nothing (PostgreSQL, Redis, SMTP, a
Celery worker in a subprocess, the local Stripe stand-in)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from configurator.devservices import Redis
from configurator.extensions import db
from configurator.mail.models import OutboxMessage
from configurator.proofs.models import Proof
from tests.support.fake_stripe import FakeStripe
from tests.support.payments import checked_out, count, order_status, refunded_event, succeeded_event
from tests.support.smtp import SmtpServer
from tests.support.worker import Worker, flush_broker, worker_environment


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def pg_config(pg_config: dict[str, Any], redis_server: Redis, smtp: SmtpServer) -> dict[str, Any]:
    flush_broker(redis_server.url)
    return {**pg_config, "ATELIER_BROKER_URL": redis_server.url, **smtp.config()}


def test_a_refund_before_the_worker_runs_withdraws_the_confirmation_and_the_proofs(
    pg_app: Flask,
    pg_client: FlaskClient,
    pg_config: dict[str, Any],
    fake_stripe: FakeStripe,
    redis_server: Redis,
    smtp: SmtpServer,
    workers: list[Worker],
    tmp_path: Path,
) -> None:
    # Given a paid order whose confirmation and proofs wait in the broker (no worker runs yet)
    body = checked_out(pg_app, pg_client)
    reference = body["payment"]["reference"]
    fake_stripe.set_status(reference, "succeeded")
    succeeded_event(pg_app, pg_client, fake_stripe, body)
    assert order_status(pg_app, body["order"]["number"]) == "paid"
    queued = redis.Redis.from_url(redis_server.url)
    try:
        assert queued.llen("celery") == 2
    finally:
        queued.close()

    # When the merchant refunds it in full, and only then a worker starts
    fake_stripe.refund(reference)
    refunded_event(pg_app, pg_client, fake_stripe, body)
    environment = worker_environment(pg_config["SQLALCHEMY_DATABASE_URI"], redis_server.url, **smtp.config())
    worker = Worker(environment, tmp_path).start()
    workers.append(worker)

    # Then both tasks run and find nothing to do: no e-mail says "we are starting on it", nothing is made
    output = worker.wait_for_log(" succeeded in ", timeout=120, times=2)
    assert "'withdrawn'" in output  # the proofs
    assert "'already withdrawn'" in output  # the confirmation
    assert smtp.received == []
    with pg_app.app_context():
        message = db.session.scalars(select(OutboxMessage)).one()
        assert (message.status, message.attempts) == ("withdrawn", 0)
    assert count(pg_app, Proof) == 0
    assert order_status(pg_app, body["order"]["number"]) == "refunded"
