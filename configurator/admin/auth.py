"""Bearer tokens on the admin API: `Authorization: Bearer atk_...`, checked before anything else.

A view declares the scope it needs with `@blp.requires("orders:read")` (outermost, so an anonymous
caller learns nothing from argument validation). The same decorator documents the operation in
OpenAPI: the `adminToken` security scheme, the scope, and the 401/403 problems with their
`WWW-Authenticate` challenge.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import g, request
from flask_smorest import Api

from configurator.admin import services
from configurator.admin.errors import REALM, Forbidden, Unauthorized
from configurator.admin.models import AdminToken
from configurator.errors import PROBLEM_JSON
from configurator.openapi import AtelierBlueprint, ProblemSchema

SECURITY_SCHEME = "adminToken"
View = TypeVar("View", bound=Callable[..., Any])


def _challenge_header(description: str) -> dict[str, Any]:
    return {"description": description, "required": True, "schema": {"type": "string"}}


UNAUTHORIZED_DOC: dict[str, Any] = {
    "schema": ProblemSchema,
    "content_type": PROBLEM_JSON,
    "description": "No token, or a token that is unknown or revoked",
    "headers": {"WWW-Authenticate": _challenge_header(f'Bearer realm="{REALM}"[, error="invalid_token"]')},
}
FORBIDDEN_DOC: dict[str, Any] = {
    "schema": ProblemSchema,
    "content_type": PROBLEM_JSON,
    "description": "The token lacks the scope this operation needs",
    "headers": {
        "WWW-Authenticate": _challenge_header(
            f'Bearer realm="{REALM}", error="insufficient_scope", scope="<scope>"'
        )
    },
}


def register_security_scheme(api: Api) -> None:
    """Describe admin tokens in the OpenAPI document (call after `Api.init_app`)."""
    scopes = "; ".join(f"`{name}`: {text}" for name, text in services.SCOPES.items())
    api.spec.components.security_scheme(
        SECURITY_SCHEME,
        {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "atk_<43 base64url characters>",
            "description": "An admin token made with `atelier admin token create`. Scopes: " + scopes,
        },
    )


def bearer_token() -> str:
    """The token of the request's `Authorization: Bearer` header, or `Unauthorized`."""
    header = request.headers.get("Authorization", "")
    if not header.strip():
        raise Unauthorized("Send an admin token: Authorization: Bearer <token>.")
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise Unauthorized("Use the Bearer scheme: Authorization: Bearer <token>.", invalid_token=True)
    return value.strip()


def authorize(scope: str) -> AdminToken:
    """The request's token if it is live and holds `scope`; else `Unauthorized` or `Forbidden`."""
    token = services.authenticate(bearer_token())
    if not services.has_scope(token, scope):
        raise Forbidden(scope)
    g.admin_token = token
    return token


def current_token() -> AdminToken:
    """The token the current request was authorised with (inside a `requires` view)."""
    token: AdminToken = g.admin_token
    return token


class AdminBlueprint(AtelierBlueprint):
    """A blueprint whose views each name the scope they need."""

    # The merchant's own tools: rule sets carry prices in YAML, and an order's amounts may one day be
    # the merchant's to adjust. Body limits and text checks still apply.
    takes_client_bodies = False

    def requires(self, scope: str) -> Callable[[View], View]:
        """Authorise the request for `scope` before the view (and its argument parsing) runs."""
        if scope not in services.SCOPES:
            raise ValueError(f"unknown admin scope {scope!r}")

        def decorator(view: View) -> View:
            @functools.wraps(view)
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                authorize(scope)
                return view(*args, **kwargs)

            documented = self.doc(
                security=[{SECURITY_SCHEME: []}],
                description=f"Requires an admin token with the scope `{scope}`.",
            )(wrapper)
            documented = self.alt_response(403, **FORBIDDEN_DOC)(documented)
            documented = self.alt_response(401, **UNAUTHORIZED_DOC)(documented)
            return documented

        return decorator
