"""Shipping zones and tax rates: declared in the brand file, computed exactly per destination."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from rules.commerce import ShippingUnavailableError, order_totals, zone_for
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
