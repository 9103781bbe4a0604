"""A price table through the HTTP API: the product says its rows (keys as the picks write them), and
configure prices a half size by its row."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from configurator import create_app

BRAND = 'brand: jeweller\nlabel: Jeweller\ncurrencies: [EUR]\npalette: {gold: "#D4AF37"}\n'
RING = """\
product: ring
label: Ring
price: {EUR: "100.00"}
attributes:
  metal: {type: choice, options: [silver, gold], default: silver}
  size: {type: number, min: 5, max: 5.5, step: 0.5, default: 5}
prices:
  - label: {en: Metal and size, fr: Métal et taille}
    table: prices.csv
"""
PRICES = "metal,size,EUR\nsilver,5,0.00\nsilver,5.5,0.00\ngold,5,300.00\ngold,5.5,312.50\n"


@pytest.fixture
def shop(test_config: dict[str, Any], tmp_path: Path) -> Iterator[FlaskClient]:
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    for name, text in (("brand.yaml", BRAND), ("ring.yaml", RING), ("prices.csv", PRICES)):
        (catalog / name).write_text(text, encoding="utf-8")
    app: Flask = create_app({**test_config, "ATELIER_CATALOG": str(catalog)})
    with app.app_context():
        yield app.test_client()


def test_the_product_says_its_price_table(shop: FlaskClient) -> None:
    (table,) = [a["table"] for a in shop.get("/api/v1/products/ring").get_json()["adjustments"]]
    assert table["attributes"] == ["metal", "size"]
    assert {"match": {"metal": "gold", "size": 5.5}, "add": {"EUR": "312.50"}} in table["rows"]
    assert len(table["rows"]) == 4


def test_configure_prices_the_design_by_its_row(shop: FlaskClient) -> None:
    response = shop.post(
        "/api/v1/products/ring/configure",
        json={"picks": {"metal": "gold", "size": 5.5}},
        headers={"Accept-Language": "fr"},
    )
    assert response.status_code == 200, response.get_json()
    lines = response.get_json()["price"]["lines"]
    assert [(line["kind"], line["label"], line["amount"]) for line in lines] == [
        ("base", "Ring", "100.00"),
        ("table", "Métal et taille", "312.50"),
    ]
