"""Validation of YAML nodes against the declarative field tables, collecting every diagnostic."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Sequence
from collections.abc import Mapping as AbcMapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from rules.countries import country_name, meant
from rules.errors import Code, Diagnostic
from rules.language import fields as f
from rules.language.registry import CURRENCIES
from rules.language.yamlsafe import Mapping, Node, Scalar, describe
from rules.language.yamlsafe import Sequence as YSequence
from rules.model import DEFAULT_LOCALE, NumberValue, SourceRef, number_value
from rules.money import MoneyError, minor_units
from rules.regions import meant_region, region_name


class Report:
    """Collects diagnostics; nothing here raises."""

    def __init__(self, languages: tuple[str, ...] = (), currencies: tuple[str, ...] = ()) -> None:
        self.diagnostics: list[Diagnostic] = []
        # The brand's declared languages: a text missing one of them is warned about.
        self.languages = languages
        # The brand's currencies, when known: what hints about money name.
        self.currencies = currencies
        # Items of lists and mappings whose shape is wrong (by id): the rest of the list is still
        # lowered, so one bad item does not hide the errors of the others.
        self.bad: set[int] = set()

    def mark_bad(self, node: Node) -> None:
        """Remember that this item was reported and must be skipped when lowering."""
        self.bad.add(id(node))

    def is_bad(self, node: Node) -> bool:
        """Whether this item was reported as malformed."""
        return id(node) in self.bad

    def good(self, nodes: Iterable[Node]) -> list[Node]:
        """The items not reported as malformed."""
        return [node for node in nodes if id(node) not in self.bad]

    def error(self, code: str, message: str, where: Node | SourceRef | None, hint: str | None = None) -> None:
        """Record an error."""
        self.diagnostics.append(Diagnostic("error", code, message, _where(where), hint))

    def warning(
        self, code: str, message: str, where: Node | SourceRef | None, hint: str | None = None
    ) -> None:
        """Record a warning."""
        self.diagnostics.append(Diagnostic("warning", code, message, _where(where), hint))

    def add(self, diagnostics: Iterable[Diagnostic]) -> None:
        """Record diagnostics found elsewhere."""
        self.diagnostics.extend(diagnostics)

    def error_count(self) -> int:
        """How many errors so far (a mark to tell whether a step added any)."""
        return sum(1 for d in self.diagnostics if d.severity == "error")


def article(word: str) -> str:
    """ "a" or "an" before a word: an image attribute, a text attribute."""
    return "an" if word[:1] in ("a", "e", "i", "o", "u") else "a"


def _where(where: Node | SourceRef | None) -> SourceRef | None:
    if isinstance(where, Node):
        return where.source
    return where


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """The closest candidate to a misspelt word, if one is close enough."""
    pool = list(dict.fromkeys(candidates))
    lowered = {c.lower(): c for c in pool}
    if word.lower() in lowered:
        return lowered[word.lower()]
    best: tuple[float, bool, int] | None = None
    choice: str | None = None
    for index, candidate in enumerate(pool):
        ratio = difflib.SequenceMatcher(None, word, candidate).ratio()
        # Between equally close names, one with the same first letter is the likelier meaning.
        score = (ratio, candidate[:1] == word[:1], -index)
        if ratio >= 0.6 and (best is None or score > best):
            best, choice = score, candidate
    return choice


def suggestion(word: str, candidates: Sequence[str], what: str) -> str:
    """A hint for an unknown name: the closest candidate, else the candidates themselves."""
    close = did_you_mean(word, candidates)
    if close is not None:
        return f"did you mean `{close}`?"
    if not candidates:
        return f"there are no {what} to use here"
    listed = ", ".join(f"`{c}`" for c in candidates[:12])
    more = ", ..." if len(candidates) > 12 else ""
    return f"use one of the {what}: {listed}{more}"


@dataclass(frozen=True)
class FieldHints:
    """What hints say of some fields of one mapping, where the table's examples would be wrong for it:
    `examples` to write (`default: ruby` for an attribute whose options are ruby and sapphire), and
    `choices`, the only values a field takes there (its options), for "did you mean"."""

    examples: AbcMapping[str, str] = field(default_factory=dict)
    choices: AbcMapping[str, Sequence[str]] = field(default_factory=dict)


NO_HINTS = FieldHints()


class Fields:
    """The keys of a mapping checked against a table: the valid values, and every key written."""

    def __init__(self, node: Mapping) -> None:
        self.node = node
        self.valid: dict[str, Node] = {}
        self.written: set[str] = set()

    def get(self, name: str) -> Node | None:
        """The value of a key whose shape is right, else None (absent or already reported)."""
        return self.valid.get(name)

    def scalar(self, name: str) -> Scalar | None:
        """The value of a key, if it is a valid scalar."""
        node = self.valid.get(name)
        return node if isinstance(node, Scalar) else None

    def key(self, name: str) -> Scalar | None:
        """The key itself, for positions."""
        return self.node.key_node(name)


def check_table(
    node: Node,
    table: f.Table,
    report: Report,
    context: str,
    *,
    anchor: Node | SourceRef | None = None,
    hints: FieldHints = NO_HINTS,
) -> Fields | None:
    """Check a mapping against a table: unknown and missing keys, each value's shape.

    `context` names the mapping in messages ("attribute 'width'"); `anchor` is where a missing key
    is reported (default: the mapping itself); `hints` what to suggest for fields whose right values
    depend on this mapping. Returns None when `node` is not a mapping at all.
    """
    if not isinstance(node, Mapping):
        report.error(
            Code.WRONG_TYPE,
            f"{context} must be a mapping of keys to values, not {describe(node)}",
            node,
            f"write e.g. `{_example_mapping(table, report)}`"
            if table.name not in ("brand", "product")
            else f"write the file as a mapping that starts with `{table.name}: <key>`",
        )
        return None
    result = Fields(node)
    result.written = set(node.keys())
    kind: str | None = None
    if table.discriminator is not None:
        kind = _discriminate(node, table, report, context, anchor or node)
    allowed = table.names(kind)
    misspelt: set[str] = set()  # keys some unknown key looks like: their absence is that typo, told once
    for key, value in node.items:
        if key.text == table.discriminator:
            if kind is not None:
                result.valid[key.text] = value
            continue
        if table.discriminator is not None and kind is None and table.field(key.text) is not None:
            # The kind is unknown (reported once, by _discriminate): which `default`, `min`... this is
            # cannot be told, so its value is not judged against a guess.
            if all(spec.kinds is None for spec in table.fields if spec.name == key.text):
                spec = table.field(key.text)
            else:
                continue
        else:
            spec = table.field(key.text, kind)
        if spec is None:
            close = _unknown_key(key, table, kind, allowed, report, context)
            if close is not None:
                misspelt.add(close)
            continue
        example = example_of(spec, report, hints)
        choices = hints.choices.get(key.text, ())
        if check_shape(value, spec.shape, report, f"`{key.text}` of {context}", key.text, example, choices):
            result.valid[key.text] = value
    for spec in table.fields:
        if spec.applies_to(kind) and spec.is_required(kind) and spec.name not in result.written:
            if spec.name == table.discriminator or spec.name in misspelt:
                continue  # reported already (by _discriminate, or as a misspelt key)
            what = f"{article(kind)} {kind} attribute" if kind is not None else context
            report.error(
                Code.MISSING_KEY,
                f"{context} is missing `{spec.name}` ({what} needs it)"
                if kind is not None
                else f"{context} is missing `{spec.name}`",
                anchor or node,
                f"add `{spec.name}: {example_of(spec, report, hints)}`",
            )
    for group in table.exactly_one:
        present = [name for name in group if name in result.written]
        if not present and misspelt.intersection(group):
            continue
        if not present:
            names = ", ".join(f"`{n}`" for n in group[:-1]) + f" or `{group[-1]}`"
            first = table.field(group[0])
            example = example_of(first, report, hints) if first is not None else "..."
            report.error(
                Code.MISSING_KEY,
                f"{context} needs one of {names}",
                anchor or node,
                f"add e.g. `{group[0]}: {example}`",
            )
        elif len(present) > 1:
            second = node.key_node(present[1])
            report.error(
                Code.CONFLICT,
                f"{context} has both `{present[0]}` and `{present[1]}`; write only one",
                second,
                f"remove `{present[1]}`, or move it to a separate entry",
            )
    return result


def _discriminate(
    node: Mapping, table: f.Table, report: Report, context: str, anchor: Node | SourceRef
) -> str | None:
    assert table.discriminator is not None
    value = node.get(table.discriminator)
    kinds = ", ".join(table.kinds)
    if value is None:
        report.error(
            Code.MISSING_KEY,
            f"{context} is missing `{table.discriminator}`",
            anchor,
            f"add `{table.discriminator}:` with one of {kinds}",
        )
        return None
    if not isinstance(value, Scalar) or value.text not in table.kinds:
        shown = value.text if isinstance(value, Scalar) else describe(value)
        close = did_you_mean(shown, table.kinds)
        hint = f"did you mean `{table.discriminator}: {close}`?" if close else f"use one of {kinds}"
        report.error(
            Code.BAD_VALUE,
            f"`{table.discriminator}` of {context} must be one of {kinds}, not {shown!r}",
            value,
            hint,
        )
        return None
    return value.text


def _unknown_key(
    key: Scalar, table: f.Table, kind: str | None, allowed: list[str], report: Report, context: str
) -> str | None:
    """Report an unknown key; the allowed key it looks like, if any."""
    if kind is not None and table.field(key.text) is not None:
        owners = sorted(
            {k for spec in table.fields if spec.name == key.text for k in (spec.kinds or table.kinds)}
        )
        report.error(
            Code.UNKNOWN_KEY,
            f"`{key.text}` does not apply to {article(str(kind))} {kind} attribute ({context})",
            key,
            f"remove it; `{key.text}` is for {', '.join(owners)} attributes",
        )
        return None
    report.error(
        Code.UNKNOWN_KEY,
        f"unknown key `{key.text}` in {context}",
        key,
        suggestion(key.text, allowed, "keys allowed here"),
    )
    return did_you_mean(key.text, allowed)


def _example_mapping(table: f.Table, report: Report) -> str:
    names = [group[0] for group in table.exactly_one]
    names += [spec.name for spec in table.fields if spec.required and spec.name not in names]
    specs = [table.field(name) for name in names] or list(table.fields[:1])
    return (
        "{"
        + ", ".join(
            f"{spec.name}: {example_of(spec, report, NO_HINTS)}" for spec in specs if spec is not None
        )
        + "}"
    )


def example_of(spec: f.Field, report: Report, hints: FieldHints) -> str | None:
    """How to write a field in a hint: this mapping's own example, else money in the brand's
    currencies, else the table's example."""
    if spec.name in hints.examples:
        return hints.examples[spec.name]
    if isinstance(spec.shape, f.Money) and report.currencies:
        written = re.findall(r"([A-Z]{3}):", spec.example or "")
        if tuple(written) != report.currencies:
            return money_example(spec.example, report.currencies)
    return spec.example


