"""Authenticated admin answers match the OpenAPI document (the API suite only sees their 401s)."""

from __future__ import annotations

from typing import Any

import schemathesis
from flask import Flask
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import TEST_CATALOG
from tests.support.admin import admin_headers
from tests.support.catalogs import rebranded
from tests.support.checkout import ready_cart
from tests.support.orders import LineSpec, make_order

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def test_every_admin_operation_answers_as_documented(pg_app: Flask) -> None:
    from configurator.designs import services as designs
    from configurator.extensions import db

    made = make_order(pg_app, [LineSpec("mug", {"engraving": "Sam"}), LineSpec("poster")])
    owed = make_order(pg_app, paid=False)
    with pg_app.app_context():
        design = designs.save("mug", {"colour": "ink"}).public_id
        db.session.remove()
    auth = admin_headers(pg_app)
    files = {path.name: path.read_text(encoding="utf-8") for path in TEST_CATALOG.iterdir()}
    broken = {**files, "mug.yaml": "product: [mug"}
    other = {**files, "brand.yaml": rebranded(files["brand.yaml"], "other-atelier")}
    ready_cart(pg_app, [("mug", {"colour": "white"}, 1)])
    moved, ship = {"to": "in_production", "note": "go"}, {"to": "shipped"}
    schema = schemathesis.openapi.from_wsgi("/openapi.json", pg_app)

    calls: list[tuple[str, str, dict[str, Any]]] = [
        ("/orders", "GET", {"query": {"status": "paid", "page_size": 1}}),
        ("/orders", "GET", {"query": {"created_from": "2030-01-01"}}),
        ("/orders", "GET", {"query": {"page": 0}}),
        ("/orders/{number}", "GET", {"path_parameters": {"number": made.number}}),
        ("/orders/{number}", "GET", {"path_parameters": {"number": "NONE-NONE"}}),
        ("/orders/{number}/transitions", "POST", {"path_parameters": {"number": made.number}, "body": moved}),
        ("/orders/{number}/transitions", "POST", {"path_parameters": {"number": owed.number}, "body": ship}),
        ("/orders/export.csv", "GET", {}),
        ("/orders/export.json", "GET", {"query": {"product": "poster"}}),
        ("/designs", "GET", {"query": {"product": "mug"}}),
        ("/designs/{public_id}", "GET", {"path_parameters": {"public_id": design}}),
        ("/designs/{public_id}", "GET", {"path_parameters": {"public_id": "nope"}}),
        ("/rule-sets", "GET", {}),
        ("/rule-sets/check", "POST", {"body": {"files": files}}),
        ("/rule-sets/check", "POST", {"body": {"files": broken}}),
        ("/rule-sets", "POST", {"body": {"files": files}}),
        ("/rule-sets", "POST", {"body": {"files": {"../x.yaml": ""}}}),
        ("/rule-sets/check", "POST", {"body": {"files": other}}),
        ("/rule-sets", "POST", {"body": {"files": other}}),
        ("/rule-sets", "POST", {"body": {"files": other, "confirm_brand_change": True}}),
    ]
    statuses = []
    for path, method, parts in calls:
        operation = schema["/api/v1/admin" + path][method]
        case = operation.Case(headers=dict(auth), **parts)
        response = case.call_and_validate(checks=CHECKS)
        statuses.append(response.status_code)
    assert statuses == [
        *[200, 200, 422, 200, 404, 200, 409, 200, 200, 200, 200, 404, 200, 200, 422, 200, 422],
        *[200, 409, 200],  # another brand: checked, refused, then confirmed
    ]
