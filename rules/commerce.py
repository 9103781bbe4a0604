"""Shipping and tax on a whole order, from the brand's declarations: pure and exact.

Shipping: the brand lists zones (countries, or `*` for the rest of the world), each with a rate per
currency: a flat amount, plus an amount per item after the first, waived above a free-shipping
threshold. Tax: a percentage per country (`*` for the rest), or per ISO 3166-2 region of a country
(US-CA; a region's rate covers the regions inside it, and the country's rate the regions without one);
when the brand's prices include tax, the tax is the part of the total that is tax (shown, not added),
otherwise it is added on top.

>>> from decimal import Decimal as D
>>> zone = ShippingZone("eu", Localized.plain("Europe"), frozenset({"FR"}), {"EUR": ShippingRate(D("4.90"))})
>>> policy = TaxPolicy({"FR": D("20")}, Localized.plain("VAT"))
>>> totals = order_totals(zones=(zone,), tax=policy, prices_include_tax=True, currency="EUR",
...                       country="FR", subtotal=D("30.00"), items=2)
>>> totals.shipping, totals.tax, totals.total
(Decimal('4.90'), Decimal('5.82'), Decimal('34.90'))
>>> sales_tax = TaxPolicy({"US": D("0"), "US-CA": D("7.25")}, Localized.plain("Sales tax"))
>>> order_totals(zones=(), tax=sales_tax, prices_include_tax=False, currency="USD", country="US",
...              region="US-CA", subtotal=D("100.00"), items=1).tax
Decimal('7.25')
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from rules.countries import country_refusal
from rules.errors import RulesError
from rules.i18n import RULES, Percent
from rules.model import Localized, ShippingRate, ShippingZone, TaxPolicy
from rules.money import MONEY_CONTEXT, round_money
from rules.regions import is_region, meant_region, region_country

REST_OF_WORLD = "*"
__all__ = [
    "ShippingRate",
    "ShippingZone",
    "TaxPolicy",
    "destination_problems",
    "order_totals",
    "zone_for",
    "shipping_cost",
]
_HUNDRED = Decimal(100)


class ShippingUnavailableError(RulesError):
    """The brand does not ship to this country (or not in this currency)."""


class TooHeavyToShipError(ShippingUnavailableError):
    """The order weighs more than the last weight band of its zone."""


@dataclass(frozen=True)
class SummaryLine:
    kind: str  # subtotal | shipping | tax | total
    label: Localized
    amount: Decimal


@dataclass(frozen=True)
class OrderTotals:
    subtotal: Decimal
    shipping: Decimal
    tax: Decimal
    total: Decimal
    tax_included: bool
    lines: tuple[SummaryLine, ...]


def zone_for(zones: Sequence[ShippingZone], country: str) -> ShippingZone | None:
    """The zone naming the country, else the rest-of-the-world zone, else None."""
    named = next((z for z in zones if country in z.countries), None)
    return named or next((z for z in zones if REST_OF_WORLD in z.countries), None)


def shipping_cost(
    zone: ShippingZone, currency: str, subtotal: Decimal, items: int, grams: Decimal = Decimal(0)
) -> Decimal:
    """Shipping for `items` items worth `subtotal`, weighing `grams` together, in one zone.

    Raises `ShippingUnavailableError` when the zone has weight bands and the order is heavier than
    the last (a 90 kg table does not go by parcel post)."""
    rate = zone.rates.get(currency)
    if rate is None:
        raise ShippingUnavailableError(f"shipping to {zone.key} has no rate in {currency}")
    if items == 0:
        return round_money(Decimal(0), currency)
    light_enough = rate.free_max_grams is None or grams <= rate.free_max_grams
    if rate.free_over is not None and subtotal >= rate.free_over and light_enough:
        return round_money(Decimal(0), currency)
    base = rate.flat
    if rate.bands:
        band = next((b for b in rate.bands if b.up_to_grams is None or grams <= b.up_to_grams), None)
        if band is None:
            raise TooHeavyToShipError(f"shipping to {zone.key} takes orders up to the last weight band")
        base = band.cost
    extra = MONEY_CONTEXT.multiply(rate.per_extra_item, Decimal(items - 1))
    return round_money(MONEY_CONTEXT.add(base, extra), currency)


def order_totals(
    *,
    zones: Sequence[ShippingZone],
    tax: TaxPolicy | None,
    prices_include_tax: bool,
    currency: str,
    country: str | None,
    subtotal: Decimal,
    items: int,
    rounding: str = "half_up",
    region: str | None = None,
    grams: Decimal = Decimal(0),
) -> OrderTotals:
    """Subtotal, shipping, tax and total for a destination (no destination yet: no shipping, no tax);
    shipping follows the country, tax the region when the brand has rates by region.

    Raises `ShippingUnavailableError` when zones are declared and none covers the country.
    """
    shipping = round_money(Decimal(0), currency)
    zone = None
    if country is not None and zones:
        zone = zone_for(zones, country)
        if zone is None:
            raise ShippingUnavailableError(f"this shop does not ship to {country}")
        shipping = shipping_cost(zone, currency, subtotal, items, grams)
    taxed = subtotal + (shipping if tax is None or tax.on_shipping else Decimal(0))
    rate = tax.rate(country, region) if tax is not None and country is not None else Decimal(0)
    if prices_include_tax:
        tax_amount = round_money(MONEY_CONTEXT.divide(taxed * rate, _HUNDRED + rate), currency, rounding)
        total = subtotal + shipping
    else:
        tax_amount = round_money(MONEY_CONTEXT.divide(taxed * rate, _HUNDRED), currency, rounding)
        total = subtotal + shipping + tax_amount
    lines = [SummaryLine("subtotal", RULES.localized("Subtotal"), subtotal)]
    if zone is not None:
        lines.append(SummaryLine("shipping", _shipping_label(zone), shipping))
    if tax is not None and country is not None:
        lines.append(SummaryLine("tax", _tax_label(tax.label, rate, prices_include_tax), tax_amount))
    lines.append(SummaryLine("total", RULES.localized("Total"), total))
    return OrderTotals(subtotal, shipping, tax_amount, total, prices_include_tax, tuple(lines))


def destination_problems(
    tax: TaxPolicy | None, country: object, region: object
) -> tuple[tuple[str, str], ...]:
    """What keeps an address's country and region from being shipped to and taxed: pairs of the field
    (`country` or `region`) and what is wrong, said for integrators. One path for an address sent now
    and one saved before a rule changed (UK before countries were checked; a country whose rates a
    brand has since split by region).

    >>> sales_tax = TaxPolicy({"US-CA": Decimal("7.25")})
    >>> destination_problems(sales_tax, "US", None)
    (('region', "The shop's tax in US depends on the region: give one of its ISO 3166-2 codes, e.g. US-CA"),)
    >>> destination_problems(sales_tax, "FR", "US-CA")
    (('region', 'Region US-CA is not in country FR'),)
    >>> destination_problems(None, "UK", None)[0][1]
    "Not an ISO 3166-1 alpha-2 country code: 'UK'; did you mean GB?"
    """
    refused = country_refusal(country)
    if refused is not None:
        return (("country", refused),)
    assert isinstance(country, str)
    if region is None:
        needed = tax.by_region(country) if tax is not None else ()
        if needed:
            return (
                (
                    "region",
                    f"The shop's tax in {country} depends on the region: give one of its ISO 3166-2 codes, "
                    f"e.g. {needed[0]}",
                ),
            )
        return ()
    if not isinstance(region, str) or not is_region(region):
        found = meant_region(region, country) if isinstance(region, str) else ()
        guess = f"; did you mean {' or '.join(found)}?" if found else ""
        return (("region", f"Not an ISO 3166-2 region code: {region!r}{guess}"),)
    if region_country(region) != country:
        return (("region", f"Region {region} is not in country {country}"),)
    return ()


def _shipping_label(zone: ShippingZone) -> Localized:
    # Translators: a line of the order's summary: "Shipping (Europe)".
    return RULES.localized("Shipping ({zone})", zone=zone.label)


def _tax_label(label: Localized, rate: Decimal, included: bool) -> Localized:
    # Translators: a line of the order's summary, the tax and its rate: "VAT 20%, included".
    if included:
        return RULES.localized("{tax} {rate}, included", tax=label, rate=Percent(rate))
    return RULES.localized("{tax} {rate}", tax=label, rate=Percent(rate))
