"""Bodies and answers of the campaigns API: votes on what to make next, and limited editions made
only if enough shoppers pre-order them."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from configurator.api.admin_schemas import KEY, AdminRuleSetResultSchema
from configurator.api.community_schemas import SEED, text_field
from configurator.api.schemas import CURRENCY, PreviewSchema, QuoteSchema
from configurator.api.shop_schemas import CREDITS, ContactSchema, StrictSchema
from configurator.community.models import (
    IDEA_BODY_LENGTH,
    IDEA_TITLE_LENGTH,
    REASON_LENGTH,
    TITLE_LENGTH,
    CampaignKind,
    CampaignStatus,
    PreOrderStatus,
)

MAX_PREORDER = 20


class CampaignQuerySchema(Schema):
    status = fields.Enum(CampaignStatus, by_value=True, load_default=None)
    product = fields.String(validate=KEY, load_default=None)


class CampaignDetailQuerySchema(Schema):
    seed = SEED
    currency = fields.String(validate=CURRENCY, load_default=None)


class CandidateSchema(Schema):
    id = fields.String(required=True)
    label = fields.String(required=True)
    attribute = fields.String(allow_none=True)
    option = fields.String(allow_none=True)
    design = fields.String(allow_none=True)
    preview = fields.Nested(PreviewSchema, allow_none=True)
    voted = fields.Boolean(required=True)
    votes = fields.Integer(
        allow_none=True,
        metadata={"description": "Hidden (null) while the vote runs, so early leaders draw nobody"},
    )
    note = fields.String(
        allow_none=True, metadata={"description": "Where the idea came from (merchants only)"}
    )
    links = fields.Dict(keys=fields.String(), values=fields.String(), required=True)


class EditionSchema(Schema):
    design = fields.String(required=True)
    preview = fields.Nested(PreviewSchema, allow_none=True)
    price = fields.Nested(QuoteSchema, allow_none=True, metadata={"description": "One piece"})
    threshold = fields.Integer(required=True, metadata={"description": "Pieces needed for it to be made"})
    max_quantity = fields.Integer(required=True)
    reserved = fields.Integer(required=True, metadata={"description": "Pieces pre-ordered so far"})
    left = fields.Integer(required=True)
    credits = CREDITS


class CampaignSchema(Schema):
    id = fields.String(required=True)
    kind = fields.String(required=True, metadata={"enum": [k.value for k in CampaignKind]})
    status = fields.String(required=True, metadata={"enum": [s.value for s in CampaignStatus]})
    running = fields.Boolean(required=True, metadata={"description": "Open to votes or pre-orders now"})
    product = fields.String(required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    opens_at = fields.DateTime(required=True)
    closes_at = fields.DateTime(required=True)
    closed_at = fields.DateTime(allow_none=True)
    candidates = fields.List(fields.Nested(CandidateSchema), required=True)
    edition = fields.Nested(EditionSchema, allow_none=True)
    links = fields.Dict(keys=fields.String(), values=fields.String(), required=True)


class CampaignListSchema(Schema):
    items = fields.List(fields.Nested(CampaignSchema), required=True)


class PreOrderCreateSchema(StrictSchema):
    quantity = fields.Integer(strict=True, required=True, validate=validate.Range(min=1, max=MAX_PREORDER))
    currency = fields.String(validate=CURRENCY, load_default=None)
    contact = fields.Nested(ContactSchema, required=True)


class CardSchema(Schema):
    provider = fields.String(required=True)
    client_secret = fields.String(
        allow_none=True, metadata={"description": "For Stripe.js confirmSetup; null for test cards"}
    )
    publishable_key = fields.String(allow_none=True)
    test = fields.Boolean(required=True)


class PreOrderSchema(Schema):
    status = fields.String(required=True, metadata={"enum": [s.value for s in PreOrderStatus]})
    quantity = fields.Integer(required=True)
    campaign = fields.String(required=True)
    order = fields.String(required=True, metadata={"description": "The order's token (its key)"})
    order_number = fields.String(required=True)
    total = fields.String(required=True)
    currency = fields.String(required=True)
    card = fields.Nested(CardSchema, allow_none=True)
    links = fields.Dict(keys=fields.String(), values=fields.String(), required=True)


# --- the merchant's side ----------------------------------------------------------------------------


class CandidateCreateSchema(StrictSchema):
    label = text_field(TITLE_LENGTH, required=True)
    attribute = fields.String(validate=KEY, load_default=None)
    option = fields.String(
        validate=validate.Regexp(
            r"^[a-z][a-z0-9_-]{0,63}$", error="A key: lowercase letters, digits, - and _."
        ),
        load_default=None,
    )
    design = fields.String(validate=validate.Length(min=1, max=64), load_default=None)
    note = text_field(REASON_LENGTH, load_default=None)


class CampaignCreateSchema(StrictSchema):
    kind = fields.Enum(CampaignKind, by_value=True, required=True)
    title = text_field(IDEA_TITLE_LENGTH, required=True)
    description = fields.String(load_default="", validate=validate.Length(max=IDEA_BODY_LENGTH * 4))
    opens_at = fields.AwareDateTime(load_default=None, metadata={"description": "Now when left out"})
    closes_at = fields.AwareDateTime(required=True)
    product = fields.String(validate=KEY, load_default=None, metadata={"description": "A vote's product"})
    candidates = fields.List(fields.Nested(CandidateCreateSchema), load_default=list)
    design = fields.String(validate=validate.Length(min=1, max=64), load_default=None)
    threshold = fields.Integer(strict=True, load_default=None, validate=validate.Range(min=1, max=100_000))
    max_quantity = fields.Integer(strict=True, load_default=None, validate=validate.Range(min=1, max=100_000))

    @validates_schema
    def _kind_fields(self, data: dict[str, Any], **_: Any) -> None:
        if data["kind"] is CampaignKind.VOTE and data.get("product") is None:
            raise ValidationError("A vote is about a product.", "product")
        if data["kind"] is CampaignKind.EDITION:
            for name in ("design", "threshold", "max_quantity"):
                if data.get(name) is None:
                    raise ValidationError("An edition needs it.", name)


class CampaignCloseSchema(StrictSchema):
    cancel = fields.Boolean(load_default=False, metadata={"description": "Call it off: nobody is charged"})


class ResultSchema(Schema):
    candidate = fields.String(required=True)
    label = fields.String(required=True)
    votes = fields.Integer(required=True)


class PreOrderCountSchema(Schema):
    status = fields.String(required=True)
    preorders = fields.Integer(required=True)
    pieces = fields.Integer(required=True)


class AdminCampaignSchema(CampaignSchema):
    results = fields.List(fields.Nested(ResultSchema), required=True)
    preorders = fields.List(fields.Nested(PreOrderCountSchema), required=True)


class AdminCampaignListSchema(Schema):
    items = fields.List(fields.Nested(AdminCampaignSchema), required=True)


class SeedSchema(Schema):
    label = fields.String(required=True)
    attribute = fields.String(required=True)
    option = fields.String(required=True)
    note = fields.String(required=True)
    shoppers = fields.Integer(required=True)


class SeedListSchema(Schema):
    items = fields.List(fields.Nested(SeedSchema), required=True)


class WinnerSchema(StrictSchema):
    candidate = fields.String(required=True, validate=validate.Length(min=1, max=64))
    labels = fields.Dict(
        keys=fields.String(validate=validate.Regexp(r"^[a-z]{2}(-[A-Z]{2})?$")),
        values=fields.String(validate=validate.Length(min=1, max=TITLE_LENGTH)),
        load_default=dict,
        validate=validate.Length(max=20),
        metadata={
            "description": "The option's label per language; the candidate's label in English otherwise"
        },
    )
    publish = fields.Boolean(
        load_default=False, metadata={"description": "Publish (needs catalog:publish too); a check otherwise"}
    )


class WinnerResultSchema(Schema):
    product_file = fields.String(required=True)
    file = fields.String(required=True, metadata={"description": "The product's new YAML, for your own copy"})
    rule_set = fields.Nested(AdminRuleSetResultSchema, required=True)
