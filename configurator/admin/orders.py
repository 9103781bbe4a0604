"""Orders as the merchant sees them: filtered lists, the whole of one order, exports, state changes.

Everything here reads what the order recorded when it was placed (choices, price lines, the product
version that priced it); nothing is recomputed from today's rules.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, TypeVarTuple

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import selectinload

from configurator.extensions import db
from configurator.orders import services as orders
from configurator.orders.errors import InvalidTransition, OrderNotFound
from configurator.orders.models import STATUS_TIMESTAMP, Order, OrderEvent, OrderLine, OrderStatus
from configurator.paging import Page, paginate
from configurator.partners.models import Partner
from rules.money import round_money

EXPORT_BATCH = 500


@dataclass(frozen=True)
class OrderFilter:
    """Which orders to list or export; dates are whole UTC days, both ends included."""

    status: str | None = None
    created_from: date | None = None
    created_to: date | None = None
    product: str | None = None
    email: str | None = None
    partner: str | None = None  # a partner's name: the orders placed through its key

    def conditions(self) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        if self.status:
            found.append(Order.status == self.status)
        if self.created_from:
            found.append(Order.created_at >= _start_of(self.created_from))
        if self.created_to:
            found.append(Order.created_at < _start_of(self.created_to + timedelta(days=1)))
        if self.product:
            found.append(
                Order.id.in_(select(OrderLine.order_id).where(OrderLine.product_key == self.product))
            )
        if self.email:
            # Shoppers type their address in any case; the merchant should not have to guess which.
            found.append(func.lower(Order.email) == self.email.strip().lower())
        if self.partner:
            found.append(Order.partner_id.in_(select(Partner.id).where(Partner.name == self.partner)))
        return found


def money(amount: Decimal | str, currency: str) -> Decimal:
    """A stored amount (four decimals whatever the currency) with the currency's own decimals."""
    return round_money(Decimal(amount), currency)


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


# Any query over orders keeps its own row type through the ordering.
Columns = TypeVarTuple("Columns")


def _newest_first(query: Select[*Columns]) -> Select[*Columns]:
    # The id breaks ties between orders made in the same instant, so pages never overlap.
    return query.order_by(Order.created_at.desc(), Order.id.desc())


def list_orders(wanted: OrderFilter, page: int, page_size: int) -> Page[Order]:
    """A page of the orders matching `wanted`, newest first, with their lines loaded."""
    query = _newest_first(select(Order).where(*wanted.conditions())).options(selectinload(Order.lines))
    return paginate(query, page, page_size)


def find(number: str) -> Order:
    """The order with this number, its lines, their designs and versions; `OrderNotFound` otherwise."""
    if not orders.is_order_number(number):
        raise OrderNotFound("No order has this number.")
    lines = selectinload(Order.lines)
    order = db.session.scalar(
        select(Order)
        .where(Order.number == number)
        .options(lines.joinedload(OrderLine.version), lines.joinedload(OrderLine.design))
    )
    if order is None:
        raise OrderNotFound("No order has this number.")
    return order


def history(order: Order) -> list[OrderEvent]:
    """The order's state changes, oldest first."""
    return list(
        db.session.scalars(select(OrderEvent).where(OrderEvent.order_id == order.id).order_by(OrderEvent.id))
    )


def timestamps(order: Order) -> dict[str, datetime | None]:
    """When the order was made and when it entered each state it has reached."""
    return {"created_at": order.created_at} | {
        column: getattr(order, column) for column in STATUS_TIMESTAMP.values()
    }


def advance(number: str, to: OrderStatus, actor: str, note: str | None) -> tuple[Order, bool]:
    """Move an order to `to` under its row lock; commits. True if this call made the change, False if
    the order was already there; `InvalidTransition` if its state forbids it. A reserved order (a
    pre-order) is settled by its campaign only: moved by hand, it would be charged or released
    behind the campaign's back."""
    order = orders.lock(orders.find_by_number(number).id)
    if order.status == OrderStatus.RESERVED and to != OrderStatus.RESERVED:
        db.session.rollback()
        raise InvalidTransition(
            "This order is a pre-order: its campaign charges or releases it. Close or cancel the campaign.",
            extensions={"from": order.status, "to": to.value},
        )
    try:
        changed = orders.transition(order, to, actor, note)
    except Exception:
        db.session.rollback()  # release the row lock at once
        raise
    db.session.commit()
    return find(number), changed


@dataclass(frozen=True)
class ExportRow:
    """One order line with the order it belongs to, flat, for spreadsheets and other systems."""

    order_number: str
    status: str
    created_at: datetime
    paid_at: datetime | None
    email: str
    name: str
    country: str | None
    region: str | None  # ISO 3166-2 (US-CA), when the address has one
    currency: str
    product: str
    version_id: int
    choices: dict[str, Any]
    quantity: int
    unit_price: Decimal
    line_total: Decimal
    order_total: Decimal
    partner: str | None  # the partner it was placed through, if any
    order_refunded: Decimal  # returned to the shopper so far
    status_note: str | None  # why the order is in its status
    # What making the line takes, as ordered (None for orders placed before products said it)
    sku: str | None
    parts: str | None  # "TOP-WAL x1; SCREW-8 x20": one unit's bill of materials
    ships_by: str | None  # ISO date
    weight_grams: str | None  # one unit's


EXPORT_FIELDS = tuple(ExportRow.__dataclass_fields__)


def export_rows(wanted: OrderFilter) -> Iterator[ExportRow]:
    """Every line of the orders matching `wanted`, newest order first, read in batches."""
    query = _newest_first(
        select(Order, OrderLine, Partner.name)
        .join(OrderLine, OrderLine.order_id == Order.id)
        .outerjoin(Partner, Partner.id == Order.partner_id)
        .where(*wanted.conditions())
    ).order_by(OrderLine.id)
    for order, line, partner in db.session.execute(query.execution_options(yield_per=EXPORT_BATCH)):
        yield ExportRow(
            order_number=order.number,
            status=order.status,
            created_at=order.created_at,
            paid_at=order.paid_at,
            email=order.email,
            name=order.name,
            country=(order.address or {}).get("country"),
            region=(order.address or {}).get("region"),
            currency=order.currency,
            product=line.product_key,
            version_id=line.version_id,
            choices=line.choices,
            quantity=line.quantity,
            unit_price=money(line.unit_price, order.currency),
            line_total=money(line.total, order.currency),
            order_total=money(order.total, order.currency),
            partner=partner,
            order_refunded=money(order.refunded, order.currency),
            status_note=order.status_note,
            **_made(line.production or {}),
        )


def _made(production: dict[str, Any]) -> dict[str, str | None]:
    parts = production.get("parts") or []
    return {
        "sku": production.get("sku"),
        "parts": "; ".join(f"{p['part']} x{p['quantity']}" for p in parts) or None,
        "ships_by": production.get("ships_by"),
        "weight_grams": production.get("weight_grams"),
    }
