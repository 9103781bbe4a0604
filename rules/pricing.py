"""Pricing: a design, a quantity and a currency in, an exact quote with its lines out.

Rounding policy (all of it lives here and in `rules.money.round_money`):

* every line is rounded once, to the currency's minor unit, with the brand's mode (half_up or
  half_even), so each amount a shopper reads is one the payment provider can charge; a line that
  rounds to zero is left out (the base price always stays);
* `unit_price` is the sum of the per-unit lines (base, options, text, adjustments, formulas);
* a quantity tier is one negative line on the whole quantity: minus `percent_off` percent of
  `unit_price * quantity`, itself rounded once;
* `total = unit_price * quantity + tier line`, so the lines always add up to the total exactly.

No float ever enters: amounts in the model and the answer are `Decimal`, a formula's result is exact
(an int or a Fraction) until its line is rounded; a float is an error, not something to convert.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from fractions import Fraction

from rules.errors import EvaluationError
from rules.i18n import RULES, Percent
from rules.model import (
    Attribute,
    AttributeKind,
    Localized,
    Money,
    PriceRule,
    ProductModel,
    QuantityTier,
    Value,
    image_pick,
    number_value,
)
from rules.money import (
    MONEY_CONTEXT,
    ROUNDING_MODES,
    MoneyError,
    UnknownCurrencyError,
    check_amount,
    minor_units,
    round_money,
    to_minor,
)
from rules.results import PriceLine, Quote
from rules.text import grapheme_length, graphemes

__all__ = [
    "CurrencyNotOfferedError",
    "InvalidQuantityError",
    "MissingPriceError",
    "PriceRuleError",
    "PricingError",
    "UnknownCurrencyError",
    "design_env",
    "minor_units",
    "quote",
    "to_minor",
]

_HUNDRED = Decimal(100)


class PricingError(MoneyError):
    """A design cannot be priced; the message says what is wrong with the request or the catalog."""


class CurrencyNotOfferedError(UnknownCurrencyError, PricingError):
    """A real ISO 4217 currency that this brand does not sell in."""

    def __init__(self, currency: str, offered: tuple[str, ...]) -> None:
        self.offered = offered
        super().__init__(
            currency, f"this shop does not sell in {currency}: choose one of {', '.join(offered)}"
        )


class InvalidQuantityError(PricingError):
    """A quantity that is not a whole number of at least 1."""


class MissingPriceError(PricingError):
    """The catalog gives no amount in the requested currency for a price it needs."""


class PriceRuleError(PricingError):
    """A price rule's condition or formula cannot be evaluated on this design."""


def quote(
    model: ProductModel, design: Mapping[str, Value], quantity: int = 1, currency: str | None = None
) -> Quote:
    """Price one design: the lines, the unit price and the total, exact and rounded per currency.

    `design` holds the text itself for text attributes (this counts its graphemes); `currency` defaults
    to the brand's first. Raises `UnknownCurrencyError` (or its `CurrencyNotOfferedError`),
    `InvalidQuantityError`, `MissingPriceError` or `PriceRuleError`.
    """
    code = _currency(model, currency)
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise InvalidQuantityError(f"quantity must be a whole number of at least 1, not {quantity!r}")
    rounding = model.brand.rounding
    if rounding not in ROUNDING_MODES:
        raise PricingError(f"the brand's rounding {rounding!r} is not one of {', '.join(ROUNDING_MODES)}")

    def rounded(amount: Decimal | int | Fraction) -> Decimal:
        return round_money(amount, code, rounding)

    lines: list[PriceLine] = [
        PriceLine(
            "base", model.label, rounded(_amount(model.base_price, code, f"the base price of {model.key}"))
        )
    ]
    for attribute in model.attributes:
        lines.extend(_attribute_lines(attribute, design.get(attribute.key), code, rounded))
    env = design_env(model, design)
    for rule in model.price_rules:
        line = _rule_line(rule, env, code, rounded)
        if line is not None:
            lines.append(line)
    # A line at 0 (a formula at its smallest size, a free option) is noise; the base price always stays.
    lines = [line for line in lines if line.amount or line.kind == "base"]

    unit_price = _sum(line.amount for line in lines)
    if unit_price < 0:
        raise PricingError(f"the prices of this {model.key} add up to {unit_price} {code}; check the catalog")
    total = MONEY_CONTEXT.multiply(unit_price, Decimal(quantity))
    tier = _tier(model.quantity_tiers, quantity)
    if tier is not None:
        percent = check_amount(tier.percent_off, "a tier's percent_off")
        if not 0 <= percent <= _HUNDRED:
            raise PricingError(f"a quantity tier takes {percent} percent off; it must be between 0 and 100")
        discount = rounded(
            MONEY_CONTEXT.minus(MONEY_CONTEXT.divide(MONEY_CONTEXT.multiply(total, percent), _HUNDRED))
        )
        if discount:
            lines.append(PriceLine("tier", _tier_label(tier), discount))
            total = MONEY_CONTEXT.add(total, discount)
    return Quote(
        currency=code,
        quantity=quantity,
        lines=tuple(lines),
        unit_price=unit_price,
        total=total,
        tax_included=model.brand.prices_include_tax,
        extra={"rounding": rounding},
    )


