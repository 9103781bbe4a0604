"""Errors of the designs domain."""

from __future__ import annotations

from configurator.errors import ErrorCode, NotFound


class DesignNotFound(NotFound):
    code = ErrorCode.DESIGN_NOT_FOUND
    title = "Design not found"
