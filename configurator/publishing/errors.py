"""Errors of publishing: a catalog of another brand than the live one, not confirmed."""

from __future__ import annotations

from configurator.errors import AtelierError, ErrorCode
from configurator.publishing.impact import Impact


class BrandChangeUnconfirmed(AtelierError):
    """A catalog of another brand than the live one, published without saying it is meant: it would
    re-brand the whole shop (currencies, tax, shipping). The problem lists the totals it changes."""

    status = 409
    code = ErrorCode.BRAND_CHANGE_UNCONFIRMED
    title = "Another brand"

    def __init__(self, detail: str, impact: Impact) -> None:
        assert impact.brand_change is not None
        super().__init__(
            detail,
            extensions={
                "brand_change": impact.brand_change.to_dict(),
                "price_changes": impact.price_changes.to_dict(),
            },
        )
        self.impact = impact
