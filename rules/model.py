"""The product model: what a brand and product file mean, independent of YAML and of the engine.

The language loader (`rules.language`) builds these objects from YAML; the engine (`rules.engine`),
pricing (`rules.pricing`) and the text policy (`rules.text`) read them. Everything is immutable.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from rules.expr import Expr
from rules.regions import enclosing, region_country
from rules.source import MAX_NUMBER_LENGTH as MAX_NUMBER_LENGTH
from rules.source import SourceRef as SourceRef

DEFAULT_LOCALE = "en"

# A number attribute's value: an int when it is whole, else the exact decimal (18.5, never a float, so
# steps of 0.1 land exactly on their grid).
NumberValue = int | Decimal

# A value an attribute can take in a design:
#   choice / colour -> str (option key); multi -> frozenset[str]; number -> NumberValue;
#   boolean -> bool; text -> str; image -> str (an upload id, "" when none); an attribute that does
#   not apply (its `when` is false) -> None.
Value = str | int | Decimal | bool | frozenset[str] | None

# Decimal places a number attribute's bounds and steps may have: far finer than anything measured by
# hand, and what keeps every value exact in a float on the wire (fifteen significant digits).
MAX_NUMBER_PLACES = 6


def number_value(value: object) -> NumberValue | None:
    """A number as designs hold it, from an int, a Decimal or a float read from JSON; None for
    anything else (booleans, texts, infinities). A float is read as the shortest decimal that prints
    back to it: the number the client wrote.

    >>> number_value(18.5), number_value(18.0), number_value(Decimal("2.50")), number_value(True)
    (Decimal('18.5'), 18, Decimal('2.5'), None)
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        value = Decimal(repr(value))
    if not isinstance(value, Decimal) or not value.is_finite():
        return None
    if value == value.to_integral_value():
        return int(value)
    return value.normalize()


JsonValue = str | int | float | bool | list[str] | None


def json_value(value: Value) -> JsonValue:
    """A design value as JSON holds it: an option set as a sorted list, a decimal number as the float
    that prints as it (18.5; MAX_NUMBER_PLACES keeps it exact), anything else as it is."""
    if isinstance(value, frozenset):
        return sorted(value)
    if isinstance(value, Decimal):
        return float(value)
    return value


def number_text(value: NumberValue) -> str:
    """A number as the language writes it: digits, a point, no exponent (18.5, 120, 0.25)."""
    return format(value, "f") if isinstance(value, Decimal) else str(value)


@dataclass(frozen=True)
class Localized:
    """A text given per locale, e.g. {"en": "Gold", "fr": "Or"}; never empty."""

    texts: Mapping[str, str]

    def get(self, locale: str | None = None) -> str:
        """The text for `locale` ("fr-CA" falls back to "fr"), else English, else the first given."""
        if locale:
            if locale in self.texts:
                return self.texts[locale]
            language = locale.split("-")[0].lower()
            if language in self.texts:
                return self.texts[language]
        if DEFAULT_LOCALE in self.texts:
            return self.texts[DEFAULT_LOCALE]
        return next(iter(self.texts.values()))

    @classmethod
    def plain(cls, text: str) -> Localized:
        return cls({DEFAULT_LOCALE: text})


Money = Mapping[str, Decimal]  # currency code (ISO 4217) -> amount


class AttributeKind(StrEnum):
    CHOICE = "choice"
    COLOUR = "colour"
    MULTI = "multi"
    NUMBER = "number"
    BOOLEAN = "boolean"
    TEXT = "text"
    IMAGE = "image"


@dataclass(frozen=True)
class Part:
    """A line of a bill of materials: what the workshop takes from stock for one unit."""

    code: str  # the merchant's part code, e.g. "LEG-OAK-72"
    quantity: Decimal


@dataclass(frozen=True)
class Production:
    """What making something adds for the workshop and the shipper: the product's own, an option's
    when it is chosen, a box's when it is ticked. Every field may be left out."""

    sku: str | None = None  # a part of the design's SKU, joined with the others by "-"
    weight_grams: Decimal | None = None
    lead_days: int | None = None  # calendar days to make it; a design takes its longest
    parts: tuple[Part, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.sku or self.weight_grams or self.lead_days or self.parts)


NO_PRODUCTION = Production()


