"""Orders: made from a priced cart, then moved through explicit states.

Every state change locks the order's row first (`SELECT ... FOR UPDATE` on PostgreSQL), so two callers
racing to the same change (the payment webhook and the shopper's browser) see each other: one makes the
change and its side effects (the confirmation e-mail...), the other finds it already made.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from configurator import events
from configurator.carts.models import CartStatus
from configurator.carts.services import CartPrice
from configurator.catalog.services import making_data
from configurator.dbtypes import looks_like_token, utcnow
from configurator.designs.services import to_json
from configurator.extensions import db
from configurator.orders.errors import InvalidTransition, OrderNotFound
from configurator.orders.models import STATUS_TIMESTAMP, Order, OrderEvent, OrderLine, OrderStatus
from configurator.requester import current_partner_id
from configurator.uploads.services import named_uploads
from rules.production import making

ALLOWED = {
    # A pre-order is charged (then waits for the payment like any order) or released.
    OrderStatus.RESERVED: {OrderStatus.PENDING, OrderStatus.CANCELLED},
    # A pending order becomes refunded, never paid, when the provider reports its money taken and
    # already returned (the success was learnt only after the refund).
    OrderStatus.PENDING: {OrderStatus.PAID, OrderStatus.CANCELLED, OrderStatus.REFUNDED},
    OrderStatus.PAID: {OrderStatus.IN_PRODUCTION, OrderStatus.CANCELLED, OrderStatus.REFUNDED},
    OrderStatus.IN_PRODUCTION: {OrderStatus.SHIPPED, OrderStatus.REFUNDED},
    OrderStatus.SHIPPED: {OrderStatus.REFUNDED},
    OrderStatus.CANCELLED: set(),
    OrderStatus.REFUNDED: set(),
}

# Entering these states is news to other domains: sent in the same transaction as the change.
ANNOUNCED = {
    OrderStatus.PAID: events.order_paid,
    OrderStatus.CANCELLED: events.order_cancelled,
    OrderStatus.REFUNDED: events.order_refunded,
}

NUMBER_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O or 1/I to misread on the phone


def new_number() -> str:
    """An order number a person can read out: 8 characters in two groups, about 40 bits."""
    raw = "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def create(
    priced: CartPrice, provider: str, locale: str = "en", status: OrderStatus = OrderStatus.PENDING
) -> Order:
    """The order for a cart (flushed, not committed), its labels written in `locale` as the shopper
    read them, in `status` (pending, or reserved for a pre-order). A cart has at most one order:
    asking again returns the one it has."""
    cart = priced.cart
    existing = db.session.scalar(select(Order).where(Order.cart_id == cart.id))
    if existing is not None:
        return existing
    if not (cart.email and cart.name and cart.address):
        raise ValueError("an order needs the cart's contact details: call ready_for_checkout first")
    order = Order(
        number=new_number(),
        cart_id=cart.id,
        currency=priced.currency,
        prices_include_tax=priced.prices_include_tax,
        subtotal=priced.subtotal,
        shipping=priced.shipping,
        tax=priced.tax,
        total=priced.total,
        summary=[
            {"kind": s.kind, "label": s.label.get(locale), "amount": str(s.amount)} for s in priced.summary
        ],
        email=cart.email,
        name=cart.name,
        address=dict(cart.address),
        payment_provider=provider,
        # The partner of this request, else the one that brought the cart (a widget's cart paid on
        # the shop's own checkout page).
        partner_id=current_partner_id() or cart.partner_id,
        locale=locale,
    )
    for line in priced.lines:
        order.lines.append(
            OrderLine(
                design_id=line.line.design_id,
                version_id=line.checked.stored.id,
                product_key=line.line.design.product_key,
                choices=to_json(line.checked.design),
                quantity=line.line.quantity,
                unit_price=line.quote.unit_price,
                total=line.quote.total,
                price_lines=[
                    {
                        "kind": p.kind,
                        "label": p.label.get(locale),
                        "amount": str(p.amount),
                        "attribute": p.attribute,
                    }
                    for p in line.quote.lines
                ],
                production=making_data(making(line.checked.product.model, line.checked.design)),
                personalised=bool(line.checked.product.personalisation(line.checked.design)),
            )
        )
    order.status = status.value
    db.session.add(order)
    cart.status = CartStatus.CHECKED_OUT.value
    try:
        with db.session.begin_nested():
            db.session.flush()  # the order's id, for its first event
            db.session.add(
                OrderEvent(order_id=order.id, from_status=None, to_status=order.status, actor="shopper")
            )
            db.session.flush()
    except IntegrityError:
        # Another request made this cart's order between our look and our insert: use theirs.
        db.session.expunge(order)
        found = db.session.scalar(select(Order).where(Order.cart_id == cart.id))
        if found is None:
            raise
        return found
    return order


def find_by_token(token: str, *, for_update: bool = False) -> Order:
    """The order a shopper holds the token of, or `OrderNotFound` (the same answer for any wrong token)."""
    if not looks_like_token(token):
        raise OrderNotFound("No order has this id.")
    return _find(Order.token == token, for_update)


def find_by_number(number: str, *, for_update: bool = False) -> Order:
    """The order with this number ("A7K2-9QXD"), or `OrderNotFound`."""
    if not is_order_number(number):
        raise OrderNotFound("No order has this number.")
    return _find(Order.number == number, for_update)


def is_order_number(text: str) -> bool:
    """Whether `text` is written like an order number (anything else is not looked up)."""
    return len(text) == 9 and text[4] == "-" and all(c in NUMBER_ALPHABET for c in text[:4] + text[5:])


def lock(order_id: int) -> Order:
    """The order, re-read with its row locked until the transaction ends."""
    return _find(Order.id == order_id, True)


def _find(condition: object, for_update: bool) -> Order:
    query = select(Order).where(condition)  # type: ignore[arg-type]
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    order = db.session.scalar(query)
    if order is None:
        raise OrderNotFound("No order has this id.")
    return order


def transition(order: Order, to: OrderStatus, actor: str, note: str | None = None) -> bool:
    """Move a (locked) order to `to`. True if this call made the change; False if the order was
    already there (a repeated or racing call); `InvalidTransition` if the state machine forbids it."""
    current = OrderStatus(order.status)
    if current is to:
        return False
    if to not in ALLOWED[current]:
        allowed = ", ".join(sorted(s.value for s in ALLOWED[current])) or "nothing"
        raise InvalidTransition(f"A {current.value} order cannot become {to.value}; it can become {allowed}.")
    order.status = to.value
    order.status_note = note
    column = STATUS_TIMESTAMP.get(to)
    if column is not None and getattr(order, column) is None:
        setattr(order, column, utcnow())
    db.session.add(
        OrderEvent(order_id=order.id, from_status=current.value, to_status=to.value, actor=actor, note=note)
    )
    announced = ANNOUNCED.get(to)
    if announced is not None:
        announced.send(order)
    return True


def add_note(order: Order, actor: str, note: str) -> None:
    """Add to a (locked) order's history something that happened without changing its state (a
    partial refund)."""
    db.session.add(
        OrderEvent(
            order_id=order.id, from_status=order.status, to_status=order.status, actor=actor, note=note
        )
    )


def mark_paid(order_id: int, actor: str) -> bool:
    """Record that the order is paid, once, whoever says so first; commits. True if this call did."""
    order = lock(order_id)
    if order.status != OrderStatus.PENDING:
        db.session.commit()  # release the lock; paid already (or cancelled: nothing to do here)
        return False
    changed = transition(order, OrderStatus.PAID, actor)
    db.session.commit()
    return changed


def uploads_named(_collector: object, *, ids: set[str], since: datetime) -> set[str]:
    """On `events.uploads_named`: the upload ids among `ids` that lines of orders placed since `since`
    name (an order keeps its photos for as long as it is kept)."""
    query = (
        select(OrderLine.choices).join(Order, Order.id == OrderLine.order_id).where(Order.created_at >= since)
    )
    return named_uploads(query, ids)
