"""Every design of a small product, for tests that check the engine against enumeration."""

from __future__ import annotations

import itertools

from rules.model import AttributeKind, Value
from rules.product import Product


def every_design(product: Product) -> list[dict[str, Value]]:
    """Every combination of values (texts empty, no photo; None for a conditional attribute)."""
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