@dataclass(frozen=True)
class Option:
    """One value of a choice, colour or multi attribute."""

    key: str
    label: Localized
    price: Money = field(default_factory=dict)  # delta added when this option is chosen
    hex: str | None = None  # colour options: "#RRGGBB" from the brand palette
    source: SourceRef | None = None
    production: Production = NO_PRODUCTION
    image: str | None = None  # a picture of it (wood, stone, fabric), relative to the catalog folder


@dataclass(frozen=True)
class TextLimits:
    """What a text attribute accepts; brand limits are already merged in (the stricter wins)."""

    max_length: int  # grapheme clusters, all lines together
    max_lines: int = 1
    scripts: tuple[str, ...] = ()  # Unicode script names, e.g. ("Latin",); empty: any script
    characters: str | None = None  # extra allowed characters besides letters of `scripts`, e.g. " .,'&-!?"
    price_per_char: Money = field(default_factory=dict)  # per grapheme, whitespace excluded


IMAGE_FORMATS = ("png", "jpeg", "webp")
DEFAULT_MIN_DPI = 300
# An image pick: an upload id (URL-safe, at most 64 characters), optionally followed by `@x,y`, where
# to place the photo within its zone in percent of the free room (0,0 top left; default 50,50).
IMAGE_PICK = re.compile(
    r"^(?P<id>[A-Za-z0-9_-]{1,64})(?:@(?P<x>(?:100|[0-9]{1,2})(?:\.[0-9]{1,2})?),"
    r"(?P<y>(?:100|[0-9]{1,2})(?:\.[0-9]{1,2})?))?$"
)


@dataclass(frozen=True)
class ImageSpec:
    """What an image attribute accepts and how large it is printed."""

    formats: tuple[str, ...] = IMAGE_FORMATS
    min_dpi: int = DEFAULT_MIN_DPI
    print_size: tuple[float, float] = (100.0, 100.0)  # width, height of the printed zone in mm
    price: Money = field(default_factory=dict)  # added when an image is given


@dataclass(frozen=True)
class ImagePick:
    """An image attribute's value read: the upload and where it sits in its zone (percent, 0-100)."""

    upload_id: str
    x: float = 50.0
    y: float = 50.0


def image_pick(value: object) -> ImagePick | None:
    """The upload and position of an image value ("ID" or "ID@x,y"); None when absent or malformed.

    >>> image_pick("k3J9x0T2mQ8vYb1LcR5sWp4A@0,100")
    ImagePick(upload_id='k3J9x0T2mQ8vYb1LcR5sWp4A', x=0.0, y=100.0)
    >>> image_pick("") is None, image_pick("../etc@1,2") is None, image_pick("a@101,0") is None
    (True, True, True)
    """
    if not isinstance(value, str):
        return None
    match = IMAGE_PICK.match(value)
    if match is None:
        return None
    x, y = match.group("x"), match.group("y")
    if x is None or y is None:
        return ImagePick(match.group("id"))
    position = float(x), float(y)
    if max(position) > 100:
        return None
    return ImagePick(match.group("id"), *position)


