"""Errors of the partners domain: keys that open nothing, origins a partner did not list."""

from __future__ import annotations

from configurator.errors import AtelierError, ErrorCode, NotFound, ValidationFailed


class UnknownPublishableKey(AtelierError):
    """No active partner has this key (unknown, malformed or disabled: one answer for all)."""

    status = 401
    code = ErrorCode.UNKNOWN_PUBLISHABLE_KEY
    title = "Unknown publishable key"


class OriginNotAllowed(AtelierError):
    """A browser request from an origin the partner did not list (or, without a key, from any
    origin other than the shop's own)."""

    status = 403
    code = ErrorCode.ORIGIN_NOT_ALLOWED
    title = "Origin not allowed"


class PartnerInvalid(ValidationFailed):
    """A partner cannot be made or changed with this name or these origins."""

    title = "Invalid partner"


class PartnerNotFound(NotFound):
    title = "Partner not found"
