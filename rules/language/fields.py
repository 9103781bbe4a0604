"""The declarative field tables of brand and product files.

One table per kind of mapping says which keys it takes, what shape each value has, which are
required and what they mean. `rules.language.check` validates YAML against these tables and
`rules.schema` turns the very same tables into the published JSON Schema, so the two never drift.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

# Shapes of values -----------------------------------------------------------------------------------

BRAND_KEY = r"^[a-z][a-z0-9-]*$"
PRODUCT_KEY = BRAND_KEY
ATTRIBUTE_KEY = r"^[a-z][a-z0-9_]*$"
CSV_FILE = r"^[^/\\]+\.csv$"  # a file next to the product file
# Production data: a SKU or part code, a weight with its unit, a lead time in days or weeks.
SKU = r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$"
WEIGHT = r"^[0-9]+(\.[0-9]+)? ?(g|kg|lb|oz)$"
LEAD_TIME = r"^[0-9]{1,3} ?(day|days|week|weeks)$"
# A picture inside the catalog folder: no absolute path, no way up.
OPTION_IMAGE = r"^(?!/)(?!.*\.\.)[^\\]+\.(png|jpg|jpeg|webp)$"
OPTION_KEY = r"^[a-z0-9][a-z0-9_-]*$"
LOCALE = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"
CURRENCY = r"^[A-Z]{3}$"
HEX = r"^#[0-9A-Fa-f]{6}$"
AMOUNT = r"^-?[0-9]+(\.[0-9]+)?$"
RULE_ID = r"^[A-Za-z0-9][A-Za-z0-9_.:#+-]*$"
COUNTRY = r"^([A-Z]{2}|\*)$"
VIEW_KEY = r"^[a-z][a-z0-9_-]*$"


@dataclass(frozen=True)
class KeyRule:
    """How a kind of key is written, for hints: the pattern the check applies, said in words, with an
    example, and how a near miss is mended into a key the same pattern accepts."""

    pattern: str
    what: str  # "an attribute key"
    said: str  # "lowercase letters, digits and _, starting with a letter"
    example: str
    allowed: str = ""  # the characters a key may hold, as a regex class body: what mending keeps
    separator: str = ""  # what stands for a space or another character mending cannot keep
    upper: bool = False  # codes in capitals (countries), else keys in lower case

    def mend(self, text: str) -> str | None:
        """The key `text` was most likely meant to be, when the rule makes one of it; else None.

        >>> KEY_RULES[ATTRIBUTE_KEY].mend("Gift-Box"), KEY_RULES[PRODUCT_KEY].mend("Mug_Big")
        ('gift_box', 'mug-big')
        >>> KEY_RULES[PRODUCT_KEY].mend("9mug") is None, KEY_RULES[COUNTRY].mend("gb")
        (True, 'GB')
        """
        word = text.strip().upper() if self.upper else text.strip().lower()
        if self.allowed:
            word = re.sub(f"[^{self.allowed}]+", self.separator, word)
            word = word.strip(self.separator) if self.separator else word
        if word == text or not re.match(self.pattern, word):
            return None
        return word

    def hint(self, text: str) -> str:
        """What to write instead of `text`: the mended key, else the rule itself."""
        mended = self.mend(text)
        if mended is not None:
            return f"write `{mended}` instead"
        return f"{self.what} is {self.said}, e.g. `{self.example}`"


KEY_RULES: dict[str, KeyRule] = {
    rule.pattern: rule
    for rule in (
        KeyRule(
            BRAND_KEY,
            "a brand or product key",
            "lowercase letters, digits and -, starting with a letter",
            "engraved-mug",
            "a-z0-9-",
            "-",
        ),
        KeyRule(
            ATTRIBUTE_KEY,
            "an attribute key",
            "lowercase letters, digits and _, starting with a letter",
            "gift_box",
            "a-z0-9_",
            "_",
        ),
        # Both _ and - are allowed; a mended key takes _, so that rules can name it bare.
        KeyRule(
            OPTION_KEY,
            "an option key",
            "lowercase letters, digits, _ and -, starting with a letter or a digit",
            "nut_free",
            "a-z0-9_-",
            "_",
        ),
        KeyRule(
            VIEW_KEY,
            "a view key",
            "lowercase letters, digits, _ and -, starting with a letter",
            "front",
            "a-z0-9_-",
            "-",
        ),
        KeyRule(
            RULE_ID,
            "a rule id",
            "letters, digits and -_.:#+, starting with a letter or a digit",
            "enamel-not-gold",
            "A-Za-z0-9_.:#+-",
            "-",
        ),
        KeyRule(
            COUNTRY,
            "a country code",
            "two capital letters (ISO 3166-1 alpha-2) or *",
            "FR",
            upper=True,
        ),
    )
}


class Shape:
    """What a value looks like."""

    def noun(self) -> str:
        """How the shape reads in a message: "a whole number"."""
        return "a value"


@dataclass(frozen=True)
class Text(Shape):
    """A YAML string (quoted or not), optionally matching a pattern or one of some values."""

    pattern: str | None = None
    enum: tuple[str, ...] = ()
    what: str = "a text"
    non_empty: bool = True

    def noun(self) -> str:
        if self.enum:
            return "one of " + ", ".join(self.enum)
        return self.what


@dataclass(frozen=True)
class Integer(Shape):
    """A whole number written without quotes."""

    minimum: int | None = None
    maximum: int | None = None

    def noun(self) -> str:
        return "a whole number"


@dataclass(frozen=True)
class Measure(Shape):
    """A number written without quotes, whole or with up to `places` decimal places (18, 18.5),
    read exactly from its source text."""

    places: int = 6
    exclusive_minimum: int | None = None

    def noun(self) -> str:
        return "a number like 120 or 18.5"


@dataclass(frozen=True)
class Boolean(Shape):
    """true or false."""

    def noun(self) -> str:
        return "true or false"


@dataclass(frozen=True)
class Amount(Shape):
    """An exact decimal: a quoted string like "14.00" or a plain number; read from its source text.

    Bounds, where the value has them, are what the loader checks it against and what the JSON
    Schema says (`exclusive_*`: the bound itself is refused).
    """

    what: str = 'an amount like "14.00"'
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    exclusive_minimum: Decimal | None = None
    exclusive_maximum: Decimal | None = None

    def noun(self) -> str:
        return self.what

    def holds(self, value: Decimal) -> bool:
        """Whether `value` is within the bounds.

        >>> PERCENT_OFF.holds(Decimal("12.5")), PERCENT_OFF.holds(Decimal(100))
        (True, False)
        """
        return (
            (self.minimum is None or value >= self.minimum)
            and (self.maximum is None or value <= self.maximum)
            and (self.exclusive_minimum is None or value > self.exclusive_minimum)
            and (self.exclusive_maximum is None or value < self.exclusive_maximum)
        )


@dataclass(frozen=True)
class OptionKey(Shape):
    """An option key: lowercase letters, digits, _ and -; a plain whole number also works."""

    def noun(self) -> str:
        return "an option key (lowercase letters, digits, _ and -)"


@dataclass(frozen=True)
class LocalizedText(Shape):
    """A plain string, or a mapping of language code to text."""

    def noun(self) -> str:
        return "a text, or a mapping of language to text like {en: Gold, fr: Or}"


@dataclass(frozen=True)
class Money(Shape):
    """A mapping of currency code to amount, each with at most its currency's decimals.

    `negative` False: no amount below zero (a base price, shipping). A `rate` is multiplied before
    it is charged (a price per character): it may have more decimals than its currency.
    """

    negative: bool = True
    rate: bool = False

    def noun(self) -> str:
        return 'a mapping of currency to amount like {EUR: "2.00"}'


@dataclass(frozen=True)
class Expression(Shape):
    """A rule expression, written as a YAML string."""

    def noun(self) -> str:
        return "an expression such as `colour == gold`"


@dataclass(frozen=True)
class Cell(Shape):
    """One value in a combination table: an option key, a number, true/false, or null (does not apply)."""

    def noun(self) -> str:
        return "an option key, a number, true/false or null"


@dataclass(frozen=True)
class Nothing(Shape):
    """An empty value (YAML null), e.g. an option written `ceramic:` with no details."""

    def noun(self) -> str:
        return "nothing"


@dataclass(frozen=True)
class ListOf(Shape):
    """A YAML list."""

    item: Shape
    min_items: int = 0
    max_items: int | None = None
    unique: bool = False

    def noun(self) -> str:
        return f"a list (each item {self.item.noun()})"


@dataclass(frozen=True)
class MapOf(Shape):
    """A YAML mapping whose keys follow a pattern and whose values share a shape."""

    key_pattern: str
    key_what: str
    value: Shape
    min_items: int = 0

    def noun(self) -> str:
        return f"a mapping of {self.key_what} to {self.value.noun()}"


@dataclass(frozen=True)
class AnyOf(Shape):
    """One of several shapes (told apart by their YAML kind: scalar, list or mapping)."""

    options: tuple[Shape, ...]
    what: str | None = None  # how the whole reads in messages, when joining the options reads badly

    def noun(self) -> str:
        return self.what or " or ".join(option.noun() for option in self.options)


@dataclass(frozen=True)
class Field:
    """One key of a mapping."""

    name: str
    shape: Shape
    description: str
    required: bool = False
    example: str | None = None  # how to write it, used in hints
    # Attribute fields only: the attribute kinds that take this key (None: all), and the kinds that
    # require it when `required` is False.
    kinds: frozenset[str] | None = None
    required_for: frozenset[str] = frozenset()

    def applies_to(self, kind: str | None) -> bool:
        """Whether this field belongs to an attribute of `kind` (always, outside attributes)."""
        return self.kinds is None or kind is None or kind in self.kinds

    def is_required(self, kind: str | None) -> bool:
        """Whether the key must be written (for an attribute of `kind`)."""
        return self.required or (kind is not None and kind in self.required_for)


@dataclass(frozen=True)
class Table(Shape):
    """A mapping with fixed keys: the declarative table itself. `name` is its JSON Schema $defs name."""

    name: str
    title: str
    fields: tuple[Field, ...]
    exactly_one: tuple[tuple[str, ...], ...] = ()  # groups of keys of which exactly one is written
    needs: tuple[tuple[str, tuple[str, ...]], ...] = ()  # a key written only with these others
    discriminator: str | None = None  # attributes: the key whose value picks the kind
    kinds: tuple[str, ...] = ()

    def noun(self) -> str:
        return "a mapping"

    def field(self, name: str, kind: str | None = None) -> Field | None:
        """The field `name` (for an attribute of `kind`), or None."""
        return next((f for f in self.fields if f.name == name and f.applies_to(kind)), None)

    def names(self, kind: str | None = None) -> list[str]:
        """The keys allowed (for an attribute of `kind`), in table order, without repeats."""
        seen: list[str] = []
        for f in self.fields:
            if f.applies_to(kind) and f.name not in seen:
                seen.append(f.name)
        return seen


# Tables ---------------------------------------------------------------------------------------------

KINDS = ("choice", "colour", "multi", "number", "boolean", "text", "image")
IMAGE_FORMATS = ("png", "jpeg", "webp")  # what uploads accept
_OPTIONED = frozenset({"choice", "colour", "multi"})

LABEL = Field(
    "label",
    LocalizedText(),
    "The name shown to shoppers: a text, or {en: ..., fr: ...}.",
    example="{en: Engraved mug, fr: Mug gravé}",
)

PALETTE_ENTRY = Table(
    "palette_entry",
    "A palette colour with a label",
    (
        Field(
            "hex",
            Text(HEX, what='a colour like "#1B1F3B"'),
            "The colour as #RRGGBB.",
            required=True,
            example='"#1B1F3B"',
        ),
        Field(
            "label",
            LocalizedText(),
            "The colour's name shown to shoppers; default: the key, capitalised.",
            example="{en: Ink, fr: Encre}",
        ),
    ),
)

LIMIT_MESSAGES = Table(
    "limit_messages",
    "Shopper messages replacing the default ones of the brand limits",
    (
        Field(
            "max_distinct_colours",
            LocalizedText(),
            "Shown when a design has too many distinct colours.",
            example='{en: "At most 3 colours per design."}',
        ),
        Field(
            "forbidden_pairs",
            LocalizedText(),
            "Shown when a design combines a forbidden pair of colours.",
            example='{en: "Coral and gold never go together."}',
        ),
    ),
)

LIMITS = Table(
    "limits",
    "Limits every product of the brand inherits, lowered into constraints",
    (
        Field(
            "max_distinct_colours",
            Integer(minimum=1),
            "At most this many distinct colours across a product's colour attributes.",
            example="3",
        ),
        Field(
            "forbidden_pairs",
            ListOf(ListOf(Text(OPTION_KEY, what="a palette key"), min_items=2, max_items=2)),
            "Pairs of palette colours never used together in one product.",
            example="[[coral, gold]]",
        ),
        Field(
            "max_text_length",
            Integer(minimum=1),
            "Caps the length (in graphemes) of every text attribute.",
            example="40",
        ),
        Field(
            "messages",
            LIMIT_MESSAGES,
            "Optional overrides of the default limit messages.",
            example='{max_distinct_colours: {en: "At most 3 colours per design."}}',
        ),
    ),
)

TEXT_POLICY = Table(
    "text_policy",
    "The brand's text policy, applied to every text attribute",
    (
        Field(
            "banned_words",
            ListOf(Text()),
            "Words refused in any text: whole words, after case, look-alike, leetspeak, spacing and "
            "repeated-letter folding (see the text policy in docs/rules.md).",
            example="[competitorco]",
        ),
        Field(
            "scripts",
            ListOf(Text(what="a Unicode script name like Latin"), unique=True),
            "Unicode script names allowed in any text, e.g. [Latin]; empty or absent: any script.",
            example="[Latin]",
        ),
    ),
)

WEIGHT_BAND = Table(
    "weight_band",
    "Shipping for orders up to a weight",
    (
        Field(
            "up_to",
            Text(WEIGHT, what='a weight like "2 kg"'),
            "The heaviest order of the band; left out: any weight (last band only).",
            example='"2 kg"',
        ),
        Field(
            "cost",
            Money(negative=False),
            "What shipping costs, per currency.",
            required=True,
            example='{EUR: "4.90"}',
        ),
    ),
)

SHIPPING_ZONE = Table(
    "shipping_zone",
    "A shipping zone",
    (
        Field(
            "zone",
            Text(OPTION_KEY, what="a key of lowercase letters, digits, _ and -"),
            "The zone's key.",
            required=True,
            example="europe",
        ),
        Field(
            "label", LocalizedText(), "The zone's name shown on the cart.", example="{en: Europe, fr: Europe}"
        ),
        Field(
            "countries",
            ListOf(
                Text(COUNTRY, what='an ISO 3166-1 alpha-2 code like FR, or "*" for the rest of the world'),
                min_items=1,
                unique=True,
            ),
            'The countries it covers (ISO 3166-1 alpha-2); "*" covers every country no other zone names.',
            required=True,
            example="[FR, BE, DE]",
        ),
        Field(
            "flat",
            Money(negative=False),
            "What shipping costs, per currency (with `by_weight`: nothing to write).",
            example='{EUR: "4.90"}',
        ),
        Field(
            "by_weight",
            ListOf(WEIGHT_BAND, min_items=1),
            "What shipping costs by the order's weight, lightest band first; the last band may leave "
            "`up_to` out (any weight); an order heavier than every band is not shipped to the zone.",
            example='[{up_to: 2 kg, cost: {EUR: "4.90"}}, {up_to: 30 kg, cost: {EUR: "14.90"}}]',
        ),
        Field(
            "per_extra_item",
            Money(negative=False),
            "Added for each item after the first.",
            example='{EUR: "1.00"}',
        ),
        Field(
            "free_over", Money(negative=False), "Free from this items' total on.", example='{EUR: "60.00"}'
        ),
        Field(
            "free_max_weight",
            Text(WEIGHT, what='a weight like "30 kg"'),
            "Orders heavier than this never ship free, whatever their total.",
            example='"30 kg"',
        ),
    ),
    exactly_one=(("flat", "by_weight"),),
)

# What a tax rate is written for: a country, an ISO 3166-2 region of one (US-CA, ES-CN), or "*".
TAX_AREA = r"^([A-Z]{2}(-[A-Z0-9]{1,3})?|\*)$"

# A percentage from 0 to 100.
TAX_RATE = Amount(what='a percentage like "20"', minimum=Decimal(0), maximum=Decimal(100))

TAX = Table(
    "tax",
    "Tax rates",
    (
        Field(
            "label",
            LocalizedText(),
            "The tax's name on the cart (default Tax).",
            example="{en: VAT, fr: TVA}",
        ),
        Field(
            "rates",
            MapOf(TAX_AREA, "country or region code (or *)", TAX_RATE, min_items=1),
            "Percent per country (ISO 3166-1 alpha-2) or region (ISO 3166-2, e.g. US-CA: it applies "
            "instead of its country's, and shoppers there give their region); "
            '"*" for every other country.',
            required=True,
            example='{FR: "20", US: "0", US-CA: "7.25", "*": "0"}',
        ),
        Field("on_shipping", Boolean(), "Whether shipping is taxed too (default true).", example="true"),
    ),
)

BRAND = Table(
    "brand",
    "A brand file (brand.yaml)",
    (
        Field(
            "brand",
            Text(BRAND_KEY, what="a key of lowercase letters, digits and -"),
            "The brand's key.",
            required=True,
            example="northwind-crafts",
        ),
        Field(
            "label",
            LocalizedText(),
            "The brand's name shown to shoppers.",
            required=True,
            example="Northwind Crafts",
        ),
        Field(
            "currencies",
            ListOf(Text(CURRENCY, what="an ISO 4217 currency code like EUR"), min_items=1, unique=True),
            "ISO 4217 currency codes; the first is the default.",
            required=True,
            example="[EUR, USD]",
        ),
        Field(
            "languages",
            ListOf(Text(LOCALE, what="a language code like en, fr or pt-BR"), min_items=1, unique=True),
            "The languages the shop is written in, the first the default; `atelier rules check` warns "
            "of every label and message without a text in each.",
            example="[en, fr, de]",
        ),
        Field("prices_include_tax", Boolean(), "Whether prices include tax (default false).", example="true"),
        Field(
            "rounding",
            Text(enum=("half_up", "half_even")),
            "How totals round to the currency's minor unit (default half_up).",
            example="half_up",
        ),
        Field(
            "palette",
            MapOf(
                OPTION_KEY, "colour key", AnyOf((Text(HEX, what='a colour like "#FFFFFF"'), PALETTE_ENTRY))
            ),
            'The brand\'s colours: key -> "#RRGGBB" or {hex:, label:}.',
            example='{white: "#FFFFFF"}',
        ),
        Field("limits", LIMITS, "Limits every product inherits.", example="{max_distinct_colours: 3}"),
        Field("text", TEXT_POLICY, "The text policy for every text attribute.", example="{scripts: [Latin]}"),
        Field(
            "shipping",
            ListOf(SHIPPING_ZONE, min_items=1),
            "Shipping zones and their rates; without it, shipping is not charged.",
            example='[{zone: france, countries: [FR], flat: {EUR: "4.90"}}]',
        ),
        Field("tax", TAX, "Tax per country or region; none: no tax line.", example='{rates: {FR: "20"}}'),
    ),
)

# Production data: what the workshop and the shipper need of a design ------------------------------


PART = Table(
    "part",
    "A line of a bill of materials",
    (
        Field(
            "part",
            Text(SKU, what="a part code of letters, digits, . _ / -"),
            "The part's code.",
            required=True,
            example="LEG-OAK-72",
        ),
        Field(
            "quantity",
            Measure(places=3, exclusive_minimum=0),
            "How many (or how much) one unit takes (default 1).",
            example="4",
        ),
    ),
)


def _production_fields(whose: str, kinds: frozenset[str] | None = None) -> tuple[Field, ...]:
    """The production fields of an option, a boolean attribute (when ticked) or a product."""
    return (
        Field(
            "sku",
            Text(SKU, what="a code of letters, digits, . _ / -"),
            f"{whose} part of the SKU; the design's SKU joins the product's and its options' with -.",
            kinds=kinds,
            example="WAL",
        ),
        Field(
            "weight",
            Text(WEIGHT, what='a weight like "250 g" or "1.5 kg"'),
            f"{whose} weight, added to the design's (g, kg, lb or oz).",
            kinds=kinds,
            example='"12 kg"',
        ),
        Field(
            "lead_time",
            Text(LEAD_TIME, what='a time like "10 days" or "6 weeks"'),
            f"{whose} time to make, in calendar days or weeks; a design takes its longest.",
            kinds=kinds,
            example='"10 weeks"',
        ),
        Field(
            "parts",
            ListOf(PART, min_items=1),
            f"{whose} bill of materials lines.",
            kinds=kinds,
            example="[{part: LEG-OAK-72, quantity: 4}]",
        ),
    )


OPTION = Table(
    "option",
    "An option written as a mapping",
    (
        Field(
            "label",
            LocalizedText(),
            "The option's name shown to shoppers; default: the key, capitalised "
            "(colours: the palette label).",
            example="{en: Enamel, fr: Émail}",
        ),
        Field(
            "price",
            Money(),
            "Added to the price when this option is chosen; every brand currency.",
            example='{EUR: "2.00", USD: "2.50"}',
        ),
        Field(
            "image",
            Text(OPTION_IMAGE, what="a .png, .jpg or .webp file path relative to the catalog folder"),
            "A picture of the option (a wood, a stone, a fabric), shown as its swatch.",
            example="assets/dining-table/walnut.jpg",
        ),
        *_production_fields("The option's"),
    ),
)

PRODUCTION = Table(
    "production",
    "What the workshop and the shipper need of every design of the product",
    (
        *_production_fields("The product's"),
        Field(
            "weight_formula",
            Expression(),
            "Kilograms computed from number attributes, added to the weights (a table by its size).",
            example='"length * width / 10000 * 28"',
        ),
    ),
)

OPTIONS = AnyOf(
    (
        ListOf(OptionKey(), min_items=1, unique=True),
        MapOf(OPTION_KEY, "option key", AnyOf((OPTION, Nothing())), min_items=1),
    ),
    what="a list of option keys, or a mapping of option key to {label:, price:}",
)

_CHOICE = frozenset({"choice", "colour"})


def _kinds(*names: str) -> frozenset[str]:
    return frozenset(names)


# Each side of an image attribute's printed zone.
PRINT_SIZE = Amount(what="a length in millimetres like 150", exclusive_minimum=Decimal(0))

ATTRIBUTE = Table(
    "attribute",
    "An attribute the shopper picks",
    (
        Field("type", Text(enum=KINDS), "The kind of attribute.", required=True, example="choice"),
        Field(
            "label",
            LocalizedText(),
            "The name shown to shoppers; default: the key with _ as spaces, capitalised.",
            example="Material",
        ),
        Field(
            "help",
            LocalizedText(),
            "A short help text shown next to the attribute.",
            example="Engraved by hand.",
        ),
        Field(
            "when",
            Expression(),
            "The attribute applies only when this condition holds; otherwise its value is none.",
            example="engraving.present",
        ),
        Field(
            "when_message",
            LocalizedText(),
            "What the shopper reads when a value is given but the attribute does not apply (its `when` "
            "is false); default: a message that quotes the condition.",
            example='{en: "Only steel bottles are engraved."}',
        ),
        Field(
            "options",
            OPTIONS,
            "The values: a list of keys, or a mapping key -> {label:, price:}. "
            "Colour options are palette keys.",
            kinds=_OPTIONED,
            required_for=_OPTIONED,
            example="[ceramic, enamel]",
        ),
        Field(
            "personalised",
            Boolean(),
            "Whether a value of it makes the design the shopper's own, so that it cannot be returned "
            "under the EU right of withdrawal (default: true for text and image, false otherwise).",
            example="true",
        ),
        Field(
            "ordered",
            Boolean(),
            "Whether the options are listed in order, smallest first (sizes): rules may then compare "
            "them, `size >= l` (default false).",
            kinds=_kinds("choice"),
            example="true",
        ),
        Field(
            "default",
            OptionKey(),
            "The option chosen at first.",
            kinds=_CHOICE,
            required_for=_CHOICE,
            example="ceramic",
        ),
        Field(
            "default",
            ListOf(OptionKey(), unique=True),
            "The options chosen at first (default: none).",
            kinds=_kinds("multi"),
            example="[]",
        ),
        Field(
            "default",
            Measure(),
            "The number chosen at first; within min..max and on a step.",
            kinds=_kinds("number"),
            required_for=_kinds("number"),
            example="120",
        ),
        Field(
            "default",
            Boolean(),
            "Whether it is on at first.",
            kinds=_kinds("boolean"),
            required_for=_kinds("boolean"),
            example="false",
        ),
        Field(
            "default",
            Text(non_empty=False),
            'The text at first (default "").',
            kinds=_kinds("text"),
            example='""',
        ),
        Field(
            "min",
            Integer(minimum=0),
            "The fewest options to choose (default 0); at most `max`.",
            kinds=_kinds("multi"),
            example="0",
        ),
        Field(
            "max",
            Integer(minimum=1),
            "The most options to choose (default: all); at least `min`, at most the number of options.",
            kinds=_kinds("multi"),
            example="3",
        ),
        Field(
            "min",
            Measure(),
            "The smallest value; at most `max`. Decimals are exact: 16.5.",
            kinds=_kinds("number"),
            required_for=_kinds("number"),
            example="60",
        ),
        Field(
            "max",
            Measure(),
            "The largest value; at least `min`.",
            kinds=_kinds("number"),
            required_for=_kinds("number"),
            example="300",
        ),
        Field(
            "step",
            Measure(exclusive_minimum=0),
            "The values go from min by this step (default 1); a decimal step such as 0.5 gives half sizes.",
            kinds=_kinds("number"),
            example="10",
        ),
        Field(
            "unit", Text(), "The unit shown after the number, e.g. cm.", kinds=_kinds("number"), example="cm"
        ),
        Field(
            "price",
            Money(),
            "Added to the price when the attribute is true; every brand currency.",
            kinds=_kinds("boolean"),
            example='{EUR: "3.00", USD: "3.50"}',
        ),
        *_production_fields("What ticking it adds: its", kinds=_kinds("boolean")),
        Field(
            "max_length",
            Integer(minimum=1),
            "The most grapheme clusters, all lines together (the brand's max_text_length caps it).",
            kinds=_kinds("text"),
            example="20",
        ),
        Field(
            "max_lines", Integer(minimum=1), "The most lines (default 1).", kinds=_kinds("text"), example="1"
        ),
        Field(
            "required",
            Boolean(),
            "Whether the shopper must write something (default false).",
            kinds=_kinds("text"),
            example="false",
        ),
        Field(
            "required",
            Boolean(),
            "Whether the shopper must upload an image before buying (default false).",
            kinds=_kinds("image"),
            example="false",
        ),
        Field(
            "formats",
            ListOf(Text(enum=IMAGE_FORMATS), min_items=1, unique=True),
            "The image formats the shopper may upload (default: all of png, jpeg and webp).",
            kinds=_kinds("image"),
            example="[png, jpeg]",
        ),
        Field(
            "min_dpi",
            Integer(minimum=50, maximum=1200),
            "The resolution below which the shopper is warned that the print will look blurry (default 300).",
            kinds=_kinds("image"),
            example="300",
        ),
        Field(
            "print_size",
            ListOf(PRINT_SIZE, min_items=2, max_items=2),
            "[width, height] of the printed zone in millimetres.",
            kinds=_kinds("image"),
            required_for=_kinds("image"),
            example="[150, 100]",
        ),
        Field(
            "price",
            Money(negative=False),
            "Added to the price when an image is given; every brand currency.",
            kinds=_kinds("image"),
            example='{EUR: "6.00", USD: "7.00"}',
        ),
        Field(
            "scripts",
            ListOf(Text(what="a Unicode script name like Latin"), min_items=1, unique=True),
            "Unicode scripts allowed; intersected with the brand's.",
            kinds=_kinds("text"),
            example="[Latin]",
        ),
        Field(
            "characters",
            Text(non_empty=False),
            "Non-letter characters allowed besides the letters of the scripts.",
            kinds=_kinds("text"),
            example='" .,\'&!?-"',
        ),
        Field(
            "price_per_char",
            Money(rate=True),
            "Added per grapheme, whitespace excluded; every brand currency. A rate: it may have more "
            "decimals than the currency, the line is rounded once.",
            kinds=_kinds("text"),
            example='{EUR: "0.25", USD: "0.30"}',
        ),
    ),
    discriminator="type",
    kinds=KINDS,
)

REQUIRES = Table(
    "requires",
    "If a condition holds, another must too",
    (
        Field("if", Expression(), "The condition.", required=True, example="font == script"),
        Field("then", Expression(), "What must then hold.", required=True, example="engraving.length <= 12"),
    ),
)

COMBINATION_TABLE = Table(
    "table",
    "A table of allowed or forbidden combinations",
    (
        Field(
            "attributes",
            ListOf(Text(r"^[a-z][a-z0-9_]*$", what="an attribute key"), min_items=1, unique=True),
            "The attributes of the columns, in order (with a file: optional, the CSV header gives them).",
            example="[size, tiers]",
        ),
        Field(
            "allowed",
            ListOf(ListOf(Cell(), min_items=1)),
            "The only combinations allowed, one row per list.",
            example="[[small, 1], [large, 2]]",
        ),
        Field(
            "forbidden",
            ListOf(ListOf(Cell(), min_items=1)),
            "Combinations never allowed.",
            example="[[small, 3]]",
        ),
        Field(
            "file",
            Text(CSV_FILE, what="a CSV file name next to the product file"),
            "A CSV file next to the product file; its header row names the attributes.",
            example="sizes.csv",
        ),
        Field(
            "mode",
            Text(enum=("allowed", "forbidden")),
            "With file: whether the CSV rows are the allowed or the forbidden ones (default allowed).",
            example="allowed",
        ),
    ),
    exactly_one=(("allowed", "forbidden", "file"),),
    needs=(("mode", ("file",)), ("allowed", ("attributes",)), ("forbidden", ("attributes",))),
)

CONSTRAINT = Table(
    "constraint",
    "A rule every design follows",
    (
        Field(
            "rule",
            Expression(),
            "A condition every design satisfies.",
            example="material == enamel -> colour != gold",
        ),
        Field(
            "requires",
            REQUIRES,
            "If `if` holds, `then` must hold.",
            example="{if: font == script, then: engraving.length <= 12}",
        ),
        Field(
            "excludes",
            ListOf(Expression(), min_items=2),
            "Conditions of which at most one holds.",
            example="[sponge == nut_free, filling == praline]",
        ),
        Field(
            "table",
            COMBINATION_TABLE,
            "A combination table.",
            example="{attributes: [size, tiers], allowed: [[small, 1]]}",
        ),
        Field(
            "set",
            MapOf(ATTRIBUTE_KEY, "attribute key", Cell(), min_items=1),
            "Values the design takes (when `when` holds): an option key, a number, true or false each.",
            example="{leaf_bag: true}",
        ),
        Field(
            "when",
            Expression(),
            "With `set`: the condition under which the values are set (default: always).",
            example="extendable",
        ),
        Field(
            "severity",
            Text(enum=("error", "warning")),
            "error (the default): no design may break the rule; warning: the shopper is told, and may "
            "still order.",
            example="warning",
        ),
        Field(
            "message",
            LocalizedText(),
            "What the shopper reads when the rule stops a choice.",
            required=True,
            example='{en: "Enamel mugs don\'t come in gold."}',
        ),
        Field(
            "id",
            Text(RULE_ID, what="an id of letters, digits and -_.:#+"),
            'A stable id; default "<product>#<position>".',
            example="enamel-not-gold",
        ),
    ),
    exactly_one=(("rule", "requires", "excludes", "table", "set"),),
)

RECOMMENDATION = Table(
    "recommendation",
    "The merchant's own suggestion, shown beside those learned from orders",
    (
        Field(
            "recommend",
            MapOf(ATTRIBUTE_KEY, "attribute key", OptionKey(), min_items=1),
            "The attribute and the option suggested.",
            required=True,
            example="{oil: hardwax}",
        ),
        Field(
            "when",
            Expression(),
            "Suggested only when this holds (default: always).",
            example="wood == walnut",
        ),
        Field(
            "message",
            LocalizedText(),
            "Why, for the shopper.",
            required=True,
            example='{en: "Hardwax oil brings out the grain of walnut."}',
        ),
    ),
)

PRICE_RULE = Table(
    "price_rule",
    "A conditional adjustment or a formula: one line on the quote",
    (
        Field("label", LocalizedText(), "The quote line's label.", required=True, example="Gold on enamel"),
        Field(
            "when",
            Expression(),
            "The line applies only when this holds.",
            example="colour == gold and material == enamel",
        ),
        Field(
            "add",
            Money(),
            "A fixed amount per currency; every brand currency.",
            example='{EUR: "2.00", USD: "2.40"}',
        ),
        Field(
            "formula",
            MapOf(CURRENCY, "currency", Expression(), min_items=1),
            "An expression per currency over number attributes; every brand currency.",
            example='{EUR: "width * drop / 10000 * 39.90"}',
        ),
        Field(
            "table",
            Text(CSV_FILE, what="a CSV file name next to the product file"),
            "A CSV file of amounts: its header names the attributes that choose the row, then one "
            "column per brand currency (metal,size,GBP,EUR).",
            example="ring-prices.csv",
        ),
    ),
    exactly_one=(("add", "formula", "table"),),
)

# A discount: more than 0 %, less than 100 %.
PERCENT_OFF = Amount(
    "a percentage like 5 or 12.5", exclusive_minimum=Decimal(0), exclusive_maximum=Decimal(100)
)

QUANTITY_TIER = Table(
    "quantity_tier",
    "A volume discount",
    (
        Field("min", Integer(minimum=2), "From this many units on.", required=True, example="10"),
        Field(
            "percent_off",
            PERCENT_OFF,
            "Each unit costs this percent less (more than 0, less than 100).",
            required=True,
            example="5",
        ),
    ),
)

# Views: previews drawn from images, masks and text zones ---------------------------------------------

PNG_FILE = r"^[^\s].*\.png$"
FONT_FILE = r"^(default|[^\s].*\.(ttf|otf))$"
_PNG = Text(PNG_FILE, what="a PNG file path relative to the catalog folder, like assets/mug/body.png")
_FONT = Text(FONT_FILE, what='a .ttf or .otf file path relative to the catalog folder, or "default"')
_ATTRIBUTE_NAME = Text(ATTRIBUTE_KEY, what="an attribute key")

TINT = Table(
    "tint",
    "A colour attribute's colour laid on the part under a greyscale mask, light and shade kept",
    (
        Field(
            "mask",
            _PNG,
            "A greyscale PNG (mode L) of the view's size: white where the colour goes, black elsewhere.",
            required=True,
            example="assets/engraved-mug/body-mask.png",
        ),
        Field(
            "colour",
            _ATTRIBUTE_NAME,
            "The colour attribute giving the colour.",
            required=True,
            example="colour",
        ),
        Field("when", Expression(), "Drawn only when this holds.", example="material != enamel"),
        Field(
            "neutral",
            Integer(minimum=1, maximum=254),
            "The grey of the layers below that becomes exactly the colour (default 128); darker greys "
            "shade towards black, lighter ones towards white.",
            example="128",
        ),
    ),
)

OVERLAY = Table(
    "overlay",
    "An image over the layers below: one per option of an attribute, or one shown when a condition holds",
    (
        Field(
            "attribute",
            _ATTRIBUTE_NAME,
            "With `images`: the choice or multi attribute whose chosen options are drawn.",
            example="filling",
        ),
        Field(
            "images",
            MapOf(OPTION_KEY, "option key", _PNG, min_items=1),
            "An image per option (options without one draw nothing), in the view's size.",
            example="{raspberry: assets/cake/raspberry.png}",
        ),
        Field("image", _PNG, "One image in the view's size.", example="assets/engraved-mug/gift-box.png"),
        Field("when", Expression(), "Drawn only when this holds.", example="gift_box"),
    ),
    exactly_one=(("images", "image"),),
    needs=(("images", ("attribute",)),),
)

COLOUR_REF = Table(
    "colour_ref",
    "The colour of a colour attribute",
    (Field("attribute", _ATTRIBUTE_NAME, "The colour attribute.", required=True, example="piping"),),
)

TEXT_ZONE = Table(
    "text_zone",
    "A text attribute drawn in a box, at the largest size that fits",
    (
        Field("attribute", _ATTRIBUTE_NAME, "The text attribute drawn.", required=True, example="engraving"),
        Field(
            "box",
            ListOf(Integer(minimum=0), min_items=4, max_items=4),
            "Where the text goes: [x, y, width, height] in the view's pixels.",
            required=True,
            example="[250, 300, 300, 200]",
        ),
        Field("font", _FONT, 'The font (default: "default", the built-in font).', example="default"),
        Field(
            "fonts",
            MapOf(OPTION_KEY, "option key", _FONT, min_items=1),
            "With `font_attribute`: the font of each of its options.",
            example="{serif: assets/fonts/DejaVuSerif.ttf, sans: default}",
        ),
        Field(
            "font_attribute",
            _ATTRIBUTE_NAME,
            "The choice attribute picking the font; `fonts` gives a font per option.",
            example="font",
        ),
        Field(
            "min_size",
            Integer(minimum=4),
            "The smallest font size in pixels (default 12); at most `max_size`.",
            example="12",
        ),
        Field(
            "max_size",
            Integer(minimum=4),
            "The largest font size in pixels (default 96); at least `min_size`.",
            example="96",
        ),
        Field(
            "colour",
            AnyOf((Text(HEX, what='a colour like "#1B1F3B"'), COLOUR_REF)),
            'The text colour: "#RRGGBB", or {attribute: <colour attribute>} (default "#000000").',
            example='"#2B2B2B"',
        ),
        Field(
            "align",
            Text(enum=("left", "center", "right")),
            "Alignment in the box (default center).",
            example="center",
        ),
        Field(
            "arc",
            Integer(minimum=-180, maximum=180),
            "Bends the text through this many degrees; positive bulges upwards (default 0, straight).",
            example="30",
        ),
        Field("when", Expression(), "Drawn only when this holds.", example="engraving.present"),
    ),
    needs=(("fonts", ("font_attribute",)), ("font_attribute", ("fonts",))),
)

PHOTO_ZONE = Table(
    "photo_zone",
    "The shopper's image of an image attribute, scaled into a box",
    (
        Field("attribute", _ATTRIBUTE_NAME, "The image attribute drawn.", required=True, example="photo"),
        Field(
            "box",
            ListOf(Integer(minimum=0), min_items=4, max_items=4),
            "Where the image goes: [x, y, width, height] in the view's pixels.",
            required=True,
            example="[200, 150, 400, 300]",
        ),
        Field(
            "fit",
            Text(enum=("cover", "contain")),
            "cover: fill the box and crop what overflows (default); contain: fit the whole image inside.",
            example="cover",
        ),
        Field("when", Expression(), "Drawn only when this holds.", example="photo.present"),
    ),
)

LAYER = Table(
    "layer",
    "One layer of a view, drawn over the layers before it",
    (
        Field(
            "image",
            _PNG,
            "A base image in the view's size, always drawn.",
            example="assets/engraved-mug/mug.png",
        ),
        Field(
            "tint",
            TINT,
            "A colour laid under a mask.",
            example="{mask: assets/mug/body-mask.png, colour: colour}",
        ),
        Field(
            "overlay",
            OVERLAY,
            "Option images, or one conditional image.",
            example="{attribute: filling, images: {...}}",
        ),
        Field("text", TEXT_ZONE, "A text zone.", example="{attribute: engraving, box: [250, 300, 300, 200]}"),
        Field(
            "photo",
            PHOTO_ZONE,
            "The shopper's uploaded image.",
            example="{attribute: photo, box: [200, 150, 400, 300], fit: cover}",
        ),
    ),
    exactly_one=(("image", "tint", "overlay", "text", "photo"),),
)

MAX_PRINT_MM = 5000  # five metres: a curtain, a banner
MAX_BLEED_MM = 25
PRINT_LENGTH = Amount(
    what="a length in millimetres like 90 or 42.5",
    exclusive_minimum=Decimal(0),
    maximum=Decimal(MAX_PRINT_MM),
)
BLEED = Amount(what="a length in millimetres like 3", minimum=Decimal(0), maximum=Decimal(MAX_BLEED_MM))

PRINT_AREA = Table(
    "print_area",
    "How large a view is printed, in millimetres",
    (
        Field(
            "width",
            PRINT_LENGTH,
            "The printed width in millimetres, once trimmed; the view's pixels span it.",
            required=True,
            example="90",
        ),
        Field(
            "height",
            PRINT_LENGTH,
            "The printed height in millimetres, once trimmed; width and height keep the view's proportions.",
            required=True,
            example="40",
        ),
        Field(
            "bleed",
            BLEED,
            "Artwork printed beyond each trimmed edge and cut off after printing, in millimetres "
            "(default 3; 0 for none, e.g. an engraving).",
            example="3",
        ),
    ),
)

VIEW = Table(
    "view",
    "A picture of the product: a master size and layers drawn bottom to top",
    (
        Field(
            "label",
            LocalizedText(),
            "The view's name shown to shoppers; default: the key.",
            example="{en: Front}",
        ),
        Field(
            "size",
            ListOf(Integer(minimum=16, maximum=4096), min_items=2, max_items=2),
            "[width, height] of the production image in pixels; every image and mask has this size.",
            required=True,
            example="[800, 800]",
        ),
        Field(
            "print",
            PRINT_AREA,
            "How large the view is printed: its production file's page is this size plus the bleed on "
            "every side (default: its pixels at 300 dpi, with a 3 mm bleed).",
            example="{width: 90, height: 40, bleed: 3}",
        ),
        Field(
            "layers",
            ListOf(LAYER, min_items=1),
            "The layers, bottom first.",
            required=True,
            example="[{image: assets/engraved-mug/mug.png}]",
        ),
    ),
)

PRODUCT = Table(
    "product",
    "A product file",
    (
        Field(
            "product",
            Text(PRODUCT_KEY, what="a key of lowercase letters, digits and -"),
            "The product's key, unique in the catalog.",
            required=True,
            example="engraved-mug",
        ),
        Field(
            "label",
            LocalizedText(),
            "The product's name shown to shoppers.",
            required=True,
            example="{en: Engraved mug, fr: Mug gravé}",
        ),
        Field("description", LocalizedText(), "A description shown to shoppers.", example='{en: "..."}'),
        Field(
            "price",
            Money(negative=False),
            "The base price; every brand currency.",
            required=True,
            example='{EUR: "14.00", USD: "16.00"}',
        ),
        Field(
            "attributes",
            MapOf(ATTRIBUTE_KEY, "attribute key", ATTRIBUTE),
            "The attributes, in the order shoppers see them.",
            required=True,
            example="{colour: {type: colour, options: [white], default: white}}",
        ),
        Field(
            "constraints",
            ListOf(CONSTRAINT),
            "Rules every valid design follows.",
            example="[{rule: material == enamel -> colour != gold, message: No gold enamel.}]",
        ),
        Field(
            "prices",
            ListOf(PRICE_RULE),
            "Conditional adjustments and formulas.",
            example='[{when: gift_box, add: {EUR: "3.00"}, label: Gift box}]',
        ),
        Field(
            "quantity_tiers",
            ListOf(QUANTITY_TIER),
            "Volume discounts, by increasing min.",
            example="[{min: 10, percent_off: 5}]",
        ),
        Field(
            "views",
            MapOf(VIEW_KEY, "view key", VIEW, min_items=1),
            "Preview pictures drawn from images, masks, text zones and shoppers' photos "
            "(see docs/previews.md).",
            example="{front: {size: [800, 800], layers: [{image: assets/engraved-mug/mug.png}]}}",
        ),
        Field(
            "personalised",
            Boolean(),
            "Every design is made to the shopper's specifications (cut to size): none can be returned "
            "under the EU right of withdrawal (default false).",
            example="true",
        ),
        Field(
            "recommendations",
            ListOf(RECOMMENDATION),
            "Your own suggestions, shown as such beside those learned from orders.",
            example='[{recommend: {oil: hardwax}, when: wood == walnut, message: {en: "..."}}]',
        ),
        Field(
            "production",
            PRODUCTION,
            "SKU, weight, lead time and parts of every design (options add their own).",
            example='{sku: TABLE, weight: "35 kg", lead_time: "6 weeks"}',
        ),
    ),
)

TABLES: tuple[Table, ...] = (
    BRAND,
    PALETTE_ENTRY,
    LIMITS,
    LIMIT_MESSAGES,
    TEXT_POLICY,
    SHIPPING_ZONE,
    WEIGHT_BAND,
    TAX,
    PRODUCT,
    ATTRIBUTE,
    OPTION,
    PART,
    PRODUCTION,
    CONSTRAINT,
    RECOMMENDATION,
    REQUIRES,
    COMBINATION_TABLE,
    PRICE_RULE,
    QUANTITY_TIER,
    VIEW,
    PRINT_AREA,
    LAYER,
    TINT,
    OVERLAY,
    TEXT_ZONE,
    PHOTO_ZONE,
    COLOUR_REF,
)
