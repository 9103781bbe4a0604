"""Shipping zones and tax rates: declared in the brand file, computed exactly per destination."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from rules.commerce import ShippingUnavailableError, TooHeavyToShipError, order_totals, zone_for
from rules.errors import CatalogError
from rules.language import load_brand
from rules.model import Brand

D = Decimal
BRAND = """\
brand: shop
label: Shop
currencies: [EUR, JPY]
{included}
shipping:
  - zone: home
    label: {{en: France, fr: France}}
    countries: [FR]
    flat: {{EUR: "4.90", JPY: "800"}}
    free_over: {{EUR: "60.00", JPY: "9000"}}
  - zone: world
    countries: ["*"]
    flat: {{EUR: "12.00", JPY: "2000"}}
    per_extra_item: {{EUR: "2.50", JPY: "300"}}
tax:
  label: {{en: VAT, fr: TVA}}
  rates: {{FR: "20", "*": "0"}}
"""


def brand(tmp_path: Path, text: str) -> Brand:
    path = tmp_path / "brand.yaml"
    path.write_text(text)
    return load_brand(path)


def totals(
    shop: Brand, country: str | None, subtotal: str, items: int, currency: str = "EUR"
) -> tuple[D, ...]:
    result = order_totals(
        zones=shop.shipping,
        tax=shop.tax,
        prices_include_tax=shop.prices_include_tax,
        currency=currency,
        country=country,
        subtotal=D(subtotal),
        items=items,
    )
    return result.shipping, result.tax, result.total


def test_prices_without_tax_get_tax_added_on_goods_and_shipping(tmp_path: Path) -> None:
    shop = brand(tmp_path, BRAND.format(included=""))
    assert totals(shop, "FR", "30.00", 2) == (D("4.90"), D("6.98"), D("41.88"))
    assert totals(shop, "FR", "60.00", 2) == (D("0.00"), D("12.00"), D("72.00"))  # free from 60.00


def test_prices_with_tax_show_the_tax_part(tmp_path: Path) -> None:
    shop = brand(tmp_path, BRAND.format(included="prices_include_tax: true"))
    assert totals(shop, "FR", "30.00", 2) == (D("4.90"), D("5.82"), D("34.90"))


def test_the_rest_of_the_world_pays_per_extra_item_in_zero_decimal_currencies(tmp_path: Path) -> None:
    shop = brand(tmp_path, BRAND.format(included=""))
    assert totals(shop, "JP", "5000", 3, "JPY") == (D("2600"), D("0"), D("7600"))
    assert zone_for(shop.shipping, "JP") is shop.shipping[1]


def test_no_destination_yet_means_no_shipping_or_tax(tmp_path: Path) -> None:
    shop = brand(tmp_path, BRAND.format(included=""))
    result = order_totals(
        zones=shop.shipping,
        tax=shop.tax,
        prices_include_tax=False,
        currency="EUR",
        country=None,
        subtotal=D("10.00"),
        items=1,
    )
    assert [line.kind for line in result.lines] == ["subtotal", "total"]
    assert result.total == D("10.00")


def test_a_country_outside_every_zone_is_refused(tmp_path: Path) -> None:
    shop = brand(tmp_path, BRAND.format(included="").replace('countries: ["*"]', "countries: [DE]"))
    with pytest.raises(ShippingUnavailableError, match="does not ship to US"):
        totals(shop, "US", "10.00", 1)


def test_summary_labels_are_localized(tmp_path: Path) -> None:
    shop = brand(tmp_path, BRAND.format(included="prices_include_tax: true"))
    result = order_totals(
        zones=shop.shipping,
        tax=shop.tax,
        prices_include_tax=True,
        currency="EUR",
        country="FR",
        subtotal=D("10.00"),
        items=1,
    )
    labels = {line.kind: line.label for line in result.lines}
    assert labels["shipping"].get("fr") == "Livraison (France)"
    assert labels["tax"].get("en") == "VAT 20%, included"
    assert labels["tax"].get("fr") == "TVA 20\u00a0%, incluse"  # CLDR: a no-break space before %


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("countries: [FR]", "countries: [FR, fr]"), "brand.yaml:8:21: error: item 2"),
        (('countries: ["*"]', 'countries: ["*", FR]'), "FR is in shipping zones 'home' and 'world'"),
        (('rates: {FR: "20"', 'rates: {FR: "120"'), "the tax rate of FR is 120 %"),
        (('flat: {EUR: "12.00", JPY: "2000"}', 'flat: {EUR: "12.00"}'), "has no amount in JPY"),
        (('flat: {EUR: "4.90", JPY: "800"}', 'flat: {EUR: "-4.90", JPY: "800"}'), "must not be negative"),
        (("  - zone: world", "  - zone: world\n    cost: 3"), "cost"),
    ],
)
def test_mistakes_say_where_and_what_to_write(tmp_path: Path, change: tuple[str, str], expected: str) -> None:
    text = BRAND.format(included="").replace(*change)
    with pytest.raises(CatalogError) as error:
        brand(tmp_path, text)
    assert expected in str(error.value)


HEAVY = """\
brand: furniture
label: Furniture
currencies: [GBP]
shipping:
  - zone: uk
    countries: [GB]
    by_weight:
      - {up_to: 2 kg, cost: {GBP: "4.90"}}
      - {up_to: 30 kg, cost: {GBP: "14.90"}}
      - {up_to: 120 kg, cost: {GBP: "89.00"}}
    free_over: {GBP: "75.00"}
    free_max_weight: 30 kg
  - zone: europe
    countries: [FR]
    by_weight:
      - {up_to: 30 kg, cost: {GBP: "24.00"}}
