"""The admin API on availability, on PostgreSQL: an option marked off sale in one process is off sale
in every process serving the shop (each reads the live rules again), and comes back when cleared."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from configurator import create_app
from tests.support.admin import admin_headers

AVAILABILITY = "/api/v1/admin/availability"


def option(answer: dict[str, Any], attribute: str, key: str) -> dict[str, Any]:
    domain = next(d for d in answer["domains"] if d["key"] == attribute)
    found: dict[str, Any] = next(o for o in domain["options"] if o["key"] == key)
    return found


def configure(client: FlaskClient, product: str, picks: dict[str, Any]) -> dict[str, Any]:
    response = client.post(f"/api/v1/products/{product}/configure", json={"picks": picks})
    assert response.status_code == 200, response.json
    answer: dict[str, Any] = response.get_json()
    return answer


def test_an_option_marked_in_one_process_is_off_sale_in_another(
    pg_app: Flask, pg_client: FlaskClient, pg_config: dict[str, Any]
) -> None:
    # Given a second process of the shop on the same database, which has answered once already
    other = create_app({**pg_config, "ATELIER_LIVE_REFRESH_SECONDS": 0}).test_client()
    assert option(configure(other, "poster", {}), "extras", "lamination")["available"] is True
    headers = admin_headers(pg_app, "catalog:read", "catalog:publish")

    # When the merchant pauses a ticked box (an option of a multi) through the first
    until = datetime.now(UTC) + timedelta(days=2)
    body = {"state": "paused", "until": until.isoformat(), "message": {"en": "Back after the holidays."}}
    marked = pg_client.put(f"{AVAILABILITY}/poster/extras/lamination", json=body, headers=headers)
    assert marked.status_code == 200, marked.json

    # Then the second greys it out with the message and refuses a design holding it
    paused = option(configure(other, "poster", {}), "extras", "lamination")
    assert paused["available"] is False
    assert paused["reason"]["text"] == "Back after the holidays."
    insisting = configure(other, "poster", {"extras": ["lamination"]})
    assert insisting["valid"] is False

    # And the list says so, with who changed it
    listed = pg_client.get(AVAILABILITY, headers=headers).get_json()["items"]
    poster = next(p for p in listed if p["product_key"] == "poster")
    extras = next(a for a in poster["attributes"] if a["key"] == "extras")
    lamination = next(o for o in extras["options"] if o["option_key"] == "lamination")
    assert (lamination["state"], lamination["changed_by"]) == ("paused", "admin:test-admin")
    assert datetime.fromisoformat(lamination["until"]) == until

    # When it is cleared, the second offers it again
    assert pg_client.delete(f"{AVAILABILITY}/poster/extras/lamination", headers=headers).status_code == 200
    assert option(configure(other, "poster", {}), "extras", "lamination")["available"] is True


def test_a_saved_design_with_a_sold_out_option_is_told_so_in_the_admin_design(
    pg_app: Flask, pg_client: FlaskClient
) -> None:
    from configurator.designs import services as designs
    from configurator.extensions import db

    with pg_app.app_context():
        public_id = designs.save("mug", {"colour": "gold"}).public_id
        db.session.remove()
    headers = admin_headers(pg_app, "designs:read", "catalog:publish")

    pg_client.put(f"{AVAILABILITY}/mug/colour/gold", json={"state": "sold_out"}, headers=headers)

    live = pg_client.get(f"/api/v1/admin/designs/{public_id}", headers=headers).get_json()["live"]
    assert live["valid"] is False
    assert [v["message"] for v in live["violations"]] == ["Sold out for now."]
