"""The "from" price is the cheapest valid design: checked against every design of the demo products
small enough to enumerate (texts empty, no photo, as the search keeps them)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from rules.cheapest import cheapest
from rules.product import load_catalog
from tests.support.designs import every_design

CATALOG = load_catalog(Path(__file__).resolve().parents[2] / "catalog")


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
