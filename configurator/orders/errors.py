"""Errors of the orders domain."""

from __future__ import annotations

from configurator.errors import AtelierError, ErrorCode, NotFound


class OrderNotFound(NotFound):
    code = ErrorCode.ORDER_NOT_FOUND
    title = "Order not found"


class InvalidTransition(AtelierError):
    """The order's state does not allow this change (a shipped order cannot become pending...)."""

    status = 409
    code = ErrorCode.INVALID_TRANSITION
    title = "Order state change not allowed"
