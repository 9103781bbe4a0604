"""Limited editions for the Stripe tests: one started through the admin API, pre-orders whose card is
saved in the local Stripe stand-in (or never)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from configurator.dbtypes import utcnow
from tests.support.admin import admin_headers
from tests.support.checkout import ADDRESS
from tests.support.fake_stripe import PUBLISHABLE_KEY, FakeStripe

CONTACT = {"email": "ada@example.org", "name": "Ada Lovelace", "address": ADDRESS}


def edition(app: Flask, client: FlaskClient, threshold: int, most: int = 10) -> dict[str, Any]:
    design = client.post("/api/v1/designs", json={"product": "mug", "picks": {"colour": "ink"}}).get_json()[
        "id"
    ]
    made = client.post(
        "/api/v1/admin/campaigns",
        json={
            "kind": "edition",
            "title": "Ink",
            "design": design,
            "threshold": threshold,
            "max_quantity": most,
            "closes_at": (utcnow() + timedelta(days=30)).isoformat(),
        },
        headers=admin_headers(app, "campaigns:manage", name=f"manager-{threshold}-{most}"),
    )
    assert made.status_code == 201, made.get_json()
    return dict(made.get_json())


def preorder(
    client: FlaskClient, stripe: FakeStripe, campaign: dict[str, Any], card: str | None
) -> dict[str, Any]:
    """Pre-order one piece; with `card`, save it in Stripe's form and come back (else walk away)."""
    made = client.post(campaign["links"]["preorders"], json={"quantity": 1, "contact": CONTACT})
    assert made.status_code == 201, made.get_json()
    body = dict(made.get_json())
    assert body["card"]["publishable_key"] == PUBLISHABLE_KEY
    setup = next(s for s in stripe.setups.values() if s["client_secret"] == body["card"]["client_secret"])
    if card is not None:
        stripe.confirm_setup(setup["id"], card)
        done = client.post(body["links"]["complete"])
        assert done.status_code == 200, done.get_json()
        assert done.get_json()["status"] == "reserved"
    body["setup"] = setup["id"]
    return body
