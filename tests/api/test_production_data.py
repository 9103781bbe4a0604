"""Production data through the HTTP API: configure says the design's SKU, parts, weight and the day
it ships by, from the product's own data, its chosen options, its ticked boxes and its weight
formula; the rules say them alike in `rules.production`."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from configurator import create_app
from rules import load_product
from rules.production import making

BRAND = 'brand: b\nlabel: B\ncurrencies: [GBP]\npalette: {white: "#FFFFFF"}\n'
TABLE = """\
product: dining-table
label: Dining table
price: {GBP: "900.00"}
production:
  sku: TBL
  lead_time: 6 weeks
  weight_formula: "length * width / 10000 * 25"
  parts: [{part: SCREW-8, quantity: 16}]
attributes:
  wood:
    type: choice
    options:
      oak: {sku: OAK, lead_time: 4 weeks, parts: [{part: TOP-OAK}]}
      walnut: {sku: WAL, lead_time: 10 weeks, parts: [{part: TOP-WAL}]}
    default: oak
  length: {type: number, min: 160, max: 240, step: 20, default: 200, unit: cm}
  width: {type: number, min: 80, max: 100, step: 10, default: 90, unit: cm}
  extendable:
    type: boolean
    default: false
    price: {GBP: "250.00"}
    sku: EXT
    weight: 9.5 kg
    parts: [{part: LEAF-BAG}, {part: SCREW-8, quantity: 4}]
"""


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    folder = tmp_path / "catalog"
    folder.mkdir()
    (folder / "brand.yaml").write_text(BRAND, encoding="utf-8")
    (folder / "table.yaml").write_text(TABLE, encoding="utf-8")
    return folder


@pytest.fixture
def shop(test_config: dict[str, Any], catalog: Path) -> Iterator[FlaskClient]:
    app: Flask = create_app({**test_config, "ATELIER_CATALOG": str(catalog)})
    with app.app_context():
        yield app.test_client()


def test_options_and_boxes_add_to_the_products_own_data(catalog: Path) -> None:
    model = load_product(catalog / "table.yaml").model
    walnut = making(model, {"wood": "walnut", "length": 220, "width": 90, "extendable": True})
    assert walnut.sku == "TBL-WAL-EXT"
    assert [(p.code, int(p.quantity)) for p in walnut.parts] == [
        ("SCREW-8", 20),
        ("TOP-WAL", 1),
        ("LEAF-BAG", 1),
    ]
    assert walnut.lead_days == 70  # the longest: walnut's ten weeks
    assert walnut.weight_grams == 59000  # 2.2 m x 0.9 m at 25 kg/m², and the 9.5 kg leaf
    oak = making(model, {"wood": "oak", "length": 160, "width": 80, "extendable": False})
    assert (oak.sku, oak.lead_days, oak.weight_grams) == ("TBL-OAK", 42, 32000)


def test_configure_says_the_sku_and_the_day_it_ships_by(shop: FlaskClient) -> None:
    before = datetime.now(UTC).date()
    response = shop.post(
        "/api/v1/products/dining-table/configure", json={"picks": {"wood": "walnut", "extendable": True}}
    )
    assert response.status_code == 200, response.get_json()
    production = response.get_json()["production"]
    assert (production["sku"], production["lead_days"], production["weight_grams"]) == (
        "TBL-WAL-EXT",
        70,
        "54500",
    )
    after = datetime.now(UTC).date()
    assert production["ships_by"] in {(day + timedelta(days=70)).isoformat() for day in (before, after)}
    assert {"part": "SCREW-8", "quantity": "20"} in production["parts"]
    assert response.get_json()["personalised"] is False  # a table from the range, nothing of the shopper's


def test_a_table_cut_to_the_shoppers_size_is_theirs(catalog: Path, test_config: dict[str, Any]) -> None:
    table = catalog / "table.yaml"
    table.write_text(table.read_text().replace("production:", "personalised: true\nproduction:", 1))
    app: Flask = create_app({**test_config, "ATELIER_CATALOG": str(catalog)})
    with app.app_context():
        answer = (
            app.test_client().post("/api/v1/products/dining-table/configure", json={"picks": {}}).get_json()
        )
    assert answer["personalised"] is True
