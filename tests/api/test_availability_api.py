"""Options off sale without publishing: a merchant marks an option sold out or paused through the
admin API, and at once configure greys it out with the merchant's message, designs never hold it,
open carts flag it and checkout refuses it; clearing it (or a pause's end) brings it back."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from configurator.availability import services as availability
from configurator.availability.models import PAUSED, OptionAvailability
from configurator.extensions import db
from tests.conftest import TEST_CATALOG
from tests.support.admin import admin_headers
from tests.support.checkout import ready_cart

GOLD = "/api/v1/admin/availability/mug/colour/gold"
CONFIGURE = "/api/v1/products/mug/configure"
SOLD_OUT = {"state": "sold_out", "message": {"en": "Gold glaze is sold out.", "fr": "L'émail or est épuisé."}}


@pytest.fixture
def test_config(test_config: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    # A catalog of its own, and the live rules kept for a while: a change must not wait for a refresh.
    catalog = tmp_path / "catalog"
    shutil.copytree(TEST_CATALOG, catalog)
    return {**test_config, "ATELIER_CATALOG": str(catalog), "ATELIER_LIVE_REFRESH_SECONDS": 30}


@pytest.fixture
def headers(app: Flask) -> dict[str, str]:
    return admin_headers(app, "catalog:read", "catalog:publish")


def gold(answer: dict[str, Any]) -> dict[str, Any]:
    colour = next(d for d in answer["domains"] if d["key"] == "colour")
    return next(o for o in colour["options"] if o["key"] == "gold")


def configure(client: FlaskClient, picks: dict[str, Any], language: str = "en") -> dict[str, Any]:
    response = client.post(CONFIGURE, json={"picks": picks}, headers={"Accept-Language": language})
    assert response.status_code == 200, response.get_json()
    answer: dict[str, Any] = response.get_json()
    return answer


def test_a_sold_out_option_is_greyed_out_with_the_merchants_message_at_once(
    client: FlaskClient, headers: dict[str, str]
) -> None:
    # Given a shopper who has seen gold offered (the answer is cached)
    assert gold(configure(client, {}))["available"] is True

    # When the merchant marks gold sold out
    marked = client.put(GOLD, json=SOLD_OUT, headers=headers)
    assert marked.status_code == 200, marked.get_json()
    assert marked.get_json()["state"] == "sold_out"
    assert marked.get_json()["available"] is False

    # Then the next answer greys it out with the merchant's words, in the shopper's language
    option = gold(configure(client, {}))
    assert option["available"] is False
    assert option["reason"]["text"] == "Gold glaze is sold out."
    assert option["reason"]["rules"][0]["origin"] == "availability"
    assert gold(configure(client, {}, "fr"))["reason"]["text"] == "L'émail or est épuisé."


def test_a_sold_out_option_is_never_in_a_completed_design_and_a_pick_of_it_is_refused(
    client: FlaskClient, headers: dict[str, str]
) -> None:
    client.put(GOLD, json=SOLD_OUT, headers=headers)

    assert configure(client, {})["design"]["colour"] != "gold"
    insisting = configure(client, {"colour": "gold"})
    assert insisting["valid"] is False
    assert "Gold glaze is sold out." in [v["message"] for v in insisting["violations"]]
    saved = client.post("/api/v1/designs", json={"product": "mug", "picks": {}})
    assert saved.status_code == 201, saved.get_json()
    assert saved.get_json()["choices"]["colour"] != "gold"


def test_without_a_message_shoppers_read_ours_in_their_language(
    client: FlaskClient, headers: dict[str, str]
) -> None:
    client.put(GOLD, json={"state": "sold_out"}, headers=headers)

    reasons = {language: gold(configure(client, {}, language))["reason"]["text"] for language in ("en", "fr")}

    assert reasons == {"en": "Sold out for now.", "fr": "Épuisé pour le moment."}


def test_our_wording_is_written_in_every_language_the_software_speaks(app: Flask) -> None:
    sold_out = OptionAvailability(
        product_key="mug", attribute_key="colour", option_key="gold", state="sold_out"
    )
    until = datetime(2031, 3, 1, 9, 30, tzinfo=UTC)
    paused = OptionAvailability(
        product_key="mug", attribute_key="colour", option_key="gold", state=PAUSED, until=until
    )

    with app.app_context():
        said = availability.shopper_message(sold_out)
        later = availability.shopper_message(paused)

    assert said.get("de") == "Zurzeit ausverkauft."
    assert later.get("fr").startswith("Indisponible jusqu'au")
    assert "2031" in later.get("fr")
    assert "2031" in later.get("de")
    assert later.get("de").startswith("Nicht erhältlich bis")


def test_clearing_brings_the_option_back(client: FlaskClient, headers: dict[str, str]) -> None:
    client.put(GOLD, json=SOLD_OUT, headers=headers)
    assert gold(configure(client, {}))["available"] is False

    cleared = client.delete(GOLD, headers=headers)

    assert cleared.status_code == 200
    assert cleared.get_json()["available"] is True
    assert gold(configure(client, {}))["available"] is True


def test_an_open_cart_flags_a_line_with_a_sold_out_option_and_checkout_refuses_it(
    app: Flask, client: FlaskClient, headers: dict[str, str]
) -> None:
    # Given a cart with a gold mug, ready to pay
    token = ready_cart(app, [("mug", {"colour": "gold"}, 1)])

    # When gold sells out
    client.put(GOLD, json=SOLD_OUT, headers=headers)

    # Then the cart flags the line with the merchant's message, and checkout refuses it
    cart = client.get(f"/api/v1/carts/{token}").get_json()
    assert [p["message"] for p in cart["lines"][0]["problems"]] == ["Gold glaze is sold out."]
    refused = client.post(f"/api/v1/carts/{token}/checkout", json={})
    assert refused.status_code in (409, 422), refused.get_json()
    assert refused.headers["Content-Type"].startswith("application/problem+json")
    assert "Gold glaze is sold out." in refused.get_json()["detail"]


def test_a_new_cart_line_with_a_sold_out_option_is_refused(
    app: Flask, client: FlaskClient, headers: dict[str, str]
) -> None:
    design = client.post("/api/v1/designs", json={"product": "mug", "picks": {"colour": "gold"}}).get_json()[
        "id"
    ]
    client.put(GOLD, json=SOLD_OUT, headers=headers)
    token = client.post("/api/v1/carts", json={"currency": "EUR"}).get_json()["id"]

    added = client.post(f"/api/v1/carts/{token}/lines", json={"design": design, "quantity": 1})

    assert added.status_code == 422, added.get_json()


def test_a_pause_whose_moment_has_passed_withdraws_nothing(app: Flask, client: FlaskClient) -> None:
    # Given a pause of gold that ended a minute ago, never cleared by anyone
    with app.app_context():
        db.session.add(
            OptionAvailability(
                product_key="mug",
                attribute_key="colour",
                option_key="gold",
                state=PAUSED,
                until=datetime.now(UTC) - timedelta(minutes=1),
            )
        )
        db.session.commit()

    # Then gold is offered and accepted
    assert gold(configure(client, {}))["available"] is True
    assert configure(client, {"colour": "gold"})["valid"] is True


def test_a_pause_holds_until_its_moment_and_not_after(
    app: Flask, client: FlaskClient, headers: dict[str, str]
) -> None:
    until = datetime.now(UTC) + timedelta(hours=1)
    paused = client.put(GOLD, json={"state": "paused", "until": until.isoformat()}, headers=headers)
    assert paused.status_code == 200, paused.get_json()

    option = gold(configure(client, {}))
    assert option["available"] is False
    assert option["reason"]["text"].startswith("Not available until")
    with app.app_context():
        before = availability.withdrawn_at(until - timedelta(seconds=1))
        after = availability.withdrawn_at(until + timedelta(seconds=1))
    assert [w.option for w in before.of("mug")] == ["gold"]
    assert after.of("mug") == ()
    # The state read before the end says when it stops holding, so caches of it expire by themselves.
    assert before.current(until - timedelta(seconds=1)) is True
    assert before.current(until) is False


@pytest.mark.parametrize(
    ("url", "body", "status"),
    [
        ("/api/v1/admin/availability/teapot/colour/gold", SOLD_OUT, 404),
        ("/api/v1/admin/availability/mug/glaze/gold", SOLD_OUT, 404),
        ("/api/v1/admin/availability/mug/colour/purple", SOLD_OUT, 404),
        ("/api/v1/admin/availability/mug/engraving/x", SOLD_OUT, 404),
        (GOLD, {"state": "paused"}, 422),
        (GOLD, {"state": "paused", "until": "2020-01-01T00:00:00Z"}, 422),
        (GOLD, {"state": "paused", "until": "2030-01-01T00:00:00"}, 422),
        (GOLD, {"state": "gone"}, 422),
    ],
)
def test_what_cannot_be_marked_is_a_problem_with_a_clear_detail(
    client: FlaskClient, headers: dict[str, str], url: str, body: dict[str, Any], status: int
) -> None:
    response = client.put(url, json=body, headers=headers)

    assert response.status_code == status, response.get_json()
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert response.get_json()["detail"]
    assert gold(configure(client, {}))["available"] is True


def test_the_list_shows_every_option_and_its_state(client: FlaskClient, headers: dict[str, str]) -> None:
    client.put(GOLD, json=SOLD_OUT, headers=headers)

    listed = client.get("/api/v1/admin/availability?product=mug", headers=headers)

    assert listed.status_code == 200, listed.get_json()
    assert listed.get_json()["languages"] == ["en", "fr"]
    (mug,) = listed.get_json()["items"]
    colours = next(a for a in mug["attributes"] if a["key"] == "colour")
    states = {o["option_key"]: o["state"] for o in colours["options"]}
    assert states == {"white": "available", "ink": "available", "gold": "sold_out"}
    assert "engraving" not in [a["key"] for a in mug["attributes"]]


def test_marking_needs_a_token_with_the_publish_scope(app: Flask, client: FlaskClient) -> None:
    reader = admin_headers(app, "catalog:read", name="reader")

    assert client.put(GOLD, json=SOLD_OUT).status_code == 401
    assert client.put(GOLD, json=SOLD_OUT, headers=reader).status_code == 403
