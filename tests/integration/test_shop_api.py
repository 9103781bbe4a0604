"""The shopper's API on PostgreSQL: save, share and remix designs; carts priced by the server only."""

from __future__ import annotations

import secrets
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from configurator.catalog import versions
from configurator.extensions import db
from tests.conftest import TEST_CATALOG

ADDRESS = {"country": "FR", "postal_code": "75011", "city": "Paris", "line1": "1 rue de la Roquette"}


def save(client: FlaskClient, picks: dict[str, Any], product: str = "mug") -> dict[str, Any]:
    response = client.post("/api/v1/designs", json={"product": product, "picks": picks})
    assert response.status_code == 201, response.get_json()
    body: dict[str, Any] = response.get_json()
    return body


def new_cart(client: FlaskClient, currency: str = "EUR") -> str:
    response = client.post("/api/v1/carts", json={"currency": currency})
    assert response.status_code == 201
    assert response.headers["Location"].endswith(response.get_json()["id"])
    token: str = response.get_json()["id"]
    return token


def test_save_load_and_share_a_design(pg_client: FlaskClient) -> None:
    # Given a shopper who picked a gold glaze and typed an engraving
    saved = save(pg_client, {"colour": "gold", "engraving": "Mum"})
    # Then the design is completed with the defaults and priced
    assert saved["choices"]["material"] == "ceramic"
    assert saved["choices"]["font"] == "serif"  # applies because there is an engraving
    assert saved["saved"]["valid"]
    assert saved["live"]["valid"]
    assert saved["price"]["total"] == "17.75"  # 14.00 + 3.00 gold + 3 x 0.25
    assert len(saved["id"]) >= 22  # 128+ bits: ids cannot be guessed
    # And anyone with the link sees the same design
    shared = pg_client.get(saved["links"]["self"]).get_json()
    assert shared["choices"] == saved["choices"]
    assert shared["saved"]["version"] == saved["saved"]["version"]


def test_a_design_takes_currency_as_its_only_query_parameter(pg_client: FlaskClient) -> None:
    saved = save(pg_client, {"colour": "gold"})
    assert pg_client.get(saved["links"]["self"], query_string={"currency": "USD"}).status_code == 200
    response = pg_client.get(saved["links"]["self"], query_string={"currency": "USD", "key": "pk_test_x"})
    assert response.status_code == 422
    assert response.get_json()["errors"] == [
        {
            "field": "key",
            "pointer": "/key",
            "location": "query",
            "detail": "This request holds information we do not expect; reload the page and try again.",
            "code": "unknown-field",
            "technical_detail": "Unknown field.",
        }
    ]


def test_remix_copies_with_changes_and_keeps_the_original(pg_client: FlaskClient) -> None:
    original = save(pg_client, {"colour": "ink"})
    response = pg_client.post(original["links"]["remix"], json={"picks": {"material": "enamel"}})
    assert response.status_code == 201
    remix = response.get_json()
    assert remix["id"] != original["id"]
    assert remix["remixed_from"] == original["id"]
    assert remix["choices"]["colour"] == "ink"
    assert remix["choices"]["material"] == "enamel"
    assert pg_client.get(original["links"]["self"]).get_json()["choices"]["material"] == "ceramic"


def test_an_invalid_design_can_be_saved_but_not_carted(pg_client: FlaskClient) -> None:
    saved = save(pg_client, {"colour": "gold", "material": "enamel"})
    assert saved["saved"]["valid"] is False
    assert saved["price"] is None
    assert [v["rule"]["id"] for v in saved["saved"]["violations"]] == ["enamel-not-gold"]
    token = new_cart(pg_client)
    response = pg_client.post(f"/api/v1/carts/{token}/lines", json={"design": saved["id"], "quantity": 1})
    assert response.status_code == 422
    assert response.get_json()["code"] == "design-invalid"
    assert "Enamel mugs don't come in gold." in str(response.get_json()["errors"])