@dataclass(frozen=True)
class Attribute:
    key: str
    kind: AttributeKind
    label: Localized
    options: tuple[Option, ...] = ()  # choice, colour, multi
    ordered: bool = False  # choice: options listed smallest first, so rules compare them (size >= l)
    default: Value = None
    when: Expr | None = None  # applies only when this holds; otherwise its value is None
    required: bool = True  # text, image: False means the shopper may leave it empty
    min_count: int = 0  # multi
    max_count: int | None = None  # multi; None means every option
    minimum: NumberValue | None = None  # number
    maximum: NumberValue | None = None  # number
    step: NumberValue = 1  # number
    unit: str | None = None  # number, e.g. "cm"
    text: TextLimits | None = None  # text
    image: ImageSpec | None = None  # image
    help: Localized | None = None
    source: SourceRef | None = None
    # What the shopper reads when a value is given although `when` is false; None: a default wording.
    when_message: Localized | None = None
    production: Production = NO_PRODUCTION  # boolean: what ticking it adds (a leaf bag, gift box)
    # Whether a value of it makes the design the shopper's own (EU Directive 2011/83/EU, Art. 16(c):
    # no right of withdrawal); texts and images are, unless the merchant says otherwise.
    personalised: bool = False

    def option(self, key: str) -> Option | None:
        return next((o for o in self.options if o.key == key), None)

    def number_values(self) -> Sequence[NumberValue]:
        """Every value of a number attribute, from `minimum` by `step` up to `maximum`."""
        low, high, step = self.minimum, self.maximum, self.step
        if low is None or high is None:
            raise ValueError(f"{self.key} is not a number attribute")
        if isinstance(low, int) and isinstance(high, int) and isinstance(step, int):
            return range(low, high + 1, step)
        count = int((high - low) // step) + 1
        values = (number_value(low + index * step) for index in range(max(count, 0)))
        return tuple(v for v in values if v is not None)

    def takes_number(self, value: NumberValue) -> bool:
        """Whether `value` is one of the number attribute's values (exactly: 18.5 by steps of 0.5)."""
        low, high = self.minimum, self.maximum
        if low is None or high is None:
            return False
        return low <= value <= high and (value - low) % self.step == 0


@dataclass(frozen=True)
class Constraint:
    """A rule every valid design satisfies, with the message a shopper reads when it bites.

    `expr` is a boolean expression over attributes (requires / excludes / implications,
    cardinality, numeric relations and text features are all lowered to one).
    """

    id: str  # stable, e.g. "engraved-mug#2" or "brand:max_distinct_colours"
    expr: Expr
    message: Localized
    origin: str = "product"  # "product" or "brand"
    source: SourceRef | None = None


@dataclass(frozen=True)
class ValueRule:
    """A constraint written as `set:`: when `when` holds (always, without it), the attributes take
    these values. The engine enforces it as `when -> (a == v and ...)`; answers name the rule as what
    set the values, rather than calling them the shop's adjustment."""

    id: str
    when: Expr | None
    values: Mapping[str, Value]
    message: Localized


@dataclass(frozen=True)
class Recommendation:
    """The merchant's own suggestion: `option` of `attribute`, when `when` holds (always, without it),
    with why, shown beside the suggestions learned from orders."""

    attribute: str
    option: str
    message: Localized
    when: Expr | None = None
    source: SourceRef | None = None


@dataclass(frozen=True)
class TableConstraint:
    """A combination table over some attributes: either the rows allowed or the rows forbidden.

    Each row gives one value per attribute, in `attributes` order (option keys, ints, bools).
    """

    id: str
    attributes: tuple[str, ...]
    rows: frozenset[tuple[str | int | Decimal | bool | None, ...]]
    allowed: bool  # True: only these rows; False: none of these rows
    message: Localized
    origin: str = "product"
    source: SourceRef | None = None


@dataclass(frozen=True)
class PriceTable:
    """Amounts keyed by the values of some attributes (metal x size): one row per combination, read
    from a CSV file. A design whose combination has no row gets no line from it."""

    attributes: tuple[str, ...]
    rows: Mapping[tuple[str | int | Decimal | bool | None, ...], Money]
    file: str = ""  # the CSV file as the product names it

    def amounts(self, design: Mapping[str, object]) -> Money | None:
        """The row of the design's values of `attributes`, if the table has one."""
        return self.rows.get(tuple(_table_key(design.get(key)) for key in self.attributes))


def _table_key(value: object) -> str | int | Decimal | bool | None:
    if value is None or isinstance(value, str | bool):
        return value
    return number_value(value)  # 18.5 read from JSON is the table's Decimal("18.5")


@dataclass(frozen=True)
class PriceRule:
    """A conditional adjustment, a formula or a price table: one line on the quote when `when` holds.

    Exactly one of `add` (a fixed amount per currency), `formula` (an expression per currency,
    evaluated exactly over number attributes, e.g. width * height / 10000 * 39.90) or `table`
    (amounts per combination of some attributes' values) is set.
    """

    label: Localized
    when: Expr | None = None
    add: Money | None = None
    formula: Mapping[str, Expr] | None = None
    source: SourceRef | None = None
    table: PriceTable | None = None


@dataclass(frozen=True)
class QuantityTier:
    """From `min_quantity` units on, each unit costs `percent_off` percent less."""

    min_quantity: int
    percent_off: Decimal


@dataclass(frozen=True)
class WeightBand:
    """Shipping for an order weighing at most `up_to_grams` (None: any weight above the bands before)."""

    up_to_grams: Decimal | None
    cost: Decimal


@dataclass(frozen=True)
class ShippingRate:
    """What shipping costs in one currency: a flat amount, or the amount of the order's weight band,
    plus an amount per item after the first; waived from a threshold of the items' total, for orders
    no heavier than `free_max_grams` when it is said."""

    flat: Decimal
    per_extra_item: Decimal = Decimal(0)
    free_over: Decimal | None = None
    bands: tuple[WeightBand, ...] = ()  # by increasing weight; none: `flat` whatever the weight
    free_max_grams: Decimal | None = None


@dataclass(frozen=True)
class ShippingZone:
    key: str
    label: Localized
    countries: frozenset[str]  # ISO 3166-1 alpha-2 codes, or {"*"}: the rest of the world
    rates: Mapping[str, ShippingRate]  # currency -> rate


def _tax_label() -> Localized:
    return Localized({"en": "Tax", "fr": "Taxes", "de": "Steuern"})


@dataclass(frozen=True)
class TaxPolicy:
    rates: Mapping[str, Decimal]  # country, ISO 3166-2 region (US-CA) or "*" -> percent
    label: Localized = field(default_factory=_tax_label)
    on_shipping: bool = True

    def rate(self, country: str, region: str | None = None) -> Decimal:
        """The region's percentage (or that of a region it lies in), else the country's, else the
        rest of the world's, else 0. A region outside `country` counts for nothing."""
        if region is not None and region_country(region) == country:
            for code in enclosing(region):
                if code in self.rates:
                    return self.rates[code]
        return self.rates.get(country, self.rates.get("*", Decimal(0)))

    def by_region(self, country: str) -> tuple[str, ...]:
        """The regions of `country` that have rates of their own: an address there needs its region."""
        return tuple(sorted(code for code in self.rates if "-" in code and region_country(code) == country))


@dataclass(frozen=True)
class Brand:
    key: str
    label: Localized
    currencies: tuple[str, ...]
    palette: Mapping[str, str]  # colour key -> "#RRGGBB"
    # The languages the shop is written in (brand.yaml's `languages`), the first the default; empty:
    # undeclared (every language a text is written in is offered).
    palette_labels: Mapping[str, Localized] = field(default_factory=dict)
    banned_words: tuple[str, ...] = ()
    scripts: tuple[str, ...] = ()  # allowed scripts for all text; empty: any
    max_text_length: int | None = None
    max_distinct_colours: int | None = None
    forbidden_pairs: tuple[tuple[str, str], ...] = ()
    prices_include_tax: bool = False
    rounding: str = "half_up"  # "half_up" or "half_even", per currency's minor unit
    shipping: tuple[ShippingZone, ...] = ()  # none: shipping is not charged
    tax: TaxPolicy | None = None  # none: no tax line
    source: SourceRef | None = None
    languages: tuple[str, ...] = ()


# Previews -------------------------------------------------------------------------------------------

DEFAULT_FONT = "default"  # the font built into Pillow: needs no file


@dataclass(frozen=True)
class ImageLayer:
    """A base image (PNG, the view's size), always drawn."""

    path: str  # relative to the catalog folder, "/" between folders
    source: SourceRef | None = None

    def assets(self) -> tuple[str, ...]:
        """The asset files this layer reads."""
        return (self.path,)


@dataclass(frozen=True)
class TintLayer:
    """Recolours what lies under a greyscale mask with the palette colour of a colour attribute.

    The layers below keep their light and shade: their grey `neutral` becomes the colour itself,
    darker greys go towards black and lighter ones towards white.
    """

    mask: str
    colour: str  # a colour attribute's key
    when: Expr | None = None
    neutral: int = 128
    source: SourceRef | None = None

    def assets(self) -> tuple[str, ...]:
        """The asset files this layer reads."""
        return (self.mask,)


@dataclass(frozen=True)
class OverlayLayer:
    """An image drawn over the layers below: one per option of a choice or multi attribute, or one
    image shown when a condition holds."""

    images: Mapping[str, str]  # option key -> path; with `attribute` None, the single image under ""
    attribute: str | None = None
    when: Expr | None = None
    source: SourceRef | None = None

    def assets(self) -> tuple[str, ...]:
        """The asset files this layer reads."""
        return tuple(self.images.values())


@dataclass(frozen=True)
class TextLayer:
    """A text attribute drawn in a box, at the largest size from `min_size` to `max_size` that fits."""

    attribute: str
    box: tuple[int, int, int, int]  # x, y, width, height in the view's own pixels
    fonts: Mapping[str, str]  # option of `font_attribute` -> font path or DEFAULT_FONT; else {"": font}
    font_attribute: str | None = None
    min_size: int = 12
    max_size: int = 96
    colour: str = "#000000"  # "#RRGGBB", used when `colour_attribute` is None or does not apply
    colour_attribute: str | None = None
    align: str = "center"  # left | center | right
    arc: int = 0  # degrees the baseline bends through; positive bulges upwards
    when: Expr | None = None
    source: SourceRef | None = None

    def assets(self) -> tuple[str, ...]:
        """The asset files this layer reads (font files; the built-in font needs none)."""
        return tuple(path for path in self.fonts.values() if path != DEFAULT_FONT)


@dataclass(frozen=True)
class PhotoLayer:
    """The shopper's uploaded image of an image attribute, scaled into a box: `cover` fills the box and
    crops what overflows, `contain` fits it whole inside. Where it sits is part of the value."""

    attribute: str
    box: tuple[int, int, int, int]  # x, y, width, height in the view's own pixels
    fit: str = "cover"  # cover | contain
    when: Expr | None = None
    source: SourceRef | None = None

    def assets(self) -> tuple[str, ...]:
        """The asset files this layer reads: none, the image comes with the design."""
        return ()


# A new kind of layer is one more dataclass here with `assets()`, its lowering in
# rules/language/views.py and its painter in rules/preview/renderer.py.
Layer = ImageLayer | TintLayer | OverlayLayer | TextLayer | PhotoLayer


DEFAULT_BLEED_MM = 3.0  # what printers usually ask for beyond each trimmed edge
NOMINAL_DPI = 300  # how large a view without a stated print size is printed: its pixels at this resolution


@dataclass(frozen=True)
class PrintArea:
    """How large a view is printed: the trimmed width and height in millimetres, and the bleed, the
    artwork printed beyond each trimmed edge and cut off after printing (0: none)."""

    width: float
    height: float
    bleed: float = DEFAULT_BLEED_MM


@dataclass(frozen=True)
class View:
    """One picture of the product (front, side...): a master size and layers drawn bottom to top."""

    key: str
    label: Localized
    size: tuple[int, int]  # width, height of the production image; assets have this size
    layers: tuple[Layer, ...]
    source: SourceRef | None = None
    print_area: PrintArea | None = None  # as the view's `print:` states it; None: not stated

    def printed(self) -> tuple[PrintArea, bool]:
        """The view's print area, and whether the product states it: without `print:`, the view's pixels
        at NOMINAL_DPI with the usual bleed.

        >>> View("front", Localized.plain("Front"), (600, 300), ()).printed()
        (PrintArea(width=50.8, height=25.4, bleed=3.0), False)
        """
        if self.print_area is not None:
            return self.print_area, True
        width, height = (round(pixels * 25.4 / NOMINAL_DPI, 1) for pixels in self.size)
        return PrintArea(width, height), False


@dataclass(frozen=True)
class ProductModel:
    """A product with its brand's limits folded in: everything the engine needs."""

    key: str
    label: Localized
    brand: Brand
    base_price: Money
    attributes: tuple[Attribute, ...]
    constraints: tuple[Constraint, ...]
    tables: tuple[TableConstraint, ...] = ()
    price_rules: tuple[PriceRule, ...] = ()
    quantity_tiers: tuple[QuantityTier, ...] = ()
    description: Localized | None = None
    source_hash: str = ""  # sha256 of the brand and product sources; the compile cache key
    source: SourceRef | None = None
    views: tuple[View, ...] = ()
    production: Production = NO_PRODUCTION  # the product's own SKU, weight, lead time and parts
    weight_formula: Expr | None = None  # kilograms from number attributes, added to the weights
    # Rules written with `severity: warning`: said to the shopper when a design breaks them, never
    # enforced (the engine does not see them).
    # Every design is made to the shopper's specifications (a curtain cut to size), whatever its values.
    personalised: bool = False
    advisories: tuple[Constraint, ...] = ()
    value_rules: tuple[ValueRule, ...] = ()  # constraints written as `set:` (in `constraints` too)
    recommendations: tuple[Recommendation, ...] = ()

    def attribute(self, key: str) -> Attribute | None:
        return next((a for a in self.attributes if a.key == key), None)

    def view(self, key: str) -> View | None:
        """The view named `key`, or None."""
        return next((v for v in self.views if v.key == key), None)

    def asset_files(self) -> tuple[str, ...]:
        """Every asset file the views read (images, masks, fonts) and the options' pictures, relative
        to the catalog folder, sorted."""
        drawn = {path for view in self.views for layer in view.layers for path in layer.assets()}
        pictured = {o.image for a in self.attributes for o in a.options if o.image is not None}
        return tuple(sorted(drawn | pictured))
