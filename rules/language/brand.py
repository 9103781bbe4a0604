"""Lowering a brand file into a `Brand`, plus what products need of it that the model does not hold."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rules.errors import Code
from rules.language import fields as f
from rules.language.check import Fields, Report, check_table, did_you_mean, suggestion
from rules.language.commerce import lower_shipping, lower_tax
from rules.language.registry import CURRENCIES, SCRIPTS, canonical_script
from rules.language.values import Currencies, default_label, localized
from rules.language.yamlsafe import Mapping, Node, Scalar, Sequence
from rules.model import Brand, Localized, SourceRef


@dataclass(frozen=True)
class BrandInfo:
    """A lowered brand with the extras products are lowered against.

    `currencies_known` / `palette_known` are False when that part of the brand file is broken, so
    products are not flooded with errors that are really the brand's.
    """

    brand: Brand
    digest: bytes  # the brand file's bytes, part of every product's source hash
    currencies_known: bool = True
    palette_known: bool = True
    messages: dict[str, Localized] = field(default_factory=dict)  # limits.messages overrides
    limit_sources: dict[str, SourceRef] = field(default_factory=dict)  # where each limit was written

    @property
    def currencies(self) -> Currencies:
        """The currencies every price must give."""
        return Currencies(self.brand.currencies, self.currencies_known)


def placeholder_brand(file: str) -> BrandInfo:
    """A stand-in when brand.yaml cannot be read at all: products are still checked for their own errors."""
    brand = Brand("unknown", Localized.plain("unknown"), (), {}, source=SourceRef(file, 1, 1))
    return BrandInfo(brand, b"", currencies_known=False, palette_known=False)


def lower_brand(root: Node, file: str, data: bytes, report: Report) -> BrandInfo:
    """Lower a parsed brand file; every problem goes to `report` (the result is best effort then)."""
    origin = SourceRef(file, 1, 1)
    if isinstance(root, Mapping) and root.get("brand") is None and root.get("product") is not None:
        report.error(
            Code.BAD_VALUE,
            "this is a product file, but brand.yaml must describe the brand",
            root.key_node("product"),
            "start brand.yaml with `brand: <key>`; move the product to its own file",
        )
        info = placeholder_brand(file)
        return BrandInfo(info.brand, data, False, False)
    declared = _declared_languages(root)
    report.languages = declared  # the brand's own texts are checked against them too
    fields = check_table(root, f.BRAND, report, "the brand file", anchor=origin)
    if fields is None:
        info = placeholder_brand(file)
        return BrandInfo(info.brand, data, False, False)
    key_node = fields.scalar("brand")
    key = key_node.text if key_node is not None else "unknown"
    label_node = fields.get("label")
    label = localized(label_node) if label_node is not None else default_label(key)
    currencies, currencies_known = _currencies(fields, report)
    if currencies_known:
        report.currencies = currencies  # hints about the brand's own amounts name them
    palette, palette_labels, palette_known = _palette(fields, report)
    sources: dict[str, SourceRef] = {}
    messages: dict[str, Localized] = {}
    limits = _limits(fields, palette, palette_known, report, sources, messages)
    scripts, banned = _text_policy(fields, report)
    rounding_node = fields.scalar("rounding")
    tax_node = fields.scalar("prices_include_tax")
    shipping = lower_shipping(fields, Currencies(currencies, currencies_known), report)
    tax = lower_tax(fields, report)
    brand = Brand(
        key=key,
        label=label,
        currencies=currencies,
        palette=palette,
        palette_labels=palette_labels,
        banned_words=banned,
        scripts=scripts,
        max_text_length=limits.max_text_length,
        max_distinct_colours=limits.max_distinct_colours,
        forbidden_pairs=limits.forbidden_pairs,
        prices_include_tax=bool(tax_node.value) if tax_node is not None else False,
        rounding=rounding_node.text if rounding_node is not None else "half_up",
        shipping=shipping,
        tax=tax,
        source=key_node.source if key_node is not None else origin,
        languages=declared,
    )
    return BrandInfo(brand, data, currencies_known, palette_known, messages, sources)


def _declared_languages(root: Node) -> tuple[str, ...]:
    """The `languages` list when it is well formed (its problems are reported with the others'), else
    none: a text is then never said to lack a language."""
    node = root.get("languages") if isinstance(root, Mapping) else None
    if not isinstance(node, Sequence):
        return ()
    found = []
    for item in node.items:
        if not (isinstance(item, Scalar) and item.kind == "str" and re.match(f.LOCALE, item.text)):
            return ()
        found.append(item.text)
    return tuple(dict.fromkeys(found))


def _currencies(fields: Fields, report: Report) -> tuple[tuple[str, ...], bool]:
    node = fields.get("currencies")
    if not isinstance(node, Sequence):
        return (), False
    codes: list[str] = []
    known = len(report.good(node.items)) == len(node.items)
    for item in report.good(node.items):
        assert isinstance(item, Scalar)
        if item.text not in CURRENCIES:
            report.error(
                Code.BAD_CURRENCY,
                f"{item.text} is not an ISO 4217 currency code",
                item,
                suggestion(item.text, sorted(CURRENCIES), "currency codes"),
            )
            known = False
            continue
        codes.append(item.text)
    return tuple(codes), known


def _palette(fields: Fields, report: Report) -> tuple[dict[str, str], dict[str, Localized], bool]:
    palette: dict[str, str] = {}
    labels: dict[str, Localized] = {}
    node = fields.get("palette")
    if node is None:
        return palette, labels, "palette" not in fields.written
    assert isinstance(node, Mapping)
    known = True
    for key, value in node.items:
        if report.is_bad(value):
            known = False
            continue
        if isinstance(value, Scalar):
            palette[key.text] = value.text.upper()
            continue
        entry = check_table(value, f.PALETTE_ENTRY, report, f"palette colour {key.text!r}", anchor=key)
        hex_node = entry.scalar("hex") if entry is not None else None
        if entry is None or hex_node is None:
            known = False
            continue
        palette[key.text] = hex_node.text.upper()
        label_node = entry.get("label")
        if label_node is not None:
            labels[key.text] = localized(label_node)
    return palette, labels, known


@dataclass
class _Limits:
    max_distinct_colours: int | None = None
    max_text_length: int | None = None
    forbidden_pairs: tuple[tuple[str, str], ...] = ()


def _limits(
    fields: Fields,
    palette: dict[str, str],
    palette_known: bool,
    report: Report,
    sources: dict[str, SourceRef],
    messages: dict[str, Localized],
) -> _Limits:
    result = _Limits()
    node = fields.get("limits")
    if node is None:
        return result
    limits = check_table(node, f.LIMITS, report, "`limits`", anchor=fields.key("limits"))
    if limits is None:
        return result
    distinct = limits.scalar("max_distinct_colours")
    if distinct is not None:
        assert isinstance(distinct.value, int)
        result.max_distinct_colours = distinct.value
        sources["max_distinct_colours"] = distinct.source
    length = limits.scalar("max_text_length")
    if length is not None:
        assert isinstance(length.value, int)
        result.max_text_length = length.value
        sources["max_text_length"] = length.source
    pairs_node = limits.get("forbidden_pairs")
    if isinstance(pairs_node, Sequence):
        pairs: list[tuple[str, str]] = []
        for pair in report.good(pairs_node.items):
            assert isinstance(pair, Sequence)
            first, second = pair.items
            assert isinstance(first, Scalar)
            assert isinstance(second, Scalar)
            ok = True
            for colour in (first, second):
                if palette_known and colour.text not in palette:
                    report.error(
                        Code.UNKNOWN_NAME,
                        f"forbidden pair colour {colour.text!r} is not in the palette",
                        colour,
                        suggestion(colour.text, list(palette), "palette colours"),
                    )
                    ok = False
            if ok and first.text == second.text:
                report.error(
                    Code.BAD_VALUE,
                    f"a forbidden pair names {first.text!r} twice",
                    pair,
                    "name two different colours, e.g. [coral, gold]",
                )
                ok = False
            if ok:
                pairs.append((first.text, second.text))
                sources[f"forbidden_pairs:{first.text}+{second.text}"] = pair.source
        result.forbidden_pairs = tuple(pairs)
    messages_node = limits.get("messages")
    if messages_node is not None:
        checked = check_table(
            messages_node, f.LIMIT_MESSAGES, report, "`limits.messages`", anchor=limits.key("messages")
        )
        if checked is not None:
            for name, value in checked.valid.items():
                messages[name] = localized(value)
    return result


def _text_policy(fields: Fields, report: Report) -> tuple[tuple[str, ...], tuple[str, ...]]:
    node = fields.get("text")
    if node is None:
        return (), ()
    policy = check_table(node, f.TEXT_POLICY, report, "`text`", anchor=fields.key("text"))
    if policy is None:
        return (), ()
    banned: list[str] = []
    words = policy.get("banned_words")
    if isinstance(words, Sequence):
        banned = [item.text.strip() for item in report.good(words.items) if isinstance(item, Scalar)]
    scripts_node = policy.get("scripts")
    scripts = scripts_from(scripts_node, report, "`text.scripts`") if scripts_node is not None else ()
    return scripts, tuple(banned)


def scripts_from(node: Node, report: Report, label: str) -> tuple[str, ...]:
    """Checked Unicode script names, spelt canonically; unknown names are reported."""
    assert isinstance(node, Sequence)
    names: list[str] = []
    for item in report.good(node.items):
        assert isinstance(item, Scalar)
        name = canonical_script(item.text.strip())
        if name is None:
            close = did_you_mean(item.text, SCRIPTS)
            report.error(
                Code.UNKNOWN_NAME,
                f"{item.text!r} in {label} is not a Unicode script name",
                item,
                f"did you mean `{close}`?"
                if close
                else "use Unicode script names such as Latin, Greek, Cyrillic, Arabic, Hebrew or Han",
            )
            continue
        if name not in names:
            names.append(name)
    return tuple(names)
