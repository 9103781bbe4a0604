"""Carts ready for checkout, made through the services (the way the shop's own API makes them)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from flask import Flask

ADDRESS = {"country": "FR", "postal_code": "75011", "city": "Paris", "line1": "12 rue Oberkampf"}


def ready_cart(
    app: Flask,
    lines: Sequence[tuple[str, Mapping[str, Any], int]] = (("mug", {"colour": "ink"}, 2),),
    *,
    currency: str | None = None,
    contact: bool = True,
) -> str:
    """A cart holding `(product, picks, quantity)` lines, with contact details unless told otherwise;
    its token."""
    from configurator.carts import services as carts
    from configurator.designs import services as designs

    with app.app_context():
        cart = carts.create(currency)
        for product, picks, quantity in lines:
            carts.add_line(cart, designs.save(product, picks), quantity)
        if contact:
            carts.set_contact(cart, email="ada@example.org", name="Ada Lovelace", address=dict(ADDRESS))
        return str(cart.token)


def cart_total(app: Flask, token: str) -> tuple[Decimal, list[str]]:
    """What the cart costs now (shipping and tax included, as the brand says) and its summary kinds."""
    from configurator.carts import services as carts

    with app.app_context():
        priced = carts.price(carts.find(token))
        return priced.total, [line.kind for line in priced.summary]
