"""What making one design takes: its SKU, bill of materials, lead time and weight, from the
production data of the product, its chosen options and its ticked boxes (`rules.model.Production`).

The SKU joins the product's code and the chosen options' codes with "-", in attribute order
(TABLE-WAL-220-EXT); parts with the same code are added up; the lead time is the longest of them;
weights are added, with the product's `weight_formula` (kilograms from number attributes).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from rules.errors import EvaluationError
from rules.model import AttributeKind, Part, Production, ProductModel, Value
from rules.pricing import design_env

_GRAMS_PER_KILOGRAM = 1000


@dataclass(frozen=True)
class Making:
    """What the workshop makes and the shipper sends for one unit of a design."""

    sku: str | None
    parts: tuple[Part, ...]
    lead_days: int | None
    weight_grams: Decimal | None

    def ships_by(self, ordered: date) -> date | None:
        """The day a unit ordered on `ordered` is made and sent, when a lead time is known."""
        return ordered + timedelta(days=self.lead_days) if self.lead_days is not None else None

    def as_json(self) -> dict[str, object]:
        """As orders store it: amounts as plain decimal text, never floats."""
        return {
            "sku": self.sku,
            "parts": [{"part": p.code, "quantity": format(p.quantity.normalize(), "f")} for p in self.parts],
            "lead_days": self.lead_days,
            "weight_grams": format(self.weight_grams.normalize(), "f")
            if self.weight_grams is not None
            else None,
        }


def making(model: ProductModel, design: Mapping[str, Value]) -> Making:
    """The SKU, parts, lead time and weight of one unit of `design`."""
    sources = [model.production, *_chosen(model, design)]
    codes = [p.sku for p in sources if p.sku]
    parts: dict[str, Decimal] = {}
    for production in sources:
        for part in production.parts:
            parts[part.code] = parts.get(part.code, Decimal(0)) + part.quantity
    leads = [p.lead_days for p in sources if p.lead_days is not None]
    weights = [p.weight_grams for p in sources if p.weight_grams is not None]
    formula = _formula_grams(model, design)
    if formula is not None:
        weights.append(formula)
    return Making(
        sku="-".join(codes) if codes else None,
        parts=tuple(Part(code, quantity) for code, quantity in parts.items()),
        lead_days=max(leads) if leads else None,
        weight_grams=sum(weights, Decimal(0)) if weights else None,
    )


def _chosen(model: ProductModel, design: Mapping[str, Value]) -> Iterator[Production]:
    for attribute in model.attributes:
        value = design.get(attribute.key)
        if attribute.kind is AttributeKind.BOOLEAN:
            if value is True and attribute.production:
                yield attribute.production
            continue
        chosen = value if isinstance(value, frozenset) else {value}
        for option in attribute.options:
            if option.key in chosen and option.production:
                yield option.production


def _formula_grams(model: ProductModel, design: Mapping[str, Value]) -> Decimal | None:
    """The weight formula's kilograms, in grams to the milligram; None where it has no value (a
    number it reads does not apply)."""
    if model.weight_formula is None:
        return None
    try:
        kilograms = model.weight_formula.evaluate(design_env(model, design))
    except (EvaluationError, ArithmeticError):
        return None
    if (
        kilograms is None
        or isinstance(kilograms, bool)
        or not isinstance(kilograms, int | Fraction | Decimal)
    ):
        return None
    grams = Fraction(kilograms) * _GRAMS_PER_KILOGRAM
    return (Decimal(grams.numerator) / Decimal(grams.denominator)).quantize(Decimal("0.001")).normalize()
