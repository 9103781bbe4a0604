"""What publishing a catalog would change, read before anything is written:

- the saved designs and open cart lines that the product's current rules accept and the new ones
  reject, each with the rules (or withdrawn options) in the way;
- whether it brings another brand than the live one (refused unless the merchant confirms);
- the open carts and saved designs whose totals change, old and new: each priced by the shop's one
  price function, under the live rules and under the new ones.

Nothing is changed: designs keep their choices and their version; carts flag such lines when they are
next priced. This is what `atelier rules diff`, the publish output and the admin API show the merchant.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from configurator.carts import services as checkout
from configurator.carts.models import Cart, CartLine, CartStatus
from configurator.catalog import versions
from configurator.catalog.versions import Rules, Snapshot
from configurator.designs import services as designs
from configurator.designs.models import Design
from configurator.extensions import db
from rules.money import MoneyError
from rules.results import Violation

BATCH = 500
LISTED = 50  # changed totals listed in an answer; the others are counted


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
class BrandChange:
    """The live brand's key and the one the new catalog declares."""

    current: str
    new: str

    def to_dict(self) -> dict[str, str]:
        return {"current": self.current, "new": self.new}


@dataclass(frozen=True)
class PriceChange:
    """An open cart's or a saved design's total under the live rules and under the new ones."""

    kind: Literal["cart", "design"]
    cart: int | None  # the cart's number (its token is the shopper's key to it: never shown)
    design: str | None  # the saved design's public id
    product_key: str | None
    currency: str
    old_total: Decimal
    old_tax_included: bool
    new_total: Decimal | None  # None: the new rules cannot price it, `note` says why
    new_tax_included: bool | None
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """As the admin API writes it (amounts as plain decimal text)."""
        return {
            "kind": self.kind,
            "cart": self.cart,
            "design": self.design,
            "product_key": self.product_key,
            "currency": self.currency,
            "old_total": format(self.old_total, "f"),
            "old_tax_included": self.old_tax_included,
            "new_total": format(self.new_total, "f") if self.new_total is not None else None,
            "new_tax_included": self.new_tax_included,
            "note": self.note,
        }


@dataclass(frozen=True)
class PriceChanges:
    """How many open carts and saved designs change total, and the first `limit` of them (carts first)."""

    carts: int = 0
    designs: int = 0
    listed: tuple[PriceChange, ...] = ()
    limit: int = LISTED

    @property
    def count(self) -> int:
        return self.carts + self.designs

    def to_dict(self) -> dict[str, Any]:
        """As the admin API writes it."""
        return {
            "count": self.count,
            "carts": self.carts,
            "designs": self.designs,
            "limit": self.limit,
            "items": [change.to_dict() for change in self.listed],
        }


@dataclass(frozen=True)
class Impact:
    changed: tuple[str, ...]  # product keys whose live version would change
    broken: tuple[Broken, ...]
    brand_change: BrandChange | None = None
    price_changes: PriceChanges = field(default_factory=PriceChanges)

    @property
    def designs(self) -> tuple[Broken, ...]:
        return tuple(b for b in self.broken if b.cart is None)

    @property
    def cart_lines(self) -> tuple[Broken, ...]:
        return tuple(b for b in self.broken if b.cart is not None)


@dataclass
class _Listing:
    """Changed totals of one kind: all counted, the first `LISTED` kept."""

    count: int = 0
    kept: list[PriceChange] = field(default_factory=list)

    def add(self, change: PriceChange | None) -> None:
        if change is None:
            return
        self.count += 1
        if len(self.kept) < LISTED:
            self.kept.append(change)


def impact(snapshot: Snapshot) -> Impact:
    """Compare the snapshot with the live versions (read-only): what it breaks, whether it brings
    another brand, and whose totals it changes."""
    live = versions.live_versions()
    changed = tuple(
        key
        for key in snapshot.catalog.products
        if key not in live or live[key].content_hash != snapshot.content_hash(key)
    )
    if not live or not changed:
        return Impact(changed, ())
    newest = versions.newest_of(live)
    now = Rules(versions.product_for(newest).model.brand, live)
    after = versions.rules_after(snapshot, now)
    brand_change = BrandChange(now.brand.key, after.brand.key) if now.brand.key != after.brand.key else None
    broken: list[Broken] = []
    design_totals = _Listing()
    currency = now.brand.currencies[0]  # a saved design is shown in the shop's first currency
    for key in changed:
        if key in live:
            broken.extend(_designs(key, now, after, currency, design_totals))
    brand_moved = newest.brand_version.content_hash != snapshot.brand_hash
    cart_totals = _Listing()
    for cart in _open_carts(None if brand_moved else changed):
        cart_totals.add(_cart_change(cart, now, after))
    limit = LISTED
    prices = PriceChanges(
        cart_totals.count, design_totals.count, tuple([*cart_totals.kept, *design_totals.kept][:limit]), limit
    )
    return Impact(changed, tuple(broken), brand_change, prices)


