"""The "from" price is the cheapest valid design: checked against every design of the demo products
small enough to enumerate (texts empty, no photo, as the search keeps them)."""

from __future__ import annotations

import itertools
from decimal import Decimal
from pathlib import Path

import pytest

from rules.cheapest import cheapest
from rules.model import AttributeKind, Value
from rules.product import Product, load_catalog

CATALOG = load_catalog(Path(__file__).resolve().parents[2] / "catalog")


def every_design(product: Product) -> list[dict[str, Value]]:
    choices: list[list[Value]] = []
    for attribute in product.model.attributes:
        values: list[Value]
        if attribute.kind is AttributeKind.MULTI:
            keys = [o.key for o in attribute.options]
            values = [frozenset(c) for r in range(len(keys) + 1) for c in itertools.combinations(keys, r)]
        elif attribute.kind is AttributeKind.BOOLEAN:
            values = [False, True]
        elif attribute.kind is AttributeKind.NUMBER:
            values = list(attribute.number_values())
        elif attribute.kind in (AttributeKind.TEXT, AttributeKind.IMAGE):
            values = [""]
        else:
            values = [o.key for o in attribute.options]
        if attribute.when is not None and attribute.kind not in (AttributeKind.TEXT, AttributeKind.IMAGE):
            values = [None, *values]
        choices.append(values)
    keys = [a.key for a in product.model.attributes]
    return [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*choices)]


@pytest.mark.parametrize("key", ["engraved-mug", "name-bottle"])
@pytest.mark.parametrize("currency", ["EUR", "USD"])
def test_the_cheapest_design_is_the_cheapest_of_all(key: str, currency: str) -> None:
    product = CATALOG.products[key]
    design, price = cheapest(product, currency)
    assert product.validate(design) == []
    lowest = min(
        product.price(d, 1, currency).total for d in every_design(product) if not product.validate(d)
    )
    assert price.total == lowest


def test_the_curtain_is_not_sold_from_its_base_price() -> None:
    # Its base price alone buys no curtain: the fabric and its size always cost something.
    curtain = CATALOG.products["made-to-measure-curtain"]
    design, price = cheapest(curtain, "EUR")
    assert curtain.validate(design) == []
    assert price.total > curtain.model.base_price["EUR"]
    # and no single smaller choice makes it cheaper
    for width in curtain.model.attribute("width").number_values():  # type: ignore[union-attr]
        moved = {**design, "width": width}
        if not curtain.validate(moved):
            assert curtain.price(moved, 1, "EUR").total >= price.total
    assert price.total == Decimal("36.94")
