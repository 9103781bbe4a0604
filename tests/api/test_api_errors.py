"""Every error path answers RFC 9457 problem details with a stable code and field paths."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from rules import unicode
from tests.support.admin import admin_headers

PROBLEM_JSON = "application/problem+json"
CONFIGURE = "/api/v1/products/mug/configure"


def assert_problem(response: TestResponse, status: int, code: str) -> dict[str, Any]:
    """The response is a problem document of this status and code; returns its body."""
    assert response.status_code == status
    assert response.mimetype == PROBLEM_JSON
    body = response.get_json(force=True)
    assert body["type"] == f"urn:atelier:problem:{code}"
    assert body["code"] == code
    assert body["status"] == status
    assert isinstance(body["title"], str)
    assert body["title"]
    assert isinstance(body["detail"], str)
    assert body["detail"]
    assert body["instance"] == response.request.path
    return body


def fields_of(body: dict[str, Any]) -> list[str]:
    return [error["field"] for error in body.get("errors", [])]


def test_unknown_route_is_a_problem(client: FlaskClient) -> None:
    assert_problem(client.get("/no/such/page"), 404, "not-found")


def test_unknown_product_is_a_problem(client: FlaskClient) -> None:
    body = assert_problem(client.get("/api/v1/products/teapot"), 404, "product-not-found")
    assert body["detail"] == "This product is not in the shop."
    assert "teapot" in body["technical_detail"]  # which one, for integrators


def test_configure_unknown_product_is_a_problem(client: FlaskClient) -> None:
    assert_problem(client.post("/api/v1/products/teapot/configure", json={}), 404, "product-not-found")


def test_wrong_method_keeps_the_allow_header(client: FlaskClient) -> None:
    response = client.delete("/api/v1/products")
    assert_problem(response, 405, "method-not-allowed")
    assert {"GET", "HEAD", "OPTIONS"} <= set(response.allow)


def test_get_on_configure_is_405_with_post_allowed(client: FlaskClient) -> None:
    response = client.get(CONFIGURE)
    assert_problem(response, 405, "method-not-allowed")
    assert "POST" in response.allow


def test_malformed_json_is_400(client: FlaskClient) -> None:
    response = client.post(CONFIGURE, data='{"picks": {', content_type="application/json")
    body = assert_problem(response, 400, "malformed-json")
    # The shopper is told to reload; the integrator why the body was refused.
    assert body["detail"] == "We could not read this request; reload the page and try again."
    assert "not valid JSON" in body["technical_detail"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"picks": {"width": 1.5e13}}, "picks.width"),
        ({"picks": {"colour": {"nested": "object"}}}, "picks.colour"),
        ({"picks": ["colour", "white"]}, "picks"),
        ({"picks": {"engraving": "x" * 1001}}, "picks.engraving"),
        ({"picks": {"width": 10**13}}, "picks.width"),
        ({"picks": {"extras": ["hanger", 3]}}, "picks.extras"),
        ({"quantity": 2.0}, "quantity"),
        ({"quantity": "2"}, "quantity"),
        ({"quantity": 0}, "quantity"),
        ({"currency": "euro"}, "currency"),
        ({"surprise": True}, "surprise"),
    ],
)
def test_bad_body_is_422_with_the_field_path(
    client: FlaskClient, payload: dict[str, Any], field: str
) -> None:
    body = assert_problem(client.post(CONFIGURE, json=payload), 422, "validation-failed")
    assert field in fields_of(body)
    assert all(error["location"] == "body" for error in body["errors"])


def test_body_that_is_not_an_object_is_422(client: FlaskClient) -> None:
    assert_problem(client.post(CONFIGURE, json=["picks"]), 422, "validation-failed")


def test_unknown_attribute_is_422_naming_the_pick(client: FlaskClient) -> None:
    body = assert_problem(client.post(CONFIGURE, json={"picks": {"colr": "white"}}), 422, "unknown-attribute")
    assert fields_of(body) == ["picks.colr"]
    assert body["errors"][0]["code"] == "unknown-attribute"


@pytest.mark.parametrize("value", ["purple", 1.5])
def test_unknown_option_is_422_naming_the_pick(client: FlaskClient, value: object) -> None:
    body = assert_problem(client.post(CONFIGURE, json={"picks": {"colour": value}}), 422, "invalid-pick")
    assert fields_of(body) == ["picks.colour"]


def test_wrong_type_for_an_attribute_is_422(client: FlaskClient) -> None:
    body = assert_problem(client.post(CONFIGURE, json={"picks": {"gift_box": "maybe"}}), 422, "invalid-pick")
    assert fields_of(body) == ["picks.gift_box"]


def test_currency_the_brand_does_not_sell_in_is_422(client: FlaskClient) -> None:
    body = assert_problem(client.post(CONFIGURE, json={"currency": "JPY"}), 422, "unsupported-currency")
    assert fields_of(body) == ["currency"]


def test_unexpected_exception_is_500_without_a_traceback(test_config: dict[str, Any]) -> None:
    from configurator import create_app

    app: Flask = create_app({**test_config, "TESTING": False, "PROPAGATE_EXCEPTIONS": False})

    def boom() -> str:
        raise RuntimeError("secret internals")

    app.add_url_rule("/boom", view_func=boom)
    response = app.test_client().get("/boom")
    body = assert_problem(response, 500, "internal-error")
    text = response.get_data(as_text=True)
    assert "secret internals" not in text
    assert "Traceback" not in text
    assert "errors" not in body


def test_aborts_and_other_http_errors_are_problems(test_config: dict[str, Any]) -> None:
    from flask_smorest import abort

    from configurator import create_app

    app: Flask = create_app(test_config)

    def invalid() -> str:
        abort(422, messages={"json": {"picks": {"colour": ["Not today."]}}})
        return "unreachable"

    def conflict() -> str:
        abort(409, message="Already there.")
        return "unreachable"

    app.add_url_rule("/invalid", view_func=invalid)
    app.add_url_rule("/conflict", view_func=conflict)
    client = app.test_client()
    body = assert_problem(client.get("/invalid"), 422, "validation-failed")
    assert body["errors"] == [
        {"field": "picks.colour", "pointer": "/picks/colour", "location": "body", "detail": "Not today."}
    ]
    body = assert_problem(client.get("/conflict"), 409, "http-error")
    assert body["title"] == "Conflict"


# --- every JSON body: limits, money keys, text no database stores ----------------------------------

WEBHOOK = "/api/v1/payments/stripe/webhook"  # Stripe's signed body, read raw: none of the client rules


def json_operations(app: Flask) -> list[tuple[str, str]]:
    """(method, URL) of every operation that takes a JSON body, path parameters filled in."""
    spec = app.test_client().get("/openapi.json").get_json()
    found = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            content = (
                operation.get("requestBody", {}).get("content", {}) if isinstance(operation, dict) else {}
            )
            if "application/json" in content and path != WEBHOOK:
                url = path.replace("{slug}", "mug").replace("{line_id}", "1")
                found.append((method.upper(), re.sub(r"\{\w+\}", "no-such-thing", url)))
    assert len(found) >= 15  # configure ... admin rule sets: the loop below is not vacuous
    return found


@pytest.fixture
def admin(app: Flask) -> dict[str, str]:
    return admin_headers(app)


def send(client: FlaskClient, admin: dict[str, str], method: str, url: str, body: str) -> TestResponse:
    headers = admin if "/admin/" in url else {}
    return client.open(url, method=method, data=body, content_type="application/json", headers=headers)


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ('{"picks": ' + "[" * 2_000 + "]" * 2_000 + "}", "nested more than 32 levels deep"),  # 4 KB
        ('{"quantity": ' + "7" * 4_301 + "}", "holds a number 4301 characters long"),
        ('{"quantity": ' + "7" * 5_000 + ".5}", "holds a number 5002 characters long"),
    ],
)
def test_every_json_endpoint_refuses_a_body_past_the_limits_with_a_400_problem(
    app: Flask, client: FlaskClient, admin: dict[str, str], body: str, said: str
) -> None:
    answers = {}
    for method, url in json_operations(app):
        response = send(client, admin, method, url, body)
        answers[method, url] = (response.status_code, response.get_json(force=True).get("code"))
        assert said in response.get_json(force=True)["technical_detail"], url
        assert said not in response.get_json(force=True)["detail"], url
    assert set(answers.values()) == {(400, "json-too-complex")}, answers


def test_json_nested_to_the_limit_is_read_and_one_level_more_is_not(client: FlaskClient) -> None:
    # The body is one level, picks a second: 30 more arrays reach the limit of 32
    at_limit = {"picks": {"extras": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}}
    response = client.post(CONFIGURE, json=at_limit)
    assert_problem(response, 422, "validation-failed")  # read, then refused by the schema
    assert_problem(
        client.post(CONFIGURE, json={"picks": {"extras": [at_limit["picks"]]}}), 400, "json-too-complex"
    )


def test_a_number_at_the_limit_is_read_and_a_longer_one_is_not(client: FlaskClient) -> None:
    body = assert_problem(client.post(CONFIGURE, json={"quantity": 10**99}), 422, "validation-failed")
    assert fields_of(body) == ["quantity"]
    assert_problem(client.post(CONFIGURE, json={"quantity": 10**100}), 400, "json-too-complex")


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_not_json(client: FlaskClient, constant: str) -> None:
    response = client.post(CONFIGURE, data=f'{{"quantity": {constant}}}', content_type="application/json")
    assert_problem(response, 400, "malformed-json")


def test_text_with_a_lone_surrogate_is_a_422_naming_the_field_in_words(client: FlaskClient) -> None:
    # Given an engraving (any character allowed but a lone surrogate) as a JSON escape can write it
    response = client.post(
        CONFIGURE, data='{"picks": {"engraving": "Sam \\ud83d"}}', content_type="application/json"
    )

    # Then the field is named; the shopper reads words, the integrator the code point
    body = assert_problem(response, 422, "validation-failed")
    (error,) = body["errors"]
    assert error["field"] == "picks.engraving"
    assert error["code"] == "invalid-text"
    assert error["detail"] == "Engraving contains a character we cannot print at the end; remove it."
    assert error["technical_detail"] == "U+D83D (a lone surrogate)"


def test_a_code_point_unassigned_in_pythons_unicode_is_refused_in_any_field(client: FlaskClient) -> None:
    unassigned = next(chr(c) for c in range(0x1F000, 0x110000) if unicode.category(chr(c)) == "Cn")
    body = {"email": "a@example.org", "name": f"Ann{unassigned}", "address": {"country": "FR"}}
    response = client.put("/api/v1/carts/no-such-cart/contact", json=body)
    problem = assert_problem(response, 422, "validation-failed")
    (error,) = problem["errors"]
    assert (error["field"], error["code"]) == ("name", "invalid-text")
    assert error["technical_detail"].startswith(f"U+{ord(unassigned):04X} (unassigned in Unicode ")


def test_keys_are_text_too(client: FlaskClient) -> None:
    response = client.post(CONFIGURE, data='{"picks": {"\\udfff": 1}}', content_type="application/json")
    body = assert_problem(response, 422, "validation-failed")
    assert fields_of(body) == ["picks.\\udfff"]  # shown escaped: a lone surrogate cannot be written


def test_a_query_value_holding_an_unassigned_code_point_is_refused(client: FlaskClient) -> None:
    response = client.get("/api/v1/designs/no-such-design?currency=EUR%F4%8F%BF%BF")  # U+10FFFF
    body = assert_problem(response, 422, "validation-failed")
    assert body["errors"][0]["location"] == "query"
    assert body["errors"][0]["technical_detail"].startswith("U+10FFFF")


MONEY_SPELLINGS = [
    "price", "Price", "PRICE", "prices", "unit_price", "unitPrice", "UnitPrice", "unit-price", "UNIT_PRICE",
    "unit price", "total", "totalPrice", "total_price", "Total-Price", "grand_total", "subtotal", "subTotal",
    "sub_total", "discount", "discounts", "amount", "amountTotal", "tax", "taxAmount", "shipping",
    "shipping_cost", "line_total", "price_per_unit", "fees",
]  # fmt: skip


@pytest.mark.parametrize("where", ["top", "picks", "deeper"])
def test_a_money_key_in_any_spelling_at_any_depth_is_refused_with_400(
    client: FlaskClient, where: str
) -> None:
    for key in MONEY_SPELLINGS:
        body: dict[str, Any] = {"picks": {"colour": "white"}}
        if where == "top":
            body[key] = "0.01"
        elif where == "picks":
            body["picks"][key] = "0.01"
        else:
            body["picks"]["extras"] = [{"hanger": {key: 0}}]
        path = {"top": key, "picks": f"picks.{key}", "deeper": f"picks.extras.0.hanger.{key}"}[where]

        problem = assert_problem(client.post(CONFIGURE, json=body), 400, "client-price-refused")
        refused = {
            "field": path,
            "pointer": "/" + path.replace(".", "/"),
            "location": "body",
            "detail": "Prices are worked out by the shop, so this request cannot set them.",
            "technical_detail": "A key naming an amount is not accepted from clients.",
        }
        assert problem["errors"] == [{**refused, "code": "client-price-refused"}], key


def test_every_client_json_endpoint_refuses_a_price_and_the_admin_api_does_not(
    app: Flask, client: FlaskClient, admin: dict[str, str]
) -> None:
    answers = {}
    for method, url in json_operations(app):
        response = send(client, admin, method, url, '{"unitPrice": "0.01"}')
        answers[method, url] = response.get_json(force=True)["code"]
    client_side = {key: code for key, code in answers.items() if "/admin/" not in key[1]}
    merchant_side = {key: code for key, code in answers.items() if "/admin/" in key[1]}
    assert set(client_side.values()) == {"client-price-refused"}, client_side
    # The merchant's own tools set prices in their YAML: an unknown field there is only that
    assert set(merchant_side.values()) == {"validation-failed"}, merchant_side


def test_keys_that_only_contain_a_money_word_are_not_refused(client: FlaskClient) -> None:
    for key in [
        "price_band",
        "priceBand",
        "discount_code",
        "tax_id",
        "shipping_address",
        "unit",
        "totals_seen",
    ]:
        body = assert_problem(client.post(CONFIGURE, json={"picks": {}, key: 1}), 422, "validation-failed")
        assert fields_of(body) == [key]


@pytest.mark.parametrize("catalog", ["catalog", "tests/fixtures/catalog", "tests/fixtures/catalog_yen"])
def test_no_demo_or_test_attribute_is_named_like_money(catalog: str) -> None:
    from rules import load_catalog
    from rules.money import is_money_key

    loaded = load_catalog(Path(__file__).parents[2] / catalog)
    keys = {attribute.key for product in loaded.products.values() for attribute in product.model.attributes}
    assert keys
    assert not {key for key in keys if is_money_key(key)}
