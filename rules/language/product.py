"""Lowering a product file into a `ProductModel`, with the brand's limits folded in."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import regex

from rules import expr as x
from rules.errors import Code, EvaluationError
from rules.i18n import RULES
from rules.language import fields as f
from rules.language.brand import BrandInfo, scripts_from
from rules.language.check import (
    NO_HINTS,
    FieldHints,
    Fields,
    Report,
    check_table,
    did_you_mean,
    measure,
    suggestion,
)
from rules.language.names import AttributeInfo, Resolver, parse_expression, sample_conditions
from rules.language.production import lower_production
from rules.language.tables import lower_price_table, lower_table
from rules.language.values import amount, default_label, localized, money
from rules.language.views import ViewLowering
from rules.language.yamlsafe import Mapping, Node, Scalar, Sequence
from rules.model import (
    DEFAULT_LOCALE,
    NO_PRODUCTION,
    Attribute,
    AttributeKind,
    Constraint,
    ImageSpec,
    Localized,
    NumberValue,
    Option,
    PriceRule,
    Production,
    ProductModel,
    QuantityTier,
    Recommendation,
    SourceRef,
    TableConstraint,
    TextLimits,
    Value,
    ValueRule,
    number_text,
    number_value,
)
from rules.money import is_money_key

_OPTIONED = (AttributeKind.CHOICE, AttributeKind.COLOUR, AttributeKind.MULTI)
# Values a number attribute may have: the engine answers for each one (a millimetre range of a few
# metres is a few thousand), and a million of them would take a minute and half a gigabyte to compile.
MAX_NUMBER_VALUES = 10_000
_GRAPHEME = regex.compile(r"\X")

# Reads a file next to the product (CSV tables): (path, where it is named) -> bytes or None if reported.
ReadFile = Callable[[Path, Node], bytes | None]


@dataclass
class _Draft:
    """An attribute while it is being lowered."""

    key: str
    key_node: Scalar
    fields: Fields | None
    kind: AttributeKind | None
    options: list[Option] = field(default_factory=list)
    when: x.Expr | None = None
    broken: bool = False  # an error was reported in its fields: it is not lowered


def source_hash(parts: list[bytes]) -> str:
    """sha256 over the brand source, the product source and the CSV files, each length-prefixed."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def grapheme_count(text: str) -> int:
    """Grapheme clusters in a text (what shoppers count as characters)."""
    return len(_GRAPHEME.findall(text))


