"""Errors of the admin domain: who may call the admin API, and what a token or rule set upload lacks."""

from __future__ import annotations

from collections.abc import Sequence

from configurator.errors import AtelierError, ErrorCode, FieldError, NotFound, ValidationFailed

REALM = "atelier-admin"


class Unauthorized(AtelierError):
    """No usable token: missing, unknown, malformed or revoked (one answer for all, on purpose)."""

    status = 401
    code = ErrorCode.UNAUTHORIZED
    title = "Authentication required"

    def __init__(self, detail: str, *, invalid_token: bool = False) -> None:
        # RFC 6750 §3: a request without credentials gets the bare challenge; a bad token says so.
        challenge = f'Bearer realm="{REALM}"'
        if invalid_token:
            challenge += ', error="invalid_token"'
        super().__init__(detail, headers={"WWW-Authenticate": challenge})


class Forbidden(AtelierError):
    """A valid token without the scope the operation needs."""

    status = 403
    code = ErrorCode.FORBIDDEN
    title = "Missing scope"

    def __init__(self, scope: str) -> None:
        super().__init__(
            f"This token lacks the scope {scope!r}.",
            headers={
                "WWW-Authenticate": f'Bearer realm="{REALM}", error="insufficient_scope", scope="{scope}"'
            },
        )
        self.scope = scope


class TokenInvalid(ValidationFailed):
    """A token cannot be created with this name or these scopes."""

    title = "Invalid admin token"


class TokenNotFound(NotFound):
    title = "Admin token not found"


class RuleSetInvalid(ValidationFailed):
    """An uploaded rule set that does not load; each error names file:line:column and a hint."""

    code = ErrorCode.CATALOG_INVALID
    title = "The rule set does not load"

    def __init__(self, detail: str, errors: Sequence[FieldError] = ()) -> None:
        super().__init__(detail, errors=errors)
