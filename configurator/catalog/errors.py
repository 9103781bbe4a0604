"""Errors of the catalog domain: unknown products, picks the product cannot read, currencies it lacks."""

from __future__ import annotations

from collections.abc import Sequence

from configurator.errors import AtelierError, ErrorCode, NotFound, ValidationFailed
from rules.errors import Diagnostic


class CatalogInvalid(AtelierError):
    """The catalog folder does not load; the diagnostics say where (the app refuses to start)."""

    code = ErrorCode.CATALOG_INVALID
    title = "The catalog does not load"

    def __init__(self, detail: str, diagnostics: Sequence[Diagnostic] = ()) -> None:
        super().__init__(detail)
        self.diagnostics = tuple(diagnostics)


class CatalogNotPublished(AtelierError):
    """Nothing has been published yet: the shop has no products to serve."""

    status = 503
    code = ErrorCode.CATALOG_NOT_PUBLISHED
    title = "No catalog published"


class ProductNotFound(NotFound):
    code = ErrorCode.PRODUCT_NOT_FOUND
    title = "Product not found"


class InvalidPicks(ValidationFailed):
    """Picks naming attributes or values the product does not have (not a broken rule: a bad request)."""

    code = ErrorCode.INVALID_PICK
    title = "Invalid picks"


class UnknownAttribute(InvalidPicks):
    code = ErrorCode.UNKNOWN_ATTRIBUTE
    title = "Unknown attribute"


class UnsupportedCurrency(ValidationFailed):
    code = ErrorCode.UNSUPPORTED_CURRENCY
    title = "Unsupported currency"
