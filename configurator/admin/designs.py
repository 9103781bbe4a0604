"""Saved designs as the merchant sees them: lists by product, and one design read by today's rules."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from configurator.catalog import services as catalog
from configurator.catalog import versions
from configurator.catalog.errors import ProductNotFound
from configurator.designs import services as designs
from configurator.designs.models import Design
from configurator.paging import Page, paginate
from rules.results import Violation


def list_designs(product: str | None, page: int, page_size: int) -> Page[Design]:
    """A page of saved designs, newest first, optionally of one product."""
    query = select(Design).options(joinedload(Design.version), joinedload(Design.remixed_from))
    if product:
        query = query.where(Design.product_key == product)
    return paginate(query.order_by(Design.created_at.desc(), Design.id.desc()), page, page_size)


@dataclass(frozen=True)
class LiveCheck:
    """What the live version of the design's product says of it (None: the product is no longer sold)."""

    version_id: int | None
    violations: tuple[Violation, ...]

    @property
    def valid(self) -> bool | None:
        return None if self.version_id is None else not self.violations


def live_check(design: Design) -> LiveCheck:
    """Read the design through the product's live version, as a shopper reopening it would."""
    try:
        version = catalog.live_version(design.product_key)
    except ProductNotFound:
        return LiveCheck(None, ())
    return LiveCheck(
        version.id, designs.check_with(versions.live_product(version), design.choices, version).violations
    )
