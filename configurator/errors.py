"""One error hierarchy for the app, rendered as RFC 9457 problem details.

Every error the app raises on purpose is an `AtelierError` with a string-enum `code`; werkzeug's HTTP
errors (unknown route, wrong method, ...) and unexpected exceptions are turned into the same shape, so a
client reads one format: `type`, `title`, `status`, `detail`, `instance`, `code` and, for bad input,
`errors` with the path of each offending field.

`title` and `detail`, and each error's `detail`, are for shoppers, in the language of the answer
(`configurator.locale`); field paths, code points and library messages are for integrators, in
`field`/`pointer`, `code` and `technical_detail` (`configurator.wording` holds the shopper texts).
"""

from __future__ import annotations

import http
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar

from flask import Flask, Response, current_app, json, request
from werkzeug.exceptions import HTTPException

from configurator.locale import mark_language, request_locale
from configurator.wording import json_pointer
from configurator.wording import title as shopper_title
from rules.model import Localized

PROBLEM_JSON = "application/problem+json"
PROBLEM_TYPE_PREFIX = "urn:atelier:problem:"


class ErrorCode(StrEnum):
    """Stable machine-readable error codes; clients switch on these, never on `title` or `detail`."""

    BAD_REQUEST = "bad-request"
    MALFORMED_JSON = "malformed-json"
    JSON_TOO_COMPLEX = "json-too-complex"
    VALIDATION_FAILED = "validation-failed"
    NOT_FOUND = "not-found"
    METHOD_NOT_ALLOWED = "method-not-allowed"
    HTTP_ERROR = "http-error"
    INTERNAL_ERROR = "internal-error"
    CONFIGURATION = "configuration"
    CATALOG_INVALID = "catalog-invalid"
    CATALOG_NOT_PUBLISHED = "catalog-not-published"
    PRODUCT_NOT_FOUND = "product-not-found"
    UNKNOWN_ATTRIBUTE = "unknown-attribute"
    INVALID_PICK = "invalid-pick"
    UNSUPPORTED_CURRENCY = "unsupported-currency"
    DESIGN_NOT_FOUND = "design-not-found"
    CART_NOT_FOUND = "cart-not-found"
    CART_LINE_NOT_FOUND = "cart-line-not-found"
    CART_CLOSED = "cart-closed"
    CART_NOT_READY = "cart-not-ready"
    DESIGN_INVALID = "design-invalid"
    CLIENT_PRICE_REFUSED = "client-price-refused"
    ORDER_NOT_FOUND = "order-not-found"
    INVALID_TRANSITION = "invalid-transition"
    PAYMENT_FAILED = "payment-failed"
    UNAUTHORIZED = "unauthorized"
    FORBIDDEN = "forbidden"
    UNKNOWN_PUBLISHABLE_KEY = "unknown-publishable-key"
    ORIGIN_NOT_ALLOWED = "origin-not-allowed"
    RATE_LIMITED = "rate-limited"
    UPLOAD_NOT_FOUND = "upload-not-found"
    UPLOAD_TOO_LARGE = "upload-too-large"
    UNSUPPORTED_IMAGE = "unsupported-image"
    IMAGE_UNREADABLE = "image-unreadable"
    IMAGE_TOO_LARGE = "image-too-large"
    REQUEST_TOO_LARGE = "request-too-large"
    URI_TOO_LONG = "uri-too-long"
    HEADERS_TOO_LARGE = "headers-too-large"
    IDEMPOTENCY_KEY_REUSED = "idempotency-key-reused"
    IDEMPOTENCY_KEY_IN_USE = "idempotency-key-in-use"
    SHOPPER_NOT_FOUND = "shopper-not-found"
    SERVER_ONLY_EVENT = "server-only-event"
    PREVIEW_UNAVAILABLE = "preview-unavailable"
    BRAND_CHANGE_UNCONFIRMED = "brand-change-unconfirmed"
    CONSENT_REQUIRED = "consent-required"
    NOT_YOUR_DESIGN = "not-your-design"
    ALREADY_IN_GALLERY = "already-in-gallery"
    GALLERY_ENTRY_NOT_FOUND = "gallery-entry-not-found"
    IDEA_NOT_FOUND = "idea-not-found"
    CAMPAIGN_NOT_FOUND = "campaign-not-found"
    CAMPAIGN_NOT_OPEN = "campaign-not-open"
    EDITION_FULL = "edition-full"


