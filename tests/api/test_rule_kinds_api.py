"""The merchant's rule kinds through the HTTP API: a value a `set:` rule gave says which rule and why,
a warning-only rule is a warning beside its attribute and never blocks, and the merchant's own
recommendation comes with the learned advice, in the shopper's language."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from configurator import create_app
from tests.rules.test_rule_kinds import BRAND, TABLE

FRENCH = TABLE.replace(
    '"Hardwax oil brings out the grain of walnut."',
    '{en: "Hardwax oil brings out the grain of walnut.", fr: "L’huile-cire révèle le veinage du noyer."}',
)


@pytest.fixture
def shop(test_config: dict[str, Any], tmp_path: Path) -> Iterator[FlaskClient]:
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    (catalog / "brand.yaml").write_text(BRAND + "languages: [en, fr]\n", encoding="utf-8")
    (catalog / "table.yaml").write_text(FRENCH, encoding="utf-8")
    app: Flask = create_app({**test_config, "ATELIER_CATALOG": str(catalog)})
    with app.app_context():
        yield app.test_client()


def configure(shop: FlaskClient, picks: dict[str, Any]) -> dict[str, Any]:
    response = shop.post("/api/v1/products/table/configure", json={"picks": picks})
    assert response.status_code == 200, response.get_json()
    answer: dict[str, Any] = response.get_json()
    return answer


def test_a_value_set_by_a_rule_names_it(shop: FlaskClient) -> None:
    answer = configure(shop, {"extendable": True})
    bag = next(d for d in answer["domains"] if d["key"] == "leaf_bag")
    assert bag["value"] is True
    assert bag["set_by"] == {"id": "leaf-bag", "message": "An extendable table comes with its leaf bag."}
    assert all(d["set_by"] is None for d in configure(shop, {})["domains"])


def test_a_warning_only_rule_warns_beside_its_attribute_and_never_blocks(shop: FlaskClient) -> None:
    answer = configure(shop, {"wood": "walnut", "oil": "white"})
    assert answer["valid"] is True
    assert answer["warnings"] == [
        {
            "attribute": "oil",
            "code": "rule",
            "message": "White oil shows best on ash; on darker woods it can look patchy.",
            "rule": "white-on-ash",
        }
    ]
    saved = shop.post(
        "/api/v1/designs", json={"product": "table", "picks": {"wood": "walnut", "oil": "white"}}
    )
    assert saved.status_code == 201
    assert saved.get_json()["live"]["valid"] is True


def test_the_merchants_recommendation_comes_with_the_learned_advice(shop: FlaskClient) -> None:
    response = shop.post(
        "/api/v1/products/table/recommendations",
        json={"picks": {"wood": "walnut"}},
        headers={"Accept-Language": "fr"},
    )
    assert response.status_code == 200, response.get_json()
    advice = {a["attribute"]: a for a in response.get_json()["attributes"]}
    assert advice["oil"]["ours"] == {
        "option": "hardwax",
        "message": "L’huile-cire révèle le veinage du noyer.",
    }
    assert "wood" not in advice  # picked: nothing to advise
    plain = shop.post("/api/v1/products/table/recommendations", json={"picks": {}}).get_json()
    by_key = {a["attribute"]: a for a in plain["attributes"]}
    assert by_key["oil"]["ours"] is None
    assert by_key["wood"]["ours"]["option"] == "oak"
