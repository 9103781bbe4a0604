"""Make real orders through the services, as a shopper's checkout would: design, cart, contact, order."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Flask

DEFAULT_ADDRESS = {"line1": "1 rue de la Paix", "city": "Paris", "postcode": "75002", "country": "FR"}


@dataclass(frozen=True)
class LineSpec:
    """One cart line: a product, the shopper's picks and a quantity."""

    product: str = "mug"
    picks: Mapping[str, object] | None = None
    quantity: int = 1


@dataclass(frozen=True)
class MadeOrder:
    number: str
    id: int
    designs: tuple[str, ...]  # public ids, in line order


def make_order(
    app: Flask,
    lines: Sequence[LineSpec] = (LineSpec(),),
    *,
    currency: str = "EUR",
    email: str = "ada@example.com",
    name: str = "Ada Lovelace",
    address: Mapping[str, Any] | None = None,
    paid: bool = True,
    created_at: datetime | None = None,
) -> MadeOrder:
    """Place an order (paid unless told otherwise); `created_at` backdates it for date filters."""
    from configurator.carts import services as checkout
    from configurator.designs import services as designs
    from configurator.extensions import db
    from configurator.orders import services as orders

    with app.app_context():
        cart = checkout.create(currency)
        saved = []
        for spec in lines:
            design = designs.save(spec.product, dict(spec.picks or {}))
            checkout.add_line(cart, design, spec.quantity)
            saved.append(design.public_id)
        checkout.set_contact(cart, email=email, name=name, address=dict(address or DEFAULT_ADDRESS))
        priced = checkout.price(cart)
        checkout.ready_for_checkout(priced, "en")
        order = orders.create(priced, "offline")
        if created_at is not None:
            order.created_at = created_at
        db.session.commit()
        made = MadeOrder(order.number, order.id, tuple(saved))
        if paid:
            orders.mark_paid(order.id, "test")
        db.session.remove()
    return made
