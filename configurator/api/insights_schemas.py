"""Bodies of the insights API (marshmallow; documented in /openapi.json)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from configurator.insights.compute import Kind, Stage
from configurator.insights.services import MAX_DAYS

TREND_METRICS = [
    Kind.VIEWED.value,
    Kind.PICKED.value,
    Kind.REFUSED.value,
    Kind.ORDERS.value,
    Kind.UNITS.value,
]


class InsightsQuerySchema(Schema):
    days = fields.Integer(
        load_default=30,
        validate=validate.Range(min=1, max=MAX_DAYS),
        metadata={"description": "The window: this many UTC days, ending today"},
    )
    partner = fields.String(
        validate=validate.Length(min=1, max=64),
        metadata={
            "description": "Only what came through this partner (its name); all channels when left out"
        },
    )


class OptionCountSchema(Schema):
    option = fields.String(required=True, metadata={"description": "Option key (booleans: true/false)"})
    label = fields.String(required=True)
    picked = fields.Integer(required=True, metadata={"description": "Picks by consenting shoppers"})
    refused = fields.Integer(required=True, metadata={"description": "Tries a rule refused"})
    ordered = fields.Integer(required=True, metadata={"description": "Paid order lines with this option"})
    share = fields.Float(
        required=True, allow_none=True, metadata={"description": "Of the paid order lines, those with it"}
    )


class AttributePopularitySchema(Schema):
    attribute = fields.String(required=True)
    label = fields.String(required=True)
    options = fields.List(fields.Nested(OptionCountSchema), required=True)


class PairSchema(Schema):
    attribute = fields.String(required=True)
    option = fields.String(required=True)
    other_attribute = fields.String(required=True)
    other_option = fields.String(required=True)
    attribute_label = fields.String(required=True, metadata={"description": "In the live version's words"})
    option_label = fields.String(required=True)
    other_attribute_label = fields.String(required=True)
    other_option_label = fields.String(required=True)
    count = fields.Integer(required=True, metadata={"description": "Paid order lines with both options"})
    lift = fields.Float(
        required=True,
        metadata={"description": "support(a, b) / (support(a) x support(b)); above 1: more than chance"},
    )


class FunnelStepSchema(Schema):
    stage = fields.String(required=True, metadata={"enum": [s.value for s in Stage]})
    shoppers = fields.Integer(required=True, metadata={"description": "Distinct consenting shoppers"})
    rate = fields.Float(required=True, allow_none=True, metadata={"description": "Of those who viewed"})


class FunnelSchema(Schema):
    partner = fields.String(
        required=True, allow_none=True, metadata={"description": "None: the storefront, or all channels"}
    )
    steps = fields.List(fields.Nested(FunnelStepSchema), required=True)
    orders = fields.Integer(required=True, metadata={"description": "Paid orders, whatever the consent"})


class BlockedSchema(Schema):
    rule = fields.String(required=True, metadata={"description": "The rule's id (empty: not known)"})
    message = fields.String(required=True, allow_none=True, metadata={"description": "The live rule's text"})
    attribute = fields.String(required=True)
    option = fields.String(required=True)
    attribute_label = fields.String(required=True, metadata={"description": "In the live version's words"})
    option_label = fields.String(required=True)
    count = fields.Integer(required=True, metadata={"description": "Times shoppers tried it"})


class TrendPointSchema(Schema):
    day = fields.Date(required=True)
    count = fields.Integer(required=True)


class TrendSchema(Schema):
    metric = fields.String(required=True, metadata={"enum": TREND_METRICS})
    series = fields.List(
        fields.Nested(TrendPointSchema), required=True, metadata={"description": "Oldest first"}
    )
    total = fields.Integer(required=True)
    previous_total = fields.Integer(required=True, metadata={"description": "The window just before"})


class RankedSchema(Schema):
    id = fields.String(required=True)
    title = fields.String(required=True)
    by = fields.String(allow_none=True, metadata={"description": "The creator's or author's display name"})
    votes = fields.Integer(required=True, metadata={"description": "In the window"})
    status = fields.String(required=True)


class CampaignSummarySchema(Schema):
    id = fields.String(required=True)
    kind = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.String(required=True)
    closes_at = fields.DateTime(required=True)
    votes = fields.Integer(required=True)
    leader = fields.String(allow_none=True, metadata={"description": "A vote's leading candidate"})
    reserved = fields.Integer(allow_none=True, metadata={"description": "An edition's pieces pre-ordered"})
    threshold = fields.Integer(allow_none=True)


class CommunitySchema(Schema):
    entries = fields.Dict(
        keys=fields.String(), values=fields.Integer(), required=True, metadata={"description": "By status"}
    )
    ideas = fields.Dict(
        keys=fields.String(), values=fields.Integer(), required=True, metadata={"description": "By status"}
    )
    votes = fields.Nested(TrendSchema, required=True, metadata={"description": "Votes per day"})
    top_entries = fields.List(fields.Nested(RankedSchema), required=True)
    top_ideas = fields.List(fields.Nested(RankedSchema), required=True)
    campaigns = fields.List(fields.Nested(CampaignSummarySchema), required=True)


class InsightsLinksSchema(Schema):
    self = fields.String(required=True)
    csv = fields.String(required=True)


class InsightsReportSchema(Schema):
    product = fields.String(required=True)
    label = fields.String(required=True)
    partner = fields.String(required=True, allow_none=True)
    first_day = fields.Date(required=True)
    last_day = fields.Date(required=True)
    days = fields.Integer(required=True)
    last_counted = fields.Date(
        required=True, allow_none=True, metadata={"description": "The newest day counted for the product"}
    )
    counted_at = fields.DateTime(
        required=True,
        allow_none=True,
        metadata={"description": "When the newest counted day of the window was last rebuilt (UTC)"},
    )
    designs = fields.Integer(required=True, metadata={"description": "Paid order lines in the window"})
    popularity = fields.List(fields.Nested(AttributePopularitySchema), required=True)
    pairs = fields.List(fields.Nested(PairSchema), required=True)
    funnel = fields.Nested(FunnelSchema, required=True)
    funnel_by_partner = fields.List(fields.Nested(FunnelSchema), required=True)
    blocked = fields.List(
        fields.Nested(BlockedSchema), required=True, metadata={"description": "Most tried first"}
    )
    trends = fields.List(fields.Nested(TrendSchema), required=True)
    community = fields.Nested(CommunitySchema, required=True, allow_none=True)
    links = fields.Nested(InsightsLinksSchema, required=True)
