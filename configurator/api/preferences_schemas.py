"""Bodies of the shoppers' preferences API: consent choices, batches of events, exports."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from configurator.api.fields import Money, bounded_scalar, is_scalar
from configurator.api.shop_schemas import StrictSchema
from configurator.preferences.models import FROM_BROWSER, EventType, Purpose

MAX_EVENTS = 100
MAX_OPTION_TEXT = 200
MAX_RULES = 20  # rules named by one refusal: a conflict's rules, never a catalog's
MAX_OPTION_NUMBER = 10**12
TOKEN = validate.Length(min=1, max=64)
KEY = validate.Length(min=1, max=100)
PURPOSES = [p.value for p in Purpose]
OPTION_DOC = {
    "anyOf": [{"type": "string"}, {"type": "integer"}, {"type": "boolean"}],
    "nullable": True,
    "description": "The option's key, or the value a number or boolean attribute took",
}
# What each type must say, beyond its product.
REQUIRED = {
    EventType.OPTION_PICKED: ("attribute",),
    EventType.OPTION_REFUSED: ("attribute", "rule"),
    EventType.REPAIR_ACCEPTED: ("attribute",),
    EventType.REPAIR_DECLINED: ("attribute",),
    EventType.DESIGN_SHARED: ("design",),
}


class OptionValue(fields.Field[Any]):
    """A JSON scalar: a string, an integer or a boolean (or null: the pick was cleared)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(allow_none=True, metadata={**OPTION_DOC, **kwargs.pop("metadata", {})}, **kwargs)

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> Any:
        if is_scalar(value):
            return bounded_scalar(value, max_number=MAX_OPTION_NUMBER, max_text=MAX_OPTION_TEXT)
        raise ValidationError("An option is a string, an integer or a boolean.")


class StrictBoolean(fields.Boolean):
    """true or false, nothing else ("yes" or 1 is not a consent)."""

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> bool:
        if not isinstance(value, bool):
            raise ValidationError("Not a boolean.")
        return value


class ConsentRequestSchema(StrictSchema):
    purposes = fields.Dict(
        keys=fields.String(validate=validate.OneOf(PURPOSES)),
        values=StrictBoolean(),
        required=True,
        metadata={"description": "Purpose -> granted; a purpose left out is not granted"},
    )
    wording_version = fields.String(
        required=True,
        validate=validate.Regexp(r"^[A-Za-z0-9._-]{1,40}$", error="Letters, digits, '.', '_' or '-'."),
        metadata={"description": "The version of the text the shopper was shown", "example": "2026-11"},
    )


class PurposesSchema(Schema):
    preferences = fields.Boolean(required=True)
    recommendations = fields.Boolean(required=True)


class ConsentSchema(Schema):
    purposes = fields.Nested(PurposesSchema, required=True)
    wording_version = fields.String(
        required=True, allow_none=True, metadata={"description": "null: no choice"}
    )
    given_at = fields.DateTime(required=True, allow_none=True)
    withdrawn_at = fields.DateTime(required=True, allow_none=True)


class ShopperSchema(Schema):
    id = fields.String(
        required=True,
        metadata={
            "description": "Pseudonymous and unguessable: it carries the shopper's rights, keep it private"
        },
    )
    created_at = fields.DateTime(required=True)


class EventSchema(StrictSchema):
    type = fields.String(
        required=True,
        validate=validate.OneOf([t.value for t in EventType]),
        metadata={
            "enum": list(FROM_BROWSER),
            "description": "design_saved, design_remixed, added_to_cart and ordered are recorded by the "
            "server and refused here",
        },
    )
    product = fields.String(required=True, validate=KEY)
    attribute = fields.String(load_default=None, allow_none=True, validate=KEY)
    option = OptionValue(load_default=None)
    rule = fields.String(
        load_default=None,
        allow_none=True,
        validate=KEY,
        metadata={"description": "The rule that excluded it (the first of `rules`)"},
    )
    rules = fields.List(
        fields.String(validate=KEY),
        load_default=None,
        allow_none=True,
        validate=validate.Length(min=1, max=MAX_RULES),
        metadata={"description": "Every rule of the conflict that excluded it, as the reason lists them"},
    )
    design = fields.String(load_default=None, allow_none=True, validate=TOKEN)
    occurred_at = fields.AwareDateTime(
        load_default=None,
        allow_none=True,
        default_timezone=UTC,
        metadata={
            "description": "The browser's time; outside the last day it is taken as the time of receipt"
        },
    )

    @validates_schema
    def needs_fields(self, data: dict[str, Any], **kwargs: Any) -> None:
        missing = [name for name in REQUIRED.get(data["type"], ()) if data.get(name) is None]
        if missing:
            raise ValidationError({name: [f"Required for {data['type']}."] for name in missing})


class EventBatchSchema(StrictSchema):
    shopper = fields.String(required=True, validate=TOKEN)
    events = fields.List(
        fields.Nested(EventSchema), required=True, validate=validate.Length(min=1, max=MAX_EVENTS)
    )