def design_env(model: ProductModel, design: Mapping[str, Value]) -> dict[str, object]:
    """What expressions see of a design: every attribute key, a text as its length in graphemes."""
    env: dict[str, object] = {}
    for attribute in model.attributes:
        value = design.get(attribute.key)
        if attribute.kind is AttributeKind.TEXT and isinstance(value, str):
            env[attribute.key] = grapheme_length(value)
        elif attribute.kind is AttributeKind.IMAGE and value is not None:
            env[attribute.key] = 1 if image_pick(value) is not None else 0  # as the engine reads it
        elif attribute.kind is AttributeKind.NUMBER and value is not None:
            env[attribute.key] = number_value(value)  # 18.5 read from JSON is exactly 37/2
        else:
            env[attribute.key] = value
    return env


def chargeable_characters(text: str) -> int:
    """The graphemes a per-character price counts: every one but whitespace (spaces, line breaks)."""
    return sum(1 for grapheme in graphemes(text) if not grapheme.isspace())


def _currency(model: ProductModel, currency: str | None) -> str:
    offered = model.brand.currencies
    if currency is None:
        if not offered:
            raise UnknownCurrencyError(None, f"the brand {model.brand.key} lists no currency")
        currency = offered[0]
    if not isinstance(currency, str):
        raise UnknownCurrencyError(currency)
    code = currency.strip().upper()  # Stripe and browsers say "eur"; ISO says "EUR"
    minor_units(code)  # raises UnknownCurrencyError for anything that is not ISO 4217
    if code not in offered:
        raise CurrencyNotOfferedError(code, offered)
    return code


def _amount(money: Money | None, currency: str, what: str) -> Decimal:
    if money is None or currency not in money:
        raise MissingPriceError(f"{what} has no amount in {currency}")
    try:
        return check_amount(money[currency], what)
    except MoneyError as error:
        raise PricingError(str(error)) from error


def _attribute_lines(
    attribute: Attribute, value: Value, currency: str, rounded: Callable[[Decimal], Decimal]
) -> list[PriceLine]:
    if value is None:
        return []
    if attribute.kind is AttributeKind.TEXT:
        return _text_lines(attribute, value, currency, rounded)
    if attribute.kind is AttributeKind.IMAGE:
        spec = attribute.image
        if spec is None or not spec.price or image_pick(value) is None:
            return []
        amount = rounded(_amount(spec.price, currency, f"the price of the image {attribute.key}"))
        return [PriceLine("image", attribute.label, amount, attribute.key)]
    # Choice, colour and multi carry option prices; a boolean's price reaches us as a price rule
    # `when: <boolean>` (the loader lowers it), and a number's through formulas.
    if isinstance(value, frozenset):
        chosen = [option for option in attribute.options if option.key in value]  # catalog order
    elif isinstance(value, str):
        chosen = [option for option in attribute.options if option.key == value]
    else:
        chosen = []
    lines = []
    for option in chosen:
        if not option.price:
            continue
        amount = rounded(_amount(option.price, currency, f"the option {attribute.key} = {option.key}"))
        lines.append(PriceLine("option", _join(attribute.label, option.label), amount, attribute.key))
    return lines


