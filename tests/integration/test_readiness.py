"""Readiness with a real broker: ready while Redis answers, 503 (after a bounded try) when it does not."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from configurator import create_app
from tests.support.network import ConnectionAttempts
from tests.support.services import Redis, free_port

# A broker that is down is tried once more (a blip is ridden over), then reported: never waited on.
MOST_CONNECTION_ATTEMPTS = 2


def readyz(app: Flask) -> tuple[int, dict[str, Any]]:
    response = app.test_client().get("/readyz")
    return response.status_code, response.get_json()


@pytest.fixture
def pg_config(pg_config: dict[str, Any], redis_server: Redis) -> dict[str, Any]:
    return {**pg_config, "ATELIER_BROKER_URL": redis_server.url}


def test_ready_with_postgres_and_a_real_redis_broker(pg_app: Flask) -> None:
    status, body = readyz(pg_app)
    assert status == 200, body
    assert body["status"] == "ok"
    assert body["checks"] == {"database": "ok", "catalog": "ok", "broker": "ok"}


def test_unavailable_when_nothing_listens_at_the_broker_url(test_config: dict[str, Any]) -> None:
    # Given an app whose broker URL points at a port nobody listens on
    port = free_port()
    app = create_app({**test_config, "ATELIER_BROKER_URL": f"redis://127.0.0.1:{port}/0"})
    # Then readiness says so, about the broker only, after a bounded number of tries
    with ConnectionAttempts(port) as attempts:
        status, body = readyz(app)
    assert status == 503
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"].startswith("unreachable (")
    assert 1 <= attempts.count <= MOST_CONNECTION_ATTEMPTS


def test_unavailable_once_the_broker_goes_away(test_config: dict[str, Any]) -> None:
    # Given a ready app on a Redis of its own
    broker = Redis.start()
    try:
        app = create_app({**test_config, "ATELIER_BROKER_URL": broker.url})
        assert readyz(app)[0] == 200
    finally:
        # When that Redis stops
        broker.stop()
    # Then the same app is no longer ready, and says so after a bounded number of tries
    with ConnectionAttempts(broker.port) as attempts:
        status, body = readyz(app)
    assert status == 503
    assert body["checks"]["broker"].startswith("unreachable (")
    assert 1 <= attempts.count <= MOST_CONNECTION_ATTEMPTS
