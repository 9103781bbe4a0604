"""Atelier's web application: `create_app` builds it; nothing happens at import time."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from configurator.api import register_api
from configurator.catalog import services as catalog_services
from configurator.config import load_config
from configurator.errors import register_error_handlers
from configurator.extensions import db


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: configuration (env, then `config`), extensions, the catalog, the API, errors."""
    app = Flask(__name__)
    app.config.from_mapping(load_config(overrides=config))
    app.json.sort_keys = False  # type: ignore[attr-defined]  # keep attributes in the merchant's order
    register_extensions(app)
    register_catalog(app)
    register_http(app)
    return app


def register_extensions(app: Flask) -> None:
    """Bind the unbound extension instances to this app."""
    db.init_app(app)


def register_catalog(app: Flask) -> None:
    """Load and compile the catalog folder once; every request reads the same compiled products."""
    catalog_services.init_app(app)


def register_http(app: Flask) -> None:
    """The API blueprints and OpenAPI document, then our problem-details handlers over flask-smorest's."""
    register_api(app)
    register_error_handlers(app)
