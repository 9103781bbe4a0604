"""What the engine answers: plain immutable values, ready to serialise."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from rules.model import Localized, SourceRef, Value


@dataclass(frozen=True)
class RuleRef:
    """A rule named in an answer: its id, its message and where it was written."""

    id: str
    message: Localized
    origin: str = "product"  # "product" or "brand"
    source: SourceRef | None = None


@dataclass(frozen=True)
class Reason:
    """Why an option is greyed out: the current picks that stand in its way and the rules that say so.

    `picks` is a smallest set of picked attributes to change for the option to become possible;
    empty when no design at all can have the option (the option is dead in this product).
    """

    picks: tuple[str, ...]
    rules: tuple[RuleRef, ...]


@dataclass(frozen=True)
class OptionState:
    key: str | int | Decimal | bool
    available: bool
    reason: Reason | None = None


@dataclass(frozen=True)
class TextState:
    """What a text attribute still accepts given the other picks."""

    max_length: int  # graphemes allowed now (the rules may lower the attribute's own limit)
    may_be_empty: bool
    may_be_present: bool
    reason: Reason | None = None  # why max_length is below the attribute's own limit, or why absent


@dataclass(frozen=True)
class AttributeState:
    """One attribute's domain: for choice/colour/boolean/number, `options` lists every value;
    for multi, every option (available = it can be included); for text, see `text`."""

    key: str
    applies: bool | None  # True: must be set; False: cannot apply (its condition is false); None: depends
    picked: Value = None
    options: tuple[OptionState, ...] = ()
    text: TextState | None = None


@dataclass(frozen=True)
class Violation:
    """A broken rule in a design. `kind`: rule | table | text | missing | unknown | invalid.

    `message` is for shoppers; `detail` and `position` are for integrators: for a text problem, the
    code point of a character the message says in words, and where it stands (graphemes, 0-based).
    """

    kind: str
    attributes: tuple[str, ...]
    message: Localized
    rule: RuleRef | None = None
    detail: str | None = None
    position: int | None = None


@dataclass(frozen=True)
class Domains:
    attributes: dict[str, AttributeState]
    consistent: bool  # the picks can still be completed into a valid design
    violations: tuple[Violation, ...] = ()  # when not consistent: what the picks break
    remaining: int | None = None  # valid designs agreeing with the picks, when asked for
    clash: tuple[str, ...] = ()  # when not consistent: a smallest set of picked attributes that clash


@dataclass(frozen=True)
class Change:
    attribute: str
    old: Value
    new: Value


@dataclass(frozen=True)
class Repair:
    """The fewest other picks to change so that `attribute = value` becomes possible."""

    attribute: str
    value: Value
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class PriceLine:
    kind: str  # base | option | adjustment | formula | table | text | tier | rounding
    label: Localized
    amount: Decimal  # per unit, except kind "tier" which applies to the whole quantity
    attribute: str | None = None


@dataclass(frozen=True)
class Quote:
    currency: str
    quantity: int
    lines: tuple[PriceLine, ...]
    unit_price: Decimal
    total: Decimal
    tax_included: bool = False
    extra: dict[str, str] = field(default_factory=dict)