def money_example(example: str | None, currencies: Sequence[str]) -> str:
    """An amount per currency, in the currencies given, each with its currency's decimals.

    >>> money_example('{EUR: "2.00", USD: "2.40"}', ["JPY", "EUR", "KWD"])
    '{JPY: "200", EUR: "2.00", KWD: "2.000"}'
    """
    found = re.search(r"-?[0-9]+(\.[0-9]+)?", example or "")
    base = Decimal(found.group(0)) if found else Decimal("2.00")
    amounts = []
    for code in currencies:
        try:
            places = minor_units(code)
        except MoneyError:
            places = 2
        value = base * 100 if places == 0 else base  # a yen is about a cent
        amounts.append(f'{code}: "{value.quantize(Decimal(1).scaleb(-places))}"')
    return "{" + ", ".join(amounts) + "}"


def _hint(name: str, example: str | None, shape: f.Shape | None = None) -> str:
    if example:
        return f"write e.g. `{name}: {example}`"
    if shape is not None:
        return f"write {shape.noun()} for `{name}`"
    return f"write a value for `{name}`"


def check_shape(
    node: Node,
    shape: f.Shape,
    report: Report,
    label: str,
    name: str,
    example: str | None = None,
    choices: Sequence[str] = (),
) -> bool:
    """Check one value's shape, reporting the first problem found in it. True when it is right.

    `choices`, when known, are the only values it may take (an attribute's options): a hint then
    names one of them."""
    if isinstance(shape, f.AnyOf):
        for option in shape.options:
            if _same_kind(node, option):
                return check_shape(node, option, report, label, name, example, choices)
        report.error(
            Code.WRONG_TYPE,
            f"{label} must be {shape.noun()}, not {describe(node)}",
            node,
            _hint(name, example, shape),
        )
        return False
    if isinstance(shape, f.Table):
        if not isinstance(node, Mapping):
            report.error(
                Code.WRONG_TYPE,
                f"{label} must be a mapping, not {describe(node)}",
                node,
                _hint(name, example, shape),
            )
            return False
        return True
    if isinstance(shape, f.ListOf):
        return _check_list(node, shape, report, label, name, example, choices)
    if isinstance(shape, f.MapOf | f.Money):
        return _check_map(node, shape, report, label, name, example)
    if isinstance(shape, f.LocalizedText):
        if not _check_localized(node, report, label, name, example):
            return False
        _check_translated(node, report, label)
        return True
    if not isinstance(node, Scalar):
        report.error(
            Code.WRONG_TYPE,
            f"{label} must be {shape.noun()}, not {describe(node)}",
            node,
            _hint(name, example, shape),
        )
        return False
    return _check_scalar(node, shape, report, label, name, example, choices)


