"""Errors of the previews domain."""

from __future__ import annotations

from configurator.errors import AtelierError, ErrorCode


class PreviewUnavailable(AtelierError):
    """A view of a published version cannot be drawn: one of the files it draws is unusable.

    Said to the shopper plainly; the file and what is wrong with it are in `errors` for integrators.
    The version's files never change, so asking again gives the same answer: the merchant publishes
    a corrected version (which `atelier rules check` and publishing now refuse to get wrong).
    """

    status = 409
    code = ErrorCode.PREVIEW_UNAVAILABLE
    title = "Preview unavailable"