def _text_lines(
    attribute: Attribute, value: Value, currency: str, rounded: Callable[[Decimal], Decimal]
) -> list[PriceLine]:
    limits = attribute.text
    if limits is None or not limits.price_per_char or not isinstance(value, str):
        return []
    count = chargeable_characters(value)
    if count == 0:
        return []
    per_char = _amount(limits.price_per_char, currency, f"the price per character of {attribute.key}")
    amount = rounded(MONEY_CONTEXT.multiply(per_char, Decimal(count)))
    return [PriceLine("text", _count_label(attribute.label, count), amount, attribute.key)]


def _rule_line(
    rule: PriceRule,
    env: Mapping[str, object],
    currency: str,
    rounded: Callable[[Decimal | int | Fraction], Decimal],
) -> PriceLine | None:
    name = rule.label.get()
    if rule.when is not None:
        holds = _evaluate(rule.when, env, name)
        if holds is None or holds is False:
            return None
        if holds is not True:
            raise PriceRuleError(
                f"the condition of the price rule {name!r} gave {holds!r}, not true or false"
            )
    if rule.add is not None:
        return PriceLine(
            "adjustment", rule.label, rounded(_amount(rule.add, currency, f"the price rule {name!r}"))
        )
    if rule.formula is not None:
        expression = rule.formula.get(currency)
        if expression is None:
            raise MissingPriceError(f"the price rule {name!r} has no formula in {currency}")
        result = _evaluate(expression, env, name)
        if result is None:
            return None  # no value (a number it reads does not apply, or a division by zero): no line
        if isinstance(result, bool) or not isinstance(result, Decimal | int | Fraction):
            raise PriceRuleError(f"the formula of {name!r} gave {result!r}, not an amount")
        # Exact until here: the one rounding of the line is from the formula's exact value.
        return PriceLine("formula", rule.label, rounded(result))
    if rule.table is not None:
        amounts = rule.table.amounts(env)
        if amounts is None:
            return None  # a combination the table does not price: no line (rules check warns)
        return PriceLine(
            "table", rule.label, rounded(_amount(amounts, currency, f"the price table {name!r}"))
        )
    raise PriceRuleError(f"the price rule {name!r} has neither add, formula nor table")


def _evaluate(expression: object, env: Mapping[str, object], name: str) -> object:
    evaluate = getattr(expression, "evaluate", None)
    if evaluate is None:
        raise PriceRuleError(f"the price rule {name!r} holds {expression!r}, not an expression")
    try:
        return evaluate(env)
    except (EvaluationError, ArithmeticError) as error:
        raise PriceRuleError(f"the price rule {name!r} cannot be evaluated: {error}") from error


def _tier(tiers: tuple[QuantityTier, ...], quantity: int) -> QuantityTier | None:
    eligible = [tier for tier in tiers if tier.min_quantity <= quantity]
    return max(eligible, key=lambda tier: tier.min_quantity, default=None)


def _sum(amounts: Iterable[Decimal]) -> Decimal:
    total = Decimal(0)
    for amount in amounts:
        total = MONEY_CONTEXT.add(total, amount)
    return total


def _join(attribute: Localized, option: Localized) -> Localized:
    # Translators: a price line, an option's price: "Colour: Gold".
    return RULES.localized("{attribute}: {option}", attribute=attribute, option=option)


def _count_label(label: Localized, count: int) -> Localized:
    # Translators: a price line, a text priced per character: "Engraving: 5 characters".
    return RULES.localized_plural("{label}: {n} character", "{label}: {n} characters", count, label=label)


def _tier_label(tier: QuantityTier) -> Localized:
    # Translators: a price line, a discount for quantity: "10+ units: 15% off".
    return RULES.localized(
        "{quantity}+ units: {percent} off", quantity=tier.min_quantity, percent=Percent(tier.percent_off)
    )


def _plain(number: Decimal) -> str:
    # 12.50 -> "12.5", 10 -> "10" (never "1E+1")
    return format(number.normalize(MONEY_CONTEXT), "f")