def _same_kind(node: Node, shape: f.Shape) -> bool:
    if isinstance(shape, f.Table | f.MapOf | f.Money):
        return isinstance(node, Mapping)
    if isinstance(shape, f.ListOf):
        return isinstance(node, YSequence)
    if isinstance(shape, f.LocalizedText):
        return isinstance(node, Mapping | Scalar)
    if isinstance(shape, f.Nothing):
        return isinstance(node, Scalar) and node.kind == "null"
    return isinstance(node, Scalar)


def _check_list(
    node: Node,
    shape: f.ListOf,
    report: Report,
    label: str,
    name: str,
    example: str | None,
    choices: Sequence[str] = (),
) -> bool:
    if not isinstance(node, YSequence):
        if isinstance(node, Scalar) and node.kind == "str" and not isinstance(shape.item, f.Table):
            hint = f"write a list: `{name}: [{_mended(node.text, shape.item, choices)}]`"
        else:
            hint = _hint(name, example, shape)
        report.error(Code.WRONG_TYPE, f"{label} must be a list, not {describe(node)}", node, hint)
        return False
    if len(node.items) < shape.min_items:
        report.error(
            Code.BAD_VALUE,
            f"{label} needs at least {shape.min_items} item"
            f"{'s' if shape.min_items != 1 else ''}, not {len(node.items)}",
            node,
            _hint(name, example),
        )
        return False
    if shape.max_items is not None and len(node.items) > shape.max_items:
        report.error(
            Code.BAD_VALUE,
            f"{label} takes at most {shape.max_items} items, not {len(node.items)}",
            node,
            _hint(name, example),
        )
        return False
    if isinstance(shape.item, f.Table):
        return True  # each item is checked against its table when lowered, so one bad item hides nothing
    all_good = True
    seen: set[str] = set()
    for index, item in enumerate(node.items, start=1):
        if not check_shape(item, shape.item, report, f"item {index} of {label}", name, example, choices):
            report.mark_bad(item)
            all_good = False
            continue
        if shape.unique and isinstance(item, Scalar):
            if item.text in seen:
                report.error(
                    Code.DUPLICATE,
                    f"{item.text!r} is listed twice in {label}",
                    item,
                    f"remove the second {item.text!r}",
                )
                report.mark_bad(item)
            seen.add(item.text)
    # A fixed-size list (a pair) is only usable whole; a longer list keeps its good items.
    return all_good or shape.max_items is None


