"""Partner requests on the public API: the publishable key, the `Origin` check and CORS.

Scope: every path under /api/v1/ except the admin API (bearer tokens, the merchant's own tools) and
payment providers' webhooks (signed, server to server).

- A request carrying `X-Atelier-Key` is a partner request. An unknown or disabled key is refused (401
  `unknown-publishable-key`); a browser request (it sends `Origin`) from an origin the partner did not
  list is refused (403 `origin-not-allowed`). Otherwise the partner is known to
  `configurator.requester`, and what the request makes (designs, orders) is attributed to it.
- A browser request from another site without a key is refused (403): partners' pages identify
  themselves. Requests without `Origin` (servers, curl, same-origin GETs) and the shop's own pages
  (same origin) are first-party requests, with or without a key.
- CORS: `Access-Control-Allow-Origin` is always one exact origin, never `*`, and credentials are never
  allowed (the API uses no cookies). Preflights carry no key, so they are answered for any origin an
  active partner lists; the request itself is then checked against its key's partner.

Why not Flask-CORS: its allowed origins are fixed when the app starts, and ours live in the database,
per partner and per key, changing while the shop runs; the check needs the key's partner anyway.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from apispec import APISpec, BasePlugin
from flask import Flask, Response, current_app, g, request
from flask_smorest.utils import prepare_response

from configurator.errors import PROBLEM_JSON
from configurator.openapi import ProblemSchema
from configurator.partners import embed, services
from configurator.partners.errors import OriginNotAllowed, UnknownPublishableKey
from configurator.requester import KEY_HEADER, SHOPPER_HEADER

API_PREFIX = "/api/v1/"
ADMIN_PREFIX = "/api/v1/admin"
ALLOWED_METHODS = "GET, POST, PUT, PATCH, DELETE"
ALLOWED_HEADERS = f"Content-Type, Accept-Language, {KEY_HEADER}, {SHOPPER_HEADER}"
EXPOSED_HEADERS = "Content-Language"
# Browsers cap this themselves (Chromium at 2 hours); 10 minutes keeps a removed origin from lingering.
PREFLIGHT_MAX_AGE = 600
SECURITY_SCHEME = "publishableKey"
KEY_REFUSED = "PUBLISHABLE_KEY_REFUSED"
ORIGIN_REFUSED = "ORIGIN_REFUSED"


def register_partners(app: Flask) -> None:
    """Check partner requests before every view, add CORS headers after, and serve the embed page."""
    app.before_request(check_partner_request)
    app.after_request(add_cors_headers)
    app.register_blueprint(embed.blp)


def is_partner_path(path: str) -> bool:
    """Whether partners' pages may call this path (the public API, not admin, not webhooks).

    >>> [is_partner_path(p) for p in ("/api/v1/designs", "/api/v1/admin/orders", "/docs")]
    [True, False, False]
    """
    if not path.startswith(API_PREFIX) or path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/"):
        return False
    return "webhook" not in path.split("/")


def own_origins() -> set[str]:
    """The shop's own origins: the one this request reached, and the public URL (behind a proxy the
    two can differ in scheme or host)."""
    found = {request.host_url.rstrip("/").lower()}
    public = urlsplit(current_app.config.get("ATELIER_PUBLIC_URL") or "")
    if public.scheme and public.netloc:
        found.add(f"{public.scheme}://{public.netloc}".lower())
    return found


def check_partner_request() -> Response | None:
    """`before_request`: answer preflights, resolve the key, refuse origins that may not call."""
    if not is_partner_path(request.path):
        return None
    origin = request.headers.get("Origin")
    if origin is not None and origin in own_origins():
        origin = None  # the shop's own pages (the storefront, the embed page): first party
    if (
        origin is not None
        and request.method == "OPTIONS"
        and "Access-Control-Request-Method" in request.headers
    ):
        return _preflight(origin)
    key = request.headers.get(KEY_HEADER)
    if key is not None:
        try:
            partner = services.resolve(key)
        except UnknownPublishableKey:
            # A partner's page with a mistyped or disabled key can read why it is refused.
            if origin is not None and services.origin_listed(origin):
                g.cors_origin = origin
            raise
        if origin is not None and not services.origin_allowed(partner, origin):
            raise OriginNotAllowed(
                f"This publishable key may not be used from {origin}; its partner lists the origins "
                "that may (atelier partners origins)."
            )
        g.partner_id = partner.id
        g.cors_origin = origin
        return None
    if origin is not None:
        raise OriginNotAllowed(
            f"Requests from {origin} need a partner's publishable key in the {KEY_HEADER} header."
        )
    return None


def _preflight(origin: str) -> Response | None:
    if request.routing_exception is not None:
        return None  # no such path: the usual 404, without CORS headers
    if not services.origin_listed(origin):
        raise OriginNotAllowed(f"No partner of this shop lists the origin {origin}.")
    g.cors_origin = origin
    response = current_app.response_class(status=204)
    response.headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
    response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
    response.headers["Access-Control-Max-Age"] = str(PREFLIGHT_MAX_AGE)
    return response


def add_cors_headers(response: Response) -> Response:
    """`after_request`: the exact origin a response may be read by, if any; `Vary: Origin` always,
    so no cache hands one origin's answer to another."""
    if not is_partner_path(request.path):
        return response
    response.vary.add("Origin")
    origin = g.get("cors_origin")
    if origin:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    return response


class PublishableKeyDoc(BasePlugin):
    """apispec plugin documenting `X-Atelier-Key` on the public operations: an optional apiKey
    security scheme, and the 401 and 403 problems of partner requests."""

    spec: APISpec

    def init_spec(self, spec: APISpec) -> None:
        self.spec = spec
        spec.components.security_scheme(
            SECURITY_SCHEME,
            {
                "type": "apiKey",
                "in": "header",
                "name": KEY_HEADER,
                "description": "Optional: a partner's publishable key (pk_live_… or pk_test_…), made "
                "with `atelier partners add`. Browser requests with it must come from one of the "
                "partner's origins. Not a secret; see docs/partners.md.",
            },
        )
        for name, description in (
            (KEY_REFUSED, f"{KEY_HEADER} is not the key of an active partner (unknown-publishable-key)"),
            (ORIGIN_REFUSED, "The request's Origin may not call the API with this key (origin-not-allowed)"),
        ):
            response: dict[str, Any] = {"description": description, "schema": ProblemSchema}
            prepare_response(response, spec, PROBLEM_JSON)
            spec.components.response(name, response)

    def operation_helper(
        self, path: str | None = None, operations: dict[str, Any] | None = None, **kwargs: Any
    ) -> None:
        if path is None or not operations or not is_partner_path(path):
            return
        for operation in operations.values():
            operation.setdefault("security", [{}, {SECURITY_SCHEME: []}])
            responses = operation.setdefault("responses", {})
            for status, name in ((401, KEY_REFUSED), (403, ORIGIN_REFUSED)):
                if status not in responses and str(status) not in responses:
                    responses[status] = self.spec.components.get_ref("response", name)
