"""Designs: save a configuration against the live version, load it, remix it, re-check it.

A design stores the whole design (the picks completed with the defaults) in JSON form, pinned to the
version it was made with; it is read back through the same product version, so it never changes
meaning when the merchant publishes again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from configurator import events
from configurator.catalog import versions
from configurator.catalog.models import ProductVersion
from configurator.catalog.services import live_version, normalize_picks
from configurator.dbtypes import looks_like_token
from configurator.designs.errors import DesignNotFound
from configurator.designs.models import Design
from configurator.extensions import db
from configurator.requester import current_partner_id
from configurator.uploads.services import named_uploads, require_uploads
from configurator.wording import DESIGN_UNKNOWN
from rules import Product
from rules.model import Value, json_value
from rules.results import Violation


def to_json(design: Mapping[str, Value]) -> dict[str, Any]:
    """A design as JSON: option sets become sorted lists, decimal numbers floats (`json_value`)."""
    return {k: json_value(v) for k, v in design.items()}


@dataclass(frozen=True)
class Checked:
    """A design read through one product version: its values, and what that version says of it."""

    version: ProductVersion | None  # None: a catalog not published yet
    product: Product
    design: dict[str, Value]
    violations: tuple[Violation, ...]

    @property
    def valid(self) -> bool:
        return not self.violations

    @property
    def stored(self) -> ProductVersion:
        """The version it was read through: designs, cart lines and orders always have one."""
        if self.version is None:
            raise LookupError("read through a catalog that is not published")
        return self.version


def check(choices: Mapping[str, Any], version: ProductVersion) -> Checked:
    """Read stored choices through a version: values it no longer has and rules it breaks are
    violations (never an exception), so old designs can always be shown and explained."""
    return check_with(versions.product_for(version), choices, version)


def check_with(
    product: Product, choices: Mapping[str, Any], version: ProductVersion | None = None
) -> Checked:
    """Read stored choices through a compiled product (published or not yet)."""
    design, problems = product.normalize(choices)
    # Attributes added since the design was made take their defaults, as a new design would; one
    # stored without a value (it did not apply) stays without.
    stored_empty = {k for k, v in choices.items() if v is None and product.model.attribute(k) is not None}
    design = {**{k: v for k, v in product.defaults().items() if k not in stored_empty}, **design}
    design.update(dict.fromkeys(stored_empty))
    violations = [*problems, *product.validate(design)]
    return Checked(version, product, design, tuple(violations))


def check_live(choices: Mapping[str, Any], product_key: str) -> Checked:
    """Read stored choices through the live version as shoppers configure it now (options off sale
    withdrawn): what a new cart line or a design's `live` answer is judged by."""
    version = live_version(product_key)
    return check_with(versions.live_product(version), choices, version)


def read_for_price(design: Design, rules: versions.Rules) -> tuple[Checked, Checked]:
    """The design read through the product `rules` configure it with, and through the version that
    prices it: that product when it accepts the design, else the design's own version (so a design
    a publish made invalid keeps its price until the shopper changes it)."""
    product, version = rules.product(design.product_key)
    current = check_with(product, design.choices, version)
    return current, current if current.valid else check(design.choices, design.version)


def save(product_key: str, raw_picks: Mapping[str, object], *, locale: str = "en") -> Design:
    """Save the picks, completed with the defaults, against the live version; commits. Photos must
    be uploads that exist (`PhotoRefused` otherwise)."""
    version = live_version(product_key)
    product = versions.live_product(version)
    picks, _ = normalize_picks(product, raw_picks, locale)
    require_uploads(product, picks, locale, hold=True)
    design = Design(
        product_key=product_key,
        version_id=version.id,
        choices=to_json(product.complete(picks)),
        partner_id=current_partner_id(),
    )
    _keep(design)
    return design


def find(public_id: str) -> Design:
    """The design with this public id, or `DesignNotFound` (the same answer for any wrong id)."""
    design = None
    if looks_like_token(public_id):
        design = db.session.scalar(select(Design).where(Design.public_id == public_id))
    if design is None:
        raise DesignNotFound(DESIGN_UNKNOWN)
    return design


def remix(original: Design, raw_changes: Mapping[str, object], *, locale: str = "en") -> Design:
    """A new design starting from another's choices (with changes), on the live version; the
    original is never modified, and the copy remembers where it came from."""
    version = live_version(original.product_key)
    product = versions.live_product(version)
    kept = {k: v for k, v in original.choices.items() if product.model.attribute(k) is not None}
    start, _ = product.normalize(kept)
    changes, _ = normalize_picks(product, raw_changes, locale)
    require_uploads(product, changes, locale, hold=True)
    design = Design(
        product_key=original.product_key,
        version_id=version.id,
        choices=to_json(product.complete({**start, **changes})),
        remixed_from_id=original.id,
        partner_id=current_partner_id(),
    )
    _keep(design)
    return design


def _keep(design: Design) -> None:
    db.session.add(design)
    db.session.flush()  # the public id, for the event
    events.design_saved.send(design)
    db.session.commit()


def uploads_named(_collector: object, *, ids: set[str], since: datetime) -> set[str]:
    """On `events.uploads_named`: the upload ids among `ids` that designs saved since `since` name."""
    return named_uploads(select(Design.choices).where(Design.created_at >= since), ids)
