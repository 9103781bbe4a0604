"""Money: ISO 4217 minor units and the one place where amounts are rounded.

Amounts are `Decimal` everywhere; a float is refused on sight, because a float cannot hold 0.10 and
a price that is off by a fraction of a cent is a bug a shopper can see.
"""

from __future__ import annotations

import re
from decimal import (
    ROUND_CEILING,
    ROUND_FLOOR,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
)
from fractions import Fraction
from functools import lru_cache
from typing import Final

from rules.errors import RulesError

# Exact arithmetic for sums and products of prices, whatever the caller's thread context says.
# 50 digits hold any amount a shop can charge with every decimal a formula may produce.
MONEY_CONTEXT: Final = Context(
    prec=50, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow]
)

ROUNDING_MODES: Final = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN}

# ISO 4217 exponents of the active currencies whose minor unit is not 2 (List One, 2025 edition).
_EXPONENTS: Final[dict[str, int]] = {
    # zero decimals
    "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0,
    "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
    # three decimals
    "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
    # four decimals (units of account)
    "CLF": 4, "UYW": 4,
}  # fmt: skip

# Every other active ISO 4217 code has two decimals. Precious metals, testing codes (XAU, XTS, XXX...)
# and withdrawn codes are deliberately absent: nobody configures a mug in ounces of gold.
_TWO_DECIMALS: Final = frozenset(
    """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN BZD
    CAD CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL
    GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR
    LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD
    PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC
    SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG
    """.split()
)


class MoneyError(RulesError, ValueError):
    """An amount or a currency that money arithmetic cannot accept."""


class UnknownCurrencyError(MoneyError):
    """A currency code that is not an active ISO 4217 currency (or that the brand does not sell in)."""

    def __init__(self, currency: object, message: str | None = None) -> None:
        self.currency = currency
        super().__init__(
            message or f"unknown currency {currency!r}: expected an ISO 4217 code such as EUR or JPY"
        )


def known_currencies() -> frozenset[str]:
    """Every currency code `minor_units` knows."""
    return _TWO_DECIMALS | frozenset(_EXPONENTS)


def minor_units(currency: str) -> int:
    """How many decimals the currency's minor unit has: EUR 2, JPY 0, KWD 3 (ISO 4217).

    >>> minor_units("EUR"), minor_units("JPY"), minor_units("KWD")
    (2, 0, 3)
    """
    if not isinstance(currency, str):
        raise UnknownCurrencyError(currency)
    if currency in _EXPONENTS:
        return _EXPONENTS[currency]
    if currency in _TWO_DECIMALS:
        return 2
    raise UnknownCurrencyError(currency)


def uncharged(amount: Decimal, currency: str) -> tuple[Decimal, Decimal] | None:
    """None when `amount` has no more decimals than the currency's minor unit (or the currency is
    none payments know); else the amounts on either side of it that can be charged.

    >>> uncharged(Decimal("3.333"), "EUR"), uncharged(Decimal("3.30"), "EUR")
    ((Decimal('3.33'), Decimal('3.34')), None)
    >>> uncharged(Decimal("5.5"), "JPY")
    (Decimal('5'), Decimal('6'))
    """
    try:
        places = minor_units(currency)
    except MoneyError:
        return None
    quantum = Decimal(1).scaleb(-places)
    if amount == amount.quantize(quantum):
        return None
    below, above = (amount.quantize(quantum, rounding=way) for way in (ROUND_FLOOR, ROUND_CEILING))
    return below, above


def check_amount(amount: object, what: str = "amount") -> Decimal:
    """`amount` as a finite Decimal (an int is accepted exactly); a float or anything else is refused."""
    if isinstance(amount, bool) or not isinstance(amount, Decimal | int):
        kind = type(amount).__name__
        raise MoneyError(
            f"{what} must be a Decimal, not {kind} {amount!r} (floats cannot hold money exactly)"
        )
    value = Decimal(amount)
    if not value.is_finite():
        raise MoneyError(f"{what} must be a finite number, not {value}")
    return value


def round_money(amount: Decimal | int | Fraction, currency: str, rounding: str = "half_up") -> Decimal:
    """Round to the currency's minor unit with the brand's mode (`half_up` or `half_even`).

    This is the only function that rounds money: every amount on a quote goes through it once. A
    Fraction (a formula's exact result, say 11 × 0.005 = 0.055 however it was reached) is rounded from
    its exact value, never through a decimal approximation.

    >>> round_money(Decimal("2.345"), "EUR"), round_money(Decimal("2.345"), "EUR", "half_even")
    (Decimal('2.35'), Decimal('2.34'))
    >>> round_money(Decimal("1499.5"), "JPY")
    Decimal('1500')
    >>> round_money(Fraction(11, 200), "EUR"), round_money(Fraction(-1, 200), "EUR", "half_even")
    (Decimal('0.06'), Decimal('0.00'))
    >>> round_money(Fraction(-2, 3), "EUR"), round_money(Fraction(7, 3), "JPY")
    (Decimal('-0.67'), Decimal('2'))
    """
    mode = ROUNDING_MODES.get(rounding)
    if mode is None:
        raise MoneyError(f"unknown rounding mode {rounding!r}: expected one of {', '.join(ROUNDING_MODES)}")
    places = minor_units(currency)
    if isinstance(amount, Fraction):
        return _round_fraction(amount, places, mode)
    value = check_amount(amount)
    quantum = Decimal(1).scaleb(-places)
    return value.quantize(quantum, rounding=mode, context=MONEY_CONTEXT)


