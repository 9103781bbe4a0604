"""Designs: save a configuration, open a shared one, remix it, and see whether the live rules still
accept it."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView
from marshmallow import RAISE

from configurator.api.credits import design_credits
from configurator.api.shop_schemas import DesignCreateSchema, DesignQuerySchema, DesignSchema, RemixSchema
from configurator.catalog.models import ProductVersion
from configurator.catalog.services import quote_data, resolve_currency, violation_data
from configurator.designs import services
from configurator.designs.models import Design
from configurator.locale import mark_request_language, request_locale
from configurator.openapi import AtelierBlueprint
from configurator.preferences.services import consenting_shopper
from configurator.previews import services as previews
from configurator.ratelimit import limit

blp = AtelierBlueprint(
    "designs", __name__, url_prefix="/api/v1/designs", description="Saved designs: save, share, remix"
)
blp.after_request(mark_request_language)

# Saving and remixing write a row each: a shopper saves a few designs, a script thousands.
DESIGNS_PER_MINUTE = 60


def design_data(design: Design, currency: str | None, language: str) -> dict[str, Any]:
    """A design as the API shows it: its choices, what its own and the live version say, its price."""
    saved = services.check(design.choices, design.version)
    live = services.check_live(design.choices, design.product_key)
    priced = live if live.valid else saved
    chosen = resolve_currency(priced.product.model.brand, currency, language)
    price = quote_data(priced.product.price(priced.design, 1, chosen), language) if priced.valid else None
    return {
        "id": design.public_id,
        "product": design.product_key,
        "choices": design.choices,
        "created_at": design.created_at,
        "remixed_from": design.remixed_from.public_id if design.remixed_from is not None else None,
        "credits": design_credits(design),
        "mine": _mine(design),
        "saved": _check_data(saved, language),
        "live": _check_data(live, language),
        "price": price,
        "preview": (
            previews.links(priced.version.id, priced.product, priced.design, language)
            if priced.valid and priced.version is not None
            else None
        ),
        "links": {
            "self": url_for("designs.SavedDesign", public_id=design.public_id),
            "share": f"/designs/{design.public_id}",
            "remix": url_for("designs.Remix", public_id=design.public_id),
        },
    }


def _mine(design: Design) -> bool:
    """Whether the asking consenting shopper saved it (a design is theirs only while they consent)."""
    shopper = consenting_shopper()
    return shopper is not None and design.shopper_id == shopper.id


def _check_data(checked: services.Checked, language: str) -> dict[str, Any]:
    return {
        "version": _version(checked.stored),
        "valid": checked.valid,
        "violations": [violation_data(v, language) for v in checked.violations],
    }


def _version(version: ProductVersion) -> dict[str, Any]:
    return {"id": version.id, "content_hash": version.content_hash, "published_at": version.published_at}


@blp.route("")
class Designs(MethodView):
    @blp.arguments(DesignCreateSchema)
    @blp.response(201, DesignSchema)
    @blp.alt_response(400, response="BAD_REQUEST")
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    @blp.alt_response(429, response="TOO_MANY_REQUESTS")
    @limit("designs", per_minute=DESIGNS_PER_MINUTE)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Save the picks (completed with the defaults) as a design on the live version of the product."""
        design = services.save(body["product"], body["picks"], locale=request_locale())
        return design_data(design, None, request_locale())


@blp.route("/<public_id>")
class SavedDesign(MethodView):
    @blp.arguments(DesignQuerySchema, location="query", unknown=RAISE)
    @blp.response(200, DesignSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, query: dict[str, Any], public_id: str) -> dict[str, Any]:
        """A saved design: its choices, whether its own and the live version accept it, its price."""
        return design_data(services.find(public_id), query["currency"], request_locale())


@blp.route("/<public_id>/remix")
class Remix(MethodView):
    @blp.arguments(RemixSchema)
    @blp.response(201, DesignSchema)
    @blp.alt_response(400, response="BAD_REQUEST")
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    @blp.alt_response(429, response="TOO_MANY_REQUESTS")
    @limit("designs", per_minute=DESIGNS_PER_MINUTE)
    def post(self, body: dict[str, Any], public_id: str) -> dict[str, Any]:
        """Copy a design into a new one (with changes) on the live version; the original stays as it is."""
        design = services.remix(services.find(public_id), body["picks"], locale=request_locale())
        return design_data(design, None, request_locale())
