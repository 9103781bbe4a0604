"""Products: list them, describe one for a UI, and answer each step of configuring it."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, g, url_for
from flask.views import MethodView

from configurator.api.schemas import (
    ConfigureRequestSchema,
    ConfigureResponseSchema,
    ProductListSchema,
    ProductSpecSchema,
)
from configurator.catalog import services
from configurator.catalog.errors import CatalogNotPublished
from configurator.locale import mark_language, negotiate_locale
from configurator.openapi import AtelierBlueprint

blp = AtelierBlueprint(
    "products",
    __name__,
    url_prefix="/api/v1/products",
    description="Products, their options and the rules between them",
)


def _locale() -> str:
    if "locale" not in g:
        default = current_app.config["ATELIER_DEFAULT_LOCALE"]
        try:
            offered = services.current_catalog().locales
        except CatalogNotPublished:
            offered = (default,)
        g.locale = negotiate_locale(offered, default)
    locale: str = g.locale
    return locale


def _links(key: str) -> dict[str, str]:
    return {
        "self": url_for("products.Product", slug=key),
        "configure": url_for("products.Configure", slug=key),
    }


@blp.after_request
def _language(response: Response) -> Response:
    # Every answer here carries texts in the negotiated language; caches must key on it.
    return mark_language(response, _locale())


@blp.route("")
class Products(MethodView):
    @blp.response(200, ProductListSchema)
    def get(self) -> dict[str, Any]:
        """List the products with their base price in every currency."""
        loaded = services.current_catalog()
        locale = _locale()
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
        product = services.get_product(services.current_catalog(), slug)
        return {**services.describe_product(product, _locale()), "links": _links(slug)}


@blp.route("/<slug>/configure")
class Configure(MethodView):
    @blp.arguments(ConfigureRequestSchema)
    @blp.response(200, ConfigureResponseSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def post(self, body: dict[str, Any], slug: str) -> dict[str, Any]:
        """Given the picks so far: what is still possible (and why not), what is broken, the price."""
        product = services.get_product(services.current_catalog(), slug)
        return services.configure(
            product, body["picks"], currency=body["currency"], quantity=body["quantity"], locale=_locale()
        )
