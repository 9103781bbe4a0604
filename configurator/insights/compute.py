"""Pure counting: which options a design or an event names, pairs with their lift, funnels and series.

Nothing here touches the database; services load rows and hand them over.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from itertools import combinations
from typing import Any

from rules.model import AttributeKind

MAX_TEXT = 100  # the width of the subject columns


class Kind(StrEnum):
    """What a stored count counts."""

    VIEWED = "viewed"  # product views (events)
    PICKED = "picked"  # picks of one option (events)
    REFUSED = "refused"  # tries of an option the rules excluded (events), once per try
    BLOCKED = "blocked"  # the same tries, credited to each rule of the conflict that excluded them
    ORDERED = "ordered"  # paid order lines whose design has the option (orders, any consent)
    DESIGNS = "designs"  # paid order lines of the product: the base of option shares and lift
    PAIR = "pair"  # paid order lines whose design has both options
    ORDERS = "orders"  # paid orders with a line of the product
    UNITS = "units"  # units in those lines
    FUNNEL = "funnel"  # shoppers reaching a stage (in `option`) for the first time that day


class Stage(StrEnum):
    VIEWED = "viewed"
    CONFIGURED = "configured"
    SAVED = "saved"
    CARTED = "carted"
    ORDERED = "ordered"


# The event types that put a shopper at a stage of the funnel.
STAGE_EVENTS: dict[Stage, tuple[str, ...]] = {
    Stage.VIEWED: ("product_viewed",),
    Stage.CONFIGURED: ("option_picked",),
    Stage.SAVED: ("design_saved", "design_remixed"),
    Stage.CARTED: ("added_to_cart",),
    Stage.ORDERED: ("ordered",),
}
# A shopper has reached a stage once they did anything of it or of a later stage: one who saves a
# design has configured and viewed it, even if the view came before their consent (and was not
# kept). Each stage then counts a subset of the shoppers of the stage before: the funnel never rises.
REACHED_BY: dict[Stage, tuple[str, ...]] = {
    stage: tuple(t for later in list(Stage)[index:] for t in STAGE_EVENTS[later])
    for index, stage in enumerate(Stage)
}

# Attributes whose values are options; free text and photos are the shopper's own and never counted.
COUNTED_KINDS = frozenset(
    {
        AttributeKind.CHOICE,
        AttributeKind.COLOUR,
        AttributeKind.MULTI,
        AttributeKind.BOOLEAN,
        AttributeKind.NUMBER,
    }
)


def option_text(value: Any) -> str:
    """One option as stored: keys as they are, booleans and numbers as JSON writes them.

    >>> option_text("gold"), option_text(True), option_text(12)
    ('gold', 'true', '12')
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)[:MAX_TEXT]


def option_texts(kind: AttributeKind | None, value: Any) -> list[str]:
    """The options a value names: none for text, photos, unknown attributes and empty values; each
    element of a multiple choice.

    >>> option_texts(AttributeKind.MULTI, ["lid", "box"]), option_texts(AttributeKind.TEXT, "Sam")
    (['box', 'lid'], [])
    """
    if kind not in COUNTED_KINDS or value is None or value == "":
        return []
    if isinstance(value, list | tuple | set | frozenset):
        return sorted({option_text(v) for v in value if v is not None and not isinstance(v, dict | list)})
    if isinstance(value, dict):
        return []
    return [option_text(value)]


def design_options(kinds: Mapping[str, AttributeKind], choices: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Every (attribute, option) a design has, in a stable order."""
    found = {
        (attribute[:MAX_TEXT], option)
        for attribute, value in choices.items()
        for option in option_texts(kinds.get(attribute), value)
    }
    return sorted(found)


def design_pairs(options: Sequence[tuple[str, str]]) -> list[tuple[str, str, str, str]]:
    """Each pair of options of two different attributes, the smaller (attribute, option) first.

    >>> design_pairs([("colour", "ink"), ("material", "enamel"), ("material", "ceramic")])
    [('colour', 'ink', 'material', 'ceramic'), ('colour', 'ink', 'material', 'enamel')]
    """
    return [(a[0], a[1], b[0], b[1]) for a, b in combinations(sorted(set(options)), 2) if a[0] != b[0]]


def lift(both: int, first: int, second: int, designs: int) -> float | None:
    """support(a, b) / (support(a) * support(b)); above 1 the options go together more than chance.

    >>> lift(2, 2, 2, 4)
    2.0
    >>> lift(0, 0, 3, 4) is None
    True
    """
    if not designs or not first or not second:
        return None
    return (both / designs) / ((first / designs) * (second / designs))


def days(last: date, count: int) -> list[date]:
    """The `count` days ending with `last`, oldest first."""
    return [last - timedelta(days=offset) for offset in range(count - 1, -1, -1)]


# --- the report --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OptionCount:
    option: str
    label: str
    picked: int
    refused: int
    ordered: int
    share: float | None  # of the ordered designs, those with this option


@dataclass(frozen=True)
class AttributePopularity:
    attribute: str
    label: str
    options: list[OptionCount]


@dataclass(frozen=True)
class Pair:
    attribute: str
    option: str
    other_attribute: str
    other_option: str
    count: int
    lift: float
    # What the merchant reads (the live version's labels; the key when the live version lacks it).
    attribute_label: str = ""
    option_label: str = ""
    other_attribute_label: str = ""
    other_option_label: str = ""


@dataclass(frozen=True)
class FunnelStep:
    stage: str
    shoppers: int
    rate: float | None  # of the first stage


@dataclass(frozen=True)
class Funnel:
    partner: str | None  # None: every channel together, or the shop's own storefront in a breakdown
    steps: list[FunnelStep]
    orders: int  # paid orders, with or without the shopper's consent


@dataclass(frozen=True)
class Blocked:
    rule: str
    message: str | None
    attribute: str
    option: str
    count: int
    attribute_label: str = ""
    option_label: str = ""


@dataclass(frozen=True)
class Trend:
    metric: str
    series: list[tuple[date, int]]
    total: int
    previous_total: int  # the window just before, for the change


def funnel(stage_counts: Mapping[str, int], orders: int, partner: str | None) -> Funnel:
    """The steps in order, each with its share of the shoppers who viewed the product."""
    first = stage_counts.get(Stage.VIEWED.value, 0)
    steps = [
        FunnelStep(
            stage.value,
            stage_counts.get(stage.value, 0),
            (stage_counts.get(stage.value, 0) / first) if first else None,
        )
        for stage in Stage
    ]
    return Funnel(partner, steps, orders)


def top_pairs(
    pair_counts: Mapping[tuple[str, str, str, str], int],
    ordered: Mapping[tuple[str, str], int],
    designs: int,
    limit: int,
    minimum: int,
) -> list[Pair]:
    """The pairs seen in at least `minimum` designs, strongest lift first, then the most common."""
    found = []
    for (a, o, b, p), both in pair_counts.items():
        value = lift(both, ordered.get((a, o), 0), ordered.get((b, p), 0), designs)
        if both >= minimum and value is not None:
            found.append(Pair(a, o, b, p, both, round(value, 4)))
    found.sort(
        key=lambda pair: (
            -pair.lift,
            -pair.count,
            pair.attribute,
            pair.option,
            pair.other_attribute,
            pair.other_option,
        )
    )
    return found[:limit]


def series(per_day: Mapping[date, int], window: Iterable[date]) -> list[tuple[date, int]]:
    """A count for every day of the window, zero where nothing happened."""
    return [(day, per_day.get(day, 0)) for day in window]
