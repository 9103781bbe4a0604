"""One step of configuring a product: what the shopper picked, and the one design that comes of it.

The meaning is written for merchants and integrators in docs/session.md. In short:

- the shopper's picks hold, except a pick on an attribute whose condition fails, which is set aside
  (kept by the client, and back in force as soon as the condition holds again);
- every other attribute takes the merchant's default, changed as little as possible so that the
  design is valid (`Product.complete`); a conditional attribute takes its default when it applies;
- when the picks clash, a smallest set of them is named, and the rest is answered as if those were
  not made, so only the options involved are greyed;
- the design is what is shown, priced, previewed, saved, carted and ordered, and each attribute says
  where its value comes from.

>>> from pathlib import Path
>>> from rules.product import load_catalog
>>> mug = load_catalog(Path(__file__).parent.parent / "catalog").products["engraved-mug"]
>>> step = settle(mug, {"engraving": "", "font": "script"})
>>> step.sources["font"], step.design["font"], step.valid
(<Source.SET_ASIDE: 'set_aside'>, None, True)
>>> step = settle(mug, {"engraving": "Sam", "font": "script"})
>>> step.sources["font"], step.sources["colour"], step.design["font"]
(<Source.PICKED: 'picked'>, <Source.DEFAULT: 'default'>, 'script')
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from rules.model import Attribute, AttributeKind, Value
from rules.product import Product
from rules.results import AttributeState, Domains, Violation


class Source(StrEnum):
    """Where an attribute's value in the design comes from."""

    PICKED = "picked"  # the shopper's own pick, in force
    DEFAULT = "default"  # the merchant's default
    FORCED = "forced"  # the only value the shopper's picks allow
    ADJUSTED = "adjusted"  # the default could not be kept: the nearest valid value instead
    SET_ASIDE = "set_aside"  # picked, but the attribute does not apply now (the pick comes back)
    NOT_APPLICABLE = "not_applicable"  # does not apply in this design, and was not picked


@dataclass(frozen=True)
class Settled:
    """The answer to one step: the design, where each value comes from, and what is still possible."""

    picks: Mapping[str, Value]  # the shopper's picks as given (set-aside ones included)
    design: Mapping[str, Value]  # the one design: None where an attribute does not apply
    sources: Mapping[str, Source]
    applies: Mapping[str, bool]  # whether each attribute applies in the design
    domains: Domains  # what each attribute can still take, given the picks
    violations: tuple[Violation, ...]  # what the design breaks (clashing picks first)

    @property
    def clash(self) -> tuple[str, ...]:
        """A smallest set of picks that cannot hold together; empty when they can."""
        return self.domains.clash

    @property
    def valid(self) -> bool:
        """The design breaks no rule: it can be priced as final, previewed and ordered."""
        return self.domains.consistent and not self.violations


def settle(
    product: Product, picks: Mapping[str, Value], *, explain: bool = True, count: bool = False
) -> Settled:
    """The design the picks stand for, with its domains and what it breaks (None picks are no picks)."""
    picks = {key: value for key, value in picks.items() if value is not None}
    domains = product.domains(picks, explain=explain, count=count)
    design = product.complete(picks)
    applies = product.applicability(design)
    sources = {
        a.key: _source(a, picks, design, applies[a.key], domains.attributes.get(a.key))
        for a in product.model.attributes
    }
    violations: list[Violation] = list(domains.violations)
    for violation in product.validate(design):
        if violation not in violations:
            violations.append(violation)
    return Settled(picks, design, sources, applies, domains, tuple(violations))


def _source(
    attribute: Attribute,
    picks: Mapping[str, Value],
    design: Mapping[str, Value],
    applies: bool,
    state: AttributeState | None,
) -> Source:
    key = attribute.key
    if not applies:
        return Source.SET_ASIDE if key in picks else Source.NOT_APPLICABLE
    if key in picks:
        return Source.PICKED
    value = design.get(key)
    if state is not None and attribute.kind is not AttributeKind.MULTI and state.options:
        available = [option.key for option in state.options if option.available]
        if available == [value]:
            return Source.FORCED
    default = attribute.default
    if default is None and attribute.kind in (AttributeKind.TEXT, AttributeKind.IMAGE):
        default = ""
    if default is None and attribute.kind is AttributeKind.MULTI:
        default = frozenset()
    return Source.DEFAULT if value == default else Source.ADJUSTED
