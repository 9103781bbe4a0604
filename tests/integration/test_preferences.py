"""Shoppers' preferences on PostgreSQL: consent first, events only with it, export and erasure."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from configurator.catalog import versions
from configurator.designs.models import Design
from configurator.extensions import db
from configurator.orders.models import Order
from configurator.partners import services as partners
from configurator.preferences.models import Consent, PreferenceEvent, Shopper
from tests.support.checkout import ADDRESS

WORDING = "2026-11"
PARTNER_ORIGIN = "https://acme.example"
ALL = {"preferences": True, "recommendations": True}
NONE = {"preferences": False, "recommendations": False}
BROWSING = [
    {"type": "product_viewed", "product": "mug"},
    {"type": "option_picked", "product": "mug", "attribute": "colour", "option": "gold"},
    {
        "type": "option_refused",
        "product": "mug",
        "attribute": "material",
        "option": "enamel",
        "rule": "enamel-not-gold",
    },
    {"type": "repair_declined", "product": "mug", "attribute": "material", "option": "enamel"},
]


def new_shopper(
    client: FlaskClient, purposes: dict[str, bool] | None = None, headers: dict[str, str] | None = None
) -> str:
    created = client.post("/api/v1/shoppers", headers=headers)
    assert created.status_code == 201, created.get_json()
    shopper: str = created.get_json()["id"]
    if purposes is not None:
        chosen = client.put(
            f"/api/v1/shoppers/{shopper}/consent",
            json={"purposes": purposes, "wording_version": WORDING},
            headers=headers,
        )
        assert chosen.status_code == 200, chosen.get_json()
    return shopper


def send(client: FlaskClient, shopper: str, events: list[dict[str, Any]], **kwargs: Any) -> Any:
    return client.post("/api/v1/events", json={"shopper": shopper, "events": events}, **kwargs)


def stored_events(app: Flask) -> list[tuple[str, str]]:
    with app.app_context():
        rows = db.session.scalars(select(PreferenceEvent).order_by(PreferenceEvent.id)).all()
        found = [(e.type, e.source) for e in rows]
        db.session.remove()
        return found


def count(app: Flask, model: Any) -> int:
    with app.app_context():
        found = int(db.session.scalar(select(func.count()).select_from(model)) or 0)
        db.session.remove()
        return found


def buy(client: FlaskClient, headers: dict[str, str]) -> dict[str, Any]:
    """Save a design, remix it, cart the remix and pay for it, as the storefront does."""
    design = client.post(
        "/api/v1/designs", json={"product": "mug", "picks": {"colour": "ink"}}, headers=headers
    )
    assert design.status_code == 201, design.get_json()
    remix = client.post(design.get_json()["links"]["remix"], json={"picks": {}}, headers=headers).get_json()
    cart = client.post("/api/v1/carts", json={"currency": "EUR"}, headers=headers).get_json()["id"]
    added = client.post(
        f"/api/v1/carts/{cart}/lines", json={"design": remix["id"], "quantity": 1}, headers=headers
    )
    assert added.status_code == 201, added.get_json()
    contact = {"email": "ada@example.org", "name": "Ada Lovelace", "address": ADDRESS}
    assert client.put(f"/api/v1/carts/{cart}/contact", json=contact, headers=headers).status_code == 200
    order = client.post(f"/api/v1/carts/{cart}/checkout", json={}, headers=headers).get_json()["order"]
    assert client.post(f"/api/v1/orders/{order['token']}/complete", headers=headers).status_code == 200
    return {"design": design.get_json()["id"], "remix": remix["id"], "cart": cart, "order": order["number"]}


def test_without_consent_nothing_is_kept(pg_app: Flask, pg_client: FlaskClient) -> None:
    # Given a shopper who has not chosen, and one who declined
    undecided = new_shopper(pg_client)
    declined = new_shopper(pg_client, NONE)

    for shopper in (undecided, declined):
        # When their browser sends events anyway
        response = send(pg_client, shopper, BROWSING)
        # Then they are acknowledged and dropped
        assert response.status_code == 202, response.get_json()
        assert response.get_json() == {"stored": 0, "reason": "no consent"}
    assert stored_events(pg_app) == []
    # And the choice itself is recorded, with its wording
    consent = pg_client.get(f"/api/v1/shoppers/{declined}/consent").get_json()
    assert consent["purposes"] == NONE
    assert consent["wording_version"] == WORDING
    assert consent["given_at"] is not None
    assert pg_client.get(f"/api/v1/shoppers/{undecided}/consent").get_json()["wording_version"] is None


def test_with_consent_events_carry_product_version_partner_and_shopper(
    pg_app: Flask, pg_client: FlaskClient
) -> None:
    with pg_app.app_context():
        key = partners.add("acme", [PARTNER_ORIGIN]).publishable_key
        acme_id = partners.find("acme").id
        live = versions.live_versions()["mug"].id
        db.session.remove()
    # Given a shopper who consented in the partner's widget (its key, its page's origin)
    partner_page = {"X-Atelier-Key": key, "Origin": PARTNER_ORIGIN}
    shopper = new_shopper(pg_client, ALL, headers=partner_page)

    response = send(pg_client, shopper, BROWSING, headers=partner_page)

    assert response.status_code == 202, response.get_json()
    assert response.get_json() == {"stored": 4, "reason": None}
    with pg_app.app_context():
        owner = db.session.scalar(select(Shopper).where(Shopper.token == shopper))
        events = db.session.scalars(select(PreferenceEvent).order_by(PreferenceEvent.id)).all()
        assert [e.type for e in events] == [e["type"] for e in BROWSING]
        assert {(e.shopper_id, e.product_key, e.version_id, e.partner_id, e.source) for e in events} == {
            (owner.id, "mug", live, acme_id, "browser")
        }
        refused = events[2]
        assert (refused.attribute, refused.option, refused.rule_id) == (
            "material",
            "enamel",
            "enamel-not-gold",
        )
        db.session.remove()
    # And the choice itself names the partner whose page asked, with its wording and time
    consents = pg_client.get(f"/api/v1/shoppers/{shopper}/export", headers=partner_page).get_json()[
        "consents"
    ]
    assert [(c["partner"], c["wording_version"]) for c in consents] == [(acme_id, WORDING)]
    assert consents[0]["given_at"] is not None


def test_browsers_cannot_send_server_side_events(pg_app: Flask, pg_client: FlaskClient) -> None:
    shopper = new_shopper(pg_client, ALL)
    for forged in ("ordered", "added_to_cart", "design_saved", "design_remixed"):
        response = send(pg_client, shopper, [BROWSING[0], {"type": forged, "product": "mug"}])
        assert response.status_code == 422
        assert response.get_json()["code"] == "server-only-event"
        assert response.get_json()["errors"][0]["field"] == "events.1.type"
    assert stored_events(pg_app) == []


@pytest.mark.parametrize(
    ("event", "field"),
    [
        (
            {"type": "option_refused", "product": "mug", "attribute": "material", "option": "x"},
            "events.0.rule",
        ),
        ({"type": "product_viewed", "product": "no-such-product"}, "events.0.product"),
        (
            {"type": "option_picked", "product": "mug", "attribute": "handle", "option": "x"},
            "events.0.attribute",
        ),
        (
            {"type": "option_picked", "product": "mug", "attribute": "colour", "option": [1]},
            "events.0.option",
        ),
        ({"type": "product_viewed", "product": "mug", "email": "ada@example.org"}, "events.0.email"),
    ],
)
def test_each_event_is_validated(pg_client: FlaskClient, event: dict[str, Any], field: str) -> None:
    shopper = new_shopper(pg_client, ALL)
    response = send(pg_client, shopper, [event])
    assert response.status_code == 422, response.get_json()
    assert field in [e["field"] for e in response.get_json()["errors"]]


def test_batches_are_capped_in_count_and_bytes(pg_app: Flask, pg_client: FlaskClient) -> None:
    shopper = new_shopper(pg_client, ALL)
    # A full batch (100 events, well under 64 KB) is taken whole
    full = send(pg_client, shopper, [{**BROWSING[1], "option": "x" * 200}] * 100)
    assert full.get_json() == {"stored": 100, "reason": None}
    # One event more is refused, and nothing of it kept
    too_many = send(pg_client, shopper, [BROWSING[0]] * 101)
    assert too_many.status_code == 422
    assert too_many.get_json()["errors"][0]["field"] == "events"
    # A body over 64 KB is refused before it is parsed
    huge = pg_client.post(
        "/api/v1/events",
        data=b'{"shopper": "' + shopper.encode() + b'", "events": [' + b" " * 70_000 + b"]}",
        content_type="application/json",
    )
    assert huge.status_code == 413
    assert huge.mimetype == "application/problem+json"
    assert count(pg_app, PreferenceEvent) == 100


@pytest.fixture
def limited_client(pg_config: dict[str, Any]) -> Iterator[FlaskClient]:
    from configurator import create_app
    from tests.conftest import empty_database

    app = create_app({**pg_config, "ATELIER_RATELIMITS": {"events": 2}})
    yield app.test_client()
    empty_database(app)


def test_events_are_rate_limited(limited_client: FlaskClient) -> None:
    shopper = new_shopper(limited_client, ALL)
    answers = [send(limited_client, shopper, [BROWSING[0]]).status_code for _ in range(3)]
    assert answers == [202, 202, 429]
    refused = send(limited_client, shopper, [BROWSING[0]])
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.get_json()["code"] == "rate-limited"


def test_the_server_records_saves_carts_and_orders_with_consent_only(
    pg_app: Flask, pg_client: FlaskClient
) -> None:
    # Given a consenting shopper and one who declined, both buying through the storefront
    consenting = new_shopper(pg_client, ALL)
    declined = new_shopper(pg_client, NONE)
    bought = buy(pg_client, {"X-Atelier-Shopper": consenting})
    buy(pg_client, {"X-Atelier-Shopper": declined})
    buy(pg_client, {})

    # Then only the consenting shopper's steps are events, recorded by the server
    assert stored_events(pg_app) == [
        ("design_saved", "server"),
        ("design_remixed", "server"),
        ("added_to_cart", "server"),
        ("ordered", "server"),
    ]
    with pg_app.app_context():
        owner = db.session.scalar(select(Shopper).where(Shopper.token == consenting))
        events = db.session.scalars(select(PreferenceEvent).order_by(PreferenceEvent.id)).all()
        assert {e.shopper_id for e in events} == {owner.id}
        assert [e.design_public_id for e in events] == [
            bought["design"],
            bought["remix"],
            bought["remix"],
            bought["remix"],
        ]
        assert all(e.product_key == "mug" and e.version_id is not None for e in events)
        # And only that shopper's designs name them
        linked = db.session.scalars(select(Design.public_id).where(Design.shopper_id.is_not(None))).all()
        assert sorted(linked) == sorted([bought["design"], bought["remix"]])
        db.session.remove()


def test_withdrawing_stops_recording(pg_app: Flask, pg_client: FlaskClient) -> None:
    shopper = new_shopper(pg_client, ALL)
    assert send(pg_client, shopper, BROWSING[:1]).get_json()["stored"] == 1

    # When the shopper withdraws (as easily as they gave it: the same call)
    withdrawn = pg_client.put(
        f"/api/v1/shoppers/{shopper}/consent",
        json={"purposes": {"preferences": False}, "wording_version": WORDING},
    )
    assert withdrawn.get_json()["purposes"] == NONE

    # Then nothing more is kept, from the browser or the server
    assert send(pg_client, shopper, BROWSING).get_json() == {"stored": 0, "reason": "no consent"}
    pg_client.post(
        "/api/v1/designs", json={"product": "mug", "picks": {}}, headers={"X-Atelier-Shopper": shopper}
    )
    assert stored_events(pg_app) == [("product_viewed", "browser")]
    # And the history keeps both choices, the first one closed
    history = pg_client.get(f"/api/v1/shoppers/{shopper}/export").get_json()["consents"]
    assert [c["purposes"]["preferences"] for c in history] == [True, False]
    assert history[0]["withdrawn_at"] is not None
    assert history[1]["withdrawn_at"] is None


def test_consent_refuses_unknown_purposes_and_non_booleans(pg_client: FlaskClient) -> None:
    shopper = new_shopper(pg_client)
    for purposes in ({"marketing": True}, {"preferences": "yes"}, {"preferences": 1}):
        response = pg_client.put(
            f"/api/v1/shoppers/{shopper}/consent", json={"purposes": purposes, "wording_version": WORDING}
        )
        assert response.status_code == 422, purposes


def test_export_holds_everything_kept_for_the_shopper(pg_app: Flask, pg_client: FlaskClient) -> None:
    shopper = new_shopper(pg_client, ALL)
    send(pg_client, shopper, BROWSING[:2])
    bought = buy(pg_client, {"X-Atelier-Shopper": shopper})

    response = pg_client.get(f"/api/v1/shoppers/{shopper}/export")

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    data = response.get_json()
    assert data["shopper"]["id"] == shopper
    assert [c["purposes"] for c in data["consents"]] == [ALL]
    assert [c["partner"] for c in data["consents"]] == [None]  # given on the shop's own pages
    assert [e["type"] for e in data["events"]] == [
        "product_viewed",
        "option_picked",
        "design_saved",
        "design_remixed",
        "added_to_cart",
        "ordered",
    ]
    assert {d["id"] for d in data["designs"]} == {bought["design"], bought["remix"]}
    assert [c["id"] for c in data["carts"]] == [bought["cart"]]
    assert [o["number"] for o in data["orders"]] == [bought["order"]]
    assert data["orders"][0]["contact"]["email"] == "ada@example.org"


def test_erasure_deletes_events_and_designs_and_keeps_orders(pg_app: Flask, pg_client: FlaskClient) -> None:
    # Given a shopper with events, an ordered design and a design only saved
    shopper = new_shopper(pg_client, ALL)
    send(pg_client, shopper, BROWSING)
    bought = buy(pg_client, {"X-Atelier-Shopper": shopper})
    consents_before = count(pg_app, Consent)

    # When they erase themselves
    response = pg_client.delete(f"/api/v1/shoppers/{shopper}")

    # Then their events are gone, the design only saved is deleted, the ordered one unlinked
    assert response.status_code == 204
    assert count(pg_app, PreferenceEvent) == 0
    with pg_app.app_context():
        designs = {d.public_id: d.shopper_id for d in db.session.scalars(select(Design))}
        assert designs == {bought["remix"]: None}
        # And the order is kept, whole
        order = db.session.scalar(select(Order).where(Order.number == bought["order"]))
        assert order is not None
        assert order.email == "ada@example.org"
        assert [line.design.public_id for line in order.lines] == [bought["remix"]]
        # And the consent history is kept as proof, closed, under a token nobody holds
        assert count(pg_app, Consent) == consents_before
        erased = db.session.scalar(select(Shopper).where(Shopper.erased_at.is_not(None)))
        assert erased is not None
        assert erased.token != shopper
        db.session.remove()
    # And the old id finds nothing any more
    for method, path in (
        ("get", f"/api/v1/shoppers/{shopper}/export"),
        ("get", f"/api/v1/shoppers/{shopper}/consent"),
        ("delete", f"/api/v1/shoppers/{shopper}"),
    ):
        assert getattr(pg_client, method)(path).status_code == 404
    assert send(pg_client, shopper, BROWSING).status_code == 404


@pytest.mark.parametrize("guess", ["AAAAAAAAAAAAAAAAAAAAAAAA", "1", "x" * 65, "not a token", "%00"])
def test_guessed_shopper_ids_find_nothing(pg_client: FlaskClient, guess: str) -> None:
    new_shopper(pg_client, ALL)
    for path in (f"/api/v1/shoppers/{guess}/export", f"/api/v1/shoppers/{guess}/consent"):
        response = pg_client.get(path)
        assert response.status_code == 404
        assert response.get_json()["code"] in {"shopper-not-found", "not-found"}
    assert pg_client.delete(f"/api/v1/shoppers/{guess}").status_code == 404
