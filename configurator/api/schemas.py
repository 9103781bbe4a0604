"""Request and response bodies of the public API (marshmallow; documented in /openapi.json)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from configurator.api.fields import Money, OptionKey, Picks, PickValue, money_map

CURRENCY = validate.Regexp(r"^[A-Z]{3}$", error="A currency is three capital letters (ISO 4217).")
KINDS = ["choice", "colour", "multi", "number", "boolean", "text", "image"]


class HealthSchema(Schema):
    status = fields.String(required=True, metadata={"enum": ["ok"]})


class ReadinessSchema(Schema):
    status = fields.String(required=True, metadata={"enum": ["ok", "unavailable"]})
    checks = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        required=True,
        metadata={"description": 'database, broker, catalog: "ok" or what is wrong'},
    )
    products = fields.Integer(required=True, metadata={"description": "Products with a live version"})


class LinksSchema(Schema):
    self = fields.String(required=True)
    configure = fields.String()


class BrandSchema(Schema):
    key = fields.String(required=True)
    label = fields.String(required=True)
    currencies = fields.List(fields.String(), required=True, metadata={"description": "First is the default"})
    prices_include_tax = fields.Boolean(required=True)


class ProductSummarySchema(Schema):
    key = fields.String(required=True)
    label = fields.String(required=True)
    description = fields.String(allow_none=True)
    base_price = money_map(required=True)
    from_price = money_map(
        required=True,
        metadata={"description": "Per currency: the price of the cheapest valid design (a catalog's “from”)"},
    )
    links = fields.Nested(LinksSchema, required=True)


class ProductListSchema(Schema):
    brand = fields.Nested(BrandSchema, required=True)
    products = fields.List(fields.Nested(ProductSummarySchema), required=True)


class OptionSpecSchema(Schema):
    key = OptionKey(required=True)
    label = fields.String(required=True)
    swatch = fields.String(allow_none=True, metadata={"description": "#RRGGBB for colour options"})
    image = fields.String(
        allow_none=True,
        metadata={"description": "A 96-pixel picture of the option (size=192 or 384 for sharper screens)"},
    )
    price = money_map(required=True, metadata={"description": "Added when this option is chosen"})
    default = fields.Boolean(required=True)


class TextSpecSchema(Schema):
    max_length = fields.Integer(required=True, metadata={"description": "Grapheme clusters"})
    max_lines = fields.Integer(required=True)
    scripts = fields.List(fields.String(), required=True)
    characters = fields.String(allow_none=True, metadata={"description": "Allowed non-letter characters"})
    price_per_char = money_map(required=True)


class ImageSpecSchema(Schema):
    formats = fields.List(
        fields.String(metadata={"enum": ["png", "jpeg", "webp"]}),
        required=True,
        metadata={"description": "Formats taken"},
    )
    min_dpi = fields.Integer(required=True, metadata={"description": "Below this the shopper is warned"})
    print_size = fields.List(
        fields.String(), required=True, metadata={"description": "[width, height] of the printed zone in mm"}
    )
    price = money_map(required=True, metadata={"description": "Added when an image is given"})


class AttributeSpecSchema(Schema):
    key = fields.String(required=True)
    kind = fields.String(required=True, metadata={"enum": KINDS})
    label = fields.String(required=True)
    help = fields.String(allow_none=True)
    required = fields.Boolean(required=True)
    when = fields.String(allow_none=True, metadata={"description": "Applies only when this holds"})
    default = PickValue(allow_none=True)
    options = fields.List(fields.Nested(OptionSpecSchema), required=True)
    ordered = fields.Boolean(
        metadata={"description": "choice: the options are listed smallest first (sizes)"}, load_default=False
    )
    min_count = fields.Integer(allow_none=True)
    max_count = fields.Integer(allow_none=True)
    # Numbers may have decimal steps (half sizes): JSON numbers, exact to six decimal places.
    minimum = fields.Float(allow_none=True)
    maximum = fields.Float(allow_none=True)
    step = fields.Float(allow_none=True)
    unit = fields.String(allow_none=True)
    text = fields.Nested(TextSpecSchema, allow_none=True)
    image = fields.Nested(ImageSpecSchema, allow_none=True)


class QuantityTierSchema(Schema):
    min_quantity = fields.Integer(required=True)
    percent_off = fields.String(required=True)


class PriceTableRowSchema(Schema):
    match = fields.Dict(
        keys=fields.String(),
        values=PickValue(allow_none=True),
        required=True,
        metadata={"description": "The values of the table's attributes this row prices"},
    )
    add = money_map(required=True)


class PriceTableSchema(Schema):
    attributes = fields.List(fields.String(), required=True)
    rows = fields.List(fields.Nested(PriceTableRowSchema), required=True)


class AdjustmentSchema(Schema):
    """A conditional price line: a fixed `add` per currency, a `formula` per currency, or a `table`
    of amounts by the values of some attributes (a design without a row gets no line)."""

    label = fields.String(required=True)
    when = fields.String(allow_none=True, metadata={"description": "Applies only when this holds"})
    add = money_map(allow_none=True)
    formula = fields.Dict(keys=fields.String(), values=fields.String(), allow_none=True)
    table = fields.Nested(PriceTableSchema, allow_none=True)


class ProductSpecSchema(Schema):
    key = fields.String(required=True)
    label = fields.String(required=True)
    description = fields.String(allow_none=True)
    currencies = fields.List(fields.String(), required=True)
    prices_include_tax = fields.Boolean(required=True)
    base_price = money_map(required=True)
    attributes = fields.List(fields.Nested(AttributeSpecSchema), required=True)
    defaults = fields.Dict(keys=fields.String(), values=PickValue(allow_none=True), required=True)
    adjustments = fields.List(fields.Nested(AdjustmentSchema), required=True)
    quantity_tiers = fields.List(fields.Nested(QuantityTierSchema), required=True)
    links = fields.Nested(LinksSchema, required=True)


class ConfigureRequestSchema(Schema):
    """What the shopper has picked so far; unknown top-level fields are refused."""

    picks = Picks(load_default=dict, metadata={"description": "Attribute key -> picked value"})
    currency = fields.String(validate=CURRENCY, load_default=None, metadata={"example": "EUR"})
    quantity = fields.Integer(strict=True, validate=validate.Range(min=1, max=100_000), load_default=1)


class RuleRefSchema(Schema):
    id = fields.String(required=True)
    message = fields.String(required=True)
    origin = fields.String(required=True, metadata={"enum": ["product", "brand"]})


class ReasonSchema(Schema):
    picks = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "Picks to change; empty: never possible in this product"},
    )
    rules = fields.List(fields.Nested(RuleRefSchema), required=True)
    text = fields.String(required=True, metadata={"description": "The reason as one readable sentence"})


class OptionStateSchema(Schema):
    key = OptionKey(required=True)
    available = fields.Boolean(required=True)
    reason = fields.Nested(ReasonSchema, allow_none=True)


class TextStateSchema(Schema):
    max_length = fields.Integer(required=True)
    may_be_empty = fields.Boolean(required=True)
    may_be_present = fields.Boolean(required=True)
    reason = fields.Nested(ReasonSchema, allow_none=True)


SOURCES = ("picked", "default", "forced", "adjusted", "set_aside", "not_applicable")


class SetBySchema(Schema):
    id = fields.String(required=True)
    message = fields.String(required=True, metadata={"description": "For the shopper: why the value is set"})


class DomainSchema(Schema):
    key = fields.String(required=True)
    applies = fields.Boolean(
        allow_none=True,
        required=True,
        metadata={"description": "Whether the attribute applies in `design` (show its control iff true)"},
    )
    picked = PickValue(allow_none=True, metadata={"description": "The shopper's own pick, if any"})
    value = PickValue(
        allow_none=True,
        required=True,
        metadata={"description": "Its value in `design` (null: does not apply)"},
    )
    source = fields.String(
        required=True,
        validate=validate.OneOf(SOURCES),
        metadata={
            "description": "Where the value comes from: the shopper's pick, the merchant's default, the only "
            "value the picks allow (forced), the nearest valid value to the default (adjusted), a pick set "
            "aside because the attribute does not apply now, or not applicable (docs/session.md)"
        },
    )
    conflict = fields.Boolean(
        required=True, metadata={"description": "This attribute's pick is one of the picks that clash"}
    )
    set_by = fields.Nested(
        SetBySchema,
        allow_none=True,
        metadata={"description": "The merchant's `set:` rule that gave the value (its `when` holds), if any"},
    )
    options = fields.List(fields.Nested(OptionStateSchema), required=True)
    text = fields.Nested(TextStateSchema, allow_none=True)


class ConflictSchema(Schema):
    picks = fields.List(
        fields.String(), required=True, metadata={"description": "A smallest set of picks that clash"}
    )
    message = fields.String(required=True, metadata={"description": "For the shopper"})
    rules = fields.List(fields.Nested(RuleRefSchema), required=True)


class ViolationSchema(Schema):
    kind = fields.String(required=True)
    attributes = fields.List(fields.String(), required=True)
    message = fields.String(required=True)
    rule = fields.Nested(RuleRefSchema, allow_none=True)


class PriceLineSchema(Schema):
    kind = fields.String(required=True)
    label = fields.String(required=True)
    amount = Money(required=True)
    attribute = fields.String(allow_none=True)


class QuoteSchema(Schema):
    currency = fields.String(required=True)
    quantity = fields.Integer(required=True)
    lines = fields.List(fields.Nested(PriceLineSchema), required=True)
    unit_price = Money(required=True)
    total = Money(required=True)
    tax_included = fields.Boolean(required=True)


class PreviewViewSchema(Schema):
    key = fields.String(required=True)
    label = fields.String(required=True)
    url = fields.String(required=True)


class PreviewSchema(Schema):
    url = fields.String(required=True, metadata={"description": "The first view at 512 px"})
    width = fields.Integer(required=True)
    height = fields.Integer(required=True)
    views = fields.List(fields.Nested(PreviewViewSchema), required=True)


class WarningSchema(Schema):
    attribute = fields.String(required=True)
    code = fields.String(required=True, metadata={"enum": ["print-quality", "rule"]})
    message = fields.String(required=True, metadata={"description": "What the shopper reads"})
    rule = fields.String(
        allow_none=True, metadata={"description": "code rule: the id of the merchant's warning-only rule"}
    )


class PartSchema(Schema):
    part = fields.String(required=True)
    quantity = fields.String(required=True, metadata={"pattern": "^[0-9]+(\\.[0-9]+)?$", "example": "4"})


class MakingSchema(Schema):
    """What making one unit takes, from the production data of the product and the design's options."""

    sku = fields.String(allow_none=True, required=True, metadata={"example": "TBL-WAL-EXT"})
    parts = fields.List(fields.Nested(PartSchema), required=True)
    lead_days = fields.Integer(
        allow_none=True, required=True, metadata={"description": "Calendar days to make it; null: not said"}
    )
    ships_by = fields.String(
        allow_none=True,
        required=True,
        metadata={
            "format": "date",
            "description": "The day a unit ordered today is made and sent (today plus lead_days)",
        },
    )
    weight_grams = fields.String(allow_none=True, required=True, metadata={"example": "59000"})


