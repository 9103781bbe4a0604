"""Bodies of the shopper's designs and carts API. Requests are strict: unknown fields are refused, and
any key that names an amount is refused with 400 before the body reaches a schema (configurator.bodies)."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from configurator.api.fields import CountryCode, Money, Picks, PickValue
from configurator.api.schemas import CURRENCY, PreviewSchema, PriceLineSchema, QuoteSchema, ViolationSchema
from configurator.carts.services import MAX_QUANTITY, brand
from configurator.openapi import FieldErrorSchema
from rules.commerce import destination_problems
from rules.regions import REGION_PATTERN

QUANTITY = fields.Integer(strict=True, required=True, validate=validate.Range(min=1, max=MAX_QUANTITY))


class StrictSchema(Schema):
    """A request body: unknown fields are refused (marshmallow's default, said once here); money keys
    never reach it (configurator.bodies refuses them for every endpoint)."""

    class Meta:
        unknown = RAISE


class DesignCreateSchema(StrictSchema):
    product = fields.String(required=True, validate=validate.Length(min=1, max=100))
    picks = Picks(load_default=dict, metadata={"description": "Attribute key -> picked value"})


class RemixSchema(StrictSchema):
    picks = Picks(load_default=dict, metadata={"description": "Changes to make in the copy"})


class DesignQuerySchema(Schema):
    currency = fields.String(validate=CURRENCY, load_default=None)


class VersionSchema(Schema):
    id = fields.Integer(required=True)
    content_hash = fields.String(required=True)
    published_at = fields.DateTime(required=True)


class DesignCheckSchema(Schema):
    version = fields.Nested(VersionSchema, required=True)
    valid = fields.Boolean(required=True)
    violations = fields.List(fields.Nested(ViolationSchema), required=True)


class DesignLinksSchema(Schema):
    self = fields.String(required=True)
    share = fields.String(required=True, metadata={"description": "The page a shopper can send to a friend"})
    remix = fields.String(required=True)


class CreditSchema(Schema):
    display_name = fields.String(required=True)
    entry = fields.String(required=True, metadata={"description": "The gallery entry's id"})
    design = fields.String(required=True)
    role = fields.String(required=True, metadata={"enum": ["creator", "remixer"]})


CREDITS = fields.List(
    fields.Nested(CreditSchema),
    required=True,
    metadata={"description": "Published designs it comes from, the first one's creator first"},
)


class DesignSchema(Schema):
    id = fields.String(required=True, metadata={"description": "Public, unguessable id"})
    product = fields.String(required=True)
    choices = fields.Dict(keys=fields.String(), values=PickValue(allow_none=True), required=True)
    created_at = fields.DateTime(required=True)
    remixed_from = fields.String(allow_none=True)
    credits = CREDITS
    mine = fields.Boolean(
        required=True,
        metadata={"description": "The asking consenting shopper saved it (they may publish it)"},
    )
    saved = fields.Nested(DesignCheckSchema, required=True, metadata={"description": "Its own version"})
    live = fields.Nested(
        DesignCheckSchema, required=True, metadata={"description": "The version shoppers configure now"}
    )
    price = fields.Nested(QuoteSchema, allow_none=True)
    preview = fields.Nested(PreviewSchema, allow_none=True)
    links = fields.Nested(DesignLinksSchema, required=True)


class CartCreateSchema(StrictSchema):
    currency = fields.String(validate=CURRENCY, load_default=None, metadata={"example": "EUR"})


class LineCreateSchema(StrictSchema):
    design = fields.String(required=True, validate=validate.Length(min=1, max=64))
    quantity = QUANTITY


class LineUpdateSchema(StrictSchema):
    quantity = QUANTITY


class AddressSchema(StrictSchema):
    country = fields.String(
        required=True,
        validate=CountryCode(),
        metadata={"description": "ISO 3166-1 alpha-2, e.g. FR; shipping and tax follow it"},
    )
    postal_code = fields.String(required=True, validate=validate.Length(min=1, max=20))
    city = fields.String(required=True, validate=validate.Length(min=1, max=100))
    line1 = fields.String(required=True, validate=validate.Length(min=1, max=200))
    line2 = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    region = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=100),
        metadata={
            "description": "ISO 3166-2 region of the country, e.g. US-CA; required where the shop's tax "
            "depends on it (GET /api/v1/countries/{country}/regions says so and lists them)",
            "pattern": REGION_PATTERN,
            "example": "US-CA",
        },
    )

    @validates_schema
    def _destination(self, data: dict[str, Any], **kwargs: Any) -> None:
        # The same check a saved cart's address meets when it is priced (configurator.carts.services).
        tax = brand().tax
        for field, technical in destination_problems(tax, data.get("country"), data.get("region")):
            raise ValidationError(technical, field_name=field)


class ContactSchema(StrictSchema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    address = fields.Nested(AddressSchema, required=True)


class CartLineSchema(Schema):
    id = fields.Integer(required=True)
    design = fields.String(required=True)
    product = fields.String(required=True)
    choices = fields.Dict(keys=fields.String(), values=PickValue(allow_none=True), required=True)
    credits = CREDITS
    quantity = fields.Integer(required=True)
    version = fields.Integer(required=True, metadata={"description": "The product version pricing it"})
    current = fields.Boolean(
        required=True, metadata={"description": "false: the live rules reject it; priced by its own version"}
    )
    problems = fields.List(fields.Nested(ViolationSchema), required=True)
    lines = fields.List(fields.Nested(PriceLineSchema), required=True)
    unit_price = Money(required=True)
    total = Money(required=True)
    personalised = fields.Boolean(
        required=True,
        metadata={
            "description": "Made to the shopper's specifications: no EU right of withdrawal (2011/83/EU)"
        },
    )


class SummaryLineSchema(Schema):
    kind = fields.String(required=True, metadata={"enum": ["subtotal", "shipping", "tax", "total"]})
    label = fields.String(required=True)
    amount = Money(required=True)


class ContactOutSchema(Schema):
    email = fields.String(allow_none=True)
    name = fields.String(allow_none=True)
    address = fields.Dict(allow_none=True)


class CartSchema(Schema):
    id = fields.String(required=True, metadata={"description": "The cart's token: keep it private"})
    currency = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": ["open", "checked_out"]})
    lines = fields.List(fields.Nested(CartLineSchema), required=True)
    contact = fields.Nested(ContactOutSchema, required=True)
    subtotal = Money(required=True)
    shipping = Money(required=True)
    tax = Money(required=True)
    total = Money(required=True)
    prices_include_tax = fields.Boolean(required=True)
    summary = fields.List(fields.Nested(SummaryLineSchema), required=True)
    ready = fields.Boolean(required=True, metadata={"description": "Checkout would accept it now"})
    problems = fields.List(fields.Nested(FieldErrorSchema), required=True)


class DestinationQuerySchema(Schema):
    country = fields.String(
        load_default=None,
        validate=CountryCode(),
        metadata={"description": "Price shipping and tax for this country instead of the saved address's"},
    )
    region = fields.String(
        load_default=None,
        validate=validate.Length(max=100),
        metadata={"description": "With `country`: its ISO 3166-2 region, e.g. US-CA (tax may follow it)"},
    )


class RegionSchema(Schema):
    code = fields.String(required=True, metadata={"example": "US-CA"})
    name = fields.String(required=True, metadata={"description": "In the answer's language where known"})


class RegionsSchema(Schema):
    country = fields.String(required=True)
    required = fields.Boolean(
        required=True,
        metadata={"description": "The shop's tax depends on the region here: an address needs one"},
    )
    regions = fields.List(
        fields.Nested(RegionSchema),
        required=True,
        metadata={"description": "ISO 3166-2 regions to pick from (the country's top level), in code order"},
    )