class IngestedSchema(Schema):
    stored = fields.Integer(required=True, metadata={"description": "0 when nothing was kept"})
    reason = fields.String(
        required=True, allow_none=True, metadata={"description": "Why nothing was kept: no consent"}
    )


class ExportConsentSchema(Schema):
    purposes = fields.Dict(keys=fields.String(), values=fields.Boolean(), required=True)
    wording_version = fields.String(required=True)
    partner = fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "The partner whose page asked (widget, embed page); null: the shop's"},
    )
    given_at = fields.DateTime(required=True)
    withdrawn_at = fields.DateTime(required=True, allow_none=True)


class ExportEventSchema(Schema):
    type = fields.String(required=True, metadata={"enum": [t.value for t in EventType]})
    product = fields.String(required=True)
    version = fields.Integer(required=True, allow_none=True)
    partner = fields.Integer(required=True, allow_none=True)
    attribute = fields.String(required=True, allow_none=True)
    option = OptionValue(required=True)
    rule = fields.String(required=True, allow_none=True)
    rules = fields.List(fields.String(), required=True, allow_none=True)
    design = fields.String(required=True, allow_none=True)
    occurred_at = fields.DateTime(required=True)
    received_at = fields.DateTime(required=True)
    source = fields.String(required=True, metadata={"enum": ["browser", "server"]})


class ExportDesignSchema(Schema):
    id = fields.String(required=True)
    product = fields.String(required=True)
    version = fields.Integer(required=True)
    choices = fields.Dict(required=True)
    created_at = fields.DateTime(required=True)


class ExportContactSchema(Schema):
    email = fields.String(required=True, allow_none=True)
    name = fields.String(required=True, allow_none=True)
    address = fields.Dict(required=True, allow_none=True)


class ExportCartLineSchema(Schema):
    design = fields.String(required=True)
    quantity = fields.Integer(required=True)


class ExportCartSchema(Schema):
    id = fields.String(required=True)
    status = fields.String(required=True)
    currency = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    contact = fields.Nested(ExportContactSchema, required=True)
    lines = fields.List(fields.Nested(ExportCartLineSchema), required=True)


class ExportOrderLineSchema(Schema):
    product = fields.String(required=True)
    choices = fields.Dict(required=True)
    quantity = fields.Integer(required=True)


class ExportOrderSchema(Schema):
    number = fields.String(required=True)
    status = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    currency = fields.String(required=True)
    total = Money(required=True)
    contact = fields.Nested(ExportContactSchema, required=True)
    lines = fields.List(fields.Nested(ExportOrderLineSchema), required=True)


class ExportEntrySchema(Schema):
    id = fields.String(required=True)
    design = fields.String(required=True)
    title = fields.String(required=True)
    display_name = fields.String(required=True)
    status = fields.String(required=True)
    created_at = fields.DateTime(required=True)


class ExportVoteSchema(Schema):
    gallery_entry = fields.String(allow_none=True)
    idea = fields.String(allow_none=True)
    campaign = fields.String(allow_none=True)
    candidate = fields.String(allow_none=True, metadata={"description": "The candidate's label"})
    created_at = fields.DateTime(required=True)


class ExportReportSchema(Schema):
    gallery_entry = fields.String(required=True)
    reason = fields.String(required=True)
    note = fields.String(allow_none=True)
    created_at = fields.DateTime(required=True)


class ExportIdeaSchema(Schema):
    id = fields.String(required=True)
    title = fields.String(required=True)
    body = fields.String(required=True)
    display_name = fields.String(allow_none=True)
    product = fields.String(allow_none=True)
    status = fields.String(required=True)
    created_at = fields.DateTime(required=True)


class ExportFollowSchema(Schema):
    idea = fields.String(required=True)
    email = fields.String(required=True)
    locale = fields.String(required=True)
    created_at = fields.DateTime(required=True)


class ExportSchema(Schema):
    shopper = fields.Nested(ShopperSchema, required=True)
    consents = fields.List(fields.Nested(ExportConsentSchema), required=True)
    events = fields.List(fields.Nested(ExportEventSchema), required=True)
    designs = fields.List(fields.Nested(ExportDesignSchema), required=True)
    carts = fields.List(fields.Nested(ExportCartSchema), required=True)
    orders = fields.List(
        fields.Nested(ExportOrderSchema),
        required=True,
        metadata={"description": "Read-only: orders are kept for accounting, even after erasure"},
    )
    gallery_entries = fields.List(fields.Nested(ExportEntrySchema), required=True)
    votes = fields.List(fields.Nested(ExportVoteSchema), required=True)
    reports = fields.List(fields.Nested(ExportReportSchema), required=True)
    ideas = fields.List(fields.Nested(ExportIdeaSchema), required=True)
    idea_follows = fields.List(fields.Nested(ExportFollowSchema), required=True)