def _check_map(
    node: Node, shape: f.MapOf | f.Money, report: Report, label: str, name: str, example: str | None
) -> bool:
    value_shape: f.Shape
    if isinstance(shape, f.Money):
        key_pattern, key_what, value_shape, min_items = f.CURRENCY, "currency", f.Amount(), 1
    else:
        key_pattern, key_what, value_shape, min_items = (
            shape.key_pattern,
            shape.key_what,
            shape.value,
            shape.min_items,
        )
    if not isinstance(node, Mapping):
        hint = _hint(name, example)
        if isinstance(shape, f.Money) and isinstance(node, Scalar) and node.kind in ("int", "float", "str"):
            per_currency = ", ".join(f'{code}: "{node.text}"' for code in report.currencies or ("EUR",))
            hint = f"give an amount per currency, e.g. `{name}: {{{per_currency}}}`"
        report.error(Code.WRONG_TYPE, f"{label} must be {shape.noun()}, not {describe(node)}", node, hint)
        return False
    if len(node.items) < min_items:
        report.error(Code.BAD_VALUE, f"{label} must not be empty", node, _hint(name, example))
        return False
    ok = True
    if isinstance(value_shape, f.Table):
        return _check_keys(node, key_pattern, key_what, report, label)
    for key, value in node.items:
        if not re.match(key_pattern, key.text):
            hint = (
                _currency_hint(key.text, report)
                if key_pattern == f.CURRENCY
                else _key_hint(key.text, key_pattern, key_what)
            )
            report.error(Code.BAD_VALUE, f"{key.text!r} is not a valid {key_what} in {label}", key, hint)
            report.mark_bad(value)
            ok = False
            continue
        if not check_shape(value, value_shape, report, f"{key.text!r} of {label}", key.text, None):
            report.mark_bad(value)
            ok = False
    # Money is only usable whole; other mappings keep their good entries.
    return ok or not isinstance(shape, f.Money)