@dataclass(frozen=True)
class FieldError:
    """One problem with one input field; `field` is a dotted path such as `picks.colour`, `pointer` the
    same path as a JSON pointer (RFC 6901, `/picks/colour`; made from `field` when not given).

    `detail` is shown to shoppers: it names the field as they know it, never by its path;
    `technical_detail`, when given, is for integrators only (the code point of a character the detail
    describes in words, the validator's own message).
    """

    field: str
    detail: str
    location: str = "body"  # body | query | path | header
    code: str | None = None
    technical_detail: str | None = None
    pointer: str | None = None

    def to_dict(self) -> dict[str, str]:
        """The JSON form used in a problem's `errors` member."""
        pointer = self.pointer
        if pointer is None:  # a dotted path whose keys hold no dot
            pointer = json_pointer(self.field.split(".") if self.field and self.field != "(body)" else [])
        item = {"field": self.field, "pointer": pointer, "location": self.location, "detail": self.detail}
        if self.code:
            item["code"] = self.code
        if self.technical_detail:
            item["technical_detail"] = self.technical_detail
        return item


class AtelierError(Exception):
    """Root of every error the app raises on purpose; subclasses fix `status`, `code` and `title`."""

    status: ClassVar[int] = 500
    code: ClassVar[ErrorCode] = ErrorCode.INTERNAL_ERROR
    title: ClassVar[str] = "Internal server error"

    def __init__(
        self,
        detail: str | Localized | None = None,
        *,
        errors: Sequence[FieldError] = (),
        headers: Mapping[str, str] | None = None,
        extensions: Mapping[str, Any] | None = None,
    ) -> None:
        # A plain `detail` is English; a Localized one is answered in the request's language.
        self.localized_detail = detail if isinstance(detail, Localized) else None
        if isinstance(detail, Localized):
            detail = detail.get("en")
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.errors = tuple(errors)
        self.headers = dict(headers or {})
        # RFC 9457 extension members: more about this problem, beside the standard ones (JSON values).
        self.extensions = dict(extensions or {})

    @property
    def operator_message(self) -> str:
        """The sentence with its technical detail: commands speak to merchants and integrators."""
        technical = self.extensions.get("technical_detail")
        return f"{self.detail} ({technical})" if technical else self.detail


class ConfigurationError(AtelierError):
    """The app cannot start with the configuration it was given."""

    code = ErrorCode.CONFIGURATION
    title = "Invalid configuration"


class BadRequest(AtelierError):
    status = 400
    code = ErrorCode.BAD_REQUEST
    title = "Bad request"


class MalformedJSON(BadRequest):
    code = ErrorCode.MALFORMED_JSON
    title = "Malformed JSON"


class JSONTooComplex(BadRequest):
    """Valid JSON past the API's limits: nested too deep, or a number too long."""

    code = ErrorCode.JSON_TOO_COMPLEX
    title = "JSON beyond the API's limits"


class NotFound(AtelierError):
    status = 404
    code = ErrorCode.NOT_FOUND
    title = "Not found"


class ValidationFailed(AtelierError):
    """The request is well-formed but its content is not acceptable; `errors` says where."""

    status = 422
    code = ErrorCode.VALIDATION_FAILED
    title = "Validation failed"


def problem_document(
    *,
    status: int,
    code: str,
    title: str,
    detail: str | None = None,
    instance: str | None = None,
    errors: Iterable[FieldError] = (),
) -> dict[str, Any]:
    """The members of one problem details document; `instance` left out when the path is unknown."""
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_PREFIX + code,
        "title": title,
        "status": status,
        "detail": detail or title,
    }
    if instance is not None:
        body["instance"] = instance
    body["code"] = code
    error_list = [e.to_dict() for e in errors]
    if error_list:
        body["errors"] = error_list
    return body


def problem_response(
    *,
    status: int,
    code: str,
    title: str,
    detail: str | None = None,
    errors: Iterable[FieldError] = (),
    headers: Mapping[str, str] | None = None,
    extensions: Mapping[str, Any] | None = None,
) -> Response:
    """Render one problem details document (RFC 9457) for the current request; `extensions` are
    members of its own (never in place of a standard one)."""
    body = {
        **(extensions or {}),
        **problem_document(
            status=status, code=code, title=title, detail=detail, instance=request.path, errors=errors
        ),
    }
    response = current_app.response_class(json.dumps(body), status=status, mimetype=PROBLEM_JSON)
    for name, value in (headers or {}).items():
        # werkzeug's own headers include a Content-Type we must not keep: the body is ours.
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def flatten_messages(messages: Any, location: str, path: tuple[str, ...] = ()) -> list[FieldError]:
    """Turn marshmallow's nested error messages into a flat list of field paths.

    >>> [e.field for e in flatten_messages({"picks": {"colour": ["Bad."]}, "x": ["Unknown field."]}, "body")]
    ['picks.colour', 'x']
    """
    if isinstance(messages, Mapping):
        found: list[FieldError] = []
        for key, value in messages.items():
            # marshmallow files schema-level errors under "_schema": they belong to the parent.
            inner = path if key == "_schema" else (*path, str(key))
            found.extend(flatten_messages(value, location, inner))
        return found
    if isinstance(messages, list | tuple):
        found = []
        for item in messages:
            if isinstance(item, str):
                found.append(_field_error(path, item, location))
            else:
                found.extend(flatten_messages(item, location, path))
        return found
    return [_field_error(path, str(messages), location)]


