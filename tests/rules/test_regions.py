"""Regions are ISO 3166-2 codes from iso-codes (through pycountry): tax follows them where a brand
names them, and a near miss names the region meant."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from rules.commerce import order_totals
from rules.language import load_brand
from rules.model import Localized, TaxPolicy
from rules.regions import (
    enclosing,
    is_region,
    meant_region,
    offered_regions,
    region_country,
    region_name,
    regions_of,
)

D = Decimal


def test_the_codes_are_iso_3166_2() -> None:
    assert all(is_region(code) for code in ("US-CA", "US-DC", "CA-ON", "CA-QC", "ES-CN", "ES-TF", "GB-SCT"))
    assert not any(is_region(code) for code in ("US-XX", "us-ca", "CA", "UK-ENG", "", "US-"))
    assert len([r for r in regions_of("US") if r.kind == "State"]) == 50
    assert {r.code for r in regions_of("CA")} >= {"CA-ON", "CA-QC", "CA-BC", "CA-NU"}
    assert regions_of("GI") == ()  # a territory ISO does not divide (Gibraltar)
    assert region_country("US-CA") == "US"


def test_a_region_lies_in_the_regions_above_it() -> None:
    assert enclosing("ES-TF") == ("ES-TF", "ES-CN")  # Santa Cruz de Tenerife, in the Canary Islands
    assert enclosing("US-CA") == ("US-CA",)
    assert enclosing("US-XX") == ()


def test_shoppers_pick_from_the_top_level_and_the_kinds_a_brand_names() -> None:
    spain = offered_regions("ES")
    codes = {r.code for r in spain}
    assert "ES-CN" in codes
    assert "ES-TF" not in codes
    assert all(r.parent is None for r in spain)
    # a rate for a province offers the provinces too
    assert "ES-TF" in {r.code for r in offered_regions("ES", ["ES-TF"])}
    # Great Britain's four nations, not its two hundred councils
    assert {r.code for r in offered_regions("GB")} == {"GB-ENG", "GB-NIR", "GB-SCT", "GB-WLS"}


@pytest.mark.parametrize(
    ("written", "country", "regions_meant"),
    [
        ("CA", "US", ("US-CA",)),  # the state's own code, under the address's country
        ("ON", "CA", ("CA-ON",)),
        ("California", None, ("US-CA",)),
        ("california", "US", ("US-CA",)),
        ("US-Cal", None, ("US-CA",)),  # a country, then the start of a name
        ("us-ca", None, ("US-CA",)),
        ("US CA", None, ("US-CA",)),
        ("UK-ENG", None, ("GB-ENG",)),  # the country as people say it
        ("Californa", "US", ("US-CA",)),  # close, within a country
        ("Ile de France", "FR", ("FR-IDF",)),  # accents left out
        ("Narnia", None, ()),  # close to Nara (JP-29) only among every country's names
        ("US-CA", None, ()),  # a region already
        ("", "US", ()),
    ],
)
def test_a_near_miss_names_the_region_meant(
    written: str, country: str | None, regions_meant: tuple[str, ...]
) -> None:
    assert meant_region(written, country) == regions_meant


def test_names_are_in_the_language_asked_where_iso_codes_translates_them() -> None:
    assert (region_name("US-CA"), region_name("US-CA", "fr"), region_name("US-CA", "de-CH")) == (
        "California",
        "Californie",
        "Kalifornien",
    )
    assert region_name("US-XX") == "US-XX"


def test_a_region_rate_applies_there_else_its_country_else_the_rest_of_the_world() -> None:
    policy = TaxPolicy(
        {"US": D("0"), "US-CA": D("7.25"), "US-NY": D("4"), "ES": D("21"), "ES-CN": D("0"), "*": D("10")},
        Localized.plain("Tax"),
    )
    assert policy.rate("US", "US-CA") == D("7.25")
    assert policy.rate("US", "US-TX") == D("0")  # a state without a rate: the country's
    assert policy.rate("US") == D("0")
    assert policy.rate("ES", "ES-TF") == D("0")  # a province of the Canary Islands: theirs
    assert policy.rate("ES", "ES-M") == D("21")
    assert policy.rate("FR", "US-CA") == D("10")  # a region outside the country counts for nothing
    assert policy.rate("CA", "CA-ON") == D("10")
    assert policy.by_region("US") == ("US-CA", "US-NY")
    assert policy.by_region("FR") == ()


def test_a_brand_writes_rates_by_region_and_the_order_is_taxed_by_them(tmp_path: Path) -> None:
    # Given a brand with sales tax by state and HST by province, prices without tax
    path = tmp_path / "brand.yaml"
    path.write_text(
        "brand: shop\nlabel: Shop\ncurrencies: [USD]\n"
        'tax:\n  label: Sales tax\n  rates: {US: 0, US-CA: 7.25, US-NY: "4", CA-ON: 13, "*": 0}\n'
    )
    shop = load_brand(path)
    assert shop.tax is not None

    def tax(country: str, region: str | None) -> Decimal:
        return order_totals(
            zones=(),
            tax=shop.tax,
            prices_include_tax=False,
            currency="USD",
            country=country,
            region=region,
            subtotal=D("200.00"),
            items=1,
        ).tax

    # Then each address pays its region's rate, else its country's
    assert tax("US", "US-CA") == D("14.50")
    assert tax("US", "US-NY") == D("8.00")
    assert tax("US", "US-OR") == D("0.00")
    assert tax("CA", "CA-ON") == D("26.00")
    assert tax("CA", None) == D("0.00")
