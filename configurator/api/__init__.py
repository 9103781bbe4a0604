"""The HTTP API: flask-smorest blueprints that parse, call services and serialise; no logic of their own."""

from __future__ import annotations

from flask import Flask

from configurator.api import admin, carts, checkout, designs, fields, health, products
from configurator.extensions import api


def register_api(app: Flask) -> None:
    """Bind the Api (OpenAPI at /openapi.json, Swagger UI at /docs) and register every blueprint."""
    api.init_app(app)
    api.register_field(fields.Money, "string", "decimal")
    api.register_blueprint(health.blp)
    api.register_blueprint(products.blp)
    api.register_blueprint(checkout.blp)
    api.register_blueprint(designs.blp)
    api.register_blueprint(carts.blp)
    admin.register(api)