def _designs(key: str, now: Rules, after: Rules, currency: str, totals: _Listing) -> Iterator[Broken]:
    """The product's saved designs (and cart lines) the new rules break; their changed totals counted."""
    in_carts: dict[int, list[tuple[str, int]]] = {}
    rows = db.session.execute(
        select(CartLine.design_id, Cart.token, CartLine.id)
        .join(Cart, Cart.id == CartLine.cart_id)
        .join(Design, Design.id == CartLine.design_id)
        .where(Cart.status == CartStatus.OPEN.value, Design.product_key == key)
    )
    for design_id, token, line_id in rows:
        in_carts.setdefault(design_id, []).append((token, line_id))
    query = (
        select(Design).where(Design.product_key == key).order_by(Design.id).execution_options(yield_per=BATCH)
    )
    for design in db.session.scalars(query):
        current, priced_now = designs.read_for_price(design, now)
        later, priced_later = designs.read_for_price(design, after)
        totals.add(_design_change(design, priced_now, priced_later, currency))
        if not current.valid or later.valid:
            continue  # accepted by both, or already rejected today: not this publish's doing
        yield Broken(key, design.public_id, None, None, later.violations)
        for token, line_id in in_carts.get(design.id, []):
            yield Broken(key, design.public_id, token, line_id, later.violations)


def _design_change(
    design: Design, now: designs.Checked, later: designs.Checked, currency: str
) -> PriceChange | None:
    try:
        before = now.product.price(now.design, 1, currency)
    except MoneyError:
        return None  # not priced in this currency today: nothing to compare
    where = {"kind": "design", "cart": None, "design": design.public_id, "product_key": design.product_key}
    try:
        after = later.product.price(later.design, 1, currency)
    except MoneyError as error:
        return _unpriced(where, currency, before.total, before.tax_included, error)
    return _compared(where, currency, (before.total, before.tax_included), (after.total, after.tax_included))


def _open_carts(products: tuple[str, ...] | None) -> Iterator[Cart]:
    """Open carts with lines: all of them, or those holding a design of these products."""
    query = select(Cart).where(Cart.status == CartStatus.OPEN.value, Cart.lines.any())
    if products is not None:
        holding = (
            select(CartLine.cart_id)
            .join(Design, Design.id == CartLine.design_id)
            .where(Design.product_key.in_(products))
        )
        query = query.where(Cart.id.in_(holding))
    query = (
        query.order_by(Cart.id)
        .options(selectinload(Cart.lines).selectinload(CartLine.design))
        .execution_options(yield_per=BATCH)
    )
    yield from db.session.scalars(query)


def _cart_change(cart: Cart, now: Rules, after: Rules) -> PriceChange | None:
    try:
        before = checkout.price(cart, now)
    except MoneyError:
        return None
    where = {"kind": "cart", "cart": cart.id, "design": None, "product_key": None}
    try:
        later = checkout.price(cart, after)
    except MoneyError as error:
        return _unpriced(where, cart.currency, before.total, before.prices_include_tax, error)
    return _compared(
        where,
        cart.currency,
        (before.total, before.prices_include_tax),
        (later.total, later.prices_include_tax),
    )


def _compared(
    where: dict[str, Any], currency: str, before: tuple[Decimal, bool], after: tuple[Decimal, bool]
) -> PriceChange | None:
    """The change from `before` to `after` (total, tax included), or None when there is none."""
    if before == after:
        return None
    return PriceChange(
        **where,
        currency=currency,
        old_total=before[0],
        old_tax_included=before[1],
        new_total=after[0],
        new_tax_included=after[1],
    )


def _unpriced(
    where: dict[str, Any], currency: str, total: Decimal, tax_included: bool, error: MoneyError
) -> PriceChange:
    """A total the new rules cannot compute (a currency the new brand does not sell, say)."""
    return PriceChange(
        **where,
        currency=currency,
        old_total=total,
        old_tax_included=tax_included,
        new_total=None,
        new_tax_included=None,
        note=str(error),
    )
