"""Configuration from `ATELIER_*` environment variables, with embedded defaults for the local demo.

Precedence, lowest first: built-in defaults, the environment, the `config` mapping given to
`create_app` (tests use it). In production mode the app refuses to start without its secrets.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from configurator.errors import ConfigurationError

# The demo's key signs nothing worth stealing: demo mode has no accounts and no payments.
DEMO_SECRET_KEY = "atelier-demo-only-not-a-secret"


class Mode(StrEnum):
    DEMO = "demo"
    PRODUCTION = "production"


# Environment variable -> Flask config key. Values are strings; `_coerce` types the few that are not.
ENVIRONMENT = {
    "ATELIER_MODE": "ATELIER_MODE",
    "ATELIER_SECRET_KEY": "SECRET_KEY",
    "ATELIER_CATALOG": "ATELIER_CATALOG",
    "ATELIER_DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
    "ATELIER_DEFAULT_LOCALE": "ATELIER_DEFAULT_LOCALE",
    "ATELIER_DOCS_CDN": "OPENAPI_SWAGGER_UI_URL",
    "ATELIER_AUTO_SETUP": "ATELIER_AUTO_SETUP",
    "ATELIER_BROKER_URL": "ATELIER_BROKER_URL",
}

DEFAULTS: dict[str, Any] = {
    "ATELIER_MODE": Mode.DEMO.value,
    "ATELIER_CATALOG": "catalog",  # relative to the working directory
    "ATELIER_DEFAULT_LOCALE": "en",
    # Relative SQLite paths live in Flask's instance folder.
    "SQLALCHEMY_DATABASE_URI": "sqlite:///atelier.sqlite3",
    "JSON_SORT_KEYS": False,
    # flask-smorest / OpenAPI
    "API_TITLE": "Atelier",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/",
    "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "docs",
    # Swagger UI's assets come from a CDN: the docs page is for people with a browser online.
    "OPENAPI_SWAGGER_UI_URL": "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/",
    "API_SPEC_OPTIONS": {
        "info": {
            "description": "Configure products made to order: options, rules, prices. "
            "Errors are RFC 9457 problem details (application/problem+json).",
        },
    },
}


def load_config(
    environ: Mapping[str, str] | None = None, overrides: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The app's configuration: defaults, then `ATELIER_*` variables, then `overrides`; checked."""
    environ = os.environ if environ is None else environ
    config = dict(DEFAULTS)
    for variable, key in ENVIRONMENT.items():
        value = environ.get(variable)
        if value:
            config[key] = value
    config.update(overrides or {})
    check_config(config)
    return config


def check_config(config: dict[str, Any]) -> None:
    """Refuse unknown modes and a production start without secrets; give the demo its dev key."""
    try:
        mode = Mode(config["ATELIER_MODE"])
    except ValueError:
        choices = ", ".join(m.value for m in Mode)
        message = f"ATELIER_MODE must be one of {choices}, not {config['ATELIER_MODE']!r}."
        raise ConfigurationError(message) from None
    if mode is Mode.PRODUCTION:
        missing = []
        if config.get("SECRET_KEY") in (None, "", DEMO_SECRET_KEY):
            missing.append("ATELIER_SECRET_KEY")
        if config.get("SQLALCHEMY_DATABASE_URI") == DEFAULTS["SQLALCHEMY_DATABASE_URI"]:
            missing.append("ATELIER_DATABASE_URL")
        if missing:
            raise ConfigurationError(f"Production mode needs {' and '.join(missing)} to be set.")
    elif not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = DEMO_SECRET_KEY
    # The demo migrates its database and publishes its catalog at start; production never does on
    # its own (several workers starting at once must not race to migrate).
    auto = config.get("ATELIER_AUTO_SETUP")
    if auto is None or auto == "":
        config["ATELIER_AUTO_SETUP"] = mode is Mode.DEMO
    elif isinstance(auto, str):
        config["ATELIER_AUTO_SETUP"] = auto.strip().lower() in {"1", "true", "yes", "on"}
