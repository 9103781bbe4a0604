"""Listing, describing and configuring products over HTTP."""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

CONFIGURE = "/api/v1/products/mug/configure"
MONEY = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")


def configure(client: FlaskClient, **body: Any) -> dict[str, Any]:
    response = client.post(CONFIGURE, json=body)
    assert response.status_code == 200, response.get_json()
    assert response.mimetype == "application/json"
    data: dict[str, Any] = response.get_json()
    return data


def domain(answer: dict[str, Any], key: str) -> dict[str, Any]:
    return next(d for d in answer["domains"] if d["key"] == key)


def option(answer: dict[str, Any], attribute: str, key: object) -> dict[str, Any]:
    return next(o for o in domain(answer, attribute)["options"] if o["key"] == key)


def test_healthz(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_readyz_reports_each_dependency(client: FlaskClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ok",
        "checks": {"database": "ok", "catalog": "ok", "broker": "ok"},
        "products": 2,
    }


def test_readyz_is_unavailable_without_a_published_catalog(test_config: dict[str, Any]) -> None:
    from configurator import create_app

    app = create_app({**test_config, "ATELIER_AUTO_SETUP": False})
    with app.app_context():
        from flask_migrate import upgrade

        from configurator import MIGRATIONS

        upgrade(directory=str(MIGRATIONS))
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["catalog"] == "nothing published"
    problem = app.test_client().get("/api/v1/products")
    assert problem.status_code == 503
    assert problem.get_json()["code"] == "catalog-not-published"


def test_list_products(client: FlaskClient) -> None:
    response = client.get("/api/v1/products")
    assert response.status_code == 200
    body = response.get_json()
    assert body["brand"]["key"] == "test-atelier"
    assert body["brand"]["currencies"] == ["EUR", "USD"]
    products = {p["key"]: p for p in body["products"]}
    assert set(products) == {"mug", "poster"}
    mug = products["mug"]
    assert mug["label"] == "Engraved mug"
    assert mug["base_price"] == {"EUR": "14.00", "USD": "16.00"}
    assert mug["links"]["self"] == "/api/v1/products/mug"
    assert mug["links"]["configure"] == CONFIGURE


def test_describe_product_for_a_ui(client: FlaskClient) -> None:
    response = client.get("/api/v1/products/mug")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["currencies"] == ["EUR", "USD"]
    attributes = {a["key"]: a for a in spec["attributes"]}
    assert list(attributes) == ["colour", "material", "engraving", "font", "gift_box"]

    colour = attributes["colour"]
    assert colour["kind"] == "colour"
    assert colour["label"] == "Glaze"
    assert [(o["key"], o["swatch"], o["default"]) for o in colour["options"]] == [
        ("white", "#FFFFFF", True),
        ("ink", "#1B1F3B", False),
        ("gold", "#C9A227", False),
    ]

    enamel = next(o for o in attributes["material"]["options"] if o["key"] == "enamel")
    assert enamel["price"] == {"EUR": "2.00", "USD": "2.50"}

    engraving = attributes["engraving"]
    assert engraving["kind"] == "text"
    assert engraving["text"]["max_length"] == 16
    assert engraving["text"]["price_per_char"] == {"EUR": "0.25", "USD": "0.30"}
    assert engraving["text"]["scripts"] == ["Latin"]

    assert attributes["font"]["when"] == "engraving.present"
    assert attributes["colour"]["when"] is None
    assert spec["defaults"]["colour"] == "white"
    assert spec["quantity_tiers"] == [{"min_quantity": 10, "percent_off": "10"}]
    gold = next(a for a in spec["adjustments"] if a["when"] == "colour == gold")
    assert gold == {
        "label": "Gold glaze",
        "when": "colour == gold",
        "add": {"EUR": "3.00", "USD": "3.50"},
        "formula": None,
        "table": None,
    }


def test_describe_number_attribute(client: FlaskClient) -> None:
    spec = client.get("/api/v1/products/poster").get_json()
    width = next(a for a in spec["attributes"] if a["key"] == "width")
    assert (width["minimum"], width["maximum"], width["step"], width["unit"]) == (30, 90, 30, "cm")
    assert spec["adjustments"][0]["formula"]["EUR"].startswith("(width - 30)")
    extras = next(a for a in spec["attributes"] if a["key"] == "extras")
    assert extras["kind"] == "multi"
    assert (extras["min_count"], extras["max_count"]) == (0, 2)


def test_configure_with_no_picks_gives_the_default_design(client: FlaskClient) -> None:
    answer = configure(client)
    assert answer["product"] == "mug"
    assert answer["consistent"] is True
    assert answer["valid"] is True
    assert answer["complete"] is False
    assert answer["violations"] == []
    assert answer["price"]["currency"] == "EUR"
    assert answer["price"]["total"] == "14.00"
    assert answer["remaining"].isdigit()
    assert int(answer["remaining"]) > 1
    assert [d["key"] for d in answer["domains"]] == ["colour", "material", "engraving", "font", "gift_box"]


def test_configure_explains_why_an_option_is_greyed_out(client: FlaskClient) -> None:
    # Given enamel, when the shopper looks at glazes, then gold is unavailable because of one rule.
    everything = configure(client)
    answer = configure(client, picks={"material": "enamel"}, currency="USD")

    gold = option(answer, "colour", "gold")
    assert gold["available"] is False
    assert gold["reason"]["picks"] == ["material"]
    assert [r["id"] for r in gold["reason"]["rules"]] == ["enamel-not-gold"]
    assert gold["reason"]["rules"][0]["message"] == "Enamel mugs don't come in gold."
    assert "gold" in gold["reason"]["text"]
    assert option(answer, "colour", "ink") == {"key": "ink", "available": True, "reason": None}
    assert domain(answer, "material")["picked"] == "enamel"

    price = answer["price"]
    assert price["currency"] == "USD"
    assert all(MONEY.match(line["amount"]) for line in price["lines"])
    assert price["unit_price"] == price["total"] == "18.50"
    assert int(answer["remaining"]) < int(everything["remaining"])


def test_configure_text_and_quantity(client: FlaskClient) -> None:
    answer = configure(client, picks={"engraving": "Hello", "font": "script", "gift_box": True}, quantity=10)
    assert answer["valid"] is True
    assert domain(answer, "font")["applies"] is True
    text = domain(answer, "engraving")["text"]
    assert text["max_length"] <= 8  # the script font allows at most 8 characters
    price = answer["price"]
    assert price["quantity"] == 10
    # 14.00 base + 3.00 gift box + 5 x 0.25 engraving = 18.25 a unit; 10 % off from 10 units.
    assert price["total"] == "164.25"
    assert all(isinstance(value, str) for value in (price["unit_price"], price["total"]))


def test_configure_reports_broken_rules(client: FlaskClient) -> None:
    answer = configure(client, picks={"material": "enamel", "colour": "gold"})
    assert answer["consistent"] is False
    assert answer["valid"] is False
    assert "enamel-not-gold" in {v["rule"]["id"] for v in answer["violations"] if v["rule"]}


def test_configure_a_complete_design(client: FlaskClient) -> None:
    answer = configure(
        client, picks={"colour": "ink", "material": "ceramic", "engraving": "", "gift_box": False}
    )
    assert answer["complete"] is True
    assert domain(answer, "font")["applies"] is False


def test_accept_language_picks_french(client: FlaskClient) -> None:
    response = client.get(
        "/api/v1/products/mug", headers={"Accept-Language": "de;q=1.0, fr-CA;q=0.8, en;q=0.5"}
    )
    assert response.headers["Content-Language"] == "fr"
    assert "Accept-Language" in response.headers["Vary"]
    spec = response.get_json()
    assert spec["label"] == "Mug gravé"
    assert spec["attributes"][0]["label"] == "Émail"

    answer = client.post(
        CONFIGURE, json={"picks": {"material": "enamel"}}, headers={"Accept-Language": "fr"}
    ).get_json()
    assert answer["locale"] == "fr"
    gold = option(answer, "colour", "gold")
    assert gold["reason"]["rules"][0]["message"] == "Les mugs en émail n'existent pas en or."


def test_accept_language_q_values_decide(client: FlaskClient) -> None:
    response = client.get("/api/v1/products/mug", headers={"Accept-Language": "fr;q=0.3, en;q=0.9"})
    assert response.get_json()["label"] == "Engraved mug"
    assert response.headers["Content-Language"] == "en"


def test_unsupported_language_falls_back_to_english(client: FlaskClient) -> None:
    response = client.get("/api/v1/products/mug", headers={"Accept-Language": "ja"})
    assert response.get_json()["label"] == "Engraved mug"


def test_configure_answers_are_written_exactly_as_their_schema_writes_them(app: Flask) -> None:
    from configurator.api.products import written_as_documented
    from configurator.api.schemas import ConfigureResponseSchema
    from configurator.catalog import services

    schema = ConfigureResponseSchema()
    questions = [
        ("mug", {}, "EUR", 1),
        ("mug", {"material": "enamel", "colour": "gold"}, "USD", 3),  # broken: violations and reasons
        ("mug", {"engraving": "Hello", "font": "script", "gift_box": True}, "EUR", 10),
        ("poster", {"width": 60, "extras": ["lamination", "hanger"]}, "EUR", 2),
        ("poster", {"extras": ["hanger"]}, "USD", 1),
    ]
    with app.test_request_context():
        loaded = services.current_catalog()
        for slug, picks, currency, quantity in questions:
            product = loaded.products[slug]
            raw = services.configure(product, picks, currency=currency, quantity=quantity, locale="en")
            written = json.loads(written_as_documented(raw).get_data())
            assert written == json.loads(json.dumps(schema.dump(raw))), (slug, picks)