def _field_error(path: tuple[str, ...], detail: str, location: str) -> FieldError:
    return FieldError(field=".".join(path), detail=detail, location=location, pointer=json_pointer(path))


_HTTP_CODES = {
    400: ErrorCode.BAD_REQUEST,
    404: ErrorCode.NOT_FOUND,
    405: ErrorCode.METHOD_NOT_ALLOWED,
    413: ErrorCode.REQUEST_TOO_LARGE,
    414: ErrorCode.URI_TOO_LONG,
    431: ErrorCode.HEADERS_TOO_LARGE,
    422: ErrorCode.VALIDATION_FAILED,
    500: ErrorCode.INTERNAL_ERROR,
}


def code_for_status(status: int) -> ErrorCode:
    """The error code of an HTTP refusal that carries no code of its own (werkzeug's, gunicorn's)."""
    return _HTTP_CODES.get(status, ErrorCode.HTTP_ERROR)


_LOCATIONS = {
    "json": "body",
    "form": "body",
    "files": "body",
    "querystring": "query",
    "query": "query",
    "headers": "header",
    "view_args": "path",
    "path": "path",
    "cookies": "cookie",
}


def errors_by_location(messages: Mapping[str, Any]) -> list[FieldError]:
    """Flatten webargs' messages, which are keyed by location first (`{"json": {...}}`)."""
    errors: list[FieldError] = []
    for location, inner in messages.items():
        errors.extend(flatten_messages(inner, _LOCATIONS.get(location, location)))
    return errors


def answer_locale() -> str:
    """The language of this error's answer; the default one when even that cannot be known."""
    try:
        return request_locale()
    except Exception:  # the error being answered may be the catalog's or the database's own
        default: str = current_app.config.get("ATELIER_DEFAULT_LOCALE", "en")
        return default


def _in_locale(detail: str | None, localized: Localized | None, title: str, locale: str) -> str | None:
    """A problem's detail in `locale`: an English-only detail yields to the title in another language
    (it stays for integrators in `technical_detail`)."""
    if localized is not None:
        return localized.get(locale)
    if detail is None or locale.split("-")[0].lower() == "en":
        return detail
    return title


def handle_atelier_error(error: AtelierError) -> Response:
    """Render an AtelierError in the request's language; 5xx never says more than its title."""
    locale = answer_locale()
    title = shopper_title(error.code, error.title, locale)
    extensions = dict(error.extensions) if error.status < 500 else {}
    detail = None
    if error.status < 500:
        detail = _in_locale(error.detail, error.localized_detail, title, locale)
        if detail == title and error.detail != error.title:
            extensions.setdefault("technical_detail", error.detail)
    response = problem_response(
        status=error.status,
        code=error.code,
        title=title,
        detail=detail,
        errors=error.errors,
        headers=error.headers,
        extensions=extensions or None,
    )
    return mark_language(response, locale)


def handle_http_exception(error: HTTPException) -> Response:
    """Render werkzeug's HTTP errors (and webargs' aborts) as problem details, keeping their headers."""
    status = error.code or 500
    headers = dict(error.get_headers())  # keeps Allow on 405
    errors: list[FieldError] = []
    data = getattr(error, "data", None) or {}
    if isinstance(data.get("messages"), Mapping):
        errors = errors_by_location(data["messages"])
    headers.update(data.get("headers") or {})
    detail: str | None = error.description
    localized: Localized | None = None
    if status >= 500:
        detail = "The server could not complete the request."
    elif status == 413 and request.max_content_length:
        detail = f"The request body is too large: this endpoint accepts {_size(request.max_content_length)}."
    try:
        phrase = http.HTTPStatus(status).phrase
    except ValueError:  # a status werkzeug knows and http.HTTPStatus does not
        phrase = error.name
    locale = answer_locale()
    code = code_for_status(status)
    title = shopper_title(code, phrase, locale)
    if status >= 500:
        localized = Localized({"en": detail or title, "fr": title})
    response = problem_response(
        status=status,
        code=code,
        title=title,
        detail=_in_locale(detail, localized, title, locale),
        errors=errors,
        headers=headers,
    )
    return mark_language(response, locale)


def _size(limit: int) -> str:
    """A byte limit as people say it.

    >>> _size(1024 * 1024), _size(64 * 1024), _size(100)
    ('at most 1 MB', 'at most 64 KB', 'at most 100 bytes')
    """
    for unit, size in (("MB", 1024 * 1024), ("KB", 1024)):
        if limit >= size:
            return f"at most {limit / size:g} {unit}"
    return f"at most {limit} bytes"


def register_error_handlers(app: Flask) -> None:
    """Install the problem-details handlers; call after `Api.init_app`, which installs its own."""
    app.register_error_handler(AtelierError, handle_atelier_error)
    app.register_error_handler(HTTPException, handle_http_exception)
