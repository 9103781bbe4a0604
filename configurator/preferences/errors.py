"""Errors of shoppers' preferences."""

from __future__ import annotations

from configurator.errors import ErrorCode, NotFound, ValidationFailed


class ShopperNotFound(NotFound):
    """Unknown, or erased: the same answer either way."""

    code = ErrorCode.SHOPPER_NOT_FOUND
    title = "Shopper not found"


class ServerOnlyEvent(ValidationFailed):
    """Carts and orders are recorded by the server as they happen; a browser cannot claim them."""

    code = ErrorCode.SERVER_ONLY_EVENT
    title = "This event is recorded by the server only"
