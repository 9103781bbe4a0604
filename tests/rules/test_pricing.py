"""Pricing: quote lines, rounding per currency, quantity tiers, and money helpers, all in Decimal."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from decimal import Decimal, localcontext

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from rules.expr import parse
from rules.model import (
    Attribute,
    AttributeKind,
    Brand,
    Localized,
    Option,
    PriceRule,
    ProductModel,
    QuantityTier,
    TextLimits,
    Value,
)
from rules.money import MoneyError, from_minor, known_currencies, minor_units, round_money, to_minor
from rules.pricing import (
    CurrencyNotOfferedError,
    InvalidQuantityError,
    MissingPriceError,
    PriceRuleError,
    PricingError,
    UnknownCurrencyError,
    design_env,
    quote,
)
from rules.results import PriceLine, Quote

D = Decimal
CURRENCIES = ("EUR", "USD", "JPY", "KWD")


def money(eur: str, usd: str, jpy: str, kwd: str) -> dict[str, Decimal]:
    return {"EUR": D(eur), "USD": D(usd), "JPY": D(jpy), "KWD": D(kwd)}


def label(en: str, fr: str | None = None) -> Localized:
    return Localized({"en": en, "fr": fr or en})


BRAND = Brand(
    key="northwind-crafts",
    label=label("Northwind Crafts"),
    currencies=CURRENCIES,
    palette={"white": "#FFFFFF", "ink": "#1B1F3B", "gold": "#C9A227"},
    prices_include_tax=True,
    rounding="half_up",
)

ATTRIBUTES = (
    Attribute(
        "colour",
        AttributeKind.COLOUR,
        label("Glaze", "Émail"),
        options=(
            Option("white", label("White", "Blanc")),
            Option("ink", label("Ink", "Encre")),
            Option("gold", label("Gold", "Or"), price=money("1.00", "1.20", "150", "0.300")),
        ),
        default="white",
    ),
    Attribute(
        "material",
        AttributeKind.CHOICE,
        label("Material", "Matière"),
        options=(
            Option("ceramic", label("Ceramic", "Céramique")),
            Option("enamel", label("Enamel", "Émail"), price=money("2.00", "2.50", "300", "0.750")),
            Option("stoneware", label("Stoneware", "Grès"), price=money("0", "0", "0", "0")),
        ),
        default="ceramic",
    ),
    Attribute(
        "extras",
        AttributeKind.MULTI,
        label("Extras", "Options"),
        options=(
            Option("lid", label("Lid", "Couvercle"), price=money("1.50", "1.80", "200", "0.450")),
            Option("sleeve", label("Sleeve", "Manchon"), price=money("0.99", "1.10", "120", "0.299")),
            Option("sticker", label("Sticker", "Autocollant")),
        ),
        default=frozenset(),
    ),
    Attribute(
        "width",
        AttributeKind.NUMBER,
        label("Width", "Largeur"),
        default=100,
        minimum=60,
        maximum=300,
        step=10,
    ),
    Attribute(
        "engraving",
        AttributeKind.TEXT,
        label("Engraving", "Gravure"),
        default="",
        required=False,
        text=TextLimits(max_length=40, max_lines=2, price_per_char=money("0.25", "0.30", "30", "0.075")),
    ),
    Attribute("gift_box", AttributeKind.BOOLEAN, label("Gift box", "Coffret cadeau"), default=False),
)

MUG = ProductModel(
    key="engraved-mug",
    label=label("Engraved mug", "Mug gravé"),
    brand=BRAND,
    base_price=money("14.00", "16.00", "2000", "4.250"),
    attributes=ATTRIBUTES,
    constraints=(),
    price_rules=(
        # How the loader lowers `gift_box: {type: boolean, price: ...}`.
        PriceRule(
            label("Gift box", "Coffret cadeau"),
            when=parse("gift_box"),
            add=money("3.00", "3.50", "400", "0.900"),
        ),
        PriceRule(
            label("Gold on enamel", "Or sur émail"),
            when=parse('colour == "gold" and material == "enamel"'),
            add=money("2.00", "2.40", "250", "0.600"),
        ),
        PriceRule(
            label("Long engraving", "Gravure longue"),
            when=parse("engraving.length > 10"),
            add=money("1.00", "1.00", "100", "0.250"),
        ),
        PriceRule(
            label("Size", "Taille"),
            formula={
                "EUR": parse("(width - 60) * 3 / 70"),
                "USD": parse("(width - 60) * 3.5 / 70"),
                "JPY": parse("(width - 60) * 500 / 70"),
                "KWD": parse("(width - 60) * 1 / 70"),
            },
        ),
    ),
    quantity_tiers=(QuantityTier(10, D(5)), QuantityTier(50, D("12.5"))),
)

DEFAULTS: dict[str, Value] = {a.key: a.default for a in ATTRIBUTES} | {"width": 60}


def design(**picks: Value) -> dict[str, Value]:
    return DEFAULTS | picks


def lines_of(q: Quote, kind: str | None = None) -> list[tuple[str, Decimal]]:
    return [(line.label.get("en"), line.amount) for line in q.lines if kind is None or line.kind == kind]


def with_rounding(model: ProductModel, rounding: str) -> ProductModel:
    return dataclasses.replace(model, brand=dataclasses.replace(model.brand, rounding=rounding))


# --- lines --------------------------------------------------------------------------------------


def test_the_default_design_costs_the_base_price() -> None:
    q = quote(MUG, design(), 1, "EUR")
    assert q.lines == (PriceLine("base", MUG.label, D("14.00")),)
    assert (q.currency, q.quantity, q.unit_price, q.total) == ("EUR", 1, D("14.00"), D("14.00"))
    assert q.tax_included is True
    assert q.extra == {"rounding": "half_up"}


def test_each_chosen_option_adds_one_line_named_after_attribute_and_option() -> None:
    q = quote(
        MUG,
        design(colour="gold", material="enamel", extras=frozenset({"sleeve", "lid", "sticker"})),
        1,
        "EUR",
    )
    assert lines_of(q, "option") == [
        ("Glaze: Gold", D("1.00")),
        ("Material: Enamel", D("2.00")),
        ("Extras: Lid", D("1.50")),  # catalog order, whatever the set's order
        ("Extras: Sleeve", D("0.99")),
    ]
    assert q.lines[1].label.get("fr") == "Émail : Or"
    assert [line.attribute for line in q.lines if line.kind == "option"] == [
        "colour",
        "material",
        "extras",
        "extras",
    ]


def test_options_without_a_price_or_priced_at_zero_add_no_line() -> None:
    q = quote(MUG, design(material="stoneware", extras=frozenset({"sticker"})), 1, "EUR")
    assert lines_of(q) == [("Engraved mug", D("14.00"))]


def test_a_boolean_costs_its_price_only_when_true() -> None:
    assert lines_of(quote(MUG, design(gift_box=True), 1, "EUR"), "adjustment") == [("Gift box", D("3.00"))]
    assert lines_of(quote(MUG, design(gift_box=False), 1, "EUR"), "adjustment") == []
    assert lines_of(quote(MUG, design(gift_box=None), 1, "EUR"), "adjustment") == []  # does not apply


def test_text_is_priced_per_grapheme_without_whitespace_with_the_count_in_the_label() -> None:
    q = quote(MUG, design(engraving="Anna & Ben\nfor ever 👩‍👩‍👧"), 1, "EUR")
    (line,) = [line for line in q.lines if line.kind == "text"]
    # A n n a & B e n f o r e v e r + one family emoji = 16 (spaces and the line break are free)
    assert (line.amount, line.attribute) == (D("4.00"), "engraving")
    assert line.label.get("en") == "Engraving: 16 characters"
    assert line.label.get("fr") == "Gravure : 16 caractères"


def test_one_character_is_singular_and_blank_text_is_free() -> None:
    (line,) = [line for line in quote(MUG, design(engraving=" A "), 1, "EUR").lines if line.kind == "text"]
    assert line.label.get("en") == "Engraving: 1 character"
    assert line.label.get("fr") == "Gravure : 1 caractère"
    assert lines_of(quote(MUG, design(engraving="  \n "), 1, "EUR"), "text") == []
    assert lines_of(quote(MUG, design(engraving=""), 1, "EUR"), "text") == []


def test_decomposed_accents_cost_the_same_as_composed_ones() -> None:
    composed = quote(MUG, design(engraving="Noël"), 1, "EUR")
    decomposed = quote(MUG, design(engraving="Noe\u0308l"), 1, "EUR")
    assert composed.total == decomposed.total == D("15.00")


def test_an_adjustment_applies_when_its_condition_holds() -> None:
    gold_enamel = quote(MUG, design(colour="gold", material="enamel"), 1, "EUR")
    assert ("Gold on enamel", D("2.00")) in lines_of(gold_enamel, "adjustment")
    assert gold_enamel.unit_price == D("14.00") + D("1.00") + D("2.00") + D("2.00")
    gold_ceramic = quote(MUG, design(colour="gold"), 1, "EUR")
    assert lines_of(gold_ceramic, "adjustment") == []


def test_conditions_see_a_text_as_its_length_in_graphemes() -> None:
    env = design_env(MUG, design(engraving="👩‍👩‍👧" * 11))
    assert env["engraving"] == 11
    assert "Long engraving" in [
        name for name, _ in lines_of(quote(MUG, design(engraving="👍" * 11), 1, "EUR"))
    ]
    # eleven code points, but only five characters
    short = "e\u0301" * 5 + "a"
    assert "Long engraving" not in [
        name for name, _ in lines_of(quote(MUG, design(engraving=short), 1, "EUR"))
    ]


def test_design_env_gives_every_attribute_and_none_where_missing() -> None:
    env = design_env(MUG, {"colour": "ink", "ghost": "x"})
    assert set(env) == {a.key for a in ATTRIBUTES}
    assert env["colour"] == "ink"
    assert env["material"] is None


def test_a_formula_is_evaluated_in_decimal_and_rounded_per_currency() -> None:
    eur = quote(MUG, design(width=160), 1, "EUR")
    assert lines_of(eur, "formula") == [("Size", D("4.29"))]  # 100 * 3 / 70 = 4.2857...
    assert lines_of(quote(MUG, design(width=160), 1, "JPY"), "formula") == [("Size", D("714"))]  # 714.28...
    assert lines_of(quote(MUG, design(width=160), 1, "KWD"), "formula") == [("Size", D("1.429"))]
    assert lines_of(quote(MUG, design(width=60), 1, "EUR"), "formula") == []  # zero: no line


def test_a_formula_over_an_attribute_that_does_not_apply_adds_nothing() -> None:
    assert lines_of(quote(MUG, design(width=None), 1, "EUR"), "formula") == []


def test_lines_come_in_a_stable_order() -> None:
    q = quote(
        MUG, design(colour="gold", material="enamel", engraving="Anna", gift_box=True, width=130), 10, "EUR"
    )
    assert [line.kind for line in q.lines] == [
        "base",
        "option",
        "option",
        "text",
        "adjustment",
        "adjustment",
        "formula",
        "tier",
    ]


# --- quantity tiers -----------------------------------------------------------------------------


def test_no_tier_below_the_first_threshold() -> None:
    q = quote(MUG, design(), 9, "EUR")
    assert lines_of(q, "tier") == []
    assert q.total == D("126.00")


def test_the_highest_reached_tier_applies_to_the_whole_quantity() -> None:
    ten = quote(MUG, design(), 10, "EUR")
    assert lines_of(ten, "tier") == [("10+ units: 5% off", D("-7.00"))]
    assert ten.lines[-1].label.get("fr") == "À partir de 10 unités : -5\u00a0%"
    assert (ten.unit_price, ten.total) == (D("14.00"), D("133.00"))
    fifty = quote(MUG, design(), 50, "EUR")
    assert lines_of(fifty, "tier") == [("50+ units: 12.5% off", D("-87.50"))]
    assert fifty.total == D("612.50")


def test_tiers_are_found_whatever_their_order_in_the_model() -> None:
    shuffled = dataclasses.replace(MUG, quantity_tiers=tuple(reversed(MUG.quantity_tiers)))
    assert quote(shuffled, design(), 60, "EUR").total == quote(MUG, design(), 60, "EUR").total


def test_a_tier_discount_is_rounded_once_on_the_whole_quantity() -> None:
    # 0.99 * 11 * 5% = 0.5445 -> 0.54; rounding per unit would give 0.05 * 11 = 0.55
    cheap = dataclasses.replace(MUG, base_price=money("0.99", "1", "100", "1"), price_rules=())
    q = quote(cheap, design(), 11, "EUR")
    assert lines_of(q, "tier") == [("10+ units: 5% off", D("-0.54"))]
    assert q.total == D("10.35")


# --- rounding -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rounding", "expected"),
    [("half_up", D("0.13")), ("half_even", D("0.12"))],
)
def test_the_brand_rounding_mode_breaks_ties(rounding: str, expected: Decimal) -> None:
    tie = dataclasses.replace(
        with_rounding(MUG, rounding), base_price=money("0.125", "0", "0", "0"), price_rules=()
    )
    q = quote(tie, design(), 1, "EUR")
    assert q.unit_price == expected
    assert q.extra["rounding"] == rounding


def test_zero_and_three_decimal_currencies() -> None:
    jpy = quote(MUG, design(colour="gold", engraving="Anna"), 3, "JPY")
    assert (jpy.unit_price, jpy.total) == (D("2270"), D("6810"))
    assert all(line.amount.as_tuple().exponent == 0 for line in jpy.lines)
    kwd = quote(MUG, design(colour="gold", engraving="Anna"), 1, "KWD")
    assert kwd.unit_price == D("4.850")  # 4.250 + 0.300 + 4 * 0.075
    assert str(kwd.unit_price) == "4.850"


def test_the_callers_decimal_context_changes_nothing() -> None:
    expected = quote(MUG, design(colour="gold", width=290, engraving="Happy birthday"), 57, "EUR")
    with localcontext() as context:
        context.prec = 3
        context.rounding = "ROUND_DOWN"
        assert quote(MUG, design(colour="gold", width=290, engraving="Happy birthday"), 57, "EUR") == expected


# --- errors -------------------------------------------------------------------------------------


def test_the_currency_defaults_to_the_brands_first_and_ignores_case() -> None:
    assert quote(MUG, design()).currency == "EUR"
    assert quote(MUG, design(), 1, "usd").currency == "USD"


@pytest.mark.parametrize("currency", ["XYZ", "EURO", "", "€"])
def test_an_unknown_currency_is_refused(currency: str) -> None:
    with pytest.raises(UnknownCurrencyError) as raised:
        quote(MUG, design(), 1, currency)
    assert not isinstance(raised.value, CurrencyNotOfferedError)
    assert "ISO 4217" in str(raised.value)


def test_a_real_currency_the_brand_does_not_sell_in_is_refused_with_the_choices() -> None:
    with pytest.raises(CurrencyNotOfferedError) as raised:
        quote(MUG, design(), 1, "GBP")
    assert raised.value.currency == "GBP"
    assert raised.value.offered == CURRENCIES
    assert str(raised.value) == "this shop does not sell in GBP: choose one of EUR, USD, JPY, KWD"
    assert isinstance(raised.value, UnknownCurrencyError)  # one except clause catches both


@pytest.mark.parametrize("quantity", [0, -1, True, 1.5, "2", D(2)])
def test_a_quantity_must_be_a_whole_number_of_at_least_one(quantity: object) -> None:
    with pytest.raises(InvalidQuantityError):
        quote(MUG, design(), quantity, "EUR")  # type: ignore[arg-type]


def test_a_price_missing_in_the_currency_is_a_catalog_error() -> None:
    partial = dataclasses.replace(MUG, base_price={"EUR": D("14.00")})
    with pytest.raises(MissingPriceError, match="no amount in USD"):
        quote(partial, design(), 1, "USD")


def test_a_float_in_the_catalog_is_refused_not_converted() -> None:
    floaty = dataclasses.replace(MUG, base_price={"EUR": 14.1})  # type: ignore[dict-item]
    with pytest.raises(PricingError, match="float"):
        quote(floaty, design(), 1, "EUR")


class _Constant:
    """A stand-in expression returning a fixed value, to reach what the language never produces."""

    def __init__(self, value: object) -> None:
        self.value = value

    def evaluate(self, env: Mapping[str, object]) -> object:
        return self.value

    def references(self) -> frozenset[str]:
        return frozenset()


@pytest.mark.parametrize("value", [1.5, True, "12", float("nan")])
def test_a_formula_that_does_not_give_an_exact_amount_is_refused(value: object) -> None:
    rule = PriceRule(label("Odd"), formula={"EUR": _Constant(value)})  # type: ignore[dict-item]
    with pytest.raises(PriceRuleError, match="Odd"):
        quote(dataclasses.replace(MUG, price_rules=(rule,)), design(), 1, "EUR")


def test_a_condition_that_is_not_true_or_false_is_refused() -> None:
    rule = PriceRule(label("Odd"), when=_Constant(1), add=money("1", "1", "1", "1"))  # type: ignore[arg-type]
    with pytest.raises(PriceRuleError, match="not true or false"):
        quote(dataclasses.replace(MUG, price_rules=(rule,)), design(), 1, "EUR")


def test_a_formula_dividing_by_zero_has_no_value_and_its_line_is_left_off() -> None:
    rule = PriceRule(label("Per metre"), formula={c: parse("100 / (width - 60)") for c in CURRENCIES})
    priced = quote(dataclasses.replace(MUG, price_rules=(rule,)), design(width=60), 1, "EUR")
    assert lines_of(priced, "formula") == []
    priced = quote(dataclasses.replace(MUG, price_rules=(rule,)), design(width=80), 1, "EUR")
    assert lines_of(priced, "formula") == [("Per metre", Decimal("5.00"))]


def test_a_formula_missing_for_the_currency_is_a_catalog_error() -> None:
    rule = PriceRule(label("Size"), formula={"EUR": parse("width / 10")})
    with pytest.raises(MissingPriceError, match="no formula in USD"):
        quote(dataclasses.replace(MUG, price_rules=(rule,)), design(), 1, "USD")


def test_prices_that_add_up_below_zero_are_refused() -> None:
    rule = PriceRule(label("Too generous"), add=money("-20", "-20", "-3000", "-5"))
    with pytest.raises(PricingError, match="add up to"):
        quote(dataclasses.replace(MUG, price_rules=(rule,)), design(), 1, "EUR")


def test_an_unknown_rounding_mode_is_a_pricing_error() -> None:
    with pytest.raises(PricingError, match="rounding"):
        quote(with_rounding(MUG, "half_down"), design(), 1, "EUR")


def test_a_tier_above_one_hundred_percent_is_refused() -> None:
    silly = dataclasses.replace(MUG, quantity_tiers=(QuantityTier(2, D(150)),))
    with pytest.raises(PricingError, match="between 0 and 100"):
        quote(silly, design(), 2, "EUR")


# --- properties ---------------------------------------------------------------------------------

designs = st.fixed_dictionaries(
    {
        "colour": st.sampled_from(["white", "ink", "gold"]),
        "material": st.sampled_from(["ceramic", "enamel", "stoneware"]),
        "extras": st.frozensets(st.sampled_from(["lid", "sleeve", "sticker"])),
        "width": st.one_of(st.none(), st.integers(min_value=6, max_value=30).map(lambda n: n * 10)),
        "engraving": st.lists(
            st.sampled_from(["A", "é", "e\u0301", " ", "\n", "👍🏽", "👩‍👩‍👧", "&"]), max_size=40
        ).map("".join),
        "gift_box": st.booleans(),
    }
)


def _walk(value: object) -> list[object]:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [value, *(item for f in dataclasses.fields(value) for item in _walk(getattr(value, f.name)))]
    if isinstance(value, tuple | list):
        return [value, *(item for element in value for item in _walk(element))]
    if isinstance(value, dict):
        return [value, *(item for element in value.values() for item in _walk(element))]
    return [value]


@settings(max_examples=300)
@given(
    designs,
    st.integers(min_value=1, max_value=500),
    st.sampled_from(CURRENCIES),
    st.sampled_from(["half_up", "half_even"]),
)
def test_lines_add_up_to_the_total_exactly_and_no_float_ever_appears(
    picks: dict[str, Value], quantity: int, currency: str, rounding: str
) -> None:
    q = quote(with_rounding(MUG, rounding), picks, quantity, currency)
    per_unit = [line.amount for line in q.lines if line.kind != "tier"]
    whole = [line.amount for line in q.lines if line.kind == "tier"]
    # The rounding rule: every line is on the minor unit; unit = sum of per-unit lines;
    # total = unit * quantity + the tier line (on the whole quantity).
    assert q.unit_price == sum(per_unit, D(0))
    assert q.total == q.unit_price * quantity + sum(whole, D(0))
    for amount in [*per_unit, *whole, q.unit_price, q.total]:
        assert isinstance(amount, Decimal)
        assert amount == round_money(amount, currency, rounding)
        assert -amount.as_tuple().exponent <= minor_units(currency)  # type: ignore[operator]
    assert not any(isinstance(item, float) for item in _walk(q))
    assert q.total > 0
    assert len(whole) <= 1
    assert all(amount < 0 for amount in whole)


@given(designs, st.integers(min_value=1, max_value=120))
def test_more_of_the_same_costs_more_within_a_tier(picks: dict[str, Value], quantity: int) -> None:
    # Across a threshold it may not: 50 mugs at 12.5% off cost less than 49 at 5% (a tier cliff).
    assume(quantity + 1 not in {tier.min_quantity for tier in MUG.quantity_tiers})
    assert quote(MUG, picks, quantity + 1, "EUR").total > quote(MUG, picks, quantity, "EUR").total


def test_a_tier_threshold_is_a_cliff() -> None:
    assert quote(MUG, design(), 50, "EUR").total < quote(MUG, design(), 49, "EUR").total


# --- money helpers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("currency", "digits"),
    [("EUR", 2), ("USD", 2), ("GBP", 2), ("CHF", 2), ("JPY", 0), ("KRW", 0), ("CLP", 0), ("VND", 0),
     ("KWD", 3), ("BHD", 3), ("OMR", 3), ("TND", 3), ("CLF", 4)],
)  # fmt: skip
def test_minor_units_follow_iso_4217(currency: str, digits: int) -> None:
    assert minor_units(currency) == digits


@pytest.mark.parametrize("currency", ["eur", "XAU", "XXX", "ABC", "", 978])
def test_minor_units_of_an_unknown_code_is_a_specific_error(currency: object) -> None:
    with pytest.raises(UnknownCurrencyError):
        minor_units(currency)  # type: ignore[arg-type]


def test_the_currency_table_is_not_a_token_one() -> None:
    assert len(known_currencies()) > 150


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [(D("14.00"), "EUR", 1400), (D("14"), "EUR", 1400), (D("0.01"), "USD", 1), (D("1500"), "JPY", 1500),
     (D("1.250"), "KWD", 1250), (D("-2.50"), "EUR", -250), (D("0"), "KRW", 0)],
)  # fmt: skip
def test_to_minor_gives_what_payment_providers_want(amount: Decimal, currency: str, minor: int) -> None:
    assert to_minor(amount, currency) == minor
    assert from_minor(minor, currency) == amount


def test_to_minor_refuses_amounts_finer_than_the_minor_unit_and_floats() -> None:
    with pytest.raises(MoneyError, match="round it first"):
        to_minor(D("14.005"), "EUR")
    with pytest.raises(MoneyError, match="round it first"):
        to_minor(D("1500.5"), "JPY")
    with pytest.raises(MoneyError, match="float"):
        to_minor(14.0, "EUR")  # type: ignore[arg-type]
    with pytest.raises(MoneyError, match="finite"):
        to_minor(D("Infinity"), "EUR")


@given(st.integers(min_value=-(10**15), max_value=10**15), st.sampled_from(sorted(known_currencies())))
def test_minor_units_round_trip(minor: int, currency: str) -> None:
    amount = from_minor(minor, currency)
    assert isinstance(amount, Decimal)
    assert to_minor(amount, currency) == minor
    assert round_money(amount, currency, "half_even") == amount


@pytest.mark.parametrize(
    ("amount", "rounding", "expected"),
    [("2.345", "half_up", "2.35"), ("2.345", "half_even", "2.34"), ("2.355", "half_even", "2.36"),
     ("-2.345", "half_up", "-2.35"), ("-2.345", "half_even", "-2.34"), ("2.3449", "half_up", "2.34")],
)  # fmt: skip
def test_round_money_modes(amount: str, rounding: str, expected: str) -> None:
    assert round_money(D(amount), "EUR", rounding) == D(expected)


def test_round_money_refuses_an_unknown_mode() -> None:
    with pytest.raises(MoneyError, match="rounding mode"):
        round_money(D("1"), "EUR", "bankers")