def test_a_cart_of_two_designs_is_priced_by_the_server(pg_client: FlaskClient) -> None:
    first = save(pg_client, {"colour": "gold"})
    second = save(pg_client, {"material": "enamel", "gift_box": True})
    token = new_cart(pg_client)
    pg_client.post(f"/api/v1/carts/{token}/lines", json={"design": first["id"], "quantity": 2})
    response = pg_client.post(f"/api/v1/carts/{token}/lines", json={"design": second["id"], "quantity": 1})
    cart = response.get_json()
    assert response.status_code == 201
    assert [line["total"] for line in cart["lines"]] == ["34.00", "19.00"]
    assert cart["subtotal"] == "53.00"
    assert cart["total"] == "53.00"
    assert cart["ready"] is False
    assert [p["field"] for p in cart["problems"]] == ["contact"]
    # When the shopper changes a quantity, the cart is priced again (10 mugs: the tier applies)
    line = cart["lines"][0]["id"]
    cart = pg_client.patch(f"/api/v1/carts/{token}/lines/{line}", json={"quantity": 10}).get_json()
    assert cart["lines"][0]["total"] == "153.00"  # 170.00 less 10 %
    # And contact details make it ready
    cart = pg_client.put(
        f"/api/v1/carts/{token}/contact", json={"email": "sam@example.org", "name": "Sam", "address": ADDRESS}
    ).get_json()
    assert cart["ready"] is True
    # And shipping (free above 100.00 in France) and 20 % VAT on top are lines of the cart
    assert (cart["subtotal"], cart["shipping"], cart["tax"], cart["total"]) == (
        "172.00",
        "0.00",
        "34.40",
        "206.40",
    )
    assert [s["kind"] for s in cart["summary"]] == ["subtotal", "shipping", "tax", "total"]
    # And removing a line re-prices it, shipping included
    cart = pg_client.delete(f"/api/v1/carts/{token}/lines/{line}").get_json()
    assert (cart["subtotal"], cart["shipping"], cart["tax"], cart["total"]) == (
        "19.00",
        "5.00",
        "4.80",
        "28.80",
    )


def test_shipping_follows_the_destination(pg_client: FlaskClient) -> None:
    design = save(pg_client, {})["id"]
    token = new_cart(pg_client)
    pg_client.post(f"/api/v1/carts/{token}/lines", json={"design": design, "quantity": 3})
    germany = {**ADDRESS, "country": "DE"}
    contact = {"email": "kim@example.org", "name": "Kim", "address": germany}
    cart = pg_client.put(f"/api/v1/carts/{token}/contact", json=contact).get_json()
    # 9.00 for the first item and 2.00 for each of the two others; 19 % German VAT on goods and shipping
    assert (cart["subtotal"], cart["shipping"], cart["tax"], cart["total"]) == (
        "42.00",
        "13.00",
        "10.45",
        "65.45",
    )
    assert "VAT 19%" in [s["label"] for s in cart["summary"]]
    # A country no zone covers: the cart says so and cannot be checked out
    contact["address"] = {**ADDRESS, "country": "US"}
    cart = pg_client.put(f"/api/v1/carts/{token}/contact", json=contact).get_json()
    assert cart["ready"] is False
    assert [p["field"] for p in cart["problems"]] == ["contact.address.country"]
    assert "does not deliver to this country; choose another address." in cart["problems"][0]["detail"]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/carts", {"currency": "EUR", "total": "0.01"}),
        ("/api/v1/carts/{token}/lines", {"design": "{design}", "quantity": 1, "unit_price": "1.00"}),
        ("/api/v1/carts/{token}/lines", {"design": "{design}", "quantity": 1, "price": "1.00"}),
        ("/api/v1/carts/{token}/lines", {"design": "{design}", "quantity": 1, "discount": "5"}),
        ("/api/v1/designs", {"product": "mug", "picks": {}, "price": {"EUR": "1.00"}}),
    ],
)
def test_a_client_sending_a_price_gets_400(pg_client: FlaskClient, path: str, body: dict[str, Any]) -> None:
    design = save(pg_client, {})["id"]
    token = new_cart(pg_client)
    filled = {k: (v.format(design=design) if isinstance(v, str) else v) for k, v in body.items()}
    response = pg_client.post(path.format(token=token), json=filled)
    assert response.status_code == 400
    assert response.get_json()["code"] == "client-price-refused"
    assert response.headers["Content-Type"] == "application/problem+json"
    assert pg_client.get(f"/api/v1/carts/{token}").get_json()["lines"] == []


