"""What publishing a catalog would break: the saved designs and open cart lines that the product's
current rules accept and the new ones reject, each with the rules (or withdrawn options) in the way.

Nothing is changed: designs keep their choices and their version; carts flag such lines when they are
next priced. This is what `atelier rules diff` and the publish output show the merchant beforehand.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import select

from configurator.catalog import versions
from configurator.catalog.models import ProductVersion
from configurator.catalog.versions import Snapshot
from configurator.checkout.models import Cart, CartLine, CartStatus
from configurator.designs import services as designs
from configurator.designs.models import Design
from configurator.extensions import db
from rules import Product
from rules.results import Violation

BATCH = 500


@dataclass(frozen=True)
class Broken:
    """One design (or the cart line holding it) that the new version rejects."""

    product_key: str
    design: str  # public id
    cart: str | None  # the cart's token, when the design sits in an open cart
    cart_line: int | None
    violations: tuple[Violation, ...]

    def rules(self) -> list[str]:
        """The ids of the rules it breaks (or the kind of problem when no rule is named)."""
        return [v.rule.id if v.rule is not None else v.kind for v in self.violations]


@dataclass(frozen=True)
class Impact:
    changed: tuple[str, ...]  # product keys whose live version would change
    broken: tuple[Broken, ...]

    @property
    def designs(self) -> tuple[Broken, ...]:
        return tuple(b for b in self.broken if b.cart is None)

    @property
    def cart_lines(self) -> tuple[Broken, ...]:
        return tuple(b for b in self.broken if b.cart is not None)


def impact(snapshot: Snapshot) -> Impact:
    """Compare each changed product of the snapshot with its live version (read-only)."""
    live = versions.live_versions()
    changed = [
        key
        for key in snapshot.catalog.products
        if key not in live or live[key].content_hash != snapshot.content_hash(key)
    ]
    broken: list[Broken] = []
    for key in changed:
        if key in live:
            broken.extend(_broken(key, live[key], snapshot.catalog.products[key]))
    return Impact(tuple(changed), tuple(broken))


def _broken(key: str, current: ProductVersion, new: Product) -> Iterator[Broken]:
    in_carts: dict[int, list[tuple[str, int]]] = {}
    rows = db.session.execute(
        select(CartLine.design_id, Cart.token, CartLine.id)
        .join(Cart, Cart.id == CartLine.cart_id)
        .join(Design, Design.id == CartLine.design_id)
        .where(Cart.status == CartStatus.OPEN.value, Design.product_key == key)
    )
    for design_id, token, line_id in rows:
        in_carts.setdefault(design_id, []).append((token, line_id))
    accepted_now = versions.product_for(current)
    query = (
        select(Design).where(Design.product_key == key).order_by(Design.id).execution_options(yield_per=BATCH)
    )
    for design in db.session.scalars(query):
        if not designs.check_with(accepted_now, design.choices).valid:
            continue  # already rejected today: not this publish's doing
        after = designs.check_with(new, design.choices)
        if after.valid:
            continue
        yield Broken(key, design.public_id, None, None, after.violations)
        for token, line_id in in_carts.get(design.id, []):
            yield Broken(key, design.public_id, token, line_id, after.violations)
