"""Lowering the brand's `shipping` zones and `tax` rates (see rules.commerce for how they are used)."""

from __future__ import annotations

from decimal import Decimal

from rules.commerce import REST_OF_WORLD
from rules.countries import is_country
from rules.errors import Code
from rules.i18n import RULES
from rules.language import fields as f
from rules.language.check import Fields, Report, check_table, country_hint, region_hint
from rules.language.production import grams
from rules.language.values import Currencies, amount, localized, money
from rules.language.yamlsafe import Mapping, Scalar, Sequence
from rules.model import Localized, ShippingRate, ShippingZone, TaxPolicy, WeightBand
from rules.regions import is_region, region_country


def lower_shipping(fields: Fields, currencies: Currencies, report: Report) -> tuple[ShippingZone, ...]:
    """The brand's shipping zones; a country in two zones is an error (which rate would apply?)."""
    node = fields.get("shipping")
    if not isinstance(node, Sequence):
        return ()
    zones: list[ShippingZone] = []
    seen: dict[str, str] = {}
    for item in report.good(node.items):
        zone = check_table(item, f.SHIPPING_ZONE, report, "a shipping zone", anchor=item)
        if zone is None or zone.scalar("zone") is None:
            continue
        key_node = zone.scalar("zone")
        assert key_node is not None
        key = key_node.text
        countries_node = zone.get("countries")
        countries: set[str] = set()
        if isinstance(countries_node, Sequence):
            for country in report.good(countries_node.items):
                assert isinstance(country, Scalar)
                if not _known_country(country, f"shipping zone {key!r}", report):
                    continue
                if country.text in seen:
                    report.error(
                        Code.BAD_VALUE,
                        f"{country.text} is in shipping zones {seen[country.text]!r} and {key!r}",
                        country,
                        f"keep {country.text} in one zone only",
                    )
                    continue
                seen[country.text] = key
                countries.add(country.text)
        rates = _rates(zone, currencies, report, f"shipping zone {key!r}")
        label_node = zone.get("label")
        label = localized(label_node) if label_node is not None else Localized.plain(key)
        zones.append(ShippingZone(key, label, frozenset(countries), rates))
    return tuple(zones)


def _rates(zone: Fields, currencies: Currencies, report: Report, label: str) -> dict[str, ShippingRate]:
    amounts: dict[str, dict[str, Decimal]] = {}
    for name in ("flat", "per_extra_item", "free_over"):
        node = zone.get(name)
        if node is not None:
            checked = money(node, currencies, report, f"`{name}` of {label}", negative=False)
            amounts[name] = checked or {}
    bands = _bands(zone, currencies, report, label)
    light = zone.scalar("free_max_weight")
    # Every currency the flat amount or the bands price: the bands of a currency are all its bands.
    codes = list(amounts.get("flat", {})) or sorted({code for _, costs in bands for code in costs})
    return {
        code: ShippingRate(
            flat=amounts.get("flat", {}).get(code, Decimal(0)),
            per_extra_item=amounts.get("per_extra_item", {}).get(code, Decimal(0)),
            free_over=amounts.get("free_over", {}).get(code),
            bands=tuple(WeightBand(up_to, costs[code]) for up_to, costs in bands if code in costs),
            free_max_grams=grams(light.text) if light is not None else None,
        )
        for code in codes
    }


def _bands(
    zone: Fields, currencies: Currencies, report: Report, label: str
) -> list[tuple[Decimal | None, dict[str, Decimal]]]:
    """The zone's weight bands, lightest first; each but the last says its heaviest order."""
    node = zone.get("by_weight")
    if not isinstance(node, Sequence):
        return []
    bands: list[tuple[Decimal | None, dict[str, Decimal]]] = []
    items = list(report.good(node.items))
    for index, item in enumerate(items, start=1):
        band = check_table(item, f.WEIGHT_BAND, report, f"weight band {index} of {label}", anchor=item)
        if band is None:
            continue
        up_to = band.scalar("up_to")
        limit = grams(up_to.text) if up_to is not None else None
        if limit is None and index != len(items):
            report.error(
                Code.MISSING_KEY,
                f"weight band {index} of {label} has no `up_to`, but bands follow it",
                item,
                'add `up_to: "2 kg"` (only the last band may take any weight)',
            )
            continue
        if limit is not None and bands and bands[-1][0] is not None and limit <= bands[-1][0]:
            report.error(
                Code.BAD_VALUE,
                f"weight band {index} of {label} goes up to {up_to.text if up_to else ''}, no more than the "
                "band before it",
                up_to or item,
                "list the bands from the lightest to the heaviest",
            )
            continue
        cost_node = band.get("cost")
        costs = (
            money(cost_node, currencies, report, f"`cost` of weight band {index} of {label}", negative=False)
            if cost_node is not None
            else None
        )
        if costs is not None:
            bands.append((limit, costs))
    return bands


def lower_tax(fields: Fields, report: Report) -> TaxPolicy | None:
    """The brand's tax rates: percentages from 0 to 100 per country or region."""
    node = fields.get("tax")
    if node is None:
        return None
    tax = check_table(node, f.TAX, report, "`tax`", anchor=fields.key("tax"))
    if tax is None:
        return None
    rates: dict[str, Decimal] = {}
    rates_node = tax.get("rates")
    if isinstance(rates_node, Mapping):
        for key, value in rates_node.items:
            if not isinstance(value, Scalar) or report.is_bad(value):
                continue
            if "-" in key.text:
                if not _known_region(key, report):
                    continue
            elif not _known_country(key, "the tax rates", report):
                continue
            percent = amount(value)
            if not f.TAX_RATE.holds(percent):
                report.error(
                    Code.BAD_VALUE,
                    f"the tax rate of {key.text} is {value.text} %; a rate is between 0 and 100",
                    value,
                    f'write the percentage, e.g. `{key.text}: "20"` for 20 %',
                )
                continue
            rates[key.text] = percent
    label_node = tax.get("label")
    on_shipping = tax.scalar("on_shipping")
    return TaxPolicy(
        rates,
        localized(label_node) if label_node is not None else RULES.localized("Tax"),
        bool(on_shipping.value) if on_shipping is not None else True,
    )


def _known_country(node: Scalar, where: str, report: Report) -> bool:
    """Whether a code written like a country's (two capitals) is one; if not (UK), report it with the
    country meant: an address there would otherwise fall to the rest of the world."""
    if node.text == REST_OF_WORLD or is_country(node.text):
        return True
    report.error(
        Code.BAD_VALUE,
        f"{node.text} in {where} is not an ISO 3166-1 alpha-2 country code",
        node,
        country_hint(node.text),
    )
    return False


def _known_region(node: Scalar, report: Report) -> bool:
    """Whether a code written like a region's (US-CA) is one; if not, report it with the region meant:
    an address there would otherwise be taxed at its country's rate."""
    if is_region(node.text):
        return True
    country = region_country(node.text)
    report.error(
        Code.BAD_VALUE,
        f"{node.text} in the tax rates is not an ISO 3166-2 region code",
        node,
        region_hint(node.text, country if is_country(country) else None),
    )
    return False