def _round_fraction(amount: Fraction, places: int, mode: str) -> Decimal:
    """An exact amount to `places` decimals: to the nearest, ties away from zero (half_up) or to the
    even neighbour (half_even), as `Decimal.quantize` rounds."""
    scaled = amount * 10**places
    whole, rest = divmod(scaled.numerator, scaled.denominator)  # floor, and what lies above it
    twice = 2 * rest
    if twice > scaled.denominator:
        whole += 1
    elif twice == scaled.denominator:
        away = scaled > 0  # a tie below zero already sits at its floor, away from zero
        whole += int(away if mode == ROUND_HALF_UP else whole % 2 == 1)
    sign, digits, exponent = Decimal(whole).as_tuple()
    assert isinstance(exponent, int)
    return Decimal((sign, digits, exponent - places))


def to_minor(amount: Decimal, currency: str) -> int:
    """The amount in minor units, as payment providers want it: EUR 14.00 -> 1400, JPY 1500 -> 1500.

    The amount must already sit on the currency's minor unit (a quote's amounts do); anything finer is
    refused rather than silently rounded a second time.

    >>> to_minor(Decimal("14.00"), "EUR"), to_minor(Decimal("1500"), "JPY"), to_minor(Decimal("1.250"), "KWD")
    (1400, 1500, 1250)
    """
    value = check_amount(amount)
    scaled = value.scaleb(minor_units(currency), context=MONEY_CONTEXT)
    if scaled != scaled.to_integral_value(context=MONEY_CONTEXT):
        raise MoneyError(f"{value} {currency} is finer than the currency's minor unit; round it first")
    return int(scaled)


def from_minor(amount: int, currency: str) -> Decimal:
    """The inverse of `to_minor`: 1400 EUR minor units -> Decimal("14.00").

    >>> from_minor(1400, "EUR"), from_minor(1500, "JPY")
    (Decimal('14.00'), Decimal('1500'))
    """
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise MoneyError(f"minor units must be an int, not {type(amount).__name__}")
    return Decimal(amount).scaleb(-minor_units(currency), context=MONEY_CONTEXT)


# --- money keys -----------------------------------------------------------------------------------

# A request body names an amount with one of these words, alone or with qualifiers ("unit price",
# "grand total", "price per unit", "tax amount"). Prices are the server's: such a key is refused
# from clients, and no attribute may be named so (shoppers could never pick it). English only.
MONEY_WORDS: Final = frozenset(
    "price prices total totals subtotal subtotals amount amounts discount discounts "
    "tax taxes cost costs fee fees shipping".split()
)
MONEY_QUALIFIERS: Final = frozenset("unit line item sub grand base final net gross per".split())
# camelCase and PascalCase humps ("unitPrice", "HTMLPrice"), and any run of non-alphanumerics.
_KEY_WORDS = re.compile(r"[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def key_words(key: str) -> tuple[str, ...]:
    """A key's words, lower case, whatever its spelling: camelCase, PascalCase, kebab-, snake_ or spaced.

    >>> key_words("unitPrice"), key_words("Total-Price"), key_words("UNIT_PRICE"), key_words("line1")
    (('unit', 'price'), ('total', 'price'), ('unit', 'price'), ('line1',))
    """
    return tuple(word.lower() for word in _KEY_WORDS.split(key) if word)


@lru_cache(maxsize=4096)  # bodies repeat their keys; a flood of new ones costs time, not memory
def is_money_key(key: str) -> bool:
    """Whether a key names an amount of money: its words are money words and qualifiers only, and at
    least one is a money word. Exact words, never substrings: "price_band" and "discount_code" are not.

    >>> [is_money_key(k) for k in ("price", "unitPrice", "unit-price", "totalPrice", "grand_total")]
    [True, True, True, True, True]
    >>> [is_money_key(k) for k in ("price_band", "discount_code", "shipping_address", "unit", "line1")]
    [False, False, False, False, False]
    """
    words = key_words(key)
    return any(word in MONEY_WORDS for word in words) and all(
        word in MONEY_WORDS or word in MONEY_QUALIFIERS for word in words
    )
