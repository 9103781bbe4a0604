"""The admin API on orders: lists with filters and pages, the whole of one order, state changes, exports."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support.admin import admin_headers
from tests.support.orders import LineSpec, MadeOrder, make_order

ADMIN = "/api/v1/admin"


@pytest.fixture
def headers(pg_app: Flask) -> dict[str, str]:
    return admin_headers(pg_app, "orders:read", "orders:write")


def numbers(response: object) -> list[str]:
    return [item["number"] for item in response.json["items"]]  # type: ignore[attr-defined]


def test_orders_are_listed_newest_first_with_totals(
    pg_app: Flask, pg_client: FlaskClient, headers: dict[str, str]
) -> None:
    old = make_order(pg_app, created_at=datetime(2026, 1, 5, 10, tzinfo=UTC))
    new = make_order(pg_app, [LineSpec("poster", {"width": 60}), LineSpec("mug")], email="bob@example.com")
    response = pg_client.get(f"{ADMIN}/orders", headers=headers)
    assert response.status_code == 200
    body = response.json
    assert numbers(response) == [new.number, old.number]
    assert (body["total"], body["page"], body["pages"]) == (2, 1, 1)
    first = body["items"][0]
    assert first["status"] == "paid"
    assert first["products"] == ["mug", "poster"]
    assert first["line_count"] == 2
    assert first["links"]["self"] == f"{ADMIN}/orders/{new.number}"


def test_orders_filter_by_status_date_product_and_email(
    pg_app: Flask, pg_client: FlaskClient, headers: dict[str, str]
) -> None:
    january = make_order(pg_app, created_at=datetime(2026, 1, 31, 23, 59, tzinfo=UTC))
    february = make_order(
        pg_app, [LineSpec("poster")], email="Bob@Example.com", created_at=datetime(2026, 2, 1, tzinfo=UTC)
    )
    pending = make_order(pg_app, paid=False, created_at=datetime(2026, 2, 10, tzinfo=UTC))

    def listed(**query: str) -> list[str]:
        response = pg_client.get(f"{ADMIN}/orders", query_string=query, headers=headers)
        assert response.status_code == 200, response.json
        return numbers(response)

    assert listed(status="pending") == [pending.number]
    assert listed(status="paid") == [february.number, january.number]
    assert listed(created_to="2026-01-31") == [january.number]  # the whole last day is included
    assert listed(created_from="2026-02-01", created_to="2026-02-01") == [february.number]
    assert listed(product="poster") == [february.number]
    assert listed(email="bob@example.COM") == [february.number]
    assert listed(product="poster", status="pending") == []


@pytest.mark.parametrize(
    "query",
    [
        {"status": "lost"},
        {"created_from": "yesterday"},
        {"created_from": "2026-02-02", "created_to": "2026-02-01"},
        {"page": "0"},
        {"page_size": "101"},
        {"page": "1.5"},
    ],
)
def test_bad_filters_are_problems(
    pg_client: FlaskClient, headers: dict[str, str], query: dict[str, str]
) -> None:
    response = pg_client.get(f"{ADMIN}/orders", query_string=query, headers=headers)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert response.json["errors"][0]["location"] == "query"


def test_orders_are_paged_with_links_that_keep_the_filters(
    pg_app: Flask, pg_client: FlaskClient, headers: dict[str, str]
) -> None:
    made = [make_order(pg_app) for _ in range(5)]
    newest_first = [m.number for m in reversed(made)]
    response = pg_client.get(
        f"{ADMIN}/orders", query_string={"page_size": 2, "status": "paid"}, headers=headers
    )
    body = response.json
    assert (body["total"], body["pages"], body["page_size"]) == (5, 3, 2)
    assert body["links"]["prev"] is None
    seen = numbers(response)
    while body["links"]["next"]:
        assert "status=paid" in body["links"]["next"]
        response = pg_client.get(body["links"]["next"], headers=headers)
        body = response.json
        seen += numbers(response)
    assert seen == newest_first
    assert body["page"] == 3
    assert body["links"]["last"] == body["links"]["self"]
    # Past the end: an empty page, not an error.
    response = pg_client.get(f"{ADMIN}/orders", query_string={"page": 9, "page_size": 2}, headers=headers)
    assert response.json["items"] == []
    assert response.json["total"] == 5


def test_order_detail_has_everything_the_order_recorded(
    pg_app: Flask, pg_client: FlaskClient, headers: dict[str, str]
) -> None:
    made = make_order(
        pg_app,
        [LineSpec("mug", {"colour": "gold", "engraving": "Sam"}, quantity=2)],
        address={"line1": "1 Main St", "city": "Lyon", "postcode": "69001", "country": "FR"},
    )
    response = pg_client.get(f"{ADMIN}/orders/{made.number}", headers=headers)
    assert response.status_code == 200
    order = response.json
    assert order["number"] == made.number
    assert order["status"] == "paid"
    assert order["next_statuses"] == ["cancelled", "in_production", "refunded"]
    assert order["contact"]["address"]["city"] == "Lyon"
    assert order["timestamps"]["paid_at"] is not None
    assert order["timestamps"]["shipped_at"] is None
    [line] = order["lines"]
    assert line["design"] == made.designs[0]
    assert line["choices"]["colour"] == "gold"
    assert line["choices"]["engraving"] == "Sam"
    assert line["quantity"] == 2
    # 14.00 base + 3.00 gold + 3 × 0.25 engraving
    assert line["unit_price"] == "17.75"
    assert line["total"] == "35.50"
    assert {p["label"] for p in line["price_lines"]} >= {"Gold glaze"}
    version = line["version"]
    assert version["product_key"] == "mug"
    assert len(version["content_hash"]) == 64
    assert version["published_at"]
    # The totals are the ones charged (shipping and tax come from the brand's rules).
    assert order["subtotal"] == "35.50"
    summary = {s["kind"]: s["amount"] for s in order["summary"]}
    assert summary["subtotal"] == order["subtotal"]
    assert summary["total"] == order["total"]
    assert [(e["from_status"], e["to_status"], e["actor"]) for e in order["history"]] == [
        (None, "pending", "shopper"),
        ("pending", "paid", "test"),
    ]


def test_an_unknown_order_number_is_not_found(pg_client: FlaskClient, headers: dict[str, str]) -> None:
    # Order numbers are random: a guess finds nothing, and says no more than that.
    for path in ("/orders/AAAA-AAAA", "/orders/1", "/orders/..%2F..%2Fetc"):
        response = pg_client.get(ADMIN + path, headers=headers)
        assert response.status_code == 404
        assert response.mimetype == "application/problem+json"
    response = pg_client.post(
        f"{ADMIN}/orders/AAAA-AAAA/transitions", json={"to": "shipped"}, headers=headers
    )
    assert response.status_code == 404


def test_an_order_moves_through_production_and_shipping_with_history(
    pg_app: Flask, pg_client: FlaskClient, headers: dict[str, str]
) -> None:
    made = make_order(pg_app)
    url = f"{ADMIN}/orders/{made.number}/transitions"
    # When the workshop starts it
    response = pg_client.post(url, json={"to": "in_production", "note": "Batch 12"}, headers=headers)
    assert response.status_code == 200
    assert response.json["changed"] is True
    assert response.json["order"]["status"] == "in_production"
    assert response.json["order"]["timestamps"]["in_production_at"] is not None
    # And asks again (a double click)
    again = pg_client.post(url, json={"to": "in_production"}, headers=headers)
    assert again.status_code == 200
    assert again.json["changed"] is False
    # Then ships it
    shipped = pg_client.post(url, json={"to": "shipped"}, headers=headers)
    assert shipped.json["order"]["status"] == "shipped"
    history = [(e["to_status"], e["actor"], e["note"]) for e in shipped.json["order"]["history"]]
    assert history[2:] == [
        ("in_production", "admin:test-admin", "Batch 12"),
        ("shipped", "admin:test-admin", None),
    ]


def test_a_forbidden_transition_is_a_conflict_and_changes_nothing(
    pg_app: Flask, pg_client: FlaskClient, headers: dict[str, str]
) -> None:
    made = make_order(pg_app, paid=False)
    response = pg_client.post(
        f"{ADMIN}/orders/{made.number}/transitions", json={"to": "shipped"}, headers=headers
    )
    assert response.status_code == 409
    assert response.mimetype == "application/problem+json"
    assert response.json["code"] == "invalid-transition"
    assert "pending" in response.json["detail"]
    order = pg_client.get(f"{ADMIN}/orders/{made.number}", headers=headers).json
    assert order["status"] == "pending"
    assert len(order["history"]) == 1


@pytest.mark.parametrize(
    "body",
    [{}, {"to": "lost"}, {"to": "shipped", "note": "x" * 501}, {"to": "shipped", "extra": 1}, {"to": 3}],
)
def test_a_bad_transition_body_is_a_problem(
    pg_app: Flask, pg_client: FlaskClient, headers: dict[str, str], body: dict[str, object]
) -> None:
    made = make_order(pg_app)
    response = pg_client.post(f"{ADMIN}/orders/{made.number}/transitions", json=body, headers=headers)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"


# --- exports ---------------------------------------------------------------------------------------


@pytest.fixture
def two_orders(pg_app: Flask) -> tuple[MadeOrder, MadeOrder]:
    first = make_order(
        pg_app,
        [LineSpec("mug", {"engraving": "-Sam"}), LineSpec("poster", {"width": 60}, quantity=3)],
        name='=HYPERLINK("http://evil.example","x")',
        email="+ada@example.com",
        created_at=datetime(2026, 3, 1, tzinfo=UTC),
    )
    second = make_order(
        pg_app, email="bob@example.com", address={"country": "DE", "region": "DE-BE", "city": "Berlin"}
    )
    return first, second


def test_csv_export_has_one_row_per_line_and_defuses_formulas(
    pg_client: FlaskClient, headers: dict[str, str], two_orders: tuple[MadeOrder, MadeOrder]
) -> None:
    first, second = two_orders
    response = pg_client.get(f"{ADMIN}/orders/export.csv", headers=headers)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="orders-')
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["order_number"] for r in rows] == [second.number, first.number, first.number]
    assert list(rows[0]) == [
        "order_number",
        "status",
        "created_at",
        "paid_at",
        "email",
        "name",
        "country",
        "region",
        "currency",
        "product",
        "version_id",
        "choices",
        "quantity",
        "unit_price",
        "line_total",
        "order_total",
        "partner",
        "order_refunded",
        "status_note",
        "sku",
        "parts",
        "ships_by",
        "weight_grams",
    ]
    mug, poster = rows[1], rows[2]
    # What making each line takes, as the product said when it was ordered (the poster says nothing)
    assert (mug["sku"], mug["parts"], mug["weight_grams"]) == ("MUG-CER", "BLANK-MUG x1", "350")
    assert mug["ships_by"]
    assert (poster["sku"], poster["parts"], poster["ships_by"]) == ("", "", "")
    # A shopper's text never reaches a spreadsheet as a formula.
    assert mug["name"] == '\'=HYPERLINK("http://evil.example","x")'
    assert mug["email"] == "'+ada@example.com"
    assert json.loads(mug["choices"])["engraving"] == "-Sam"
    assert (poster["product"], poster["quantity"], poster["country"]) == ("poster", "3", "FR")
    assert poster["order_total"] == mug["order_total"]
    assert (rows[0]["country"], rows[0]["region"], poster["region"]) == ("DE", "DE-BE", "")
    # Filters are the list's filters.
    filtered = pg_client.get(
        f"{ADMIN}/orders/export.csv", query_string={"created_to": "2026-03-01"}, headers=headers
    )
    assert len(list(csv.DictReader(io.StringIO(filtered.get_data(as_text=True))))) == 2


def test_json_export_has_the_same_rows_with_choices_as_objects(
    pg_client: FlaskClient, headers: dict[str, str], two_orders: tuple[MadeOrder, MadeOrder]
) -> None:
    first, _ = two_orders
    response = pg_client.get(
        f"{ADMIN}/orders/export.json", query_string={"product": "poster"}, headers=headers
    )
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    rows = json.loads(response.get_data(as_text=True))
    assert [(r["order_number"], r["product"]) for r in rows] == [
        (first.number, "mug"),
        (first.number, "poster"),
    ]
    assert rows[0]["choices"]["engraving"] == "-Sam"
    assert rows[0]["name"].startswith("=")  # JSON is data, not a spreadsheet: kept as written
    assert rows[1]["unit_price"] == "24.50"
    assert rows[1]["line_total"] == "73.50"


def test_an_empty_export_is_still_well_formed(pg_client: FlaskClient, headers: dict[str, str]) -> None:
    csv_text = pg_client.get(f"{ADMIN}/orders/export.csv", headers=headers).get_data(as_text=True)
    assert csv_text.splitlines()[0].startswith("order_number,status")
    assert len(csv_text.splitlines()) == 1
    assert json.loads(pg_client.get(f"{ADMIN}/orders/export.json", headers=headers).get_data()) == []