def country_hint(text: str) -> str:
    """What to write instead of something that is not a country code: the code meant (GB for UK,
    FR for fr, FRA or France), else how country codes are written.

    >>> country_hint("UK")
    'did you mean `GB` (United Kingdom)?'
    >>> country_hint("Narnia")
    "write the country's ISO 3166-1 alpha-2 code, e.g. `FR` for France"
    """
    found = meant(text)
    if found:
        said = " or ".join(f"`{code}` ({country_name(code)})" for code in found)
        return f"did you mean {said}?"
    return "write the country's ISO 3166-1 alpha-2 code, e.g. `FR` for France"


def region_hint(text: str, country: str | None = None) -> str:
    """What to write instead of something that is not a region code: the region meant (US-CA for
    us-ca, California or US-Cal), else how region codes are written.

    >>> region_hint("US-Cal")
    'did you mean `US-CA` (California)?'
    >>> region_hint("US-XX")
    "write the region's ISO 3166-2 code, e.g. `US-CA` for California or `ES-CN` for the Canary Islands"
    """
    found = meant_region(text, country)
    if found:
        said = " or ".join(f"`{code}` ({region_name(code)})" for code in found)
        return f"did you mean {said}?"
    return "write the region's ISO 3166-2 code, e.g. `US-CA` for California or `ES-CN` for the Canary Islands"


def area_hint(text: str) -> str:
    """What to write instead of a key of tax rates that is neither a country nor a region code: the
    country meant (GB for UK), else the region meant (US-CA for California), else how both are written.

    >>> area_hint("uk"), area_hint("California")
    ('did you mean `GB` (United Kingdom)?', 'did you mean `US-CA` (California)?')
    """
    if not any(separator in text for separator in "-_ ") and meant(text):
        return country_hint(text)
    if meant_region(text):
        return region_hint(text)
    if meant(text):
        return country_hint(text)
    return f"{country_hint(text)}, or a region's ISO 3166-2 code like `US-CA`"


def _key_hint(text: str, pattern: str, what: str) -> str:
    """What to write instead of a key its pattern refuses, from the rule of that kind of key."""
    if pattern == f.COUNTRY:
        return country_hint(text)
    if pattern == f.TAX_AREA:
        return area_hint(text)
    rule = f.KEY_RULES.get(pattern)
    if rule is not None:
        return rule.hint(text)
    if pattern == f.CURRENCY:
        return "use an ISO 4217 code such as EUR or USD"
    return f"write {article(what)} {what} that matches `{pattern}`"


def _currency_hint(text: str, report: Report) -> str:
    """A currency written wrong: the one meant, among the brand's when they are known."""
    pool = report.currencies or tuple(sorted(CURRENCIES))
    upper = text.strip().upper()
    if upper in pool:
        return f"write `{upper}` instead"
    if report.currencies:
        return suggestion(upper, list(report.currencies), "brand's currencies")
    close = did_you_mean(upper, pool)
    return f"did you mean `{close}`?" if close else "use an ISO 4217 code such as EUR or USD"


