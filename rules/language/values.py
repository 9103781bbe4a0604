"""Reading checked YAML values into model values: texts, money, labels, keys."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from rules.errors import Code
from rules.language.check import Report
from rules.language.yamlsafe import Mapping, Node, Scalar
from rules.model import Localized
from rules.money import minor_units, uncharged


@dataclass(frozen=True)
class Currencies:
    """The brand's currencies as products must price them; `known` False when the brand file is broken."""

    codes: tuple[str, ...]
    known: bool = True


def localized(node: Node) -> Localized:
    """A checked Localized value (a plain string, or a mapping of language to text)."""
    if isinstance(node, Mapping):
        return Localized(
            {key.text: value.text.strip() for key, value in node.items if isinstance(value, Scalar)}
        )
    assert isinstance(node, Scalar)
    return Localized.plain(node.text.strip())


def default_label(key: str) -> Localized:
    """The label of something the merchant did not label: `gift_box` -> "Gift box"."""
    words = key.replace("_", " ").replace("-", " ").strip()
    return Localized.plain(words[:1].upper() + words[1:] if words else key)


def amount(node: Scalar) -> Decimal:
    """The exact amount written, from the scalar's source text (never through a float)."""
    return Decimal(node.text.strip())


def money(
    node: Node,
    currencies: Currencies,
    report: Report,
    label: str,
    *,
    negative: bool = True,
    rate: bool = False,
) -> dict[str, Decimal] | None:
    """A checked Money mapping, with every brand currency and no other; None if an error was reported.

    An amount is charged as written, so it has at most the decimals of its currency (3.333 EUR is an
    error, never 3.33 in silence). A `rate` is multiplied before it is charged (a price per
    character): it may be finer, and the line it makes is rounded once, as a formula's is.
    """
    assert isinstance(node, Mapping)
    before = report.error_count()
    result: dict[str, Decimal] = {}
    for key, value in node.items:
        assert isinstance(value, Scalar)
        if currencies.known and key.text not in currencies.codes:
            report.error(
                Code.BAD_CURRENCY,
                f"{key.text} in {label} is not one of the brand's currencies ({', '.join(currencies.codes)})",
                key,
                f"remove {key.text}, or add it to `currencies` in brand.yaml",
            )
            continue
        value_amount = amount(value)
        if not negative and value_amount < 0:
            report.error(
                Code.BAD_MONEY,
                f"{label} must not be negative ({key.text} {value.text})",
                value,
                f'write an amount of 0 or more, e.g. `{key.text}: "{abs(value_amount)}"`',
            )
            continue
        if not rate and not _fits_currency(value_amount, key.text, value, report, label):
            continue
        result[key.text] = value_amount
    if currencies.known:
        missing = [code for code in currencies.codes if code not in result and node.key_node(code) is None]
        if missing:
            report.error(
                Code.BAD_CURRENCY,
                f"{label} has no amount in {', '.join(missing)}; every brand currency needs one",
                node,
                "add " + ", ".join(f'`{code}: "..."`' for code in missing),
            )
    if currencies.known:
        result = {code: result[code] for code in currencies.codes if code in result}
    return result if report.error_count() == before else None


def _fits_currency(value: Decimal, currency: str, node: Scalar, report: Report, label: str) -> bool:
    """Whether an amount has no more decimals than its currency's minor unit; if not, report it with
    the two amounts on either side."""
    # A currency payments do not know is reported as such, or never charged: nothing to say here.
    off = uncharged(value, currency)
    if off is None:
        return True
    below, above = off
    places = minor_units(currency)
    decimals = "no decimals" if places == 0 else f"{places} decimal{'s' if places != 1 else ''}"
    report.error(
        Code.BAD_MONEY,
        f"{label} is {node.text.strip()} {currency}, but {currency} amounts have {decimals}: "
        "no payment can charge it",
        node,
        f'write `{currency}: "{below}"` or `{currency}: "{above}"`',
    )
    return False
