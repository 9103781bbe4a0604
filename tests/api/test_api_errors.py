"""Every error path answers RFC 9457 problem details with a stable code and field paths."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

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
    assert "teapot" in body["detail"]


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
    assert "JSON" in body["detail"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"picks": {"colour": 1.5}}, "picks.colour"),
        ({"picks": {"colour": None}}, "picks.colour"),
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


def test_unknown_option_is_422_naming_the_pick(client: FlaskClient) -> None:
    body = assert_problem(client.post(CONFIGURE, json={"picks": {"colour": "purple"}}), 422, "invalid-pick")
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
    assert body["errors"] == [{"field": "picks.colour", "location": "body", "detail": "Not today."}]
    body = assert_problem(client.get("/conflict"), 409, "http-error")
    assert body["title"] == "Conflict"
