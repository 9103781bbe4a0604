"""Shipping by weight through the cart: the order's weight (each line's from its product's production
data, times its quantity) picks the zone's band, and an order heavier than every band is told so in
the shopper's language instead of being shipped at a parcel's price."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.conftest import TEST_CATALOG

# The test shop ships to France by weight; its mug weighs 350 g, a gift box 120 g more.
BY_WEIGHT = """\
shipping:
  - zone: home
    label: {en: France, fr: France}
    countries: [FR]
    by_weight:
      - {up_to: 1 kg, cost: {EUR: "4.90", USD: "5.90"}}
      - {up_to: 3 kg, cost: {EUR: "9.90", USD: "11.90"}}
    free_over: {EUR: "100.00", USD: "120.00"}
    free_max_weight: 2 kg

tax:"""
ADDRESS = {"country": "FR", "postal_code": "75011", "city": "Paris", "line1": "12 rue Oberkampf"}


@pytest.fixture
def test_config(test_config: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    catalog = tmp_path / "catalog"
    shutil.copytree(TEST_CATALOG, catalog)
    brand = (catalog / "brand.yaml").read_text()
    head, rest = brand.split("shipping:\n", 1)
    (catalog / "brand.yaml").write_text(head + BY_WEIGHT + rest.split("\ntax:", 1)[1])
    return {**test_config, "ATELIER_CATALOG": str(catalog)}


def cart_of_mugs(client: FlaskClient, quantity: int, **picks: Any) -> dict[str, Any]:
    token = client.post("/api/v1/carts", json={"currency": "EUR"}).get_json()["id"]
    design = client.post("/api/v1/designs", json={"product": "mug", "picks": picks}).get_json()["id"]
    added = client.post(f"/api/v1/carts/{token}/lines", json={"design": design, "quantity": quantity})
    assert added.status_code == 201, added.get_json()
    contact = {"email": "ann@example.org", "name": "Ann", "address": ADDRESS}
    answer = client.put(f"/api/v1/carts/{token}/contact", json=contact, headers={"Accept-Language": "fr"})
    assert answer.status_code == 200, answer.get_json()
    cart: dict[str, Any] = answer.get_json()
    return cart


# An enamel mug engraved with 16 characters costs 20.00 EUR and weighs 350 g.
TWENTY = {"material": "enamel", "engraving": "Congratulations!"}


@pytest.mark.parametrize(
    ("quantity", "picks", "shipping"),
    [
        (2, {}, "4.90"),  # 700 g
        (3, {"gift_box": True}, "9.90"),  # 1,410 g
        (5, TWENTY, "0.00"),  # 100.00 EUR and 1,750 g: free
        (6, TWENTY, "9.90"),  # 120.00 EUR, but 2,100 g is heavier than free shipping takes
    ],
)
def test_the_orders_weight_picks_its_band(
    client: FlaskClient, quantity: int, picks: dict[str, Any], shipping: str
) -> None:
    cart = cart_of_mugs(client, quantity, **picks)
    assert (cart["shipping"], cart["ready"]) == (shipping, True)


def test_an_order_heavier_than_every_band_is_told_so(client: FlaskClient) -> None:
    cart = cart_of_mugs(client, 9)  # 3,150 g
    assert cart["ready"] is False
    assert [p["detail"] for p in cart["problems"]] == [
        "Cette commande est trop lourde pour que Atelier d'essai l’envoie dans ce pays : "
        "répartissez-la en plusieurs commandes plus petites."
    ]
