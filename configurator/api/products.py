"""Products: list them, describe one for a UI, and answer each step of configuring it."""

from __future__ import annotations

import json
from collections.abc import Hashable
from datetime import UTC, datetime
from typing import Any

from flask import Response, current_app, request, url_for
from flask.views import MethodView

from configurator.api.answers import cached_answers
from configurator.api.fields import wire_value
from configurator.api.schemas import (
    ConfigureRequestSchema,
    ConfigureResponseSchema,
    ProductListSchema,
    ProductSpecSchema,
)
from configurator.catalog import services
from configurator.locale import mark_request_language, request_locale
from configurator.openapi import AtelierBlueprint
from configurator.previews import services as previews
from configurator.ratelimit import limit

blp = AtelierBlueprint(
    "products",
    __name__,
    url_prefix="/api/v1/products",
    description="Products, their options and the rules between them",
)

# One answer per pick: a shopper clicking fast sends a few a second. Generous, because many shoppers
# can share one address (offices, mobile carriers); it stops scripts walking the whole product.
CONFIGURES_PER_MINUTE = 600


def _links(key: str) -> dict[str, str]:
    return {
        "self": url_for("products.Product", slug=key),
        "configure": url_for("products.Configure", slug=key),
    }


blp.after_request(mark_request_language)


@blp.route("")
class Products(MethodView):
    @blp.response(200, ProductListSchema)
    def get(self) -> dict[str, Any]:
        """List the products with their base price in every currency."""
        loaded = services.current_catalog()
        locale = request_locale()
        return {
            "brand": services.brand_summary(loaded.brand, locale),
            "products": [
                {**summary, "links": _links(summary["key"])}
                for summary in services.product_summaries(loaded, locale)
            ],
        }


@blp.route("/<slug>")
class Product(MethodView):
    @blp.response(200, ProductSpecSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, slug: str) -> dict[str, Any]:
        """Describe a product for a UI: attributes, options, limits, conditions and defaults."""
        loaded = services.current_catalog()
        product = services.get_product(loaded, slug)
        version_id = loaded.version_ids[slug]

        def picture(attribute: str, option: str) -> str:
            return url_for(
                "previews.OptionPicture", version_id=version_id, attribute=attribute, option=option, size=96
            )

        return {**services.describe_product(product, request_locale(), picture), "links": _links(slug)}


def configure_answer_key(_view: object, slug: str) -> Hashable | None:
    """What a configure answer depends on: the product's live version, the options off sale in it,
    the language it is written in,
    the request body (canonical JSON) and the day (the ship date counts from it). Designs with
    uploaded images are never cached: their answer reads the uploads' stored state."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("picks"), dict):
        return None
    loaded = services.current_catalog()
    product = loaded.products.get(slug)
    if product is None:
        return None
    if any(key in body["picks"] for key in services.upload_attribute_keys(product)):
        return None
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    today = datetime.now(UTC).date()
    return (slug, loaded.version_ids[slug], loaded.availability, request_locale(), canonical, today)


@blp.route("/<slug>/configure")
class Configure(MethodView):
    @limit("configure", per_minute=CONFIGURES_PER_MINUTE)
    @cached_answers(configure_answer_key)
    @blp.arguments(ConfigureRequestSchema)
    @blp.response(200, ConfigureResponseSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(429, response="TOO_MANY_REQUESTS")
    def post(self, body: dict[str, Any], slug: str) -> Response:
        """Given the picks so far: what is still possible (and why not), what is broken, the price."""
        loaded = services.current_catalog()
        product = services.get_product(loaded, slug)
        locale = request_locale()
        version_id = loaded.version_ids[slug]
        answer = services.configure(
            product,
            body["picks"],
            currency=body["currency"],
            quantity=body["quantity"],
            locale=locale,
            preview=lambda design: previews.links(version_id, product, design, locale),
        )
        return written_as_documented(answer)


def written_as_documented(answer: dict[str, Any]) -> Response:
    """The configure answer as `ConfigureResponseSchema` would write it, without walking the schema.

    The service's answer is already in the documented shape but for amounts and sets, which
    `wire_value` writes as the schema's fields do; configure is the hottest call, and the schema walk
    cost more than the engine. tests/api/test_api_products.py pins that both write the same.
    """
    return current_app.response_class(
        current_app.json.dumps(answer, default=wire_value) + "\n", mimetype="application/json"
    )
