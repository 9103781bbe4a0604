"""A new product file to start from: every part of the language shown once, commented for a merchant.

`product_template` writes it for a brand (its currencies, languages, palette and text limit), and it
reads without an error: `atelier rules new` saves it next to brand.yaml, and `atelier rules check`
then lists what is left to write (the texts in the brand's other languages).
"""

from __future__ import annotations

import json
import re
from decimal import Decimal

from rules.language import fields as f
from rules.language.values import default_label
from rules.model import DEFAULT_LOCALE, Brand
from rules.money import MoneyError, minor_units

PRODUCT_KEY_RULE = f.KEY_RULES[f.PRODUCT_KEY]


class BadKey(ValueError):
    """A product key its rule refuses: what is wrong, and what to write instead."""

    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(
            f"{key!r} is not a product key: {PRODUCT_KEY_RULE.what} is {PRODUCT_KEY_RULE.said}; "
            + PRODUCT_KEY_RULE.hint(key)
        )


def check_product_key(key: str) -> str:
    """The key, if a product may have it; else `BadKey` saying the rule.

    >>> check_product_key("engraved-mug")
    'engraved-mug'
    >>> check_product_key("Big_Mug")
    Traceback (most recent call last):
    ...
    rules.language.template.BadKey: 'Big_Mug' is not a product key: ...; write `big-mug` instead
    """
    if not re.match(f.PRODUCT_KEY, key):
        raise BadKey(key)
    return key


def product_template(key: str, brand: Brand) -> str:
    """The text of a new product file for `brand`, with comments saying what each part does.

    >>> from rules.model import Localized
    >>> brand = Brand("b", Localized.plain("B"), ("EUR", "JPY"), {"snow": "#FFFFFF"})
    >>> text = product_template("tote-bag", brand)
    >>> "product: tote-bag" in text, 'price: {EUR: "20.00", JPY: "2000"}' in text
    (True, True)
    """
    check_product_key(key)
    currencies = brand.currencies or ("EUR",)
    language = brand.languages[0] if brand.languages else DEFAULT_LOCALE
    others = list(brand.languages[1:])

    def text(words: str) -> str:
        return f"{{{language}: {words}}}"

    def money(amount: str) -> str:
        return "{" + ", ".join(f'{code}: "{_amount(amount, code)}"' for code in currencies) + "}"

    label = default_label(key).get()
    palette = list(brand.palette)[:3]
    length = min(20, brand.max_text_length) if brand.max_text_length is not None else 20
    lines = [
        f"# {label}: a new product. Write what the shopper chooses, the combinations you cannot make and",
        "# the prices; then run `atelier rules check` on the catalog folder, which says what is left to fix",
        "# or to translate, at its line and column. The language: docs/language.md, docs/rules.md and",
        "# docs/prices.md.",
    ]
    if others:
        lines.append(
            f"# Texts shoppers read take one entry per language: add {', '.join(others)} to each "
            f"({{{language}: ..., {others[0]}: ...}})."
        )
    lines += [
        _noted(f"product: {key}", "the key orders keep: keep it once the product has sold"),
        f"label: {text(json.dumps(label, ensure_ascii=False))}",
        "description:",
        f'  {language}: "What it is, what it is made of, how it is made to order."',
        _noted(f"price: {money('20.00')}", "the base price, in every currency of the brand"),
        "",
        _noted("attributes:", "what the shopper chooses, in the order the shop asks"),
        "  size:",
        _noted("    type: choice", "one option among several"),
        f"    label: {text('Size')}",
        "    options:",
        f"      small: {{label: {text('Small')}}}",
        "      large:",
        f"        label: {text('Large')}",
        _noted(f"        price: {money('5.00')}", "added to the price when chosen"),
        _noted("    default: small", "the first design shoppers see"),
    ]
    if palette:
        lines += [
            "  colour:",
            _noted("    type: colour", "one of the brand's palette colours"),
            f"    label: {text('Colour')}",
            f"    options: [{', '.join(palette)}]",
            f"    default: {palette[0]}",
        ]
    lines += [
        "  gift_box:",
        _noted("    type: boolean", "ticked or not"),
        f"    label: {text('Gift box')}",
        _noted(f"    price: {money('3.00')}", "added when ticked"),
        "    default: false",
        "  engraving:",
        _noted("    type: text", "typed by the shopper; may stay empty"),
        f"    label: {text('Engraving')}",
        _noted(f"    max_length: {length}", "characters, as a reader counts them"),
        '    default: ""',
        "",
        "# Combinations you cannot make, each with the message shoppers read when an option is greyed out:",
        "constraints:",
        _noted("  - id: small-engraving", "a name of your own, shown by the command line"),
        "    rule: size == small -> engraving.length <= 12",
        "    message:",
        f'      {language}: "A small one takes at most 12 characters of engraving."',
        "",
        "# Lines of the quote that depend on the design (docs/prices.md):",
        "prices:",
        f"  - label: {text('Engraved gift')}",
        "    when: gift_box and engraving.present",
        f"    add: {money('2.00')}",
        "",
        "# Cheaper by the dozen (optional):",
        "quantity_tiers:",
        "  - {min: 12, percent_off: 5}",
        "",
    ]
    return "\n".join(lines)


def _noted(line: str, comment: str) -> str:
    """A line with its comment, comments lined up where the lines allow."""
    return f"{line.ljust(COMMENT_COLUMN - 1)} # {comment}"


COMMENT_COLUMN = 40


def _amount(amount: str, currency: str) -> str:
    """An example amount with its currency's decimals (a yen is about a cent)."""
    try:
        places = minor_units(currency)
    except MoneyError:
        places = 2
    value = Decimal(amount) * 100 if places == 0 else Decimal(amount)
    return str(value.quantize(Decimal(1).scaleb(-places)))
