"""The admin report on partners: what each brought through its key (designs, orders, paid revenue)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select

from configurator.designs.models import Design
from configurator.extensions import db
from configurator.orders.models import Order, OrderStatus
from configurator.paging import Page, paginate
from configurator.partners.models import Partner
from rules.money import round_money

PAID_STATUSES = (OrderStatus.PAID.value, OrderStatus.IN_PRODUCTION.value, OrderStatus.SHIPPED.value)


@dataclass(frozen=True)
class Revenue:
    currency: str
    amount: Decimal
    orders: int


@dataclass(frozen=True)
class PartnerUsage:
    """What a partner brought: designs saved and orders placed through its key, and paid revenue."""

    partner: Partner
    designs: int
    orders: int
    paid_orders: int
    revenue: tuple[Revenue, ...]


def usage(page: int, page_size: int) -> Page[PartnerUsage]:
    """A page of partners (oldest first) with their counts; revenue is per currency, never summed
    across currencies."""
    found = paginate(select(Partner).order_by(Partner.created_at, Partner.id), page, page_size)
    ids = [p.id for p in found.items]
    designs = dict(
        db.session.execute(
            select(Design.partner_id, func.count())
            .where(Design.partner_id.in_(ids))
            .group_by(Design.partner_id)
        ).all()
    )
    orders = dict(
        db.session.execute(
            select(Order.partner_id, func.count()).where(Order.partner_id.in_(ids)).group_by(Order.partner_id)
        ).all()
    )
    revenue: dict[int | None, list[Revenue]] = {}
    rows = db.session.execute(
        select(Order.partner_id, Order.currency, func.sum(Order.total), func.count())
        .where(Order.partner_id.in_(ids), Order.status.in_(PAID_STATUSES))
        .group_by(Order.partner_id, Order.currency)
        .order_by(Order.partner_id, Order.currency)
    )
    for partner_id, currency, total, count in rows:
        amount = round_money(Decimal(total), currency)
        revenue.setdefault(partner_id, []).append(Revenue(currency, amount, count))
    items = [
        PartnerUsage(
            partner=p,
            designs=designs.get(p.id, 0),
            orders=orders.get(p.id, 0),
            paid_orders=sum(r.orders for r in revenue.get(p.id, [])),
            revenue=tuple(revenue.get(p.id, [])),
        )
        for p in found.items
    ]
    return Page(items, found.page, found.page_size, found.total)
