"""The HTTP API: flask-smorest blueprints that parse, call services and serialise; no logic of their own."""

from __future__ import annotations

from flask import Flask

from configurator.api import (
    admin,
    campaigns,
    carts,
    checkout,
    community,
    designs,
    fields,
    health,
    insights,
    preferences,
    previews,
    products,
    recommendations,
    regions,
    repair,
    uploads,
)
from configurator.openapi import api
from configurator.partners.http import PublishableKeyDoc


def register_api(app: Flask) -> None:
    """Bind the Api (OpenAPI at /openapi.json, Swagger UI at /docs) and register every blueprint."""
    # Partners' publishable key is documented on every public operation as its paths are added.
    api.init_app(app, spec_kwargs={"extra_plugins": [PublishableKeyDoc()]})
    api.register_field(fields.Money, "string", "decimal")
    api.register_blueprint(health.blp)
    api.register_blueprint(products.blp)
    api.register_blueprint(repair.blp)
    api.register_blueprint(recommendations.blp)
    api.register_blueprint(checkout.blp)
    api.register_blueprint(designs.blp)
    api.register_blueprint(carts.blp)
    api.register_blueprint(regions.blp)
    api.register_blueprint(uploads.blp)
    api.register_blueprint(previews.blp)
    api.register_blueprint(preferences.blp)
    api.register_blueprint(community.gallery_blp)
    api.register_blueprint(community.ideas_blp)
    api.register_blueprint(campaigns.blp)
    admin.register(api)
    api.register_blueprint(insights.blp)
    api.register_blueprint(community.admin_blp)
    api.register_blueprint(campaigns.admin_blp)
