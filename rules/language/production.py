"""Lowering production data (`sku`, `weight`, `lead_time`, `parts`) of a product, an option or a
boolean attribute into `rules.model.Production`. The shapes are checked already (fields.py): here
the units are read.

>>> grams("1.5 kg"), grams("250 g"), grams("2 lb"), lead_days("6 weeks"), lead_days("10 days")
(Decimal('1500'), Decimal('250'), Decimal('907.18474'), 42, 10)
"""

from __future__ import annotations

import re
from decimal import Decimal

from rules.language import fields as f
from rules.language.check import Fields, Report, check_table, measure
from rules.language.yamlsafe import Sequence
from rules.model import NO_PRODUCTION, Part, Production

# Grams per unit: the international avoirdupois pound and ounce are exact by definition.
_GRAMS = {"g": Decimal(1), "kg": Decimal(1000), "lb": Decimal("453.59237"), "oz": Decimal("28.349523125")}
_DAYS = {"day": 1, "days": 1, "week": 7, "weeks": 7}
_QUANTITY = re.compile(r"^([0-9]+(?:\.[0-9]+)?) ?([a-z]+)$")


def grams(text: str) -> Decimal:
    """A weight as written ("1.5 kg"), in grams, exactly."""
    found = _QUANTITY.match(text.strip())
    assert found is not None, text
    weight = Decimal(found.group(1)) * _GRAMS[found.group(2)]
    # Whole grams without an exponent (1500, not 1.5E+3); fractions of a gram as they are.
    return weight.quantize(Decimal(1)) if weight == weight.to_integral_value() else weight.normalize()


def lead_days(text: str) -> int:
    """A lead time as written ("6 weeks"), in calendar days."""
    found = _QUANTITY.match(text.strip())
    assert found is not None, text
    return int(found.group(1)) * _DAYS[found.group(2)]


def lower_production(fields: Fields, report: Report) -> Production:
    """The production data written in `fields` (checked already), or NO_PRODUCTION."""
    sku = fields.scalar("sku")
    weight = fields.scalar("weight")
    lead = fields.scalar("lead_time")
    parts: list[Part] = []
    node = fields.get("parts")
    if isinstance(node, Sequence):
        for index, item in enumerate(report.good(node.items), start=1):
            checked = check_table(item, f.PART, report, f"part {index} of `parts`")
            code = checked.scalar("part") if checked is not None else None
            if checked is None or code is None:
                continue
            quantity = checked.scalar("quantity")
            amount = Decimal(measure(quantity)) if quantity is not None else Decimal(1)
            parts.append(Part(code.text.strip(), amount))
    production = Production(
        sku=sku.text.strip() if sku is not None else None,
        weight_grams=grams(weight.text) if weight is not None else None,
        lead_days=lead_days(lead.text) if lead is not None else None,
        parts=tuple(parts),
    )
    return production if production else NO_PRODUCTION
