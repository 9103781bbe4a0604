"""Configuration from `ATELIER_*` environment variables, with embedded defaults for the local demo.

Precedence, lowest first: built-in defaults, the environment, the `config` mapping given to
`create_app` (tests use it). In production mode the app refuses to start without its secrets.
"""

from __future__ import annotations

import logging
import os
import string
from collections.abc import Mapping
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

import marshmallow as ma
from marshmallow import fields as ma_fields
from marshmallow.validate import Range

from configurator.errors import ConfigurationError

logger = logging.getLogger(__name__)

# The demo's key signs nothing worth stealing: demo mode has no accounts and no payments.
DEMO_SECRET_KEY = "atelier-demo-only-not-a-secret"

PAYMENT_PROVIDERS = ("offline", "stripe")
# What shoppers' photos may be, as Pillow names formats (ATELIER_UPLOAD_FORMATS picks among them).
UPLOAD_FORMATS = frozenset({"PNG", "JPEG", "WEBP"})
# Setting -> the prefix of the value Stripe's dashboard gives (sk_ or rk_ for restricted keys).
STRIPE_KEYS = {
    "ATELIER_STRIPE_SECRET_KEY": ("sk_", "rk_"),
    "ATELIER_STRIPE_PUBLISHABLE_KEY": ("pk_",),
    "ATELIER_STRIPE_WEBHOOK_SECRET": ("whsec_",),
}


class Mode(StrEnum):
    DEMO = "demo"
    PRODUCTION = "production"


# Environment variable -> Flask config key. Values are strings; `Settings` types those that are not.
ENVIRONMENT = {
    "ATELIER_MODE": "ATELIER_MODE",
    "ATELIER_SECRET_KEY": "SECRET_KEY",
    "ATELIER_CATALOG": "ATELIER_CATALOG",
    "ATELIER_DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
    "ATELIER_DEFAULT_LOCALE": "ATELIER_DEFAULT_LOCALE",
    "ATELIER_DOCS_CDN": "OPENAPI_SWAGGER_UI_URL",
    "ATELIER_AUTO_SETUP": "ATELIER_AUTO_SETUP",
    "ATELIER_BROKER_URL": "ATELIER_BROKER_URL",
    "ATELIER_BROKER_VISIBILITY_TIMEOUT": "ATELIER_BROKER_VISIBILITY_TIMEOUT",
    "ATELIER_TASK_MAX_DELIVERIES": "ATELIER_TASK_MAX_DELIVERIES",
    "ATELIER_PUBLIC_URL": "ATELIER_PUBLIC_URL",
    "ATELIER_MAIL_FROM": "ATELIER_MAIL_FROM",
    "ATELIER_SMTP_HOST": "ATELIER_SMTP_HOST",
    "ATELIER_SMTP_PORT": "ATELIER_SMTP_PORT",
    "ATELIER_SMTP_USER": "ATELIER_SMTP_USER",
    "ATELIER_SMTP_PASSWORD": "ATELIER_SMTP_PASSWORD",
    "ATELIER_SMTP_STARTTLS": "ATELIER_SMTP_STARTTLS",
    "ATELIER_SMTP_TIMEOUT": "ATELIER_SMTP_TIMEOUT",
    "ATELIER_MAIL_RETRY_BACKOFF": "ATELIER_MAIL_RETRY_BACKOFF",
    "ATELIER_MAIL_RETRY_BACKOFF_MAX": "ATELIER_MAIL_RETRY_BACKOFF_MAX",
    "ATELIER_MAIL_SWEEP_MINUTES": "ATELIER_MAIL_SWEEP_MINUTES",
    "ATELIER_PAYMENTS": "ATELIER_PAYMENTS",
    "ATELIER_STRIPE_SECRET_KEY": "ATELIER_STRIPE_SECRET_KEY",
    "ATELIER_STRIPE_PUBLISHABLE_KEY": "ATELIER_STRIPE_PUBLISHABLE_KEY",
    "ATELIER_STRIPE_WEBHOOK_SECRET": "ATELIER_STRIPE_WEBHOOK_SECRET",
    "ATELIER_STRIPE_API_BASE": "ATELIER_STRIPE_API_BASE",
    "ATELIER_STRIPE_MAX_NETWORK_RETRIES": "ATELIER_STRIPE_MAX_NETWORK_RETRIES",
    "ATELIER_MEDIA_ROOT": "ATELIER_MEDIA_ROOT",
    "ATELIER_STORAGE_URL": "ATELIER_STORAGE_URL",
    "ATELIER_S3_ENDPOINT_URL": "ATELIER_S3_ENDPOINT_URL",
    "ATELIER_S3_REGION": "ATELIER_S3_REGION",
    "ATELIER_UPLOAD_MAX_BYTES": "ATELIER_UPLOAD_MAX_BYTES",
    "ATELIER_UPLOAD_MAX_PIXELS": "ATELIER_UPLOAD_MAX_PIXELS",
    "ATELIER_UPLOAD_FORMATS": "ATELIER_UPLOAD_FORMATS",
    "ATELIER_UPLOAD_RETENTION_DAYS": "ATELIER_UPLOAD_RETENTION_DAYS",
    "ATELIER_PREVIEW_STORE_MB": "ATELIER_PREVIEW_STORE_MB",
    "ATELIER_PREVIEW_STORE_DAYS": "ATELIER_PREVIEW_STORE_DAYS",
    "ATELIER_PROOF_FILE_NAME": "ATELIER_PROOF_FILE_NAME",
    "ATELIER_RATELIMIT_URL": "ATELIER_RATELIMIT_URL",
    "ATELIER_RATELIMITS": "ATELIER_RATELIMITS",
    "ATELIER_TRUSTED_PROXIES": "ATELIER_TRUSTED_PROXIES",
    "ATELIER_LOG_FORMAT": "ATELIER_LOG_FORMAT",
    "ATELIER_LOG_LEVEL": "ATELIER_LOG_LEVEL",
    "ATELIER_METRICS_TOKEN": "ATELIER_METRICS_TOKEN",
    "ATELIER_ALLOW_OFFLINE_PAYMENTS": "ATELIER_ALLOW_OFFLINE_PAYMENTS",
    "ATELIER_LIVE_REFRESH_SECONDS": "ATELIER_LIVE_REFRESH_SECONDS",
    "ATELIER_ANSWER_CACHE_MB": "ATELIER_ANSWER_CACHE_MB",
    "ATELIER_VERSIONS_CACHE_MB": "ATELIER_VERSIONS_CACHE_MB",
    "ATELIER_WORKER_METRICS_BIND": "ATELIER_WORKER_METRICS_BIND",
}

