"""Recommendations: for each attribute still to set, the allowed options ranked by what shoppers with
similar picks ordered (and saved, when they consented). A separate call from configure, so configure
stays as fast as the engine; a UI asks both with the same picks."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import Schema, fields

from configurator.api.fields import Picks, PickValue
from configurator.locale import request_locale
from configurator.openapi import AtelierBlueprint
from configurator.recommendations import services

blp = AtelierBlueprint(
    "recommendations",
    __name__,
    url_prefix="/api/v1/products",
    description="Products, their options and the rules between them",
)


class RecommendationRequestSchema(Schema):
    """The shopper's picks so far, as sent to configure."""

    picks = Picks(load_default=dict, metadata={"description": "Attribute key -> picked value"})


class RankedOptionSchema(Schema):
    option = PickValue(required=True, metadata={"description": "An option key (multi: a set of keys)"})
    score = fields.Float(
        required=True,
        metadata={
            "minimum": 0,
            "maximum": 1,
            "description": "Share of the similar past designs' weight (orders and consented designs)",
        },
    )


class MerchantPickSchema(Schema):
    option = fields.String(required=True, metadata={"description": "The option the shop suggests"})
    message = fields.String(required=True, metadata={"description": "Why, for the shopper"})


class AttributeAdviceSchema(Schema):
    attribute = fields.String(required=True)
    recommended = PickValue(
        allow_none=True,
        required=True,
        metadata={"description": "The best-ranked allowed option; null when no similar design helps"},
    )
    ranking = fields.List(
        fields.Nested(RankedOptionSchema),
        required=True,
        metadata={"description": "Options the engine still allows given the picks, best first (ten at most)"},
    )
    popular = fields.List(
        PickValue(),
        required=True,
        metadata={
            "description": "Allowed options with a quarter or more of the weight (ordered units, and "
            "consented designs at 0.25 each)"
        },
    )
    ours = fields.Nested(
        MerchantPickSchema,
        allow_none=True,
        metadata={"description": "The shop's own suggestion for this attribute given the picks, if any"},
    )


class RecommendationsSchema(Schema):
    product = fields.String(required=True)
    orders = fields.Integer(required=True, metadata={"description": "Paid orders learned from"})
    attributes = fields.List(
        fields.Nested(AttributeAdviceSchema),
        required=True,
        metadata={"description": "Option attributes not picked yet that may still apply"},
    )
    start_from = fields.Dict(
        keys=fields.String(),
        values=PickValue(),
        allow_none=True,
        required=True,
        metadata={"description": "Picks of the most popular valid design; null when nothing was ordered"},
    )


@blp.route("/<slug>/recommendations")
class Recommendations(MethodView):
    @blp.arguments(RecommendationRequestSchema)
    @blp.response(200, RecommendationsSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def post(self, body: dict[str, Any], slug: str) -> dict[str, Any]:
        """Rank the allowed options of every attribute still to set, and the most popular design."""
        return services.recommend(slug, body["picks"], request_locale())