class ConfigureResponseSchema(Schema):
    product = fields.String(required=True)
    locale = fields.String(required=True)
    design = fields.Dict(
        keys=fields.String(),
        values=PickValue(allow_none=True),
        required=True,
        metadata={
            "description": "The one design the picks stand for: shown, priced, previewed, saved and ordered "
            "(null: the attribute does not apply)"
        },
    )
    domains = fields.List(fields.Nested(DomainSchema), required=True)
    conflict = fields.Nested(
        ConflictSchema,
        allow_none=True,
        required=True,
        metadata={"description": "null, or the shopper's picks that cannot all hold together"},
    )
    consistent = fields.Boolean(
        required=True, metadata={"description": "The picks can still be completed into a valid design"}
    )
    valid = fields.Boolean(
        required=True, metadata={"description": "The picks, completed with defaults, break no rule"}
    )
    complete = fields.Boolean(
        required=True, metadata={"description": "Every attribute that applies has been picked"}
    )
    violations = fields.List(fields.Nested(ViolationSchema), required=True)
    price = fields.Nested(QuoteSchema, required=True)
    remaining = fields.String(
        required=True, metadata={"pattern": "^[0-9]+$", "description": "Exact number of valid designs left"}
    )
    preview = fields.Nested(
        PreviewSchema,
        allow_none=True,
        required=True,
        metadata={"description": "null while the design breaks a rule, or when the product has no views"},
    )
    warnings = fields.List(
        fields.Nested(WarningSchema),
        metadata={
            "description": "What the shopper should know before buying: a photo too small to print sharply"
        },
    )
    production = fields.Nested(MakingSchema, required=True)
    personalised = fields.Boolean(
        required=True,
        metadata={
            "description": "The design is made to the shopper's specifications: it cannot be returned under "
            "the EU right of withdrawal (Directive 2011/83/EU, Art. 16(c))"
        },
    )
