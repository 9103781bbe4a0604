"""Request and response bodies of the admin API (marshmallow; documented in /openapi.json).

Query parameters arrive as text, so their integers are parsed from strings; integers in JSON bodies
are strict (`1.5` or `"1"` is refused, never rounded).
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from configurator.admin import rulesets
from configurator.api.fields import Money
from configurator.api.preferences_schemas import StrictBoolean
from configurator.api.schemas import MakingSchema, PriceLineSchema, ViolationSchema
from configurator.openapi import FieldErrorSchema, ProblemSchema
from configurator.orders.models import OrderStatus
from configurator.paging import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

STATUSES = [s.value for s in OrderStatus]
KEY = validate.Length(min=1, max=100)


# --- queries ---------------------------------------------------------------------------------------


class AdminPageQuerySchema(Schema):
    page = fields.Integer(
        load_default=1, validate=validate.Range(min=1, max=1_000_000), metadata={"description": "From 1"}
    )
    page_size = fields.Integer(
        load_default=DEFAULT_PAGE_SIZE, validate=validate.Range(min=1, max=MAX_PAGE_SIZE)
    )


class AdminOrderFilterSchema(Schema):
    status = fields.String(validate=validate.OneOf(STATUSES))
    created_from = fields.Date(metadata={"description": "First day (UTC), included; YYYY-MM-DD"})
    created_to = fields.Date(metadata={"description": "Last day (UTC), included; YYYY-MM-DD"})
    product = fields.String(validate=KEY, metadata={"description": "Orders with a line of this product"})
    email = fields.String(
        validate=validate.Length(min=1, max=254), metadata={"description": "Exact address, any case"}
    )
    partner = fields.String(
        validate=validate.Length(min=1, max=64),
        metadata={"description": "Orders placed through this partner"},
    )

    @validates_schema
    def _dates_in_order(self, data: dict[str, Any], **kwargs: Any) -> None:
        start, end = data.get("created_from"), data.get("created_to")
        if start and end and start > end:
            raise ValidationError("created_to is before created_from.", field_name="created_to")


class AdminOrderListQuerySchema(AdminOrderFilterSchema, AdminPageQuerySchema):
    pass


class AdminDesignListQuerySchema(AdminPageQuerySchema):
    product = fields.String(validate=KEY)


class AdminRuleSetListQuerySchema(AdminPageQuerySchema):
    product = fields.String(validate=KEY)


# --- pages -----------------------------------------------------------------------------------------


class AdminPageLinksSchema(Schema):
    self = fields.String(required=True)
    first = fields.String(required=True)
    last = fields.String(required=True)
    prev = fields.String(required=True, allow_none=True)
    next = fields.String(required=True, allow_none=True)


class AdminPageSchema(Schema):
    """The paging fields every admin list carries beside its `items`."""

    page = fields.Integer(required=True)
    page_size = fields.Integer(required=True)
    total = fields.Integer(required=True, metadata={"description": "Items matching, on all pages"})
    pages = fields.Integer(required=True)
    links = fields.Nested(AdminPageLinksSchema, required=True)


class AdminSelfLinkSchema(Schema):
    self = fields.String(required=True)


# --- orders ----------------------------------------------------------------------------------------


class AdminVersionRefSchema(Schema):
    """The product version (rule set) a design or an order line was made with."""

    id = fields.Integer(required=True)
    product_key = fields.String(required=True)
    content_hash = fields.String(
        required=True, metadata={"description": "SHA-256 of brand + product sources"}
    )
    published_at = fields.DateTime(required=True)
    activated_at = fields.DateTime(required=True)


class AdminOrderSummarySchema(Schema):
    number = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": STATUSES})
    status_note = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "Why the order is in its status (the note of the change that made it)"},
    )
    created_at = fields.DateTime(required=True)
    paid_at = fields.DateTime(required=True, allow_none=True)
    email = fields.String(required=True)
    name = fields.String(required=True)
    currency = fields.String(required=True)
    total = Money(required=True)
    refunded = Money(
        required=True,
        metadata={"description": "Returned to the shopper so far (partial: the order stays paid)"},
    )
    line_count = fields.Integer(required=True)
    products = fields.List(fields.String(), required=True)
    links = fields.Nested(AdminSelfLinkSchema, required=True)


class AdminOrderListSchema(AdminPageSchema):
    items = fields.List(fields.Nested(AdminOrderSummarySchema), required=True)


class AdminSummaryLineSchema(Schema):
    kind = fields.String(required=True)
    label = fields.String(required=True)
    amount = Money(required=True)


class AdminOrderLineSchema(Schema):
    id = fields.Integer(required=True)
    design = fields.String(required=True, metadata={"description": "The saved design's public id"})
    product_key = fields.String(required=True)
    version = fields.Nested(AdminVersionRefSchema, required=True)
    choices = fields.Dict(
        keys=fields.String(), required=True, metadata={"description": "The whole design, as ordered"}
    )
    quantity = fields.Integer(required=True)
    unit_price = Money(required=True)
    total = Money(required=True)
    price_lines = fields.List(fields.Nested(PriceLineSchema), required=True)
    personalised = fields.Boolean(
        metadata={"description": "Made to the shopper's specifications: no EU right of withdrawal"}
    )
    production = fields.Nested(
        MakingSchema,
        allow_none=True,
        metadata={"description": "SKU, parts, lead time, weight and ship date, as ordered (null: not said)"},
    )


class AdminContactSchema(Schema):
    email = fields.String(required=True)
    name = fields.String(required=True)
    address = fields.Dict(keys=fields.String(), required=True)


class AdminTimestampsSchema(Schema):
    created_at = fields.DateTime(required=True)
    paid_at = fields.DateTime(required=True, allow_none=True)
    in_production_at = fields.DateTime(required=True, allow_none=True)
    shipped_at = fields.DateTime(required=True, allow_none=True)
    cancelled_at = fields.DateTime(required=True, allow_none=True)
    refunded_at = fields.DateTime(required=True, allow_none=True)


class AdminOrderEventSchema(Schema):
    from_status = fields.String(required=True, allow_none=True)
    to_status = fields.String(required=True)
    actor = fields.String(required=True, metadata={"description": 'e.g. "shopper", "admin:<token name>"'})
    note = fields.String(required=True, allow_none=True)
    created_at = fields.DateTime(required=True)


class AdminOrderDetailSchema(Schema):
    number = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": STATUSES})
    status_note = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "Why the order is in its status (the note of the change that made it)"},
    )
    next_statuses = fields.List(
        fields.String(metadata={"enum": STATUSES}),
        required=True,
        metadata={"description": "States the order can be moved to now"},
    )
    currency = fields.String(required=True)
    prices_include_tax = fields.Boolean(required=True)
    subtotal = Money(required=True)
    shipping = Money(required=True)
    tax = Money(required=True)
    total = Money(required=True)
    refunded = Money(
        required=True,
        metadata={"description": "Returned to the shopper so far (partial: the order stays paid)"},
    )
    summary = fields.List(fields.Nested(AdminSummaryLineSchema), required=True)
    contact = fields.Nested(AdminContactSchema, required=True)
    payment_provider = fields.String(required=True)
    partner = fields.String(
        required=True, allow_none=True, metadata={"description": "The partner it was placed through"}
    )
    timestamps = fields.Nested(AdminTimestampsSchema, required=True)
    lines = fields.List(fields.Nested(AdminOrderLineSchema), required=True)
    history = fields.List(fields.Nested(AdminOrderEventSchema), required=True)
    links = fields.Nested(AdminSelfLinkSchema, required=True)


class AdminTransitionRequestSchema(Schema):
    to = fields.String(
        required=True, validate=validate.OneOf(STATUSES), metadata={"example": "in_production"}
    )
    note = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=500),
        metadata={"example": "Batch 12"},
    )


class AdminTransitionResultSchema(Schema):
    changed = fields.Boolean(
        required=True, metadata={"description": "false: the order was already in that state"}
    )
    order = fields.Nested(AdminOrderDetailSchema, required=True)


class AdminExportRowSchema(Schema):
    """One order line of the JSON export (the CSV export has the same columns, choices as JSON text)."""

    order_number = fields.String(required=True)
    status = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    paid_at = fields.DateTime(required=True, allow_none=True)
    email = fields.String(required=True)
    name = fields.String(required=True)
    country = fields.String(required=True, allow_none=True)
    region = fields.String(required=True, allow_none=True, metadata={"description": "ISO 3166-2, e.g. US-CA"})
    currency = fields.String(required=True)
    product = fields.String(required=True)
    version_id = fields.Integer(required=True)
    choices = fields.Dict(keys=fields.String(), required=True)
    quantity = fields.Integer(required=True)
    unit_price = Money(required=True)
    line_total = Money(required=True)
    order_total = Money(required=True)
    partner = fields.String(required=True, allow_none=True)
    order_refunded = Money(required=True)
    status_note = fields.String(required=True, allow_none=True)
    sku = fields.String(required=True, allow_none=True)
    parts = fields.String(
        required=True, allow_none=True, metadata={"description": "One unit's parts: TOP-WAL x1; SCREW-8 x20"}
    )
    ships_by = fields.String(required=True, allow_none=True, metadata={"description": "ISO date"})
    weight_grams = fields.String(
        required=True, allow_none=True, metadata={"description": "One unit's weight"}
    )


class AdminProofSchema(Schema):
    """One production proof of an order line."""

    line = fields.Integer(required=True, metadata={"description": "The order line's id"})
    line_number = fields.Integer(required=True, metadata={"description": "Its position in the order, from 1"})
    kind = fields.String(required=True, metadata={"enum": ["view", "spec"]})
    view = fields.String(required=True, metadata={"description": 'The view\'s key; "" for the summary sheet'})
    name = fields.String(
        required=True,
        metadata={"description": "Its name within the line, in its URL", "example": "front.pdf"},
    )
    file_name = fields.String(
        required=True,
        metadata={
            "description": "The name it downloads under (ATELIER_PROOF_FILE_NAME)",
            "example": "B4JW-FJBR-1-front.pdf",
        },
    )
    format = fields.String(required=True, metadata={"enum": ["png", "pdf"]})
    size = fields.Integer(required=True, metadata={"description": "Bytes"})
    sha256 = fields.String(required=True, metadata={"description": "Also the file's strong ETag"})
    created_at = fields.DateTime(required=True)
    url = fields.String(required=True, metadata={"description": "Where the file is downloaded"})


class AdminProofListSchema(Schema):
    number = fields.String(required=True)
    items = fields.List(
        fields.Nested(AdminProofSchema),
        required=True,
        metadata={"description": "By line, each line's views then its summary sheet; empty until rendered"},
    )


# --- designs ---------------------------------------------------------------------------------------


class AdminDesignSchema(Schema):
    public_id = fields.String(required=True)
    product_key = fields.String(required=True)
    version = fields.Nested(AdminVersionRefSchema, required=True)
    choices = fields.Dict(keys=fields.String(), required=True)
    remixed_from = fields.String(required=True, allow_none=True, metadata={"description": "Public id"})
    created_at = fields.DateTime(required=True)
    links = fields.Nested(AdminSelfLinkSchema, required=True)


class AdminDesignListSchema(AdminPageSchema):
    items = fields.List(fields.Nested(AdminDesignSchema), required=True)


class AdminLiveCheckSchema(Schema):
    version_id = fields.Integer(
        required=True, allow_none=True, metadata={"description": "null: the product has no live version"}
    )
    valid = fields.Boolean(required=True, allow_none=True)
    violations = fields.List(fields.Nested(ViolationSchema), required=True)


class AdminDesignDetailSchema(AdminDesignSchema):
    live = fields.Nested(
        AdminLiveCheckSchema, required=True, metadata={"description": "The design read by today's rules"}
    )


# --- partners --------------------------------------------------------------------------------------


class AdminPartnerRevenueSchema(Schema):
    currency = fields.String(required=True)
    amount = Money(required=True, metadata={"description": "Total of its paid orders in this currency"})
    orders = fields.Integer(required=True)


class AdminPartnerSchema(Schema):
    name = fields.String(required=True)
    publishable_key = fields.String(required=True, metadata={"description": "pk_live_… or pk_test_…"})
    origins = fields.List(fields.String(), required=True)
    active = fields.Boolean(required=True)
    created_at = fields.DateTime(required=True)
    disabled_at = fields.DateTime(required=True, allow_none=True)
    designs = fields.Integer(required=True, metadata={"description": "Designs saved through its key"})
    orders = fields.Integer(required=True, metadata={"description": "Orders placed through its key"})
    paid_orders = fields.Integer(
        required=True, metadata={"description": "Orders paid, and not cancelled or refunded since"}
    )
    revenue = fields.List(
        fields.Nested(AdminPartnerRevenueSchema),
        required=True,
        metadata={"description": "Paid orders' totals, per currency (never added across currencies)"},
    )


class AdminPartnerListSchema(AdminPageSchema):
    items = fields.List(fields.Nested(AdminPartnerSchema), required=True)


# --- rule sets -------------------------------------------------------------------------------------


class AdminRuleSetUploadSchema(Schema):
    files = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=100)),
        values=fields.String(),
        required=True,
        metadata={
            "description": f"File name -> content: brand.yaml, product .yaml files and .csv tables; "
            f"at most {rulesets.MAX_FILES} files and {rulesets.MAX_TOTAL_BYTES} bytes in all",
            "example": {"brand.yaml": "brand: my-shop\n...", "engraved-mug.yaml": "product: mug\n..."},
        },
    )
    assets = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=300)),
        values=fields.String(),
        load_default=dict,
        metadata={
            "description": "Path (as the views write it) -> the file's bytes, base64: the images, masks "
            f"and fonts the views draw; at most {rulesets.MAX_ASSETS} assets and "
            f"{rulesets.MAX_ASSET_BYTES} bytes in all",
            "example": {"assets/mug/body.png": "iVBORw0KGgo..."},
        },
    )


class AdminRuleSetPublishSchema(AdminRuleSetUploadSchema):
    confirm_brand_change = StrictBoolean(
        load_default=False,
        metadata={
            "description": "Publish it although its brand key is not the live brand's: that re-brands "
            "the whole shop (currencies, tax, shipping). Without it, such a rule set is refused with 409 "
            "and the totals it would change"
        },
    )


class AdminVersionSchema(AdminVersionRefSchema):
    live = fields.Boolean(required=True)
    design_count = fields.String(
        required=True,
        metadata={"pattern": "^[0-9]+$", "description": "Exact number of possible designs"},
    )
    saved_designs = fields.Integer(required=True, metadata={"description": "Designs saved on it"})


class AdminVersionListSchema(AdminPageSchema):
    items = fields.List(fields.Nested(AdminVersionSchema), required=True)


class AdminProductOutcomeSchema(Schema):
    product_key = fields.String(required=True)
    outcome = fields.String(required=True, metadata={"enum": ["created", "unchanged", "reactivated"]})
    version_id = fields.Integer(
        required=True, allow_none=True, metadata={"description": "null in a check that would create one"}
    )
    content_hash = fields.String(required=True)
    previous_version_id = fields.Integer(
        required=True, allow_none=True, metadata={"description": "The version live before"}
    )


class AdminDiagnosticSchema(FieldErrorSchema):
    """A loader diagnostic: `detail` reads file:line:column: message."""

    severity = fields.String(metadata={"enum": ["error", "warning", "info"]})
    file = fields.String(allow_none=True)
    line = fields.Integer(allow_none=True)
    column = fields.Integer(allow_none=True)
    hint = fields.String()


class AdminInvalidatedSchema(Schema):
    """A saved design, or an open cart line holding it, that the live rules accept and the new reject."""

    kind = fields.String(required=True, metadata={"enum": ["design", "cart_line"]})
    product_key = fields.String(required=True)
    design = fields.String(required=True, metadata={"description": "The design's public id"})
    cart_line = fields.Integer(required=True, allow_none=True)
    rules = fields.List(
        fields.String(), required=True, metadata={"description": "Ids of the rules in the way"}
    )
    violations = fields.List(fields.Nested(ViolationSchema), required=True)


class AdminBrandChangeSchema(Schema):
    """The live brand and the brand of the rule set, when their keys differ."""

    current = fields.String(required=True, metadata={"description": "The live brand's key"})
    new = fields.String(required=True, metadata={"description": "The rule set's brand key"})


class AdminPriceChangeSchema(Schema):
    """An open cart's or a saved design's total under the live rules and under the new ones."""

    kind = fields.String(required=True, metadata={"enum": ["cart", "design"]})
    cart = fields.Integer(
        required=True, allow_none=True, metadata={"description": "The cart's number (a cart only)"}
    )
    design = fields.String(
        required=True, allow_none=True, metadata={"description": "The design's public id (a design only)"}
    )
    product_key = fields.String(required=True, allow_none=True, metadata={"description": "A design's"})
    currency = fields.String(
        required=True,
        metadata={"description": "The cart's currency; for a design, the shop's first currency"},
    )
    old_total = Money(required=True, metadata={"description": "Under the live rules"})
    old_tax_included = fields.Boolean(required=True)
    new_total = Money(
        required=True,
        allow_none=True,
        metadata={"description": "Under the new rules; null when they cannot price it (see note)"},
    )
    new_tax_included = fields.Boolean(required=True, allow_none=True)
    note = fields.String(
        required=True, allow_none=True, metadata={"description": "Why there is no new total"}
    )


class AdminPriceChangesSchema(Schema):
    """Every open cart and saved design whose total changes is counted; the first `limit` are listed,
    carts first."""

    count = fields.Integer(required=True, metadata={"description": "carts + designs"})
    carts = fields.Integer(required=True, metadata={"description": "Open carts whose total changes"})
    designs = fields.Integer(required=True, metadata={"description": "Saved designs whose total changes"})
    limit = fields.Integer(required=True, metadata={"description": "At most this many are listed"})
    items = fields.List(fields.Nested(AdminPriceChangeSchema), required=True)


class AdminRuleSetResultSchema(Schema):
    published = fields.Boolean(required=True, metadata={"description": "false for a check"})
    products = fields.List(fields.Nested(AdminProductOutcomeSchema), required=True)
    warnings = fields.List(fields.Nested(AdminDiagnosticSchema), required=True)
    invalidated = fields.List(
        fields.Nested(AdminInvalidatedSchema),
        required=True,
        metadata={
            "description": "Saved designs and cart lines the new rules reject, with the rule each breaks"
        },
    )
    brand_change = fields.Nested(
        AdminBrandChangeSchema,
        required=True,
        allow_none=True,
        metadata={"description": "null when the rule set keeps the live brand's key"},
    )
    price_changes = fields.Nested(
        AdminPriceChangesSchema,
        required=True,
        metadata={"description": "Open carts and saved designs whose totals the rule set changes"},
    )


class AdminBrandChangeProblemSchema(ProblemSchema):
    """Another brand, not confirmed: nothing was published; what publishing it would change."""

    brand_change = fields.Nested(AdminBrandChangeSchema, required=True)
    price_changes = fields.Nested(AdminPriceChangesSchema, required=True)


class AdminRuleSetProblemSchema(ProblemSchema):
    """A problem whose errors may be loader diagnostics (file, line, column, hint)."""

    errors = fields.List(fields.Nested(AdminDiagnosticSchema))


# --- availability ----------------------------------------------------------------------------------

AVAILABILITY_STATES = ["sold_out", "paused"]
LANGUAGE = validate.Regexp(
    r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$", error="Not a language tag such as en or fr-CA."
)


class AdminAvailabilityQuerySchema(Schema):
    product = fields.String(validate=KEY, metadata={"description": "Only this product's options"})


class AdminAvailabilitySetSchema(Schema):
    state = fields.String(
        required=True,
        validate=validate.OneOf(AVAILABILITY_STATES),
        metadata={"description": "`sold_out` until further notice, or `paused` until `until`"},
    )
    until = fields.AwareDateTime(
        load_default=None,
        allow_none=True,
        metadata={
            "description": "When a paused option is back by itself (with its time zone); only with `paused`",
            "example": "2026-12-24T09:00:00Z",
        },
    )
    message = fields.Dict(
        keys=fields.String(validate=LANGUAGE),
        values=fields.String(validate=validate.Length(min=1, max=200)),
        load_default=None,
        allow_none=True,
        metadata={
            "description": "What shoppers read beside the option, per language; our own wording "
            "(Sold out for now / Not available until ...) when none is given",
            "example": {"en": "Walnut is back in spring.", "fr": "Le noyer revient au printemps."},
        },
    )

    @validates_schema
    def _until_with_pause(self, data: dict[str, Any], **_: Any) -> None:
        if data["state"] == "paused" and data.get("until") is None:
            raise ValidationError("A paused option needs `until`, the moment it is back.", "until")
        if data["state"] == "sold_out" and data.get("until") is not None:
            raise ValidationError("A sold out option has no `until`: use `paused`.", "until")


class AdminOptionAvailabilitySchema(Schema):
    product_key = fields.String(required=True)
    attribute_key = fields.String(required=True)
    option_key = fields.String(required=True)
    available = fields.Boolean(required=True, metadata={"description": "Shoppers can choose it now"})
    state = fields.String(required=True, metadata={"enum": ["available", *AVAILABILITY_STATES]})
    until = fields.DateTime(required=True, allow_none=True)
    message = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        required=True,
        allow_none=True,
        metadata={"description": "The merchant's own words, if any"},
    )
    reason = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        required=True,
        allow_none=True,
        metadata={"description": "What shoppers read now, per language (null while available)"},
    )
    changed_at = fields.DateTime(required=True, allow_none=True)
    changed_by = fields.String(required=True, allow_none=True)


class AdminAvailabilityOptionSchema(AdminOptionAvailabilitySchema):
    label = fields.String(required=True)


class AdminAvailabilityAttributeSchema(Schema):
    key = fields.String(required=True)
    label = fields.String(required=True)
    kind = fields.String(required=True)
    options = fields.List(fields.Nested(AdminAvailabilityOptionSchema), required=True)


class AdminAvailabilityProductSchema(Schema):
    product_key = fields.String(required=True)
    label = fields.String(required=True)
    attributes = fields.List(fields.Nested(AdminAvailabilityAttributeSchema), required=True)


class AdminAvailabilityListSchema(Schema):
    languages = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "The brand's languages: a message may be written in each"},
    )
    items = fields.List(fields.Nested(AdminAvailabilityProductSchema), required=True)