def _mended(text: str, shape: f.Shape, choices: Sequence[str]) -> str:
    """A value as it should have been written, for a hint: one of `choices` when they are known,
    else mended by its kind's rule, else as written."""
    if choices:
        return did_you_mean(text, choices) or choices[0]
    pattern = (
        shape.pattern
        if isinstance(shape, f.Text)
        else f.OPTION_KEY
        if isinstance(shape, f.OptionKey)
        else None
    )
    if pattern == f.CURRENCY:
        upper = text.strip().upper()
        return upper if upper in CURRENCIES else text
    rule = f.KEY_RULES.get(pattern) if pattern is not None else None
    mended = rule.mend(text) if rule is not None else None
    return mended or text


def _check_localized(node: Node, report: Report, label: str, name: str, example: str | None) -> bool:
    if isinstance(node, Scalar):
        if node.kind == "str" and not node.text.strip():
            report.error(Code.BAD_VALUE, f"{label} must not be empty", node, _hint(name, example))
            return False
        if node.kind in ("null", "bool"):
            report.error(
                Code.WRONG_TYPE, f"{label} must be a text, not {describe(node)}", node, _hint(name, example)
            )
            return False
        return True
    if not isinstance(node, Mapping):
        report.error(
            Code.WRONG_TYPE,
            f"{label} must be a text or a mapping of language to text, not {describe(node)}",
            node,
            _hint(name, example),
        )
        return False
    if not node.items:
        report.error(Code.BAD_VALUE, f"{label} must give at least one language", node, _hint(name, example))
        return False
    ok = True
    for key, value in node.items:
        if not re.match(f.LOCALE, key.text):
            fixed = key.text.lower() if re.match(f.LOCALE, key.text.lower()) else None
            report.error(
                Code.BAD_VALUE,
                f"{key.text!r} is not a language code in {label}",
                key,
                f"write `{fixed}`" if fixed else "use a language code such as en, fr or pt-BR",
            )
            ok = False
        elif isinstance(value, Scalar) and value.kind == "str" and not value.text.strip():
            report.error(
                Code.BAD_VALUE,
                f"the {key.text!r} text of {label} must not be empty",
                value,
                f"write the {key.text!r} text, or remove `{key.text}:`",
            )
            ok = False
        elif not isinstance(value, Scalar) or value.kind in ("null", "bool"):
            report.error(
                Code.WRONG_TYPE,
                f"the {key.text!r} text of {label} must be a text, not {describe(value)}",
                value,
                f'write e.g. `{key.text}: "..."`',
            )
            ok = False
    return ok


def _check_translated(node: Node, report: Report, label: str) -> None:
    """Warn when a well-formed text lacks one of the brand's declared languages (a text for "fr" serves
    "fr-CA"; a plain text is English)."""
    if not report.languages:
        return
    given = {key.text for key, _ in node.items} if isinstance(node, Mapping) else {DEFAULT_LOCALE}
    missing = [
        language
        for language in report.languages
        if language not in given and language.split("-")[0] not in given
    ]
    if not missing:
        return
    quoted = [repr(language) for language in missing]
    named = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]
    said = "a language the brand declares" if len(quoted) == 1 else "languages the brand declares"
    if isinstance(node, Mapping):
        hint = "add " + ", ".join(f"`{language}: ...`" for language in missing)
    else:
        written = node.text.strip() if isinstance(node, Scalar) else "..."
        hint = (
            f"write it per language: `{{{DEFAULT_LOCALE}: {written}, "
            + ", ".join(f"{language}: ..." for language in missing)
            + "}`"
        )
    report.warning(Code.MISSING_TRANSLATION, f"{label} has no {named} text, {said}", node, hint)