class ProductLowering:
    """Lowers one product file; collects every problem in `report`."""

    def __init__(
        self, root: Node, path: Path, data: bytes, brand: BrandInfo, report: Report, read_file: ReadFile
    ) -> None:
        self.root = root
        self.path = path
        self.file = str(path)
        self.data = data
        self.brand = brand
        self.report = report
        self.read_file = read_file
        self.key = "product"
        self.attached: list[bytes] = []  # CSV sources, for the hash
        self.advisories: list[Constraint] = []  # rules written with `severity: warning`
        self.value_rules: list[ValueRule] = []
        self.resolver = Resolver({}, report)

    def lower(self) -> ProductModel | None:
        """The product, or None when errors were reported."""
        before = self.report.error_count()
        origin = SourceRef(self.file, 1, 1)
        fields = check_table(self.root, f.PRODUCT, self.report, "the product file", anchor=origin)
        if fields is None:
            return None
        key_node = fields.scalar("product")
        if key_node is not None:
            self.key = key_node.text
        label_node = fields.get("label")
        description_node = fields.get("description")
        price_node = fields.get("price")
        base_price = (
            money(price_node, self.brand.currencies, self.report, "`price`", negative=False)
            if price_node is not None
            else None
        )
        attributes = self._attributes(fields)
        constraints, tables = self._constraints(fields, attributes)
        price_rules = self._price_rules(fields, attributes)
        tiers = self._tiers(fields)
        brand_constraints = self._brand_constraints(attributes)
        written = set(self.resolver.attributes) | self.resolver.broken
        views = ViewLowering(attributes, self.resolver, self.report, written).lower(fields.get("views"))
        production, weight_formula = self._production(fields)
        recommendations = self._recommendations(fields)
        if self.report.error_count() != before or base_price is None or label_node is None:
            return None
        return ProductModel(
            key=self.key,
            label=localized(label_node),
            brand=self.brand.brand,
            base_price=base_price,
            attributes=tuple(attributes),
            constraints=tuple(constraints + brand_constraints),
            tables=tuple(tables),
            price_rules=tuple(price_rules),
            quantity_tiers=tuple(tiers),
            description=localized(description_node) if description_node is not None else None,
            source_hash=source_hash([self.brand.digest, self.data, *self.attached]),
            source=key_node.source if key_node is not None else origin,
            views=views,
            production=production,
            weight_formula=weight_formula,
            personalised=(whole := fields.scalar("personalised")) is not None and whole.value is True,
            advisories=tuple(self.advisories),
            value_rules=tuple(self.value_rules),
            recommendations=tuple(recommendations),
        )

    def _production(self, fields: Fields) -> tuple[Production, x.Expr | None]:
        node = fields.get("production")
        checked = (
            check_table(node, f.PRODUCTION, self.report, "`production`", anchor=fields.key("production"))
            if node is not None
            else None
        )
        if checked is None:
            return NO_PRODUCTION, None
        formula: x.Expr | None = None
        formula_node = checked.scalar("weight_formula")
        if formula_node is not None:
            parsed = parse_expression(formula_node, self.report)
            if parsed is not None:
                formula = self.resolver.number(parsed, "the `weight_formula` of `production`")
        return lower_production(checked, self.report), formula

    # -- attributes ------------------------------------------------------------------------------

    def _attributes(self, fields: Fields) -> list[Attribute]:
        node = fields.get("attributes")
        if not isinstance(node, Mapping):
            return []
        drafts: list[_Draft] = []
        for key, value in node.items:
            if self.report.is_bad(value):
                continue
            before = self.report.error_count()
            if is_money_key(key.text):
                # The API refuses money keys in every client body (prices are the server's), picks too.
                self.report.error(
                    Code.BAD_VALUE,
                    f"the attribute key {key.text!r} names an amount of money; shoppers could never "
                    "pick it, since the API refuses prices, totals and discounts from clients",
                    key,
                    f"give it a name that says what the shopper chooses, e.g. `{key.text}_band` or `tier`",
                )
            checked = check_table(
                value,
                f.ATTRIBUTE,
                self.report,
                f"attribute {key.text!r}",
                anchor=key,
                hints=self._attribute_hints(value),
            )
            kind = None
            if checked is not None:
                type_node = checked.scalar("type")
                kind = AttributeKind(type_node.text) if type_node is not None else None
            draft = _Draft(key.text, key, checked, kind)
            if checked is not None and kind in _OPTIONED:
                draft.options = self._options(draft, checked)
            draft.broken = self.report.error_count() != before
            drafts.append(draft)
        infos = {
            d.key: AttributeInfo(d.key, d.kind, tuple(o.key for o in d.options), _ordered(d))
            for d in drafts
            if d.kind is not None
        }
        self.resolver = Resolver(infos, self.report, frozenset(d.key for d in drafts if d.kind is None))
        for draft in drafts:
            when_node = draft.fields.scalar("when") if draft.fields is not None else None
            if when_node is not None:
                parsed = parse_expression(when_node, self.report)
                if parsed is not None:
                    draft.when = self.resolver.condition(parsed, f"`when` of attribute {draft.key!r}")
        self._check_when_cycles(drafts)
        result: list[Attribute] = []
        for draft in drafts:
            attribute = self._attribute(draft)
            if attribute is not None:
                result.append(attribute)
        return result

    def _attribute_hints(self, node: Node) -> FieldHints:
        """What hints suggest for an attribute's own values, so that writing them passes the checks
        that follow: one of its options for `default`, palette colours for a colour's `options`,
        bounds that keep a number's default among its values."""
        if not isinstance(node, Mapping):
            return NO_HINTS
        kind_node = node.get("type")
        kind = kind_node.text if isinstance(kind_node, Scalar) else None
        keys = _option_keys(node.get("options"))
        examples: dict[str, str] = {}
        choices: dict[str, list[str]] = {}
        if kind in ("choice", "colour", "multi") and keys:
            choices["default"] = keys
            examples["max"] = str(len(keys))
            if kind != "multi":
                examples["default"] = keys[0]
        palette = list(self.brand.brand.palette)
        if kind == "colour" and palette:
            examples["options"] = "[" + ", ".join(palette[:2]) + "]"
            examples.setdefault("default", (keys or palette)[0])
        if kind == "number":
            low, high, default, step = (_whole(node.get(name)) for name in ("min", "max", "default", "step"))
            step = step if step is not None and step > 0 else 1
            if default is not None:
                examples["min"] = str(default % step if default >= 0 else default)
            elif high is not None:
                examples["min"] = str(min(0, high))
            known = [value for value in (low, default) if value is not None]
            if known:
                examples["max"] = str(max(known) + 10 * step)
            if low is not None:
                examples["default"] = str(low)
        cap = self.brand.brand.max_text_length
        if kind == "text" and cap is not None:
            examples["max_length"] = str(min(20, cap))
        return FieldHints(examples, choices)

    def _rule_hints(self) -> FieldHints:
        """Conditions over this product's own attributes, for hints on how to write a rule."""
        samples = sample_conditions(self.resolver.attributes)
        if not samples:
            return NO_HINTS
        (about, first), others = samples[0], samples[1:]
        # A rule reads best between two attributes; with one, two of its options still differ.
        elsewhere = next((text for key, text in others if key != about), None)
        second = elsewhere or (others[0][1] if others else first)
        return FieldHints(
            {
                "rule": f"{first} -> {elsewhere}" if elsewhere else first,
                "requires": f"{{if: {first}, then: {second}}}",
                "excludes": f"[{first}, {second}]",
                "if": first,
                "then": second,
                "when": first,
            }
        )

    def _options(self, draft: _Draft, fields: Fields) -> list[Option]:
        node = fields.get("options")
        if node is None:
            return []
        colour = draft.kind == AttributeKind.COLOUR
        entries: list[tuple[Scalar, Mapping | None]] = []
        if isinstance(node, Sequence):
            entries = [(item, None) for item in self.report.good(node.items) if isinstance(item, Scalar)]
        elif isinstance(node, Mapping):
            entries = [
                (key, value if isinstance(value, Mapping) and not self.report.is_bad(value) else None)
                for key, value in node.items
            ]
        options: list[Option] = []
        for key, details in entries:
            label: Localized | None = None
            price: dict[str, Decimal] = {}
            production = NO_PRODUCTION
            image: str | None = None
            if details is not None:
                checked = check_table(
                    details, f.OPTION, self.report, f"option {key.text!r} of {draft.key!r}", anchor=key
                )
                if checked is not None:
                    production = lower_production(checked, self.report)
                    image_node = checked.scalar("image")
                    image = image_node.text.strip() if image_node is not None else None
                    label_node = checked.get("label")
                    label = localized(label_node) if label_node is not None else None
                    price_node = checked.get("price")
                    if price_node is not None:
                        price = (
                            money(
                                price_node,
                                self.brand.currencies,
                                self.report,
                                f"the price of option {key.text!r}",
                            )
                            or {}
                        )
            hex_value: str | None = None
            if colour:
                palette = self.brand.brand.palette
                if key.text in palette:
                    hex_value = palette[key.text]
                    label = label or self.brand.brand.palette_labels.get(key.text)
                elif self.brand.palette_known:
                    hint = (
                        suggestion(key.text, list(palette), "palette colours")
                        if palette
                        else "add a `palette:` to brand.yaml"
                    )
                    if palette and did_you_mean(key.text, list(palette)) is None:
                        hint += f"; or add {key.text!r} to the palette in brand.yaml"
                    self.report.error(
                        Code.UNKNOWN_NAME,
                        f"colour {key.text!r} of attribute {draft.key!r} is not in the brand palette",
                        key,
                        hint,
                    )
            options.append(
                Option(
                    key.text,
                    label or default_label(key.text),
                    price,
                    hex_value,
                    key.source,
                    production,
                    image,
                )
            )
        return options

    def _check_when_cycles(self, drafts: list[_Draft]) -> None:
        depends = {d.key: sorted(d.when.references()) if d.when is not None else [] for d in drafts}
        by_key = {d.key: d for d in drafts}
        state: dict[str, int] = {}  # 1: on the path, 2: done
        reported: set[str] = set()

        def visit(key: str, path: list[str]) -> None:
            state[key] = 1
            path.append(key)
            for other in depends.get(key, []):
                if state.get(other) == 1:
                    cycle = path[path.index(other) :]
                    if not reported.intersection(cycle):
                        reported.update(cycle)
                        draft = by_key[other]
                        when_node = draft.fields.scalar("when") if draft.fields is not None else None
                        chain = " -> ".join([*cycle, other])
                        message = (
                            f"the `when` of attribute {other!r} depends on itself"
                            if len(cycle) == 1
                            else f"the `when` conditions depend on each other in a circle: {chain}"
                        )
                        self.report.error(
                            Code.CYCLE,
                            message,
                            when_node or draft.key_node,
                            "a `when` may only refer to attributes that do not depend on this one",
                        )
                elif other in by_key and state.get(other) is None:
                    visit(other, path)
            path.pop()
            state[key] = 2

        for draft in drafts:
            if state.get(draft.key) is None:
                visit(draft.key, [])

    def _attribute(self, draft: _Draft) -> Attribute | None:
        fields, kind = draft.fields, draft.kind
        if fields is None or kind is None:
            return None
        label_node = fields.get("label")
        help_node = fields.get("help")
        when_message_node = fields.get("when_message")
        if when_message_node is not None and "when" not in fields.written:
            self.report.warning(
                Code.UNREACHABLE,
                f"the `when_message` of attribute {draft.key!r} is never shown: the attribute has no `when`",
                fields.key("when_message"),
                "add the `when:` condition it explains, or remove `when_message`",
            )
        base: dict[str, Any] = {}
        before = self.report.error_count()
        if kind in (AttributeKind.CHOICE, AttributeKind.COLOUR):
            base["default"] = self._option_default(draft, fields)
            base["ordered"] = _ordered(draft)
        elif kind == AttributeKind.MULTI:
            base.update(self._multi(draft, fields))
        elif kind == AttributeKind.NUMBER:
            base.update(self._number(draft, fields))
        elif kind == AttributeKind.BOOLEAN:
            default = fields.scalar("default")
            base["default"] = bool(default.value) if default is not None else False
            base["production"] = lower_production(fields, self.report)
        elif kind == AttributeKind.IMAGE:
            base.update(self._image(draft, fields))
        else:
            base.update(self._text(draft, fields))
        if draft.broken or self.report.error_count() != before:
            return None
        written = fields.scalar("personalised")
        base["personalised"] = (
            written.value is True
            if written is not None
            else kind in (AttributeKind.TEXT, AttributeKind.IMAGE)
        )
        attribute = Attribute(
            key=draft.key,
            kind=kind,
            label=localized(label_node) if label_node is not None else default_label(draft.key),
            options=tuple(draft.options),
            when=draft.when,
            help=localized(help_node) if help_node is not None else None,
            source=draft.key_node.source,
            when_message=localized(when_message_node) if when_message_node is not None else None,
        )
        return replace(attribute, **base)

    def _option_default(self, draft: _Draft, fields: Fields) -> Value:
        node = fields.scalar("default")
        if node is None:
            return None
        keys = [o.key for o in draft.options]
        if keys and node.text not in keys:
            self.report.error(
                Code.BAD_DEFAULT,
                f"default {node.text!r} of attribute {draft.key!r} is not one of its options",
                node,
                suggestion(node.text, keys, "options"),
            )
        return node.text

    def _multi(self, draft: _Draft, fields: Fields) -> dict[str, Any]:
        keys = [o.key for o in draft.options]
        low = fields.scalar("min")
        high = fields.scalar("max")
        min_count = int(low.value) if low is not None and isinstance(low.value, int) else 0
        max_count = int(high.value) if high is not None and isinstance(high.value, int) else None
        if keys and min_count > len(keys) and low is not None:
            self.report.error(
                Code.BAD_VALUE,
                f"`min` of attribute {draft.key!r} is {min_count}, but it has only {len(keys)} options",
                low,
                f"write `min: {len(keys)}` or less",
            )
        if keys and max_count is not None and max_count > len(keys) and high is not None:
            self.report.error(
                Code.BAD_VALUE,
                f"`max` of attribute {draft.key!r} is {max_count}, but it has only {len(keys)} options",
                high,
                f"write `max: {len(keys)}`, or leave `max` out",
            )
        if max_count is not None and min_count > max_count and high is not None:
            self.report.error(
                Code.BAD_VALUE,
                f"`min` ({min_count}) of attribute {draft.key!r} is more than `max` ({max_count})",
                high,
                f"write `max: {min_count}` or more",
            )
        chosen: list[str] = []
        default_node = fields.get("default")
        if isinstance(default_node, Sequence):
            for item in self.report.good(default_node.items):
                assert isinstance(item, Scalar)
                if keys and item.text not in keys:
                    self.report.error(
                        Code.BAD_DEFAULT,
                        f"default {item.text!r} of attribute {draft.key!r} is not one of its options",
                        item,
                        suggestion(item.text, keys, "options"),
                    )
                chosen.append(item.text)
            upper = max_count if max_count is not None else len(keys)
            if not min_count <= len(chosen) <= upper:
                self.report.error(
                    Code.BAD_DEFAULT,
                    f"the default of attribute {draft.key!r} chooses {len(chosen)} "
                    f"options; it must choose {min_count} to {upper}",
                    default_node,
                    f"list between {min_count} and {upper} options",
                )
        elif min_count > 0:
            anchor = fields.key("min") or draft.key_node
            self.report.error(
                Code.BAD_DEFAULT,
                f"attribute {draft.key!r} needs at least {min_count} options, so its default cannot be empty",
                anchor,
                f"add `default: [{', '.join(keys[:min_count])}]`",
            )
        return {"default": frozenset(chosen), "min_count": min_count, "max_count": max_count}

    def _number(self, draft: _Draft, fields: Fields) -> dict[str, Any]:
        low = fields.scalar("min")
        high = fields.scalar("max")
        step_node = fields.scalar("step")
        unit = fields.scalar("unit")
        step = measure(step_node) if step_node is not None else 1
        result: dict[str, Any] = {"step": step, "unit": unit.text.strip() if unit is not None else None}
        if low is None or high is None:
            return result
        minimum, maximum = measure(low), measure(high)
        result.update(minimum=minimum, maximum=maximum)
        if minimum > maximum:
            self.report.error(
                Code.BAD_VALUE,
                f"`min` ({number_text(minimum)}) of attribute {draft.key!r} is more than "
                f"`max` ({number_text(maximum)})",
                high,
                f"write `max: {number_text(minimum)}` or more",
            )
            return result
        count = int((maximum - minimum) // step) + 1
        if count > MAX_NUMBER_VALUES:
            coarser = number_value((maximum - minimum) / (MAX_NUMBER_VALUES - 1))
            assert coarser is not None
            fitting = _round_up_step(coarser)
            self.report.error(
                Code.BAD_VALUE,
                f"attribute {draft.key!r} has {count:,} values ({number_text(minimum)} to "
                f"{number_text(maximum)} by {number_text(step)}); a number takes at most "
                f"{MAX_NUMBER_VALUES:,}, each a value the engine answers for",
                step_node or high,
                f"write `step: {number_text(fitting)}` or narrow `min` and `max`",
            )
            return result
        if (maximum - minimum) % step:
            last = number_value(minimum + (maximum - minimum) // step * step)
            assert last is not None
            following = number_value(last + step)
            assert following is not None
            self.report.warning(
                Code.UNREACHABLE,
                f"`max` {number_text(maximum)} of attribute {draft.key!r} is never reached: "
                f"from {number_text(minimum)} by {number_text(step)} the values stop at {number_text(last)}",
                high,
                f"write `max: {number_text(last)}` or `max: {number_text(following)}`",
            )
        default = fields.scalar("default")
        if default is not None:
            value = measure(default)
            if not minimum <= value <= maximum or (value - minimum) % step:
                self.report.error(
                    Code.BAD_DEFAULT,
                    f"default {number_text(value)} of attribute {draft.key!r} is not one of its "
                    f"values ({number_text(minimum)} to {number_text(maximum)} by {number_text(step)})",
                    default,
                    f"write `default: {number_text(_nearest_on_grid(value, minimum, maximum, step))}`",
                )
            result["default"] = value
        return result

    def _text(self, draft: _Draft, fields: Fields) -> dict[str, Any]:
        brand = self.brand.brand
        length_node = fields.scalar("max_length")
        own = (
            int(length_node.value) if length_node is not None and isinstance(length_node.value, int) else None
        )
        caps = [n for n in (own, brand.max_text_length) if n is not None]
        if not caps and "max_length" in fields.written:
            return {}  # written but wrong: reported already
        if not caps:
            self.report.error(
                Code.MISSING_KEY,
                f"text attribute {draft.key!r} needs `max_length` (the brand sets no max_text_length)",
                draft.key_node,
                "add `max_length: 20`",
            )
            return {}
        max_length = min(caps)
        if own is not None and brand.max_text_length is not None and own > brand.max_text_length:
            assert length_node is not None
            self.report.warning(
                Code.UNREACHABLE,
                f"`max_length` {own} of attribute {draft.key!r} is more than the brand allows: "
                f"texts stop at {brand.max_text_length} (`limits.max_text_length` in brand.yaml)",
                length_node,
                f"write `max_length: {brand.max_text_length}`, or raise the brand's max_text_length",
            )
        lines_node = fields.scalar("max_lines")
        max_lines = (
            int(lines_node.value) if lines_node is not None and isinstance(lines_node.value, int) else 1
        )
        scripts_node = fields.get("scripts")
        scripts = (
            scripts_from(scripts_node, self.report, f"`scripts` of attribute {draft.key!r}")
            if scripts_node is not None
            else ()
        )
        if brand.scripts and scripts:
            kept = tuple(s for s in scripts if s in brand.scripts)
            if not kept:
                self.report.error(
                    Code.BAD_VALUE,
                    f"none of the scripts of attribute {draft.key!r} is allowed by the "
                    f"brand ({', '.join(brand.scripts)})",
                    scripts_node,
                    f"use scripts the brand allows, e.g. `scripts: [{brand.scripts[0]}]`",
                )
            scripts = kept
        elif brand.scripts:
            scripts = brand.scripts
        characters = fields.scalar("characters")
        price_node = fields.get("price_per_char")
        price_per_char = (
            money(
                price_node,
                self.brand.currencies,
                self.report,
                f"`price_per_char` of attribute {draft.key!r}",
                rate=True,
            )
            if price_node is not None
            else {}
        )
        required_node = fields.scalar("required")
        default_node = fields.scalar("default")
        default = default_node.text if default_node is not None and default_node.kind != "null" else ""
        if default_node is not None and grapheme_count(default) > max_length:
            self.report.error(
                Code.BAD_DEFAULT,
                f"the default of attribute {draft.key!r} is {grapheme_count(default)} "
                f"characters long; the limit is {max_length}",
                default_node,
                f"shorten it to {max_length} characters or fewer",
            )
        if default_node is not None and default.count("\n") + 1 > max_lines:
            self.report.error(
                Code.BAD_DEFAULT,
                f"the default of attribute {draft.key!r} has more than {max_lines} "
                f"line{'s' if max_lines != 1 else ''}",
                default_node,
                f"write at most {max_lines} line{'s' if max_lines != 1 else ''}",
            )
        limits = TextLimits(
            max_length=max_length,
            max_lines=max_lines,
            scripts=scripts,
            characters=characters.text if characters is not None and characters.kind != "null" else None,
            price_per_char=price_per_char or {},
        )
        return {
            "default": default,
            "required": bool(required_node.value) if required_node is not None else False,
            "text": limits,
        }

    def _image(self, draft: _Draft, fields: Fields) -> dict[str, Any]:
        formats_node = fields.get("formats")
        formats = (
            tuple(item.text for item in formats_node.items if isinstance(item, Scalar))
            if isinstance(formats_node, Sequence)
            else f.IMAGE_FORMATS
        )
        dpi_node = fields.scalar("min_dpi")
        min_dpi = int(dpi_node.value) if dpi_node is not None and isinstance(dpi_node.value, int) else 300
        size_node = fields.get("print_size")
        print_size = (100.0, 100.0)
        if isinstance(size_node, Sequence):
            lengths = [amount(item) for item in size_node.items if isinstance(item, Scalar)]
            if len(lengths) == 2 and not all(f.PRINT_SIZE.holds(n) for n in lengths):
                self.report.error(
                    Code.BAD_VALUE,
                    f"the `print_size` of attribute {draft.key!r} must be two lengths above 0 mm",
                    size_node,
                    "write `print_size: [width_mm, height_mm]`, e.g. `print_size: [150, 100]`",
                )
            elif len(lengths) == 2:
                print_size = (float(lengths[0]), float(lengths[1]))
        price_node = fields.get("price")
        price = (
            money(
                price_node,
                self.brand.currencies,
                self.report,
                f"`price` of attribute {draft.key!r}",
                negative=False,
            )
            if price_node is not None
            else {}
        )
        required_node = fields.scalar("required")
        return {
            "default": "",
            "required": bool(required_node.value) if required_node is not None else False,
            "image": ImageSpec(formats, min_dpi, print_size, price or {}),
        }

    # -- constraints -----------------------------------------------------------------------------

    def _constraints(
        self, fields: Fields, attributes: list[Attribute]
    ) -> tuple[list[Constraint], list[TableConstraint]]:
        constraints: list[Constraint] = []
        tables: list[TableConstraint] = []
        node = fields.get("constraints")
        if not isinstance(node, Sequence):
            return constraints, tables
        ids: dict[str, SourceRef] = {}
        for index, item in enumerate(node.items, start=1):
            context = _rule_name("constraint", item, "id", index)
            checked = check_table(item, f.CONSTRAINT, self.report, context, hints=self._rule_hints())
            if checked is None:
                continue
            id_node = checked.scalar("id")
            rule_id = id_node.text if id_node is not None else f"{self.key}#{index}"
            if rule_id in ids:
                self.report.error(
                    Code.DUPLICATE,
                    f"constraint id {rule_id!r} is used twice (first at line {ids[rule_id].line})",
                    id_node or item,
                    "give every constraint its own id",
                )
            ids[rule_id] = (id_node or item).source
            message_node = checked.get("message")
            message = localized(message_node) if message_node is not None else Localized.plain("")
            where = item.source
            forms = ("rule", "requires", "excludes", "table", "set")
            written = [name for name in forms if name in checked.written]
            if len(written) != 1:
                continue  # reported by check_table
            severity = checked.scalar("severity")
            warning = severity is not None and severity.text == "warning"
            when_node = checked.key("when")
            if when_node is not None and written != ["set"]:
                self.report.error(
                    Code.CONFLICT,
                    f"`when` of {context} only goes with `set`",
                    when_node,
                    "write the condition into the rule: `requires: {if: ..., then: ...}`",
                )
                continue
            if warning and written[0] in ("table", "set"):
                self.report.error(
                    Code.CONFLICT,
                    f"{context} cannot be a warning: a `{written[0]}` always holds",
                    severity,
                    "remove `severity`, or write the warning as a `rule:` or `requires:`",
                )
                continue
            expression = (
                self._value_rule(checked, rule_id, message, context)
                if written == ["set"]
                else self._constraint_expr(checked, context)
            )
            if expression is not None and not expression.references():
                self._constant_rule(expression, rule_id, where)
            elif expression is not None and warning:
                self.advisories.append(Constraint(rule_id, expression, message, "product", where))
            elif expression is not None:
                constraints.append(Constraint(rule_id, expression, message, "product", where))
            table_node = checked.get("table")
            if table_node is not None:
                table = lower_table(
                    table_node, checked.key("table"), rule_id, message, context, attributes, self
                )
                if table is not None:
                    tables.append(table)
        return constraints, tables

    def _constant_rule(self, expression: x.Expr, rule_id: str, where: SourceRef | None) -> None:
        """Report a rule that mentions no attribute: it holds for every design or for none. Never
        holding, it leaves the product no valid design (an error); always holding, it constrains
        nothing (a warning), and is left out either way."""
        try:
            holds = expression.evaluate({}) is True
        except EvaluationError:
            holds = False
        at = expression.source or where
        rule = self._rule_hints().examples.get("rule", "material == enamel -> colour != gold")
        example = f"name the attributes it is about, e.g. `{rule}`"
        if holds:
            self.report.warning(
                Code.CONSTANT_RULE,
                f"rule {rule_id!r} mentions no attribute and always holds: it constrains nothing",
                at,
                f"{example}, or remove it",
            )
        else:
            self.report.error(
                Code.CONSTANT_RULE,
                f"rule {rule_id!r} mentions no attribute and never holds: no design could ever be made",
                at,
                f"{example}, or remove it",
            )

    def _value_rule(self, checked: Fields, rule_id: str, message: Localized, context: str) -> x.Expr | None:
        """A `set:` rule as the constraint the engine enforces, `when -> (a == v and ...)`; the rule
        itself is kept so that answers can say what set the values."""
        node = checked.get("set")
        if not isinstance(node, Mapping):
            return None
        when: x.Expr | None = None
        when_node = checked.scalar("when")
        if when_node is not None:
            parsed = parse_expression(when_node, self.report)
            when = self.resolver.condition(parsed, f"`when` of {context}") if parsed is not None else None
            if when is None:
                return None
        terms: list[x.Expr] = []
        values: dict[str, Value] = {}
        for key, value in node.items:
            if not isinstance(value, Scalar) or self.report.is_bad(value):
                return None  # its shape is reported already
            source = value.source
            written = value.value
            literal: x.Expr = (
                x.Const(written, source)
                if value.kind in ("bool", "int", "float") and written is not None
                else x.OptionKey(value.text, source)
            )
            term = self.resolver.condition(
                x.Compare("==", x.Name(key.text, key.source), literal, source), f"`set` of {context}"
            )
            if term is None:
                continue
            terms.append(term)
            values[key.text] = number_value(value.value) if value.kind in ("int", "float") else value.value
        if len(terms) != len(node.items):
            return None
        consequence = terms[0]
        for term in terms[1:]:
            consequence = x.Logic("and", consequence, term, consequence.source)
        self.value_rules.append(ValueRule(rule_id, when, values, message))
        return x.Logic("->", when, consequence, when.source) if when is not None else consequence

    def _recommendations(self, fields: Fields) -> list[Recommendation]:
        found: list[Recommendation] = []
        node = fields.get("recommendations")
        if not isinstance(node, Sequence):
            return found
        for index, item in enumerate(self.report.good(node.items), start=1):
            context = f"recommendation {index}"
            checked = check_table(item, f.RECOMMENDATION, self.report, context)
            if checked is None:
                continue
            when: x.Expr | None = None
            when_node = checked.scalar("when")
            if when_node is not None:
                parsed = parse_expression(when_node, self.report)
                when = self.resolver.condition(parsed, f"`when` of {context}") if parsed is not None else None
                if when is None:
                    continue
            recommend = checked.get("recommend")
            message_node = checked.get("message")
            if not isinstance(recommend, Mapping) or message_node is None:
                continue
            for key, value in recommend.items:
                if not isinstance(value, Scalar) or self.report.is_bad(value):
                    continue  # its shape is reported already
                term = self.resolver.condition(
                    x.Compare(
                        "==",
                        x.Name(key.text, key.source),
                        x.OptionKey(value.text, value.source),
                        value.source,
                    ),
                    f"`recommend` of {context}",
                )
                if term is not None:
                    found.append(
                        Recommendation(key.text, value.text, localized(message_node), when, item.source)
                    )
        return found

    def _constraint_expr(self, checked: Fields, context: str) -> x.Expr | None:
        rule = checked.scalar("rule")
        if rule is not None:
            parsed = parse_expression(rule, self.report)
            return self.resolver.condition(parsed, f"the rule of {context}") if parsed is not None else None
        requires = checked.get("requires")
        if requires is not None:
            inner = check_table(
                requires,
                f.REQUIRES,
                self.report,
                f"`requires` of {context}",
                anchor=checked.key("requires"),
                hints=self._rule_hints(),
            )
            if inner is None:
                return None
            parts = []
            for name in ("if", "then"):
                node = inner.scalar(name)
                parsed = parse_expression(node, self.report) if node is not None else None
                parts.append(
                    self.resolver.condition(parsed, f"`{name}` of {context}") if parsed is not None else None
                )
            condition, consequence = parts
            if condition is None or consequence is None:
                return None
            return x.Logic("->", condition, consequence, condition.source)
        excludes = checked.get("excludes")
        if isinstance(excludes, Sequence):
            terms: list[x.Expr] = []
            for position, item in enumerate(self.report.good(excludes.items), start=1):
                assert isinstance(item, Scalar)
                parsed = parse_expression(item, self.report)
                resolved = (
                    self.resolver.condition(parsed, f"item {position} of `excludes` of {context}")
                    if parsed is not None
                    else None
                )
                if resolved is None:
                    return None
                terms.append(resolved)
            # At most one of them holds: no two together.
            where = checked.key("excludes")
            source = where.source if where is not None else None
            result: x.Expr | None = None
            for i, first in enumerate(terms):
                for second in terms[i + 1 :]:
                    pair = x.Not(x.Logic("and", first, second, source), source)
                    result = pair if result is None else x.Logic("and", result, pair, source)
            return result
        return None

    # -- prices ----------------------------------------------------------------------------------

    def _price_rules(self, fields: Fields, attributes: list[Attribute]) -> list[PriceRule]:
        rules: list[PriceRule] = []
        attribute_nodes = fields.get("attributes")
        for attribute in attributes:
            if attribute.kind != AttributeKind.BOOLEAN or not isinstance(attribute_nodes, Mapping):
                continue
            node = attribute_nodes.get(attribute.key)
            price_node = node.get("price") if isinstance(node, Mapping) else None
            if price_node is None:
                continue
            add = money(
                price_node, self.brand.currencies, self.report, f"`price` of attribute {attribute.key!r}"
            )
            if add is not None:
                rules.append(
                    PriceRule(
                        attribute.label, x.Name(attribute.key, attribute.source), add, None, price_node.source
                    )
                )
        node = fields.get("prices")
        if not isinstance(node, Sequence):
            return rules
        for index, item in enumerate(node.items, start=1):
            context = _rule_name("price rule", item, "label", index)
            checked = check_table(item, f.PRICE_RULE, self.report, context, hints=self._rule_hints())
            if checked is None:
                continue
            label_node = checked.get("label")
            when: x.Expr | None = None
            when_node = checked.scalar("when")
            if when_node is not None:
                parsed = parse_expression(when_node, self.report)
                when = self.resolver.condition(parsed, f"`when` of {context}") if parsed is not None else None
            add_node = checked.get("add")
            add = (
                money(add_node, self.brand.currencies, self.report, f"`add` of {context}")
                if add_node is not None
                else None
            )
            formula = self._formula(checked, context)
            table_node = checked.scalar("table")
            table = (
                lower_price_table(table_node, context, attributes, self, self.brand.currencies.codes)
                if table_node is not None
                else None
            )
            if label_node is None or (when_node is not None and when is None):
                continue
            if (
                (add_node is not None and add is None)
                or (checked.get("formula") is not None and formula is None)
                or (table_node is not None and table is None)
            ):
                continue
            if add is None and formula is None and table is None:
                continue
            rules.append(PriceRule(localized(label_node), when, add, formula, item.source, table))
        return rules

    def _formula(self, checked: Fields, context: str) -> dict[str, x.Expr] | None:
        node = checked.get("formula")
        if not isinstance(node, Mapping):
            return None
        before = self.report.error_count()
        currencies = self.brand.currencies
        result: dict[str, x.Expr] = {}
        for key, value in node.items:
            if self.report.is_bad(value):
                continue
            assert isinstance(value, Scalar)
            if currencies.known and key.text not in currencies.codes:
                self.report.error(
                    Code.BAD_CURRENCY,
                    f"{key.text} in the formula of {context} is not one of the "
                    f"brand's currencies ({', '.join(currencies.codes)})",
                    key,
                    f"remove {key.text}, or add it to `currencies` in brand.yaml",
                )
                continue
            parsed = parse_expression(value, self.report)
            resolved = (
                self.resolver.number(parsed, f"the {key.text} formula of {context}")
                if parsed is not None
                else None
            )
            if resolved is not None:
                result[key.text] = resolved
        if currencies.known:
            missing = [code for code in currencies.codes if node.key_node(code) is None]
            if missing:
                self.report.error(
                    Code.BAD_CURRENCY,
                    f"the formula of {context} has no {', '.join(missing)} "
                    "expression; every brand currency needs one",
                    node,
                    "add " + ", ".join(f'`{code}: "..."`' for code in missing),
                )
        return result if self.report.error_count() == before else None

    def _tiers(self, fields: Fields) -> list[QuantityTier]:
        tiers: list[QuantityTier] = []
        node = fields.get("quantity_tiers")
        if not isinstance(node, Sequence):
            return tiers
        previous: int | None = None
        for index, item in enumerate(node.items, start=1):
            # A tier is named by where it starts, as the merchant thinks of it; by position otherwise.
            start = item.get("min") if isinstance(item, Mapping) else None
            name = (
                f"the quantity tier from {start.value} units"
                if isinstance(start, Scalar) and start.kind == "int"
                else f"quantity tier {index}"
            )
            checked = check_table(item, f.QUANTITY_TIER, self.report, name)
            if checked is None:
                continue
            low = checked.scalar("min")
            percent = checked.scalar("percent_off")
            if low is None or percent is None:
                continue
            assert isinstance(low.value, int)
            value = amount(percent)
            if not f.PERCENT_OFF.holds(value):
                self.report.error(
                    Code.BAD_VALUE,
                    f"`percent_off` of {name} must be more than 0 and less than 100, not {percent.text}",
                    percent,
                    "write e.g. `percent_off: 5`",
                )
                continue
            if previous is not None and low.value <= previous:
                self.report.error(
                    Code.BAD_VALUE,
                    f"quantity tiers must go up: {name} comes after the one from {previous} units",
                    low,
                    f"write `min: {previous + 1}` or more, or reorder the tiers",
                )
                continue
            previous = low.value
            tiers.append(QuantityTier(low.value, value))
        return tiers

    # -- brand limits ----------------------------------------------------------------------------

    def _brand_constraints(self, attributes: list[Attribute]) -> list[Constraint]:
        brand = self.brand.brand
        # A multi of palette colours (the inks of a print) uses each colour it picks.
        colours = [
            a
            for a in attributes
            if a.kind == AttributeKind.COLOUR
            or (
                a.kind == AttributeKind.MULTI and a.options and all(o.key in brand.palette for o in a.options)
            )
        ]
        result: list[Constraint] = []
        if not colours:
            return result
        for first, second in brand.forbidden_pairs:
            left = [a for a in colours if a.option(first) is not None]
            right = [a for a in colours if a.option(second) is not None]
            if not left or not right:
                continue  # no design can hold both colours: the limit is already kept
            where = self.brand.limit_sources.get(f"forbidden_pairs:{first}+{second}", brand.source)
            pair: x.Expr = x.Not(
                x.Logic("and", _any_is(left, first, where), _any_is(right, second, where), where), where
            )
            message = self.brand.messages.get("forbidden_pairs") or _pair_message(first, second, self.brand)
            result.append(Constraint(f"brand:forbidden-pair:{first}+{second}", pair, message, "brand", where))
        limit = brand.max_distinct_colours
        if (
            limit is not None
            and sum(len(a.options) if a.kind == AttributeKind.MULTI else 1 for a in colours) > limit
        ):
            where = self.brand.limit_sources.get("max_distinct_colours", brand.source)
            call = x.Call("distinct", tuple(x.Name(a.key, where) for a in colours), where)
            expression: x.Expr = x.Compare("<=", call, x.Const(limit, where), where)
            message = self.brand.messages.get("max_distinct_colours") or RULES.localized_plural(
                "A design uses at most {n} different colour.",
                "A design uses at most {n} different colours.",
                limit,
            )
            result.append(Constraint("brand:max-distinct-colours", expression, message, "brand", where))
        return result


def _round_up_step(step: NumberValue) -> NumberValue:
    """The roundest step at least `step`: 1, 2 or 5 times a power of ten (37.2 -> 50)."""
    power = Decimal(10) ** Decimal(step).adjusted()
    for factor in (1, 2, 5, 10):
        if power * factor >= step:
            found = number_value(power * factor)
            assert found is not None
            return found
    return step


def _ordered(draft: _Draft) -> bool:
    node = draft.fields.scalar("ordered") if draft.fields is not None else None
    return node is not None and node.value is True


def _nearest_on_grid(
    value: NumberValue, low: NumberValue, high: NumberValue, step: NumberValue
) -> NumberValue:
    """The value of low..high by step nearest to `value` (the lower of two as near)."""
    clamped = min(max(value, low), high)
    below = low + (clamped - low) // step * step
    above = below + step
    nearest = above if above <= high and above - clamped < clamped - below else below
    found = number_value(nearest)
    assert found is not None
    return found


def _option_keys(node: Node | None) -> list[str]:
    """The well-written option keys of an `options` value (a list or a mapping), in order."""
    if isinstance(node, Sequence):
        written = [item.text for item in node.items if isinstance(item, Scalar)]
    elif isinstance(node, Mapping):
        written = [key.text for key, _ in node.items]
    else:
        written = []
    return [key for key in written if regex.match(f.OPTION_KEY, key)]


def _whole(node: Node | None) -> int | None:
    """A whole number written as one, else None."""
    return (
        node.value
        if isinstance(node, Scalar) and isinstance(node.value, int) and node.kind == "int"
        else None
    )


def _rule_name(kind: str, item: Node, name: str, index: int) -> str:
    """How messages name a rule: by its `id` (a constraint) or `label` (a price rule) as the merchant
    wrote it, its English text for a label in several languages; by its position without one.

    >>> from rules.language.yamlsafe import load_yaml
    >>> _rule_name("price rule", load_yaml(b"label: {en: Gold, fr: Or}", "x")[0], "label", 2)
    "price rule 'Gold'"
    """
    node = item.get(name) if isinstance(item, Mapping) else None
    if isinstance(node, Mapping):
        texts = {key.text: value for key, value in node.items}
        node = texts.get(DEFAULT_LOCALE, next(iter(texts.values()), None))
    if isinstance(node, Scalar) and node.kind in ("str", "int") and node.text.strip():
        return f"{kind} {node.text.strip()!r}"
    return f"{kind} {index}"


def _any_is(attributes: list[Attribute], colour: str, where: SourceRef | None) -> x.Expr:
    terms: list[x.Expr] = [
        x.Compare("in", x.OptionKey(colour, where), x.Name(a.key, where), where)
        if a.kind == AttributeKind.MULTI
        else x.Compare("==", x.Name(a.key, where), x.OptionKey(colour, where), where)
        for a in attributes
    ]
    result = terms[0]
    for term in terms[1:]:
        result = x.Logic("or", result, term, where)
    return result


def _pair_message(first: str, second: str, brand: BrandInfo) -> Localized:
    """The default message of a forbidden pair, in the locales of the other built-in messages."""
    labels = brand.brand.palette_labels
    return RULES.localized(
        "{first} and {second} never go together.",
        first=labels.get(first) or default_label(first),
        second=labels.get(second) or default_label(second),
    )