def test_quantities_are_strict_integers(pg_client: FlaskClient) -> None:
    design = save(pg_client, {})["id"]
    token = new_cart(pg_client)
    for quantity in [1.5, "2", 0, -1, 10_001, True]:
        response = pg_client.post(
            f"/api/v1/carts/{token}/lines", json={"design": design, "quantity": quantity}
        )
        assert response.status_code == 422, quantity


def test_nobody_reaches_a_design_or_cart_by_guessing(pg_client: FlaskClient) -> None:
    save(pg_client, {})
    new_cart(pg_client)
    for guess in ["1", "2", "0", secrets.token_urlsafe(18), "../1", "%00"]:
        assert pg_client.get(f"/api/v1/designs/{guess}").status_code == 404
        assert pg_client.get(f"/api/v1/carts/{guess}").status_code == 404


def test_a_new_version_flags_lines_it_rejects_and_never_changes_them(
    pg_app: Flask, pg_client: FlaskClient, tmp_path: Path
) -> None:
    # Given a cart holding a gold mug
    gold = save(pg_client, {"colour": "gold"})
    token = new_cart(pg_client)
    pg_client.post(f"/api/v1/carts/{token}/lines", json={"design": gold["id"], "quantity": 1})
    pg_client.put(
        f"/api/v1/carts/{token}/contact", json={"email": "a@example.org", "name": "A", "address": ADDRESS}
    )
    # When the merchant publishes a version where gold mugs are gone and the base price rose
    folder = tmp_path / "catalog"
    shutil.copytree(TEST_CATALOG, folder)
    mug = folder / "mug.yaml"
    text = mug.read_text().replace("options: [white, ink, gold]", "options: [white, ink]")
    text = text.replace('price: {EUR: "14.00", USD: "16.00"}', 'price: {EUR: "15.00", USD: "17.00"}', 1)
    text = text.replace("    when: colour == gold\n", "    when: colour == white\n")
    text = text.replace("colour != gold", "colour != ink")
    mug.write_text(text)
    with pg_app.app_context():
        result = versions.publish_folder(folder)
        assert set(result.created) == {"mug"}
        db.session.remove()
    # Then the line keeps its design, is priced by its own version, and is flagged
    cart = pg_client.get(f"/api/v1/carts/{token}").get_json()
    line = cart["lines"][0]
    assert line["choices"]["colour"] == "gold"
    assert line["current"] is False
    assert [p["attributes"] for p in line["problems"]] == [["colour"]]
    assert line["total"] == "17.00"
    assert cart["ready"] is False
    # And a design still accepted is re-priced by the live version
    white = save(pg_client, {})  # saved on the new version
    assert Decimal(white["price"]["total"]) == Decimal("18.00")  # 15.00 + 3.00, the white glaze now costs
    # And the shared design explains what changed
    shared = pg_client.get(gold["links"]["self"]).get_json()
    assert shared["saved"]["valid"] is True
    assert shared["live"]["valid"] is False


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/designs", {"product": "mug", "picks": {"engraving": "Sam\u0000"}}),
        ("/api/v1/designs", {"product": "mug\u0000", "picks": {}}),
        ("/api/v1/carts/{token}/contact", {"email": "a@example.org", "name": "A\u0000", "address": ADDRESS}),
    ],
)
def test_nul_characters_are_refused_before_the_database(
    pg_client: FlaskClient, path: str, body: dict[str, Any]
) -> None:
    token = new_cart(pg_client)
    response = pg_client.post(path.format(token=token), json=body)
    if "contact" in path:
        response = pg_client.put(path.format(token=token), json=body)
    assert response.status_code == 422
    (error,) = response.get_json()["errors"]
    assert "contains an invisible control character" in error["detail"]
    assert error["technical_detail"] == "U+0000"


def test_the_admin_api_refuses_nul_characters_too(pg_app: Flask, pg_client: FlaskClient) -> None:
    from tests.support.admin import admin_headers

    headers = admin_headers(pg_app, "orders:read")
    assert pg_client.get("/api/v1/admin/orders/AAAA-%00AA", headers=headers).status_code == 404
    assert pg_client.get("/api/v1/admin/orders?email=a%00b", headers=headers).status_code == 422