def _check_scalar(
    node: Scalar,
    shape: f.Shape,
    report: Report,
    label: str,
    name: str,
    example: str | None,
    choices: Sequence[str] = (),
) -> bool:
    def fail(message: str, hint: str | None = None, code: str = Code.WRONG_TYPE) -> bool:
        report.error(code, message, node, hint if hint is not None else _hint(name, example, shape))
        return False

    if isinstance(shape, f.Integer):
        if node.kind != "int":
            if node.kind == "str" and re.fullmatch(r"-?[0-9]+", node.text.strip()):
                return fail(
                    f"{label} must be a number, not the text {node.text!r}",
                    f"write it without quotes: `{name}: {node.text.strip()}`",
                )
            return fail(f"{label} must be {shape.noun()}, not {describe(node)}")
        assert isinstance(node.value, int)
        if shape.minimum is not None and node.value < shape.minimum:
            return fail(f"{label} must be at least {shape.minimum}, not {node.value}", code=Code.BAD_VALUE)
        if shape.maximum is not None and node.value > shape.maximum:
            return fail(f"{label} must be at most {shape.maximum}, not {node.value}", code=Code.BAD_VALUE)
        return True
    if isinstance(shape, f.Measure):
        return _check_measure(node, shape, label, name, fail)
    if isinstance(shape, f.Boolean):
        if node.kind != "bool":
            if node.text.lower() in ("yes", "no", "on", "off", "y", "n", "1", "0", "'true'", "'false'"):
                word = "true" if node.text.lower() in ("yes", "on", "y", "1") else "false"
                return fail(
                    f"{label} must be true or false, not {node.describe()}", f"write `{name}: {word}`"
                )
            if node.text.lower() in ("true", "false"):
                return fail(
                    f"{label} must be true or false without quotes, not {node.describe()}",
                    f"write `{name}: {node.text.lower()}`",
                )
            return fail(f"{label} must be true or false, not {describe(node)}")
        return True
    if isinstance(shape, f.Amount):
        if node.kind not in ("str", "int", "float") or not re.match(f.AMOUNT, node.text.strip()):
            return fail(
                f"{label} must be {shape.noun()}, not {describe(node)}",
                code=Code.BAD_MONEY,
                hint=f'write e.g. `{name}: "14.00"`' if example is None else None,
            )
        return True
    if isinstance(shape, f.Nothing):
        return node.kind == "null" or fail(f"{label} must be empty, not {describe(node)}")
    if isinstance(shape, f.Cell):
        return True
    if isinstance(shape, f.Expression):
        if node.kind == "null" or not node.text.strip():
            return fail(f"{label} must be {shape.noun()}, not {describe(node)}")
        return True
    if isinstance(shape, f.OptionKey):
        if node.kind not in ("str", "int") or not re.match(f.OPTION_KEY, node.text):
            if choices:
                hint: str | None = suggestion(node.text, choices, "options")
            else:
                hint = _key_hint(node.text, f.OPTION_KEY, "option key") if node.kind == "str" else None
            return fail(f"{label} must be {shape.noun()}, not {describe(node)}", hint, code=Code.BAD_VALUE)
        return True
    assert isinstance(shape, f.Text)
    if node.kind in ("null", "bool"):
        if not shape.non_empty and node.kind == "null":
            return True
        return fail(f"{label} must be {shape.noun()}, not {describe(node)}")
    if shape.non_empty and not node.text.strip():
        return fail(f"{label} must not be empty", code=Code.BAD_VALUE)
    if shape.enum and node.text not in shape.enum:
        close = did_you_mean(node.text, shape.enum)
        return fail(
            f"{label} must be one of {', '.join(shape.enum)}, not {node.text!r}",
            f"write `{name}: {close}`" if close else f"use one of {', '.join(shape.enum)}",
            code=Code.BAD_VALUE,
        )
    if shape.pattern is not None and not re.match(shape.pattern, node.text):
        if shape.pattern == f.CURRENCY and node.text.upper() in CURRENCIES:
            return fail(
                f"{label} must be {shape.noun()}, not {node.text!r}",
                f"write `{node.text.upper()}`",
                code=Code.BAD_VALUE,
            )
        return fail(
            f"{label} must be {shape.noun()}, not {node.text!r}",
            _pattern_hint(node.text, shape.pattern, name, example),
            code=Code.BAD_VALUE,
        )
    return True


def measure(node: Scalar) -> NumberValue:
    """A number field's value, exact as written (the YAML reader keeps 0.1 a decimal, never a float)."""
    value = number_value(node.value)
    assert value is not None, node
    return value


