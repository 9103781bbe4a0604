"""Recommendations learned from paid orders: the API a configurator calls, and the merchant's CLI."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from configurator.cli import main
from tests.conftest import TEST_CATALOG
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
