"""Regions in addresses: tax by state or province where the brand says so, the regions a shopper
picks from, and addresses saved before a rule changed, told what to correct instead of failing."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.conftest import TEST_CATALOG

ADDRESS = {"country": "US", "postal_code": "94110", "city": "San Francisco", "line1": "1 Valencia St"}
CONTACT = {"email": "ann@example.org", "name": "Ann", "address": ADDRESS}
# The test shop, with sales tax by state in the United States and HST in Ontario (prices without tax)
REGIONAL = """
  - zone: north-america
    countries: [US, CA]
    flat: {EUR: "20.00", USD: "20.00"}

tax:
  label: {en: Tax, fr: Taxe}
  on_shipping: false
  rates: {FR: "20", DE: "19", BE: "21", US: "0", US-CA: "7.25", US-NY: "4", CA-ON: "13"}
"""


@pytest.fixture
def test_config(test_config: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    catalog = tmp_path / "catalog"
    shutil.copytree(TEST_CATALOG, catalog)
    brand = (catalog / "brand.yaml").read_text()
    head, tax = brand.split("\ntax:\n")
    assert "rates:" in tax
    (catalog / "brand.yaml").write_text(head.rstrip("\n") + "\n" + REGIONAL)
    return {**test_config, "ATELIER_CATALOG": str(catalog)}


def ask(client: FlaskClient, method: str, url: str, body: Any = None, language: str = "en") -> TestResponse:
    return client.open(url, method=method, json=body, headers={"Accept-Language": language})


def cart_with_a_mug(client: FlaskClient) -> str:
    token: str = client.post("/api/v1/carts", json={"currency": "USD"}).get_json()["id"]
    design = client.post("/api/v1/designs", json={"product": "mug"}).get_json()["id"]
    assert (
        client.post(f"/api/v1/carts/{token}/lines", json={"design": design, "quantity": 1}).status_code == 201
    )
    return token


def tax_line(cart: dict[str, Any]) -> str | None:
    return next((line["label"] for line in cart["summary"] if line["kind"] == "tax"), None)


def test_the_tax_follows_the_state_of_the_address(client: FlaskClient) -> None:
    # Given a cart with a mug
    token = cart_with_a_mug(client)

    # When the shopper gives an address in California, then in New York, then in Oregon
    taxes = {}
    for region in ("US-CA", "US-NY", "US-OR"):
        contact = {**CONTACT, "address": {**ADDRESS, "region": region}}
        answer = ask(client, "PUT", f"/api/v1/carts/{token}/contact", contact)
        assert answer.status_code == 200, answer.get_json()
        cart = answer.get_json()
        taxes[region] = (tax_line(cart), cart["tax"], cart["ready"])
        subtotal = cart["subtotal"]

    # Then each state's rate applies, and Oregon (no rate of its own) has the country's
    assert subtotal == "16.00"
    assert taxes == {
        "US-CA": ("Tax 7.25%", "1.16", True),
        "US-NY": ("Tax 4%", "0.64", True),
        "US-OR": ("Tax 0%", "0.00", True),
    }
    # And the address keeps its region
    assert client.get(f"/api/v1/carts/{token}").get_json()["contact"]["address"]["region"] == "US-OR"


def test_a_cart_is_priced_for_a_destination_being_chosen_without_saving_it(client: FlaskClient) -> None:
    token = cart_with_a_mug(client)
    quoted = client.get(
        f"/api/v1/carts/{token}", query_string={"country": "CA", "region": "CA-ON"}
    ).get_json()
    assert (tax_line(quoted), quoted["tax"], quoted["shipping"]) == ("Tax 13%", "2.08", "20.00")
    assert quoted["contact"]["address"] is None
    # A region still to choose: shipping to the country, no tax yet rather than the country's
    unchosen = client.get(f"/api/v1/carts/{token}", query_string={"country": "US"}).get_json()
    assert (tax_line(unchosen), unchosen["shipping"], unchosen["total"]) == (None, "20.00", "36.00")
    assert client.get(f"/api/v1/carts/{token}", query_string={"country": "UK"}).status_code == 422


@pytest.mark.parametrize(
    ("region", "language", "code", "said", "technical"),
    [
        (
            None,
            "en",
            "region-required",
            "Choose your state, province or region: tax in this country (United States) depends on it.",
            "The shop's tax in US depends on the region: give one of its ISO 3166-2 codes, e.g. US-CA",
        ),
        (
            None,
            "fr",
            "region-required",
            "Choisissez votre État, province ou région : dans ce pays (États-Unis), la taxe en dépend.",
            None,
        ),
        (
            "CA-ON",
            "en",
            "region-country",
            "Ontario is not a region of the country chosen (United States): "
            "choose one of its regions, or another country.",
            "Region CA-ON is not in country US",
        ),
        (
            "California",
            "en",
            "region",
            "State, province or region must be a region code, not “California”. "
            "Did you mean US-CA (California)?",
            "Not an ISO 3166-2 region code: 'California'; did you mean US-CA?",
        ),
        (
            "CA",
            "fr",
            "region",
            "Le champ « État, province ou région » doit être un code de région, et non « CA ». "
            "Vouliez-vous dire US-CA (Californie) ?",
            "Not an ISO 3166-2 region code: 'CA'; did you mean US-CA?",
        ),
    ],
)
def test_a_region_missing_wrong_or_elsewhere_is_refused_in_the_shoppers_language(
    client: FlaskClient, region: str | None, language: str, code: str, said: str, technical: str | None
) -> None:
    # Given a cart, and an address in the United States, where the shop's tax depends on the state
    token = cart_with_a_mug(client)
    address = {**ADDRESS, "region": region} if region is not None else ADDRESS

    # When the shopper sends it with no state, a state of another country, or a state's name
    answer = ask(client, "PUT", f"/api/v1/carts/{token}/contact", {**CONTACT, "address": address}, language)

    # Then it is refused as RFC 9457 problem details with one field error: the shopper's sentence in
    # their language, the path and the validator's words for integrators
    assert answer.status_code == 422
    assert answer.content_type == "application/problem+json"
    (error,) = answer.get_json()["errors"]
    assert (error["pointer"], error["code"], error["detail"]) == ("/address/region", code, said)
    if technical is not None:
        assert error["technical_detail"] == technical
    assert client.get(f"/api/v1/carts/{token}").get_json()["contact"]["address"] is None


def test_a_region_is_optional_where_the_tax_does_not_depend_on_it(client: FlaskClient) -> None:
    token = cart_with_a_mug(client)
    for address in ({**ADDRESS, "country": "FR"}, {**ADDRESS, "country": "FR", "region": "FR-IDF"}):
        answer = ask(client, "PUT", f"/api/v1/carts/{token}/contact", {**CONTACT, "address": address})
        assert answer.status_code == 200
        assert tax_line(answer.get_json()) == "Tax 20%"
    # but one of another country is still refused
    wrong = {**ADDRESS, "country": "FR", "region": "US-CA"}
    answer = ask(client, "PUT", f"/api/v1/carts/{token}/contact", {**CONTACT, "address": wrong})
    assert answer.status_code == 422


def test_the_regions_of_a_country_are_listed_in_the_shoppers_language(client: FlaskClient) -> None:
    us = ask(client, "GET", "/api/v1/countries/US/regions", language="fr").get_json()
    assert (us["country"], us["required"]) == ("US", True)
    names = {r["code"]: r["name"] for r in us["regions"]}
    assert names["US-CA"] == "Californie"
    assert len([code for code in names if code.startswith("US-")]) >= 51  # the states and DC

    spain = ask(client, "GET", "/api/v1/countries/ES/regions").get_json()
    assert spain["required"] is False
    assert "ES-CN" in {r["code"] for r in spain["regions"]}

    unknown = ask(client, "GET", "/api/v1/countries/UK/regions", language="fr")
    assert unknown.status_code == 404
    assert unknown.get_json()["detail"] == "Nous ne connaissons pas ce pays."


def test_a_cart_saved_with_uk_loads_and_is_told_to_fix_its_country(app: Flask, client: FlaskClient) -> None:
    # Given a cart whose address was saved as "UK" before countries were checked
    token = cart_with_a_mug(client)
    from configurator.carts.models import Cart
    from configurator.extensions import db

    with app.app_context():
        cart = db.session.scalars(db.select(Cart).where(Cart.token == token)).one()
        cart.email, cart.name = "ann@example.org", "Ann"
        cart.address = {**ADDRESS, "country": "UK"}
        db.session.commit()

    # When it is read
    answer = ask(client, "GET", f"/api/v1/carts/{token}", language="fr")

    # Then it loads, priced without shipping or tax, and says which field to correct and how
    assert answer.status_code == 200
    cart_data = answer.get_json()
    assert [line["kind"] for line in cart_data["summary"]] == ["subtotal", "total"]
    assert cart_data["ready"] is False
    (problem,) = cart_data["problems"]
    assert (problem["field"], problem["code"]) == ("contact.address.country", "country")
    assert problem["detail"] == (
        "Le champ « Pays » doit être un code de pays à deux lettres, et non « UK ». "
        "Vouliez-vous dire GB (Royaume-Uni) ?"
    )
    assert problem["technical_detail"] == "Not an ISO 3166-1 alpha-2 country code: 'UK'; did you mean GB?"
    # And checkout refuses it with the same words
    refused = ask(client, "POST", f"/api/v1/carts/{token}/checkout", {}, "fr")
    assert refused.status_code == 422
    assert [e["detail"] for e in refused.get_json()["errors"]] == [problem["detail"]]


def test_a_cart_saved_before_the_tax_depended_on_the_state_asks_for_it(
    app: Flask, client: FlaskClient
) -> None:
    token = cart_with_a_mug(client)
    from configurator.carts.models import Cart
    from configurator.extensions import db

    with app.app_context():
        cart = db.session.scalars(db.select(Cart).where(Cart.token == token)).one()
        cart.email, cart.name, cart.address = "ann@example.org", "Ann", dict(ADDRESS)
        db.session.commit()

    cart_data = ask(client, "GET", f"/api/v1/carts/{token}").get_json()
    (problem,) = cart_data["problems"]
    assert (problem["field"], problem["code"]) == ("contact.address.region", "region-required")
    assert tax_line(cart_data) is None


def test_kosovo_is_an_address_like_any_country(client: FlaskClient) -> None:
    token = cart_with_a_mug(client)
    address = {**ADDRESS, "country": "XK", "postal_code": "10000", "city": "Prishtina"}
    answer = ask(client, "PUT", f"/api/v1/carts/{token}/contact", {**CONTACT, "address": address})
    assert answer.status_code == 200
    # the shop names no zone for it: it says it does not deliver there, rather than refusing the code
    assert [p["field"] for p in answer.get_json()["problems"]] == ["contact.address.country"]