def _check_measure(node: Scalar, shape: f.Measure, label: str, name: str, fail: Callable[..., bool]) -> bool:
    text = node.text.strip()
    written = re.fullmatch(r"-?[0-9][0-9_]*(\.[0-9]+)?", text)
    if node.kind not in ("int", "float") or written is None:
        if node.kind == "str" and written is not None:
            return fail(
                f"{label} must be a number, not the text {node.text!r}",
                f"write it without quotes: `{name}: {text}`",
            )
        if node.kind == "str" and re.fullmatch(r"-?[0-9]+,[0-9]+", text):
            return fail(
                f"{label} must be a number written with a decimal point, not {node.text!r}",
                f"write `{name}: {text.replace(',', '.')}`",
            )
        return fail(f"{label} must be {shape.noun()}, not {describe(node)}")
    places = len(written.group(1)) - 1 if written.group(1) else 0
    if places > shape.places:
        finest = Decimal(1).scaleb(-shape.places)
        rounded = Decimal(text).quantize(finest, ROUND_HALF_UP) or finest
        return fail(
            f"{label} has {places} decimal places; a number takes at most {shape.places}",
            f"write `{name}: {format(rounded.normalize(), 'f')}`",
            code=Code.BAD_VALUE,
        )
    if shape.exclusive_minimum is not None and Decimal(text) <= shape.exclusive_minimum:
        return fail(
            f"{label} must be more than {shape.exclusive_minimum}, not {text}",
            f"write e.g. `{name}: 1`",
            code=Code.BAD_VALUE,
        )
    return True


def _pattern_hint(text: str, pattern: str, name: str, example: str | None) -> str:
    if pattern in f.KEY_RULES:
        return _key_hint(text, pattern, "key")
    if pattern == f.CURRENCY:
        close = did_you_mean(text.upper(), sorted(CURRENCIES))
        return f"did you mean `{close}`?" if close else "use an ISO 4217 code such as EUR or USD"
    if pattern == f.HEX:
        short = re.fullmatch(r"#?([0-9A-Fa-f])([0-9A-Fa-f])([0-9A-Fa-f])", text.strip())
        if short:
            return 'write `"#' + "".join(c * 2 for c in short.groups()).upper() + '"`'
        digits = re.fullmatch(r"([0-9A-Fa-f]{6})", text.strip())
        if digits:
            return f'write `"#{digits.group(1).upper()}"` (with # and in quotes)'
        return 'write the colour as # and six hex digits, in quotes: `"#1B1F3B"`'
    if pattern in (f.WEIGHT, f.LEAD_TIME):
        return quantity_hint(text, name, weight=pattern == f.WEIGHT, example=example)
    return _hint(name, example, f.Text(pattern))


# How merchants write units the language spells otherwise, to the unit it takes.
_WEIGHT_UNITS = {
    **dict.fromkeys(("kilo", "kilos", "kgs", "kilogram", "kilograms", "kilogramme", "kilogrammes"), "kg"),
    **dict.fromkeys(("gr", "grs", "gram", "grams", "gramme", "grammes"), "g"),
    **dict.fromkeys(("lbs", "pound", "pounds"), "lb"),
    **dict.fromkeys(("ounce", "ounces"), "oz"),
}
_TIME_UNITS = {
    **dict.fromkeys(("d", "day", "days", "jours", "tage"), "days"),
    **dict.fromkeys(("w", "wk", "wks", "week", "weeks", "semaines", "wochen"), "weeks"),
}


def quantity_hint(text: str, name: str, *, weight: bool, example: str | None = None) -> str:
    """What to write for a weight (`weight`) or else a lead time written with another unit:
    `12 kilos` -> `12 kg`, `0,4 kg` -> `0.4 kg`, `10 wks` -> `10 weeks`; months are weeks to count."""
    units = _WEIGHT_UNITS if weight else _TIME_UNITS
    found = re.fullmatch(r"\s*([0-9]+(?:[.,][0-9]+)?)\s*([A-Za-z]+)\.?\s*", text)
    if found is None:
        return _hint(name, example)
    number, unit = found.group(1).replace(",", "."), found.group(2).lower()
    if unit in ("month", "months", "mois", "monat", "monate") and "." not in number:
        weeks = int(number) * 52 // 12
        return f'lead times are in days or weeks: write `{name}: "{weeks} weeks"` or a number of days'
    spelt = units.get(unit, unit if unit in units.values() else None)
    if spelt is None:
        return _hint(name, example)
    if spelt == "days" and number == "1":
        spelt = "day"
    return f'write `{name}: "{number} {spelt}"`'


def _check_keys(node: Mapping, pattern: str, what: str, report: Report, label: str) -> bool:
    for key, value in node.items:
        if not re.match(pattern, key.text):
            report.error(
                Code.BAD_VALUE,
                f"{key.text!r} is not a valid {what} in {label}",
                key,
                _key_hint(key.text, pattern, what),
            )
            report.mark_bad(value)
    return True
