"""The merchant's view of availability: every option of the live products with whether shoppers can
choose it now, and marking or clearing one by product, attribute and option key (API and CLI alike)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from configurator.availability import services as availability
from configurator.availability.models import OptionAvailability
from configurator.catalog import versions
from configurator.catalog.errors import ProductNotFound
from configurator.catalog.services import current_catalog, live_version
from rules.availability import WITHDRAWABLE
from rules.model import ProductModel


@dataclass(frozen=True)
class Marked:
    """An option as the merchant sees it after a change: its row (None once back on sale)."""

    product_key: str
    attribute_key: str
    option_key: str
    row: OptionAvailability | None


def _model(product_key: str) -> ProductModel:
    return versions.product_for(live_version(product_key)).model


def option_data(
    product_key: str, attribute_key: str, option_key: str, row: OptionAvailability | None, moment: datetime
) -> dict[str, Any]:
    """One option's availability as the admin API and the CLI write it."""
    current = row is not None and availability.is_current(row, moment)
    return {
        "product_key": product_key,
        "attribute_key": attribute_key,
        "option_key": option_key,
        "available": not current,
        "state": row.state if current and row is not None else "available",
        "until": row.until if row is not None else None,
        "message": dict(row.message) if row is not None and row.message else None,
        "reason": dict(availability.shopper_message(row).texts) if current and row is not None else None,
        "changed_at": row.changed_at if row is not None else None,
        "changed_by": row.changed_by if row is not None else None,
    }


def languages() -> list[str]:
    """The languages a merchant writes shoppers' messages in: the live brand's, in its order, or when
    it declares none, those its catalog's texts are written in."""
    loaded = current_catalog()
    return list(loaded.brand.languages or loaded.locales)


def overview(product_key: str | None, locale: str) -> list[dict[str, Any]]:
    """Every live product (or the one asked for) with its options and whether each is on sale now."""
    live = versions.live_versions()
    if product_key is not None and product_key not in live:
        raise ProductNotFound(
            f"There is no product {product_key!r} in this catalog.",
            extensions={"technical_detail": f"no live version of {product_key!r}"},
        )
    rows = {
        (row.product_key, row.attribute_key, row.option_key): row for row in availability.listed(product_key)
    }
    moment = availability.now()
    products = []
    for key, version in sorted(live.items()):
        if product_key is not None and key != product_key:
            continue
        model = versions.product_for(version).model
        attributes = [
            {
                "key": attribute.key,
                "label": attribute.label.get(locale),
                "kind": attribute.kind.value,
                "options": [
                    {
                        **option_data(
                            key, attribute.key, option.key, rows.get((key, attribute.key, option.key)), moment
                        ),
                        "label": option.label.get(locale),
                    }
                    for option in attribute.options
                ],
            }
            for attribute in model.attributes
            if attribute.kind in WITHDRAWABLE
        ]
        products.append({"product_key": key, "label": model.label.get(locale), "attributes": attributes})
    return products


def mark(
    product_key: str,
    attribute_key: str,
    option_key: str,
    *,
    until: datetime | None,
    message: Mapping[str, str] | None,
    by: str,
) -> Marked:
    """Take an option of a live product off sale (sold out, or paused `until`); commits."""
    row = availability.mark(
        _model(product_key), attribute_key, option_key, until=until, message=message, by=by
    )
    return Marked(product_key, attribute_key, option_key, row)


def clear(product_key: str, attribute_key: str, option_key: str) -> Marked:
    """Put an option of a live product back on sale; commits."""
    availability.clear(_model(product_key), attribute_key, option_key)
    return Marked(product_key, attribute_key, option_key, None)
