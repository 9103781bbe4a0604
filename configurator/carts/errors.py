"""Errors of carts and checkout."""

from __future__ import annotations

from configurator.errors import AtelierError, ErrorCode, NotFound, ValidationFailed


class CartNotFound(NotFound):
    code = ErrorCode.CART_NOT_FOUND
    title = "Cart not found"


class CartLineNotFound(NotFound):
    code = ErrorCode.CART_LINE_NOT_FOUND
    title = "Cart line not found"


class CartClosed(AtelierError):
    """The cart became an order: it no longer changes (open a new cart)."""

    status = 409
    code = ErrorCode.CART_CLOSED
    title = "Cart already checked out"


class CartNotReady(ValidationFailed):
    """Checkout needs lines, contact details and only designs the live rules accept."""

    code = ErrorCode.CART_NOT_READY
    title = "The cart cannot be checked out yet"


class DesignInvalid(ValidationFailed):
    code = ErrorCode.DESIGN_INVALID
    title = "This design breaks the product's rules"