DEFAULTS: dict[str, Any] = {
    "ATELIER_MODE": Mode.DEMO.value,
    "ATELIER_CATALOG": "catalog",  # relative to the working directory
    "ATELIER_DEFAULT_LOCALE": "en",
    # Relative SQLite paths live in Flask's instance folder.
    "SQLALCHEMY_DATABASE_URI": "sqlite:///atelier.sqlite3",
    "JSON_SORT_KEYS": False,
    # Payments: ATELIER_PAYMENTS defaults by mode (offline in the demo, stripe in production).
    "ATELIER_STRIPE_API_BASE": "https://api.stripe.com",
    # Safe to retry: every PaymentIntent is created with an idempotency key.
    "ATELIER_STRIPE_MAX_NETWORK_RETRIES": 2,
    # Broker and e-mail (docs/operations.md). Redis hands an unacknowledged task to another worker
    # after this many seconds: keep it above the longest task and the longest retry countdown.
    "ATELIER_BROKER_VISIBILITY_TIMEOUT": 3600,
    # A task message delivered this many times without finishing (its run killed the worker each
    # time) is given up: its work is marked failed instead of running again (configurator/deliveries.py).
    "ATELIER_TASK_MAX_DELIVERIES": 5,
    # Links in e-mails point here (the storefront's address as shoppers see it).
    "ATELIER_PUBLIC_URL": "http://127.0.0.1:8000",
    "ATELIER_MAIL_FROM": "Atelier <orders@atelier.invalid>",
    # No SMTP host: the demo writes e-mails to the log instead of sending them.
    "ATELIER_SMTP_HOST": "",
    "ATELIER_SMTP_PORT": 587,
    "ATELIER_SMTP_USER": "",
    "ATELIER_SMTP_PASSWORD": "",
    "ATELIER_SMTP_STARTTLS": True,  # never a password in clear text unless asked for
    "ATELIER_SMTP_TIMEOUT": 30,
    "ATELIER_MAIL_RETRY_BACKOFF": 30,  # seconds before the first retry; doubles on each one
    "ATELIER_MAIL_RETRY_BACKOFF_MAX": 600,
    "ATELIER_MAIL_SWEEP_MINUTES": 30,  # a pending message untouched this long is sent again
    # Uploads and rendered images (docs/uploads.md). No media root: `media` in Flask's instance folder.
    "ATELIER_MEDIA_ROOT": "",
    # Blobs in an S3-compatible bucket instead (docs/deployment.md): s3://bucket/prefix, with the
    # endpoint of a server other than AWS (MinIO, Ceph, R2...) and the region. Credentials come from
    # boto3's own chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, a profile, a role), not from here.
    "ATELIER_STORAGE_URL": "",
    "ATELIER_S3_ENDPOINT_URL": "",
    "ATELIER_S3_REGION": "",
    "ATELIER_UPLOAD_MAX_BYTES": 15 * 1024 * 1024,
    "ATELIER_UPLOAD_MAX_PIXELS": 40_000_000,
    "ATELIER_UPLOAD_FORMATS": "png,jpeg,webp",
    # Photos no saved design or order names are removed this many days after their upload.
    "ATELIER_UPLOAD_RETENTION_DAYS": 14,
    # Rendered previews kept in the blob store (configurator/previews/cache.py): at most this many
    # megabytes (0 keeps none: every preview is drawn when asked for), none older than this many days
    # (0: no age limit). Any preview that goes is drawn again, to the same bytes, when asked for.
    "ATELIER_PREVIEW_STORE_MB": 1024,
    "ATELIER_PREVIEW_STORE_DAYS": 30,
    # The names production proofs are downloaded under (docs/previews.md): {order} number, {line}
    # position in the order (from 1), {line_id}, {view} key (`spec` for the summary sheet), {product}
    # key; the extension follows.
    "ATELIER_PROOF_FILE_NAME": "{order}-{line}-{view}",
    # Every request body is refused past this (413) before it is read: JSON bodies are small. Uploads
    # and rule sets raise it for their own requests (request.max_content_length).
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    # Rate limits count in Redis (this URL, else the broker's when it is Redis), else in memory.
    "ATELIER_RATELIMIT_URL": "",
    "ATELIER_RATELIMITS": "",  # "bucket=per_minute,..." overriding the code's limits; 0 turns one off
    # Proxies in front of the app that append to X-Forwarded-For: 0 trusts no header at all.
    "ATELIER_TRUSTED_PROXIES": 0,
    # Logs and metrics (configurator/observability.py). The format defaults by mode: json in
    # production, text in the demo. No token: /metrics answers anyone who reaches it.
    "ATELIER_LOG_LEVEL": "INFO",
    "ATELIER_METRICS_TOKEN": "",
    # host:port where a Celery worker serves its own /metrics (a worker machine without an app
    # server); empty serves none. Needs PROMETHEUS_MULTIPROC_DIR: tasks run in child processes.
    "ATELIER_WORKER_METRICS_BIND": "",
    # How long a process trusts the live versions it last read before asking the database again; a
    # publish is seen at once by the process that made it and within this delay by the others.
    "ATELIER_LIVE_REFRESH_SECONDS": 1.0,
    # Configure answers kept per process (a pure function of version, picks, currency, quantity and
    # language): megabytes of encoded answers, 0 keeps none.
    "ATELIER_ANSWER_CACHE_MB": 8,
    # Compiled versions and their preview assets kept per process (see configurator.catalog.versions).
    "ATELIER_VERSIONS_CACHE_MB": 256,
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


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def whole(minimum: int) -> ma_fields.Integer:
    """A whole number of at least `minimum` (a string of digits is taken too)."""
    return ma_fields.Integer(
        strict=False,
        validate=Range(min=minimum, error="{{name}} must be at least {min}, not {input}."),
        error_messages={"invalid": "{{name}} must be a whole number, not {input!r}."},
    )


class Flag(ma_fields.Boolean):
    """true or false, as people write it in an environment, in any case and spacing (1/0, yes/no,
    on/off, empty for false), or a bool."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        return super()._deserialize(value.strip().lower() if isinstance(value, str) else value, attr, data)


def flag() -> Flag:
    return Flag(
        truthy={*_TRUE, True},
        falsy={*_FALSE, False},
        error_messages={"invalid": "{{name}} must be true or false, not {input!r}."},
    )


def amount() -> ma_fields.Float:
    """A number, 0 or more (fractions allowed; NaN and infinity are not numbers of anything)."""
    return ma_fields.Float(
        allow_nan=False,
        validate=Range(min=0, error="{{name}} must be 0 or more, not {input}."),
        error_messages={
            "invalid": "{{name}} must be a number, not {input!r}.",
            "special": "{{name}} must be 0 or more, and a number (not NaN or infinity).",
        },
    )


class Settings(ma.Schema):
    """The settings that are not text, typed with marshmallow (the stack's own schema library): the
    environment gives strings, `create_app(config)` may give numbers; both load to the same values,
    and nonsense is refused naming the variable and what it takes."""

    class Meta:
        unknown = ma.EXCLUDE

    ATELIER_BROKER_VISIBILITY_TIMEOUT = whole(1)
    ATELIER_TASK_MAX_DELIVERIES = whole(1)
    ATELIER_SMTP_PORT = whole(1)
    ATELIER_SMTP_TIMEOUT = whole(1)
    ATELIER_MAIL_RETRY_BACKOFF = whole(1)
    ATELIER_MAIL_RETRY_BACKOFF_MAX = whole(1)
    ATELIER_MAIL_SWEEP_MINUTES = whole(1)
    ATELIER_SMTP_STARTTLS = flag()
    ATELIER_ALLOW_OFFLINE_PAYMENTS = flag()
    ATELIER_STRIPE_MAX_NETWORK_RETRIES = whole(0)
    ATELIER_UPLOAD_MAX_BYTES = whole(1)
    ATELIER_UPLOAD_MAX_PIXELS = whole(1)
    ATELIER_TRUSTED_PROXIES = whole(0)
    ATELIER_UPLOAD_RETENTION_DAYS = whole(1)
    ATELIER_VERSIONS_CACHE_MB = whole(1)
    ATELIER_PREVIEW_STORE_MB = amount()
    ATELIER_PREVIEW_STORE_DAYS = amount()
    ATELIER_LIVE_REFRESH_SECONDS = amount()
    ATELIER_ANSWER_CACHE_MB = amount()

    def handle_error(self, error: ma.ValidationError, data: Any, **kwargs: Any) -> None:
        # One sentence an operator can act on: the first setting refused, in the order declared.
        messages: dict[str, Any] = error.normalized_messages()  # type: ignore[no-untyped-call]
        first = next(name for name in self.declared_fields if name in messages)
        problem = messages[first]
        text = problem[0] if isinstance(problem, list) else str(problem)
        raise ConfigurationError(text.replace("{name}", first))


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
    """Type the settings, refuse unknown modes and a production start without secrets; give the demo
    its dev key."""
    settings = Settings()
    config.update(settings.load({k: v for k, v in config.items() if k in settings.declared_fields}))
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
    check_database(config)
    check_payments(config, mode)
    check_mail(config)
    check_media(config)
    check_storage(config)
    check_proof_file_name(config)
    check_observability(config, mode)
    # The demo migrates its database and publishes its catalog at start; production never does on
    # its own (several workers starting at once must not race to migrate).
    auto = config.get("ATELIER_AUTO_SETUP")
    if auto is None or auto == "":
        config["ATELIER_AUTO_SETUP"] = mode is Mode.DEMO
    elif isinstance(auto, str):
        config["ATELIER_AUTO_SETUP"] = auto.strip().lower() in {"1", "true", "yes", "on"}


def check_database(config: dict[str, Any]) -> None:
    """Refuse a database URL SQLAlchemy cannot read or has no driver for, before anything connects."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    url = config["SQLALCHEMY_DATABASE_URI"]
    try:
        make_url(url).get_dialect()
    except (ArgumentError, NoSuchModuleError, ValueError) as error:
        raise ConfigurationError(
            "ATELIER_DATABASE_URL must be a database URL such as "
            "postgresql+psycopg://user:password@host/atelier or sqlite:///atelier.sqlite3.",
            extensions={"technical_detail": str(error)},
        ) from None


def check_payments(config: dict[str, Any], mode: Mode) -> None:
    """Choose the payment provider and refuse one that cannot work.

    Production takes real payments only: the offline provider marks orders paid without money, so it
    is refused there (a staging shop uses Stripe's test-mode keys instead). Stripe needs all three
    keys in every mode: without the webhook secret, payments confirmed outside the browser are lost.
    """
    provider = config.get("ATELIER_PAYMENTS") or ("stripe" if mode is Mode.PRODUCTION else "offline")
    if provider not in PAYMENT_PROVIDERS:
        choices = ", ".join(PAYMENT_PROVIDERS)
        raise ConfigurationError(f"ATELIER_PAYMENTS must be one of {choices}, not {provider!r}.")
    if provider == "offline" and mode is Mode.PRODUCTION and config.get("ATELIER_ALLOW_OFFLINE_PAYMENTS"):
        # A rehearsal of production on one machine (`make run-prod`) without Stripe keys: allowed
        # only when asked for by name, and said loudly at every start.
        logger.warning(
            "ATELIER_ALLOW_OFFLINE_PAYMENTS is set: orders are marked paid WITHOUT taking money. "
            "Never set it on a shop that takes real orders."
        )
    elif provider == "offline" and mode is Mode.PRODUCTION:
        raise ConfigurationError(
            "Production mode takes real payments: set ATELIER_PAYMENTS=stripe "
            "(with Stripe's test-mode keys for a staging shop)."
        )
    config["ATELIER_PAYMENTS"] = provider
    if provider == "stripe":
        missing = [key for key in STRIPE_KEYS if not config.get(key)]
        if missing:
            raise ConfigurationError(f"ATELIER_PAYMENTS=stripe needs {' and '.join(missing)} to be set.")
        for key, prefixes in STRIPE_KEYS.items():
            if not str(config[key]).startswith(prefixes):
                raise ConfigurationError(f"{key} should start with {' or '.join(prefixes)}.")


def check_mail(config: dict[str, Any]) -> None:
    """The public URL e-mails link to, without a trailing slash (the numbers are typed by `Settings`)."""
    config["ATELIER_PUBLIC_URL"] = str(config.get("ATELIER_PUBLIC_URL") or "").rstrip("/")


LOG_FORMATS = ("json", "text")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def check_observability(config: dict[str, Any], mode: Mode) -> None:
    """Log format (json in production, text in the demo, unless set) and level."""
    log_format = str(config.get("ATELIER_LOG_FORMAT") or ("json" if mode is Mode.PRODUCTION else "text"))
    if log_format.lower() not in LOG_FORMATS:
        raise ConfigurationError(f"ATELIER_LOG_FORMAT must be json or text, not {log_format!r}.")
    config["ATELIER_LOG_FORMAT"] = log_format.lower()
    level = str(config.get("ATELIER_LOG_LEVEL") or "INFO").upper()
    if level not in LOG_LEVELS:
        raise ConfigurationError(f"ATELIER_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, not {level!r}.")
    config["ATELIER_LOG_LEVEL"] = level
    bind = str(config.get("ATELIER_WORKER_METRICS_BIND") or "").strip()
    if bind:
        config["ATELIER_WORKER_METRICS_BIND"] = worker_metrics_address(bind)
        if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            raise ConfigurationError(
                "ATELIER_WORKER_METRICS_BIND needs PROMETHEUS_MULTIPROC_DIR (an empty folder): a worker "
                "runs its tasks in child processes, whose counts reach the endpoint only through it."
            )


def worker_metrics_address(bind: str) -> tuple[str, int]:
    """`host:port` for a worker's metrics endpoint, checked.

    >>> worker_metrics_address("0.0.0.0:9464")
    ('0.0.0.0', 9464)
    """
    host, _, port = bind.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigurationError(
            f"ATELIER_WORKER_METRICS_BIND must be host:port, such as 0.0.0.0:9464, not {bind!r}."
        )
    return host.strip("[]"), int(port)


def check_media(config: dict[str, Any]) -> None:
    """The upload formats and the rate limits (the numbers are typed by `Settings`)."""
    formats = config.get("ATELIER_UPLOAD_FORMATS", DEFAULTS["ATELIER_UPLOAD_FORMATS"])
    names = formats.split(",") if isinstance(formats, str) else list(formats)
    chosen = {"JPEG" if n.strip().upper() == "JPG" else n.strip().upper() for n in names if n.strip()}
    if not chosen or not chosen <= UPLOAD_FORMATS:
        choices = ", ".join(sorted(f.lower() for f in UPLOAD_FORMATS))
        raise ConfigurationError(f"ATELIER_UPLOAD_FORMATS must list some of {choices}, not {formats!r}.")
    config["ATELIER_UPLOAD_FORMATS"] = tuple(sorted(chosen))
    config["ATELIER_RATELIMITS"] = parse_rate_limits(config.get("ATELIER_RATELIMITS") or {})


PROOF_FILE_FIELDS = frozenset({"order", "line", "line_id", "view", "product"})


def check_proof_file_name(config: dict[str, Any]) -> None:
    """Refuse a proof file name template that names two files of an order alike, or that is no name.

    >>> check_proof_file_name({"ATELIER_PROOF_FILE_NAME": "{order}/{view}"})
    Traceback (most recent call last):
    ...
    configurator.errors.ConfigurationError: ATELIER_PROOF_FILE_NAME ...
    """
    template = str(config.get("ATELIER_PROOF_FILE_NAME") or DEFAULTS["ATELIER_PROOF_FILE_NAME"]).strip()
    what = (
        "ATELIER_PROOF_FILE_NAME must name each file of an order apart, with {view} and {line} or "
        '{line_id} (also {order} and {product}), and no /, \\ or ", e.g. {order}-{line}-{view}'
    )
    try:
        fields = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError:
        raise ConfigurationError(f"{what}; {template!r} is not a template.") from None
    if (
        not fields <= PROOF_FILE_FIELDS
        or "view" not in fields
        or not fields & {"line", "line_id"}
        or any(char in template for char in '/\\"\0')
    ):
        raise ConfigurationError(f"{what}, not {template!r}.")
    config["ATELIER_PROOF_FILE_NAME"] = template


def check_storage(config: dict[str, Any]) -> None:
    """Refuse a blob store URL or an S3 endpoint that cannot work (before the first blob is stored)."""
    from configurator.storage import parse_storage_url

    url = str(config.get("ATELIER_STORAGE_URL") or "").strip()
    if url:
        try:
            parse_storage_url(url)
        except ValueError as error:
            raise ConfigurationError(f"ATELIER_STORAGE_URL: {error}.") from None
    endpoint = str(config.get("ATELIER_S3_ENDPOINT_URL") or "").strip()
    if endpoint and (urlsplit(endpoint).scheme not in ("http", "https") or not urlsplit(endpoint).netloc):
        raise ConfigurationError(f"ATELIER_S3_ENDPOINT_URL must be an http(s) URL, not {endpoint!r}.")
    config["ATELIER_STORAGE_URL"] = url
    config["ATELIER_S3_ENDPOINT_URL"] = endpoint
    config["ATELIER_S3_REGION"] = str(config.get("ATELIER_S3_REGION") or "").strip()


def parse_rate_limits(value: str | Mapping[str, Any]) -> dict[str, int]:
    """Per-bucket limits from `uploads=20,previews=120` (or a mapping), requests per minute.

    >>> parse_rate_limits("uploads=20, previews=0")
    {'uploads': 20, 'previews': 0}
    """
    pairs = (
        [item.partition("=")[::2] for item in value.split(",") if item.strip()]
        if isinstance(value, str)
        else list(value.items())
    )
    limits: dict[str, int] = {}
    for name, number in pairs:
        try:
            limits[str(name).strip()] = int(number)
        except (TypeError, ValueError):
            raise ConfigurationError(
                f"ATELIER_RATELIMITS must read like uploads=20,previews=120, not {value!r}."
            ) from None
        if limits[str(name).strip()] < 0 or not str(name).strip():
            raise ConfigurationError(f"ATELIER_RATELIMITS must read like uploads=20, not {value!r}.")
    return limits
