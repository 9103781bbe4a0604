"""Recommendations learned from paid orders: the API a configurator calls, and the merchant's CLI."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from configurator.cli import main
from tests.conftest import TEST_CATALOG
from tests.support.checkout import ADDRESS
from tests.support.orders import LineSpec, make_order
from tests.support.services import Postgres


def recommendations(client: FlaskClient, picks: dict[str, Any], product: str = "mug") -> dict[str, Any]:
    response = client.post(f"/api/v1/products/{product}/recommendations", json={"picks": picks})
    assert response.status_code == 200, response.json
    return response.json  # type: ignore[no-any-return]


def advice(body: dict[str, Any], attribute: str) -> dict[str, Any]:
    return next(item for item in body["attributes"] if item["attribute"] == attribute)


def order(app: Flask, picks: dict[str, object], quantity: int = 1, *, paid: bool = True) -> None:
    make_order(app, [LineSpec("mug", picks, quantity)], paid=paid)


def test_no_orders_means_no_recommendation_and_no_start(pg_app: Flask, pg_client: FlaskClient) -> None:
    body = recommendations(pg_client, {})
    assert body["orders"] == 0
    assert body["start_from"] is None
    colour = advice(body, "colour")
    assert colour["recommended"] is None
    assert colour["popular"] == []
    assert {item["option"] for item in colour["ranking"]} == {"white", "ink", "gold"}
    assert all(item["score"] == 0 for item in colour["ranking"])
    # Texts are the shopper's own: never ranked
    assert "engraving" not in {item["attribute"] for item in body["attributes"]}


def test_ranking_follows_paid_orders_weighted_by_quantity(pg_app: Flask, pg_client: FlaskClient) -> None:
    # Given ink is ordered in more units than white, and a pending order of gold that does not count
    order(pg_app, {"colour": "ink"}, quantity=3)
    order(pg_app, {"colour": "white"})
    order(pg_app, {"colour": "white"})
    order(pg_app, {"colour": "gold"}, quantity=50, paid=False)
    # When a shopper asks with no picks
    body = recommendations(pg_client, {})
    # Then ink comes first, gold (never paid) last, and ink and white are both popular
    colour = advice(body, "colour")
    assert body["orders"] == 3
    assert colour["recommended"] == "ink"
    assert [item["option"] for item in colour["ranking"]] == ["ink", "white", "gold"]
    assert colour["ranking"][0]["score"] == pytest.approx(0.6)
    assert colour["popular"] == ["ink", "white"]
    # And a picked attribute is not advised on again
    picked = recommendations(pg_client, {"colour": "ink"})
    assert "colour" not in {item["attribute"] for item in picked["attributes"]}


def test_ranking_follows_similar_shoppers(pg_app: Flask, pg_client: FlaskClient) -> None:
    # Given enamel buyers choose ink, ceramic buyers white
    for _ in range(3):
        order(pg_app, {"material": "enamel", "colour": "ink"})
        order(pg_app, {"material": "ceramic", "colour": "white"})
    assert advice(recommendations(pg_client, {"material": "enamel"}), "colour")["recommended"] == "ink"
    assert advice(recommendations(pg_client, {"material": "ceramic"}), "colour")["recommended"] == "white"


def test_an_excluded_option_is_never_recommended(pg_app: Flask, pg_client: FlaskClient) -> None:
    # Given gold ceramic mugs dominate the orders
    order(pg_app, {"material": "ceramic", "colour": "gold"}, quantity=20)
    order(pg_app, {"material": "enamel", "colour": "white"})
    assert advice(recommendations(pg_client, {}), "colour")["recommended"] == "gold"
    # When the shopper picks enamel, which the rules forbid in gold
    body = recommendations(pg_client, {"material": "enamel"})
    # Then gold is neither recommended, ranked nor called popular
    colour = advice(body, "colour")
    assert colour["recommended"] == "white"
    assert "gold" not in {item["option"] for item in colour["ranking"]}
    assert "gold" not in colour["popular"]
    # And the starting design is the popular valid one, whatever the picks
    assert body["start_from"]["colour"] == "gold"
    assert body["start_from"]["material"] == "ceramic"


def test_start_from_is_a_valid_design(pg_app: Flask, pg_client: FlaskClient) -> None:
    # Given gold is the most ordered glaze and enamel the most ordered material: together they break a rule
    order(pg_app, {"material": "ceramic", "colour": "gold"}, quantity=4)
    order(pg_app, {"material": "enamel", "colour": "ink"}, quantity=3)
    order(pg_app, {"material": "enamel", "colour": "white", "gift_box": True}, quantity=3)
    start = recommendations(pg_client, {})["start_from"]
    assert start is not None
    assert not (start["material"] == "enamel" and start["colour"] == "gold")
    configured = pg_client.post("/api/v1/products/mug/configure", json={"picks": start})
    assert configured.status_code == 200
    assert configured.json["valid"] is True


def test_a_new_paid_order_is_seen_at_once(pg_app: Flask, pg_client: FlaskClient) -> None:
    order(pg_app, {"colour": "ink"})
    assert advice(recommendations(pg_client, {}), "colour")["recommended"] == "ink"
    order(pg_app, {"colour": "gold"}, quantity=5)
    assert advice(recommendations(pg_client, {}), "colour")["recommended"] == "gold"


def test_multi_and_number_attributes(pg_app: Flask, pg_client: FlaskClient) -> None:
    # Given posters ordered wide with a hanger (which needs 60 cm or more)
    for _ in range(3):
        make_order(pg_app, [LineSpec("poster", {"width": 90, "extras": ["hanger"]})])
    body = recommendations(pg_client, {}, product="poster")
    assert advice(body, "width")["recommended"] == 90
    assert advice(body, "extras")["recommended"] == ["hanger"]
    # When the shopper picks the narrowest width, the hanger is no longer possible
    narrow = advice(recommendations(pg_client, {"width": 30}, product="poster"), "extras")
    assert ["hanger"] not in [item["option"] for item in narrow["ranking"]]
    assert narrow["recommended"] != ["hanger"]


def test_bad_picks_are_refused_like_configure(pg_app: Flask, pg_client: FlaskClient) -> None:
    response = pg_client.post("/api/v1/products/mug/recommendations", json={"picks": {"colour": "purple"}})
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "picks.colour"
    assert pg_client.post("/api/v1/products/nope/recommendations", json={}).status_code == 404


# --- the merchant's CLI ----------------------------------------------------------------------------


@pytest.fixture
def cli(pg_app: Flask, postgres: Postgres, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """The CLI on the test database (migrated and published by pg_app)."""
    monkeypatch.setenv("ATELIER_DATABASE_URL", postgres.url)
    monkeypatch.setenv("ATELIER_CATALOG", str(TEST_CATALOG))
    monkeypatch.setenv("ATELIER_AUTO_SETUP", "false")
    return CliRunner()


def test_cli_says_when_there_is_nothing_to_suggest(cli: CliRunner) -> None:
    result = cli.invoke(main, ["insights", "suggest-defaults", "mug"])
    assert result.exit_code == 0, result.output
    assert "No paid orders of mug yet" in result.output


def test_cli_suggests_the_most_chosen_valid_design_with_evidence(pg_app: Flask, cli: CliRunner) -> None:
    # Given ink glaze is chosen in 3 of 4 paid orders (5 of 6 units) and the gift box in none
    order(pg_app, {"colour": "ink"}, quantity=2)
    order(pg_app, {"colour": "ink"})
    order(pg_app, {"colour": "ink", "material": "enamel"}, quantity=2)
    order(pg_app, {"colour": "white"})
    result = cli.invoke(main, ["insights", "suggest-defaults", "mug"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "4 paid orders (6 units)" in lines[0]
    colour = next(line for line in lines if "[colour]" in line).split()
    assert colour[2:] == ["ink", "83%", "3", "of", "4", "white", "differs"]
    material = next(line for line in lines if "[material]" in line).split()
    assert material[2:] == ["ceramic", "67%", "3", "of", "4", "ceramic", "same"]
    gift = next(line for line in lines if "[gift_box]" in line)
    assert gift.split()[-2:] == ["no", "same"]
    assert "1 default would change" in result.output


def test_cli_refuses_an_unknown_product(cli: CliRunner) -> None:
    result = cli.invoke(main, ["insights", "suggest-defaults", "teapot"])
    assert result.exit_code == 1
    assert "teapot" in result.output


# --- designs saved with consent ----------------------------------------------------------------------

WORDING = "2026-11"
ALL = {"preferences": True, "recommendations": True}


def consenting_shopper(client: FlaskClient, purposes: dict[str, bool] = ALL) -> str:
    shopper: str = client.post("/api/v1/shoppers").get_json()["id"]
    chosen = client.put(
        f"/api/v1/shoppers/{shopper}/consent", json={"purposes": purposes, "wording_version": WORDING}
    )
    assert chosen.status_code == 200, chosen.get_json()
    return shopper


def save(client: FlaskClient, picks: dict[str, Any], shopper: str | None = None) -> None:
    headers = {"X-Atelier-Shopper": shopper} if shopper else {}
    saved = client.post("/api/v1/designs", json={"product": "mug", "picks": picks}, headers=headers)
    assert saved.status_code == 201, saved.get_json()


def colour_advice(client: FlaskClient) -> dict[str, Any]:
    return advice(recommendations(client, {}), "colour")


@pytest.fixture
def gold_savers(pg_app: Flask, pg_client: FlaskClient) -> list[str]:
    """One paid ink mug, then five consenting shoppers who saved a gold one: 5 x 0.25 outweighs 1."""
    order(pg_app, {"colour": "ink"})
    # Designs saved without consent, and one consenting shopper saving again and again, do not outvote it
    for _ in range(8):
        save(pg_client, {"colour": "gold"})
    declined = consenting_shopper(pg_client, {"preferences": False, "recommendations": False})
    save(pg_client, {"colour": "gold"}, declined)
    eager = consenting_shopper(pg_client)
    for _ in range(8):
        save(pg_client, {"colour": "gold"}, eager)
    # (1 + 0.25 after the first answer was cached: a new design is seen at once, whatever the cache)
    assert colour_advice(pg_client)["recommended"] == "ink"
    savers = [eager]
    for _ in range(4):
        savers.append(consenting_shopper(pg_client))
        save(pg_client, {"colour": "gold", "material": "ceramic"}, savers[-1])
    return savers


def test_consented_designs_move_a_recommendation(pg_client: FlaskClient, gold_savers: list[str]) -> None:
    # Given five consenting shoppers' gold designs against one paid ink order
    colour = colour_advice(pg_client)
    # Then gold is recommended: 1.25 against 1
    assert colour["recommended"] == "gold"
    assert colour["ranking"][0]["score"] == pytest.approx(1.25 / 2.25)
    assert colour["popular"] == ["gold", "ink"]


def test_a_withdrawn_consent_takes_the_designs_out_at_once(
    pg_client: FlaskClient, gold_savers: list[str]
) -> None:
    assert colour_advice(pg_client)["recommended"] == "gold"  # cached now
    # When two of them withdraw `preferences` (one still wants suggestions for themselves)
    for shopper, purposes in (
        (gold_savers[0], {"preferences": False, "recommendations": True}),
        (gold_savers[1], {"preferences": False, "recommendations": False}),
    ):
        withdrawn = pg_client.put(
            f"/api/v1/shoppers/{shopper}/consent", json={"purposes": purposes, "wording_version": WORDING}
        )
        assert withdrawn.status_code == 200
    # Then their designs no longer count, without waiting for the cache to expire: 0.75 against 1
    colour = colour_advice(pg_client)
    assert colour["recommended"] == "ink"
    assert colour["ranking"][0]["score"] == pytest.approx(1 / 1.75)
    # And giving it again brings that shopper's design back
    pg_client.put(
        f"/api/v1/shoppers/{gold_savers[1]}/consent", json={"purposes": ALL, "wording_version": WORDING}
    )
    scores = {item["option"]: item["score"] for item in colour_advice(pg_client)["ranking"]}
    assert scores["gold"] == pytest.approx(0.5)  # 1 against 1 again


def test_an_erasure_takes_the_designs_out_at_once(pg_client: FlaskClient, gold_savers: list[str]) -> None:
    assert colour_advice(pg_client)["recommended"] == "gold"  # cached now
    # When two of them erase their data
    for shopper in gold_savers[:2]:
        assert pg_client.delete(f"/api/v1/shoppers/{shopper}").status_code == 204
    # Then their designs no longer count: 0.75 against 1
    colour = colour_advice(pg_client)
    assert colour["recommended"] == "ink"
    assert colour["ranking"][0]["score"] == pytest.approx(1 / 1.75)


def test_an_ordered_design_votes_once_as_an_order(pg_app: Flask, pg_client: FlaskClient) -> None:
    # Given a consenting shopper who saved a gold mug and bought that very design
    shopper = consenting_shopper(pg_client)
    headers = {"X-Atelier-Shopper": shopper}
    design = pg_client.post(
        "/api/v1/designs", json={"product": "mug", "picks": {"colour": "gold"}}, headers=headers
    )
    cart = pg_client.post("/api/v1/carts", json={"currency": "EUR"}, headers=headers).get_json()["id"]
    added = pg_client.post(
        f"/api/v1/carts/{cart}/lines",
        json={"design": design.get_json()["id"], "quantity": 1},
        headers=headers,
    )
    assert added.status_code == 201
    contact = {"email": "ada@example.org", "name": "Ada Lovelace", "address": ADDRESS}
    assert pg_client.put(f"/api/v1/carts/{cart}/contact", json=contact, headers=headers).status_code == 200
    placed = pg_client.post(f"/api/v1/carts/{cart}/checkout", json={}, headers=headers).get_json()["order"]
    assert pg_client.post(f"/api/v1/orders/{placed['token']}/complete").status_code == 200
    # And another shopper's paid ink mug
    order(pg_app, {"colour": "ink"})
    # Then gold and ink weigh the same (1 each), not 1.25 against 1
    colour = colour_advice(pg_client)
    assert {item["option"]: item["score"] for item in colour["ranking"]} == {
        "gold": pytest.approx(0.5),
        "ink": pytest.approx(0.5),
        "white": 0.0,
    }
