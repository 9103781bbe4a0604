"""Numbers with decimal steps (half ring sizes, a band in quarter millimetres) through the HTTP API:
written as JSON numbers, picked as JSON numbers, exact on their grid, priced exactly, saved and read
back as picked, and refused in the shopper's words when off their steps."""

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
label: {en: Ring, fr: Bague}
price: {EUR: "100.00"}
attributes:
  size: {type: number, label: {en: Size, fr: Taille}, min: 4, max: 13, step: 0.5, default: 7.5, unit: US}
  band: {type: number, label: {en: Band, fr: Anneau}, min: 1.5, max: 3, step: 0.25, default: 2, unit: mm}
constraints:
  - id: thin-small
    rule: size < 6 -> band <= 2
    message:
      en: "Small sizes take a band of 2 mm at most."
      fr: "Les petites tailles ont un anneau de 2 mm au plus."
prices:
  - label: {en: Gold, fr: Or}
    formula: {EUR: "size * band * 1.5"}
"""


@pytest.fixture
def shop(test_config: dict[str, Any], tmp_path: Path) -> Iterator[FlaskClient]:
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    (catalog / "brand.yaml").write_text(BRAND, encoding="utf-8")
    (catalog / "ring.yaml").write_text(RING, encoding="utf-8")
    app: Flask = create_app({**test_config, "ATELIER_CATALOG": str(catalog)})
    with app.app_context():
        yield app.test_client()


def configure(shop: FlaskClient, picks: dict[str, Any], status: int = 200, **headers: str) -> dict[str, Any]:
    response = shop.post("/api/v1/products/ring/configure", json={"picks": picks}, headers=headers)
    assert response.status_code == status, response.get_json()
    answer: dict[str, Any] = response.get_json()
    return answer


def domain(answer: dict[str, Any], key: str) -> dict[str, Any]:
    found: dict[str, Any] = next(d for d in answer["domains"] if d["key"] == key)
    return found


def test_the_product_says_its_decimal_steps_as_numbers(shop: FlaskClient) -> None:
    spec = shop.get("/api/v1/products/ring").get_json()
    size = next(a for a in spec["attributes"] if a["key"] == "size")
    assert (size["minimum"], size["maximum"], size["step"], size["default"]) == (4, 13, 0.5, 7.5)
    assert spec["defaults"] == {"size": 7.5, "band": 2}


def test_a_half_size_is_picked_priced_and_answered_exactly(shop: FlaskClient) -> None:
    answer = configure(shop, {"size": 5.5, "band": 1.75})
    assert answer["valid"] is True
    assert answer["design"] == {"size": 5.5, "band": 1.75}
    # 5.5 * 1.75 * 1.5 = 14.4375, rounded once
    assert [line["amount"] for line in answer["price"]["lines"]] == ["100.00", "14.44"]
    bands = domain(answer, "band")["options"]
    assert [o["key"] for o in bands] == [1.5, 1.75, 2, 2.25, 2.5, 2.75, 3]
    assert [o["key"] for o in bands if o["available"]] == [1.5, 1.75, 2]
    assert domain(answer, "band")["value"] == 1.75
    sizes = [o["key"] for o in domain(answer, "size")["options"]]
    assert len(sizes) == 19
    assert sizes[:4] == [4, 4.5, 5, 5.5]


def test_a_number_off_its_decimal_steps_is_refused_in_the_shoppers_language(shop: FlaskClient) -> None:
    problem = configure(shop, {"size": 5.25}, status=422, **{"Accept-Language": "fr"})
    (error,) = problem["errors"]
    assert error["field"] == "picks.size"
    assert error["detail"] == "Choisissez « Taille » de 4 à 13 US, par pas de 0,5 US."


def test_a_saved_half_size_reads_back_as_picked(shop: FlaskClient) -> None:
    answer = configure(shop, {"size": 12.5, "band": 2.75})
    saved = shop.post("/api/v1/designs", json={"product": "ring", "picks": {"size": 12.5, "band": 2.75}})
    assert saved.status_code == 201, saved.get_json()
    design = saved.get_json()
    assert design["choices"] == answer["design"] == {"size": 12.5, "band": 2.75}
    again = shop.get(f"/api/v1/designs/{design['id']}").get_json()
    assert again["choices"] == {"size": 12.5, "band": 2.75}
    assert (again["live"]["valid"], again["price"]["total"]) == (True, design["price"]["total"])


def test_a_repair_moves_a_half_size_to_where_the_band_fits(shop: FlaskClient) -> None:
    response = shop.post(
        "/api/v1/products/ring/repair",
        json={"picks": {"size": 5.5, "band": 1.5}, "attribute": "band", "value": 2.5},
    )
    assert response.status_code == 200, response.get_json()
    (first, *_) = response.get_json()["alternatives"]
    assert [(c["attribute"], c["old"], c["new"]) for c in first["changes"]] == [("size", 5.5, 6)]
    assert configure(shop, first["picks"])["valid"] is True