"""


@pytest.mark.parametrize(
    ("grams", "subtotal", "country", "shipping"),
    [
        ("200", "18.00", "GB", "4.90"),  # a T-shirt
        ("2000", "18.00", "GB", "4.90"),  # a band takes its heaviest order
        ("2001", "40.00", "GB", "14.90"),
        ("200", "80.00", "GB", "0.00"),  # free over 75
        ("30000", "80.00", "GB", "0.00"),
        ("90000", "1800.00", "GB", "89.00"),  # a table: never free, whatever its price
    ],
)
def test_shipping_follows_the_orders_weight(
    tmp_path: Path, grams: str, subtotal: str, country: str, shipping: str
) -> None:
    shop = brand(tmp_path, HEAVY)
    totals = order_totals(
        zones=shop.shipping,
        tax=None,
        prices_include_tax=True,
        currency="GBP",
        country=country,
        subtotal=D(subtotal),
        items=1,
        grams=D(grams),
    )
    assert totals.shipping == D(shipping)


def test_an_order_heavier_than_every_band_is_not_shipped(tmp_path: Path) -> None:
    shop = brand(tmp_path, HEAVY)
    with pytest.raises(TooHeavyToShipError):
        order_totals(
            zones=shop.shipping,
            tax=None,
            prices_include_tax=True,
            currency="GBP",
            country="FR",
            subtotal=D("1800.00"),
            items=1,
            grams=D("90000"),
        )


@pytest.mark.parametrize(
    ("bands", "expected"),
    [
        (
            '[{cost: {GBP: "4.90"}}, {up_to: 30 kg, cost: {GBP: "14.90"}}]',
            "weight band 1 of shipping zone 'uk' has no `up_to`, but bands follow it",
        ),
        (
            '[{up_to: 30 kg, cost: {GBP: "14.90"}}, {up_to: 2 kg, cost: {GBP: "4.90"}}]',
            "weight band 2 of shipping zone 'uk' goes up to 2 kg, no more than the band before it",
        ),
        ('[{up_to: 2 kilos, cost: {GBP: "4.90"}}]', 'hint: write `up_to: "2 kg"`'),
    ],
)
def test_weight_band_mistakes_say_where_and_what_to_write(tmp_path: Path, bands: str, expected: str) -> None:
    zone = f"{{zone: uk, countries: [GB], by_weight: {bands}}}"
    text = f"brand: f\nlabel: F\ncurrencies: [GBP]\nshipping:\n  - {zone}\n"
    with pytest.raises(CatalogError) as caught:
        brand(tmp_path, text)
    assert expected in str(caught.value)


def test_a_zone_says_flat_or_by_weight_not_both(tmp_path: Path) -> None:
    text = (
        "brand: f\nlabel: F\ncurrencies: [GBP]\nshipping:\n"
        '  - {zone: uk, countries: [GB], flat: {GBP: "4.90"}, by_weight: [{cost: {GBP: "4.90"}}]}\n'
    )
    with pytest.raises(CatalogError, match="both `flat` and `by_weight`"):
        brand(tmp_path, text)
