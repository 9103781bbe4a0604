"""Reconciliation: payments the provider took whose order we still hold as pending.

A webhook can be lost for good (an endpoint misconfigured for longer than the provider retries, a
secret rotated too early). The provider remains the source of truth, so for each pending order with a
payment we ask it again; a succeeded payment is reported and, when asked to fix it, recorded through
`services.record`, the path the webhook and the shopper's return take, so the order is paid once and
its confirmation and proofs are queued as usual.
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


@dataclass(frozen=True)
class Finding:
    """A pending order whose payment the provider reports as succeeded."""

    order_id: int
    order_number: str
    reference: str
    amount_minor: int
    currency: str
    fixed: bool  # this run marked the order paid


@dataclass(frozen=True)
class Report:
    checked: int  # pending orders whose payment was asked about
    findings: list[Finding]
    errors: list[str]  # references the provider did not answer for (asked again next run)


def _candidates(since: timedelta) -> list[tuple[int, str, str]]:
    """(order id, number, reference) of pending orders of the active provider created since then."""
    active = services.provider()
    query = (
        select(Order.id, Order.number, Payment.reference)
        .join(Payment, Payment.order_id == Order.id)
        .where(
            Order.status == OrderStatus.PENDING.value,
            Order.created_at >= utcnow() - since,
            Payment.provider == active.name,
            Payment.reference.is_not(None),
        )
        .order_by(Order.id)
    )
    rows = [
        (int(order_id), str(number), str(reference))
        for order_id, number, reference in db.session.execute(query)
    ]
    # No transaction stays open while the provider is asked, one intent after another.
    db.session.commit()
    return rows


def reconcile(since: timedelta = timedelta(hours=DEFAULT_SINCE_HOURS), *, fix: bool = False) -> Report:
    """Ask the provider about every recent pending order's payment; with `fix`, record the succeeded
    ones (commits per order)."""
    active = services.provider()
    rows = _candidates(since)
    findings: list[Finding] = []
    errors: list[str] = []
    for order_id, number, reference in rows:
        try:
            current = active.fetch(reference)
        except AtelierError as error:
            log.warning(
                "reconcile: no answer for payment %s of order %s: %s", reference, number, error.detail
            )
            errors.append(reference)
            continue
        if not current.succeeded:
            continue
        fixed = services.record(current, actor=ACTOR) if fix else False
        if fix and not fixed:
            # A webhook got there first, or the amount differs (record logged that): not an error.
            log.info("reconcile: order %s was not changed by this run", number)
        findings.append(Finding(order_id, number, reference, current.amount_minor, current.currency, fixed))
    return Report(len(rows), findings, errors)
