"""Idempotency keys on checkout: retries, even concurrent ones, get the first answer and do the work once."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from configurator import idempotency
from configurator.extensions import db
from configurator.idempotency import IdempotencyKey, fingerprint, purge_expired
from configurator.orders.models import Order
from configurator.payments.models import Payment
from tests.support.checkout import ADDRESS, ready_cart

KEY = "7c0e1d9a-5b8f-4f7e-9a53-2f3c1e0b6d11"


def checkout(client: FlaskClient, token: str, key: str | None = KEY, **kwargs: Any) -> Any:
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post(f"/api/v1/carts/{token}/checkout", headers=headers, **kwargs)


def count(app: Flask, model: Any) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def claim(app: Flask, token: str, *, age: timedelta, body: bytes = b"{}", **values: Any) -> None:
    """A key row as a request that started `age` ago (and has not answered) would have left it."""
    path = f"/api/v1/carts/{token}/checkout"
    with app.app_context():
        then = idempotency.utcnow() - age
        db.session.add(
            IdempotencyKey(
                key=KEY,
                fingerprint=fingerprint("POST", path, body),
                created_at=then,
                claimed_at=then,
                **values,
            )
        )
        db.session.commit()


# --- concurrency, on PostgreSQL --------------------------------------------------------------------


def test_five_concurrent_checkouts_with_one_key_make_one_order_and_identical_answers(
    pg_app: Flask,
) -> None:
    # Given a ready cart and five clients about to send the same checkout with the same key
    token = ready_cart(pg_app)
    barrier = threading.Barrier(5, timeout=30)
    answers: list[tuple[int, bytes, bool]] = []
    failures: list[BaseException] = []

    def run() -> None:
        client = pg_app.test_client()
        try:
            barrier.wait()
            response = checkout(client, token, json={})
            answers.append(
                (response.status_code, response.get_data(), "Idempotent-Replayed" in response.headers)
            )
        except BaseException as error:  # reported below: an exception in a thread is otherwise lost
            failures.append(error)

    # When they are released at once
    threads = [threading.Thread(target=run) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # Then one request did the work, the four others replayed its answer byte for byte
    assert failures == []
    assert len(answers) == 5
    assert {status for status, _, _ in answers} == {201}
    assert len({body for _, body, _ in answers}) == 1
    assert sorted(replayed for _, _, replayed in answers) == [False, True, True, True, True]
    assert count(pg_app, Order) == 1
    assert count(pg_app, Payment) == 1


def test_the_same_key_with_another_body_is_refused(pg_app: Flask, pg_client: FlaskClient) -> None:
    token = ready_cart(pg_app)
    assert checkout(pg_client, token, json={}).status_code == 201

    response = checkout(pg_client, token, json={"price": "0.01"})

    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert response.json["code"] == "idempotency-key-reused"
    assert "another request" in response.json["detail"]
    # ...and with another path (another cart)
    other = ready_cart(pg_app)
    assert checkout(pg_client, other, json={}).json["code"] == "idempotency-key-reused"
    assert count(pg_app, Order) == 1


# --- replay and release ----------------------------------------------------------------------------


def test_a_retry_replays_the_first_answer_status_included(app: Flask, client: FlaskClient) -> None:
    token = ready_cart(app)
    first = checkout(client, token, json={})
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first.headers

    again = checkout(client, token, json={})

    assert again.status_code == 201  # without a key a retry answers 200: with one, the first answer
    assert again.get_data() == first.get_data()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["Content-Type"] == first.headers["Content-Type"]
    assert again.headers["Cache-Control"] == "no-store"
    assert checkout(client, token, key=None, json={}).status_code == 200
    assert count(app, Order) == 1


def test_a_failed_request_releases_its_key(app: Flask, client: FlaskClient) -> None:
    # Given a cart without contact details, refused at checkout
    token = ready_cart(app, contact=False)
    refused = checkout(client, token, json={})
    assert refused.status_code == 422
    assert refused.json["code"] == "cart-not-ready"
    assert count(app, IdempotencyKey) == 0

    # When the shopper fixes it and retries with the same key
    from configurator.carts import services as carts

    with app.app_context():
        carts.set_contact(carts.find(token), email="ada@example.org", name="Ada", address=dict(ADDRESS))
    response = checkout(client, token, json={})

    # Then the retry does the work
    assert response.status_code == 201
    assert count(app, Order) == 1


def test_a_request_still_at_work_makes_a_retry_wait_then_409(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(idempotency, "WAIT_SECONDS", 0.2)
    token = ready_cart(app)
    claim(app, token, age=timedelta(seconds=1))

    response = checkout(client, token, json={})

    assert response.status_code == 409
    assert response.json["code"] == "idempotency-key-in-use"
    assert response.headers["Retry-After"] == "1"
    assert count(app, Order) == 0


def test_an_abandoned_claim_is_taken_over(app: Flask, client: FlaskClient) -> None:
    # Given a key claimed by a request whose process died three minutes ago
    token = ready_cart(app)
    claim(app, token, age=idempotency.CLAIM_LEASE + timedelta(minutes=1))

    response = checkout(client, token, json={})

    assert response.status_code == 201
    assert checkout(client, token, json={}).get_data() == response.get_data()


def test_keys_expire_after_a_day(app: Flask, client: FlaskClient) -> None:
    # Given a key answered more than a day ago, for another body
    token = ready_cart(app)
    claim(app, token, age=timedelta(hours=25), body=b"[1]", status=201)

    # Then it is free again
    assert checkout(client, token, json={}).status_code == 201
    with app.app_context():
        db.session.execute(update(IdempotencyKey).values(created_at=idempotency.utcnow() - timedelta(days=2)))
        db.session.commit()
        assert purge_expired() == 1
    assert count(app, IdempotencyKey) == 0


@pytest.mark.parametrize("key", ["", "x" * 256, "clé", "a\tb"])
def test_a_key_must_be_short_printable_ascii(app: Flask, client: FlaskClient, key: str) -> None:
    token = ready_cart(app)
    response = checkout(client, token, key=key, json={})
    assert response.status_code == 422
    assert response.json["code"] == "validation-failed"
    assert response.json["errors"][0]["location"] == "header"
    assert response.json["errors"][0]["field"] == "Idempotency-Key"


def test_the_header_is_documented(client: FlaskClient) -> None:
    spec = client.get("/openapi.json").json
    operation = spec["paths"]["/api/v1/carts/{token}/checkout"]["post"]
    (parameter,) = [p for p in operation["parameters"] if p["name"] == "Idempotency-Key"]
    assert parameter["in"] == "header"
    assert parameter["required"] is False
