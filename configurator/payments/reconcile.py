"""Reconciliation: orders whose state differs from what the provider holds of their payment.

A webhook can be lost for good (an endpoint misconfigured for longer than the provider retries, a
secret rotated too early). The provider remains the source of truth, so for each recent order that is
pending, or whose money we still hold, we ask it again: a payment that succeeded (the order should be
paid) or whose money was returned in full (the order should be refunded) is reported and, when asked
to fix it, recorded through `services.record`, the path the webhooks and the shopper's return take,
so the order changes once and, if paid, its confirmation and proofs are queued as usual.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from configurator.dbtypes import utcnow
from configurator.errors import AtelierError
from configurator.extensions import db
from configurator.orders.models import Order, OrderStatus
from configurator.payments import services
from configurator.payments.models import Payment

ACTOR = "reconcile"
DEFAULT_SINCE_HOURS = 72

log = logging.getLogger(__name__)


# Orders whose payment can still change what they should be: not paid yet, or paid and not refunded.
CHECKED_STATUSES = (
    OrderStatus.PENDING,
    OrderStatus.PAID,
    OrderStatus.IN_PRODUCTION,
    OrderStatus.SHIPPED,
)


@dataclass(frozen=True)
class Finding:
    """An order whose payment the provider reports in a way that should change the order."""

    order_id: int
    order_number: str
    reference: str
    amount_minor: int
    currency: str
    status: OrderStatus  # the order's state here
    becomes: OrderStatus  # the state the provider's answer leads to
    fixed: bool  # this run made the change


@dataclass(frozen=True)
class Report:
    checked: int  # orders whose payment was asked about
    findings: list[Finding]
    errors: list[str]  # references the provider did not answer for (asked again next run)


def _candidates(since: timedelta) -> list[tuple[int, str, OrderStatus, str]]:
    """(order id, number, status, reference) of the active provider's orders created since then whose
    payment could still change them."""
    active = services.provider()
    query = (
        select(Order.id, Order.number, Order.status, Payment.reference)
        .join(Payment, Payment.order_id == Order.id)
        .where(
            Order.status.in_([status.value for status in CHECKED_STATUSES]),
            Order.created_at >= utcnow() - since,
            Payment.provider == active.name,
            Payment.reference.is_not(None),
        )
        .order_by(Order.id)
    )
    rows = [
        (int(order_id), str(number), OrderStatus(status), str(reference))
        for order_id, number, status, reference in db.session.execute(query)
    ]
    # No transaction stays open while the provider is asked, one intent after another.
    db.session.commit()
    return rows


def reconcile(since: timedelta = timedelta(hours=DEFAULT_SINCE_HOURS), *, fix: bool = False) -> Report:
    """Ask the provider about the payment of every recent order it could still change; with `fix`,
    record what it says (commits per order)."""
    active = services.provider()
    rows = _candidates(since)
    findings: list[Finding] = []
    errors: list[str] = []
    for order_id, number, status, reference in rows:
        try:
            current = active.fetch(reference)
        except AtelierError as error:
            log.warning(
                "reconcile: no answer for payment %s of order %s: %s", reference, number, error.detail
            )
            errors.append(reference)
            continue
        becomes = services.settled_status(status, current)
        if becomes is None:
            continue
        fixed = services.record(current, actor=ACTOR) if fix else False
        if fix and not fixed:
            # A webhook got there first, or the amount differs (record logged that): not an error.
            log.info("reconcile: order %s was not changed by this run", number)
        findings.append(
            Finding(
                order_id, number, reference, current.amount_minor, current.currency, status, becomes, fixed
            )
        )
    return Report(len(rows), findings, errors)
