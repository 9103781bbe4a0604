"""The cheapest valid design of a product: what a catalog's "from" price must mean.

A base price alone is no "from" price: rules may forbid the cheap options together (the demo curtain's
smallest size in its cheapest fabric needs a lining that costs more), and formulas multiply sizes. Prices
are arbitrary expressions of the design, so the search walks designs the engine knows to be valid:

1. starting points: the default design, and for every option of every attribute the design nearest
   to the defaults that has it (`Product.complete`);
2. from the cheapest of them, a descent: change one attribute at a time to any value the engine still
   allows with all the others kept, as long as the total drops.

Texts stay as the defaults have them and no photo is added: a shopper pays for what they write. The
answer is exact when prices add up option by option, and whenever lowering one choice at a time reaches
the minimum (formulas that grow with each number, as sizes do); tests/rules/test_cheapest.py checks it
against every design of the demo products small enough to enumerate.

>>> from pathlib import Path
>>> from rules.product import load_catalog
>>> bottle = load_catalog(Path(__file__).parent.parent / "catalog").products["name-bottle"]
>>> design, price = cheapest(bottle, "EUR")
>>> bottle.validate(design), price.total <= bottle.price(bottle.defaults(), 1, "EUR").total
([], True)
"""

from __future__ import annotations

from rules.model import AttributeKind, Value
from rules.product import Product
from rules.results import Quote

MAX_ROUNDS = 100  # each round lowers the total: far more than any product needs, a bound all the same


def cheapest(product: Product, currency: str) -> tuple[dict[str, Value], Quote]:
    """The cheapest valid design found (see the module's note) and its quote for one unit."""
    single = [a for a in product.model.attributes if a.kind not in (AttributeKind.TEXT, AttributeKind.IMAGE)]
    starts = [product.complete({})]
    for attribute in single:
        state = product.domains({}, explain=False).attributes[attribute.key]
        for option in state.options:
            if option.available and attribute.kind is not AttributeKind.MULTI:
                starts.append(product.complete({attribute.key: option.key}))
    priced = [(product.price(d, 1, currency), d) for d in starts if not product.validate(d)]
    if not priced:
        design = starts[0]
        return design, product.price(design, 1, currency)
    best_quote, best = min(priced, key=lambda pair: pair[0].total)
    for _ in range(MAX_ROUNDS):
        picks = {k: v for k, v in best.items() if v is not None and product.model.attribute(k) in single}
        domains = product.domains(picks, explain=False)
        moves: list[tuple[Quote, dict[str, Value]]] = []
        for attribute in single:
            if attribute.kind is AttributeKind.MULTI:
                continue
            for option in domains.attributes[attribute.key].options:
                if option.available and option.key != best.get(attribute.key):
                    moved = product.complete({**picks, attribute.key: option.key})
                    if not product.validate(moved):
                        moves.append((product.price(moved, 1, currency), moved))
        cheaper = [move for move in moves if move[0].total < best_quote.total]
        if not cheaper:
            break
        best_quote, best = min(cheaper, key=lambda pair: pair[0].total)
    return best, best_quote
