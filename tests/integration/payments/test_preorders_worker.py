"""A limited edition closed by the merchant while a real Celery worker settles it: each pre-order is
charged off-session on its saved card in the worker, and each shopper gets one confirmation through a
real SMTP server (PostgreSQL, Redis, a worker subprocess, the local Stripe stand-in)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from configurator.devservices import Redis
from configurator.orders.models import Order, OrderStatus
from tests.support.admin import admin_headers
from tests.support.campaigns import edition, preorder
from tests.support.fake_stripe import FakeStripe
from tests.support.payments import count
from tests.support.smtp import SmtpServer
from tests.support.waiting import wait_until
from tests.support.worker import Worker, flush_broker, worker_environment

# A deadline for what the worker does on a loaded machine, not a measure of its speed.
SETTLED_WITHIN = 120.0


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def pg_config(pg_config: dict[str, Any], redis_server: Redis, smtp: SmtpServer) -> dict[str, Any]:
    flush_broker(redis_server.url)
    return {**pg_config, "ATELIER_BROKER_URL": redis_server.url, **smtp.config()}


def test_a_worker_charges_every_preorder_of_a_made_edition_and_each_shopper_is_mailed_once(
    pg_app: Flask,
    pg_client: FlaskClient,
    pg_config: dict[str, Any],
    fake_stripe: FakeStripe,
    redis_server: Redis,
    smtp: SmtpServer,
    workers: list[Worker],
    tmp_path: Path,
) -> None:
    campaign = edition(pg_app, pg_client, threshold=2)
    for n in range(2):
        preorder(pg_client, fake_stripe, campaign, f"pm_card_{n}")
    stripe_settings = {key: value for key, value in pg_config.items() if key.startswith("ATELIER_STRIPE_")}
    environment = worker_environment(
        pg_config["SQLALCHEMY_DATABASE_URI"],
        redis_server.url,
        ATELIER_PAYMENTS="stripe",
        **stripe_settings,
        **smtp.config(),
    )
    workers.append(Worker(environment, tmp_path).start())

    closed = pg_client.post(
        f"/api/v1/admin/campaigns/{campaign['id']}/close",
        json={},
        headers=admin_headers(pg_app, "campaigns:manage", name="closer"),
    )
    assert closed.status_code == 200, closed.get_json()
    assert closed.get_json()["status"] == "succeeded"

    paid = Order.status == OrderStatus.PAID.value
    wait_until(lambda: count(pg_app, Order, paid) == 2, SETTLED_WITHIN, what=workers[0].output)
    received = smtp.handler.wait_for(2, timeout=SETTLED_WITHIN)
    assert sorted(m.recipients[0] for m in received) == ["ada@example.org", "ada@example.org"]
    assert len(fake_stripe.off_session_calls()) == 2
    assert "community.charge_preorder" in workers[0].output()
