"""Campaigns through the HTTP API with the offline provider and tasks run in process: a vote on what to
make next, and limited editions that are charged when they reach their threshold or released when
they miss it, once however often they are closed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from configurator.community.models import PreOrder
from configurator.dbtypes import utcnow
from configurator.extensions import db
from configurator.mail.models import OutboxMessage
from configurator.orders.models import Order, OrderEvent
from configurator.payments.models import Payment
from tests.support.admin import admin_headers
from tests.support.checkout import ADDRESS
from tests.support.community import Shopper

CONTACT = {"email": "ada@example.org", "name": "Ada Lovelace", "address": ADDRESS}


@pytest.fixture
def manager(app: Flask) -> dict[str, str]:
    return admin_headers(app, "campaigns:manage", name="campaigns")


def later(days: int = 14) -> str:
    return (utcnow() + timedelta(days=days)).isoformat()


def start(client: FlaskClient, manager: dict[str, str], **body: Any) -> dict[str, Any]:
    made = client.post("/api/v1/admin/campaigns", json={"closes_at": later(), **body}, headers=manager)
    assert made.status_code == 201, made.get_json()
    return dict(made.get_json())


def vote_campaign(client: FlaskClient, manager: dict[str, str]) -> dict[str, Any]:
    return start(
        client,
        manager,
        kind="vote",
        title="Which glaze next?",
        product="mug",
        candidates=[
            {"label": "Sage", "attribute": "colour", "option": "sage"},
            {"label": "Terracotta", "attribute": "colour", "option": "terracotta"},
            {"label": "Copper", "attribute": "colour", "option": "copper", "note": "Asked for at the fair"},
        ],
    )


def edition(
    client: FlaskClient, manager: dict[str, str], threshold: int = 2, most: int = 3
) -> dict[str, Any]:
    design = Shopper(client, address="10.8.0.1").design(colour="ink", gift_box=True)
    return start(
        client,
        manager,
        kind="edition",
        title="The ink mug, boxed",
        design=design,
        threshold=threshold,
        max_quantity=most,
    )


def preorder(client: FlaskClient, campaign: dict[str, Any], quantity: int = 1, complete: bool = True) -> Any:
    made = client.post(campaign["links"]["preorders"], json={"quantity": quantity, "contact": CONTACT})
    if made.status_code != 201 or not complete:
        return made
    done = client.post(made.get_json()["links"]["complete"])
    assert done.status_code == 200, done.get_json()
    return done


def close(
    client: FlaskClient, manager: dict[str, str], campaign: dict[str, Any], **body: Any
) -> dict[str, Any]:
    closed = client.post(f"/api/v1/admin/campaigns/{campaign['id']}/close", json=body, headers=manager)
    assert closed.status_code == 200, closed.get_json()
    return dict(closed.get_json())


def rows(app: Flask, model: Any) -> int:
    with app.app_context():
        found = int(db.session.scalar(select(func.count()).select_from(model)) or 0)
        db.session.remove()
        return found


# --- votes ------------------------------------------------------------------------------------------


def test_a_vote_hides_its_counts_until_it_closes_and_shuffles_its_candidates(
    client: FlaskClient, manager: dict[str, str]
) -> None:
    campaign = vote_campaign(client, manager)
    url = campaign["links"]["self"]
    ana, ben = Shopper(client), Shopper(client, address="10.0.0.2")
    sage, terracotta, copper = (c["id"] for c in campaign["candidates"])
    for voter, chosen in ((ana, sage), (ana, copper), (ben, copper)):
        voted = voter.call("PUT", f"{url}/candidates/{chosen}/vote")
        assert voted.status_code == 200, voted.get_json()
    shown = ben.call("GET", url).get_json()
    assert {c["id"]: (c["voted"], c["votes"], c["note"]) for c in shown["candidates"]} == {
        sage: (False, None, None),
        terracotta: (False, None, None),
        copper: (True, None, None),
    }
    assert Shopper(client, consent=False).call("PUT", f"{url}/candidates/{sage}/vote").status_code == 403
    orders = {
        tuple(c["id"] for c in client.get(url, query_string={"seed": s}).get_json()["candidates"])
        for s in range(8)
    }
    assert len(orders) > 1
    assert (
        client.get(url, query_string={"seed": 5}).get_json()
        == client.get(url, query_string={"seed": 5}).get_json()
    )

    merchant = client.get(f"/api/v1/admin/campaigns/{campaign['id']}", headers=manager).get_json()
    assert [(r["label"], r["votes"]) for r in merchant["results"]] == [
        ("Copper", 2),
        ("Sage", 1),
        ("Terracotta", 0),
    ]
    assert close(client, manager, campaign)["status"] == "closed"
    public = client.get(url).get_json()
    assert {c["label"]: c["votes"] for c in public["candidates"]} == {"Sage": 1, "Terracotta": 0, "Copper": 2}
    late = ben.call("PUT", f"{url}/candidates/{sage}/vote")
    assert late.status_code == 409
    assert late.get_json()["code"] == "campaign-not-open"


def test_a_vote_needs_real_candidates_and_its_scope(
    app: Flask, client: FlaskClient, manager: dict[str, str]
) -> None:
    refused = client.post(
        "/api/v1/admin/campaigns",
        json={
            "kind": "vote",
            "title": "Next",
            "product": "mug",
            "closes_at": later(),
            "candidates": [{"label": "Oak", "attribute": "wood", "option": "oak"}],
        },
        headers=manager,
    )
    assert refused.status_code == 422
    assert {e["field"] for e in refused.get_json()["errors"]} == {"candidates", "candidates.0.attribute"}
    past = client.post(
        "/api/v1/admin/campaigns",
        json={
            "kind": "edition",
            "title": "Old",
            "design": "x",
            "threshold": 1,
            "max_quantity": 1,
            "closes_at": later(-1),
        },
        headers=manager,
    )
    assert past.status_code == 422
    moderator = admin_headers(app, "community:moderate", name="moderator")
    assert client.get("/api/v1/admin/campaigns", headers=moderator).status_code == 403


# --- editions ---------------------------------------------------------------------------------------


def test_an_edition_that_reaches_its_threshold_charges_every_preorder_once(
    app: Flask, client: FlaskClient, manager: dict[str, str]
) -> None:
    campaign = edition(client, manager, threshold=2, most=3)
    assert campaign["edition"]["price"]["total"] == "17.00"
    first = preorder(client, campaign).get_json()
    assert (first["status"], first["quantity"]) == ("reserved", 1)
    reserved = client.get(f"/api/v1/orders/{first['order']}").get_json()
    assert reserved["status"] == "reserved"
    assert (reserved["preorder"]["status"], reserved["preorder"]["campaign"]) == ("reserved", campaign["id"])
    assert reserved["preorder"]["threshold"] == 2
    preorder(client, campaign)
    too_many = preorder(client, campaign, quantity=2)
    assert too_many.status_code == 409
    assert (too_many.get_json()["code"], too_many.get_json()["left"]) == ("edition-full", 1)
    shown = client.get(campaign["links"]["self"]).get_json()["edition"]
    assert (shown["reserved"], shown["left"], shown["threshold"]) == (2, 1, 2)
    assert rows(app, Payment) == 0  # nothing is charged before the close

    closed = close(client, manager, campaign)
    assert closed["status"] == "succeeded"
    assert [(p["status"], p["pieces"]) for p in closed["preorders"]] == [("charged", 2)]
    assert client.get(f"/api/v1/orders/{first['order']}").get_json()["status"] == "paid"
    with app.app_context():
        confirmations = db.session.scalars(
            select(OutboxMessage.kind).where(OutboxMessage.kind == "order_confirmation")
        ).all()
        assert len(confirmations) == 2
        db.session.remove()

    events_before, payments_before = rows(app, OrderEvent), rows(app, Payment)
    assert close(client, manager, campaign)["status"] == "succeeded"
    assert close(client, manager, campaign, cancel=True)["status"] == "succeeded"
    assert (
        (rows(app, OrderEvent), rows(app, Payment)) == (events_before, payments_before) == (events_before, 2)
    )


def test_an_edition_that_misses_its_threshold_releases_everyone_and_charges_nobody(
    app: Flask, client: FlaskClient, manager: dict[str, str]
) -> None:
    campaign = edition(client, manager, threshold=3, most=5)
    made = [preorder(client, campaign).get_json() for _ in range(2)]

    assert close(client, manager, campaign)["status"] == "failed"
    assert close(client, manager, campaign)["status"] == "failed"
    assert rows(app, Payment) == 0
    for each in made:
        assert client.get(f"/api/v1/orders/{each['order']}").get_json()["status"] == "cancelled"
    with app.app_context():
        released = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "preorder_released")
        ).all()
        assert [m.recipient for m in released] == [CONTACT["email"]] * 2  # once each
        assert "Nothing was charged" in released[0].body
        assert db.session.scalars(select(PreOrder.status)).all() == ["released", "released"]
        db.session.remove()
    late = preorder(client, campaign)
    assert late.status_code == 409


def test_a_cancelled_edition_charges_nobody_even_past_its_threshold(
    app: Flask, client: FlaskClient, manager: dict[str, str]
) -> None:
    campaign = edition(client, manager, threshold=1, most=2)
    made = preorder(client, campaign).get_json()
    assert close(client, manager, campaign, cancel=True)["status"] == "cancelled"
    assert client.get(f"/api/v1/orders/{made['order']}").get_json()["status"] == "cancelled"
    assert rows(app, Payment) == 0


def test_a_deadline_closes_the_campaign_when_it_is_next_read(
    app: Flask, client: FlaskClient, manager: dict[str, str]
) -> None:
    campaign = edition(client, manager, threshold=1, most=2)
    made = preorder(client, campaign).get_json()
    with app.app_context():
        from configurator.community.models import Campaign

        found = db.session.scalar(select(Campaign).where(Campaign.public_id == campaign["id"]))
        assert found is not None
        found.opens_at = utcnow() - timedelta(days=3)
        found.closes_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        db.session.remove()
    assert client.get(campaign["links"]["self"]).get_json()["status"] == "succeeded"
    with app.app_context():
        assert db.session.scalar(select(Order.status).where(Order.token == made["order"])) == "paid"
        db.session.remove()


# --- the winner joins the catalog ---------------------------------------------------------------------


def test_a_closed_votes_winning_option_is_checked_then_published_as_the_next_version(
    app: Flask, client: FlaskClient, manager: dict[str, str]
) -> None:
    campaign = start(
        client,
        manager,
        kind="vote",
        title="A new material or font?",
        product="mug",
        candidates=[
            {"label": "Stoneware", "attribute": "material", "option": "stoneware"},
            {"label": "Mono", "attribute": "font", "option": "mono"},
            {"label": "Sage", "attribute": "colour", "option": "sage"},
        ],
    )
    stoneware, mono, sage = (c["id"] for c in campaign["candidates"])
    winner = f"/api/v1/admin/campaigns/{campaign['id']}/winner"
    early = client.post(winner, json={"candidate": stoneware}, headers=manager)
    assert early.status_code == 409
    close(client, manager, campaign)

    checked = client.post(winner, json={"candidate": stoneware, "labels": {"fr": "Grès"}}, headers=manager)
    assert checked.status_code == 200, checked.get_json()
    answer = checked.get_json()
    assert answer["product_file"] == "mug.yaml"
    # The merchant's file is kept as they wrote it, the option added in their style.
    assert "      stoneware:\n        label: {en: Stoneware, fr: Grès}\n" in answer["file"]
    assert 'price: {EUR: "14.00", USD: "16.00"}' in answer["file"]
    assert answer["rule_set"]["published"] is False
    assert [(p["product_key"], p["outcome"]) for p in answer["rule_set"]["products"]] == [("mug", "created")]
    assert "stoneware" not in str(client.get("/api/v1/products/mug").get_json())

    assert (
        client.post(winner, json={"candidate": stoneware, "publish": True}, headers=manager).status_code
        == 403
    )
    publisher = {**manager, **admin_headers(app, "campaigns:manage", "catalog:publish", name="publisher")}
    published = client.post(
        winner, json={"candidate": stoneware, "labels": {"fr": "Grès"}, "publish": True}, headers=publisher
    )
    assert published.status_code == 200, published.get_json()
    assert published.get_json()["rule_set"]["published"] is True
    product = client.get("/api/v1/products/mug", headers={"Accept-Language": "fr"}).get_json()
    material = next(a for a in product["attributes"] if a["key"] == "material")
    assert ("stoneware", "Grès") in [(o["key"], o["label"]) for o in material["options"]]

    listed = client.post(winner, json={"candidate": mono}, headers=manager)
    assert listed.status_code == 200, listed.get_json()
    assert "mono:" in listed.get_json()["file"]
    colour = client.post(winner, json={"candidate": sage}, headers=manager)
    assert colour.status_code == 422
    assert "palette" in colour.get_json()["errors"][0]["detail"]


def test_a_preorder_is_settled_by_its_campaign_not_by_hand(
    app: Flask, client: FlaskClient, manager: dict[str, str]
) -> None:
    campaign = edition(client, manager, threshold=1, most=2)
    made = preorder(client, campaign).get_json()
    writer = admin_headers(app, "orders:write", name="workshop")
    moved = client.post(
        f"/api/v1/admin/orders/{made['order_number']}/transitions", json={"to": "cancelled"}, headers=writer
    )
    assert moved.status_code == 409
    assert "campaign" in moved.get_json()["detail"]
    assert client.get(f"/api/v1/orders/{made['order']}").get_json()["status"] == "reserved"


def test_erasing_the_creator_of_an_edition_keeps_the_edition_and_forgets_them(
    client: FlaskClient, manager: dict[str, str]
) -> None:
    ana = Shopper(client, address="10.9.0.1")
    design = ana.design(colour="gold")
    campaign = start(
        client, manager, kind="edition", title="Gold", design=design, threshold=1, max_quantity=1
    )
    assert ana.call("DELETE", f"/api/v1/shoppers/{ana.id}").status_code == 204
    shown = client.get(campaign["links"]["self"]).get_json()
    assert shown["edition"]["design"] == design
    assert client.get(f"/api/v1/designs/{design}").status_code == 200
    assert preorder(client, shown).get_json()["status"] == "reserved"
