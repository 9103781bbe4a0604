"""Paying for orders: check a cart out into its order and the order's one payment, confirm the payment
when the shopper comes back, and record what the provider reports.

Whoever learns first that a payment succeeded (the shopper's browser or the provider's webhook) marks
the order paid; both go through `record`, which locks the payment row and then the order row (always
in that order), so the two can race without a second paid transition or a deadlock.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from configurator.carts import services as carts
from configurator.dbtypes import utcnow
from configurator.extensions import db
from configurator.orders import services as orders
from configurator.orders.models import Order, OrderStatus
from configurator.payments.base import (
    REFUNDED,
    SUCCEEDED,
    PaymentProvider,
    PaymentRequest,
    ProviderPayment,
    token_hash,
)
from configurator.payments.errors import PaymentNotCompleted, WebhooksDisabled
from configurator.payments.models import Payment, ProviderEvent
from configurator.payments.offline import OfflineProvider
from configurator.wording import PAYMENT_ELSEWHERE, PAYMENT_NOT_STARTED, PAYMENT_PENDING
from rules.money import from_minor, to_minor

EXTENSION = "atelier.payments"
# Once a payment has succeeded, a fetch answering an earlier status (a late, stale answer) cannot
# move it back; only a refund moves it on.
_FINAL = {SUCCEEDED, REFUNDED}
_REFUNDABLE = {OrderStatus.PAID, OrderStatus.IN_PRODUCTION, OrderStatus.SHIPPED}
# A shopper's browser returning (or reloading) within this many seconds of the last return that asked
# the provider gets that answer again: a loop of returns costs one provider call per period.
RECHECK_SECONDS = 3

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WebhookOutcome:
    event_id: str
    type: str
    handled: bool  # an event type we act on
    duplicate: bool  # already processed: nothing was done this time


@dataclass(frozen=True)
class CheckoutResult:
    order: Order
    payment: Payment
    created: bool  # this call started the payment (else it was there already)


def build_provider(config: Mapping[str, Any]) -> PaymentProvider:
    """The provider the configuration names (checked by `configurator.config.check_payments`)."""
    if config["ATELIER_PAYMENTS"] == "stripe":
        from configurator.payments.stripe import StripeProvider

        return StripeProvider(
            secret_key=config["ATELIER_STRIPE_SECRET_KEY"],
            publishable_key=config["ATELIER_STRIPE_PUBLISHABLE_KEY"],
            webhook_secret=config["ATELIER_STRIPE_WEBHOOK_SECRET"],
            api_base=config["ATELIER_STRIPE_API_BASE"],
            max_network_retries=config["ATELIER_STRIPE_MAX_NETWORK_RETRIES"],
        )
    return OfflineProvider()


def provider() -> PaymentProvider:
    """The current app's provider, built on first use and kept for the life of the process."""
    found: PaymentProvider | None = current_app.extensions.get(EXTENSION)
    if found is None:
        found = current_app.extensions[EXTENSION] = build_provider(current_app.config)
    return found


def is_test(payment: Payment) -> bool:
    """Whether the payment moved no money (offline, or made with Stripe's test-mode keys)."""
    active = provider()
    if payment.provider == active.name:
        return active.test
    return payment.provider == OfflineProvider.name


def payment_for(order: Order) -> Payment | None:
    return db.session.scalar(select(Payment).where(Payment.order_id == order.id))


def checkout(cart_token: str, locale: str = "en") -> CheckoutResult:
    """The cart's order and the order's payment, made on the first call and returned as they are on
    every later one; commits. The order is written in `locale` (labels, later its e-mails)."""
    active = provider()
    cart = carts.find(cart_token, for_update=True)
    order = db.session.scalar(select(Order).where(Order.cart_id == cart.id))
    if order is None:
        priced = carts.price(cart)
        carts.ready_for_checkout(priced, locale)
        order = orders.create(priced, active.name, locale)
        # The order stands even if the provider fails next: a retry finds it and asks the provider
        # again with the same idempotency key.
        db.session.commit()
    # Concurrent retries wait here, so only one of them asks the provider and stores the payment.
    order = orders.lock(order.id)
    payment = payment_for(order)
    created = payment is None
    if payment is None:
        request = PaymentRequest(
            order_id=order.id,
            order_number=order.number,
            amount_minor=to_minor(order.total, order.currency),
            currency=order.currency,
            cart_token_hash=token_hash(cart_token),
        )
        made = active.create(request)
        payment = Payment(
            order_id=order.id,
            provider=active.name,
            reference=made.reference,
            client_secret=made.client_secret,
            status=made.status,
            amount_minor=request.amount_minor,
            currency=request.currency,
            idempotency_key=request.idempotency_key,
        )
        db.session.add(payment)
    db.session.commit()
    return CheckoutResult(order, payment, created)


def complete(order_token: str, locale: str = "en") -> tuple[Order, Payment]:
    """The shopper is back from paying: ask the provider (never the browser) whether the payment
    succeeded and record what it says (the order becomes paid, or refunded if the money was already
    returned). Repeating it is harmless, and cheap: a return within `RECHECK_SECONDS` of the last one
    that asked is answered from what that one learnt. Commits. A refusal is worded in `locale`."""
    order = orders.find_by_token(order_token)
    payment = payment_for(order)
    if payment is None or payment.reference is None:
        raise PaymentNotCompleted(PAYMENT_NOT_STARTED, None, locale, "The order has no payment reference.")
    if order.status == OrderStatus.PENDING:
        active = provider()
        if payment.provider != active.name:
            raise PaymentNotCompleted(
                PAYMENT_ELSEWHERE,
                payment.status,
                locale,
                f"The payment went through {payment.provider}; the active provider is {active.name}.",
            )
        if _claim_check(payment):
            record(active.fetch(payment.reference), actor="shopper")
        # Both rows are read again: record() or a concurrent caller may have changed them.
        db.session.refresh(order)
        db.session.refresh(payment)
        if order.status == OrderStatus.PENDING:
            raise PaymentNotCompleted(
                PAYMENT_PENDING,
                payment.status,
                locale,
                f"The payment has not succeeded: it is {payment.status}.",
            )
    return order, payment


def _claim_check(payment: Payment) -> bool:
    """Whether this call should ask the provider: nobody did in the last `RECHECK_SECONDS`. One
    conditional update decides, so of many concurrent returns only one asks; commits."""
    now = utcnow()
    claimed = db.session.execute(
        update(Payment)
        .where(
            Payment.id == payment.id,
            or_(Payment.checked_at.is_(None), Payment.checked_at < now - timedelta(seconds=RECHECK_SECONDS)),
        )
        .values(checked_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return bool(claimed.rowcount)  # type: ignore[attr-defined]


def _lock_payment(reference: str) -> Payment | None:
    query = (
        select(Payment)
        .where(Payment.reference == reference)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return db.session.scalar(query)


def record(current: ProviderPayment, actor: str) -> bool:
    """Store the payment as the provider now tells it and move the order to match; commits. True if
    this call changed the order.

    Every report goes through here (webhooks of any type, the shopper's return, reconciliation), so
    the order they reach does not depend on the order they arrive in: money taken and returned in full
    makes the order refunded (never paid, so no confirmation and no proofs, when the refund is learnt
    first); money taken for the amount we asked makes it paid; a partial refund is recorded and leaves
    it paid."""
    payment = _lock_payment(current.reference)
    if payment is None:
        # Not ours (another integration on the same account), or not committed yet: nothing to do.
        log.info("No payment has reference %s; the status %s is ignored.", current.reference, current.status)
        db.session.commit()
        return False
    order = orders.lock(payment.order_id)
    if payment.status not in _FINAL:
        payment.status = current.status
    if not current.succeeded:
        db.session.commit()
        return False
    if (current.amount_minor, current.currency) != (payment.amount_minor, payment.currency):
        log.error(
            "Payment %s succeeded for %s %s, not the %s %s of order %s: the order stays unpaid.",
            current.reference,
            current.amount_minor,
            current.currency,
            payment.amount_minor,
            payment.currency,
            payment.order_id,
        )
        db.session.commit()
        return False
    # A refund is never undone: an answer read before it cannot lower the amount.
    newly_refunded = current.amount_refunded_minor > payment.amount_refunded_minor
    payment.amount_refunded_minor = max(payment.amount_refunded_minor, current.amount_refunded_minor)
    order.refunded = from_minor(payment.amount_refunded_minor, payment.currency)
    known = replace(current, amount_refunded_minor=payment.amount_refunded_minor)
    if known.refunded_in_full:
        payment.status = REFUNDED
    target = settled_status(OrderStatus(order.status), known)
    changed = False
    if target is not None:
        changed = orders.transition(
            order, target, actor, note=_NOTES.get((OrderStatus(order.status), target))
        )
    if newly_refunded and not known.refunded_in_full:
        total = from_minor(payment.amount_minor, payment.currency)
        orders.add_note(order, actor, f"Partly refunded: {order.refunded} of {total} {payment.currency}")
    db.session.commit()
    return changed


_NOTES = {
    (OrderStatus.PENDING, OrderStatus.REFUNDED): (
        "Refunded in full before the payment was confirmed: never paid, not to be made"
    ),
    **{
        (status, OrderStatus.REFUNDED): "Refunded in full through the payment provider"
        for status in _REFUNDABLE
    },
}


def settled_status(status: OrderStatus, current: ProviderPayment) -> OrderStatus | None:
    """The state an order in `status` moves to when its payment (for the amount asked) is as
    `current` says, or None when it stays: returned in full makes it refunded, from any state the
    money was taken in and from pending too (it is never paid first); succeeded makes a pending
    order paid; anything else changes nothing.

    >>> paid = ProviderPayment("pi_1", "succeeded", 1400, "EUR")
    >>> settled_status(OrderStatus.PENDING, paid)
    <OrderStatus.PAID: 'paid'>
    >>> settled_status(OrderStatus.PENDING, replace(paid, amount_refunded_minor=1400))
    <OrderStatus.REFUNDED: 'refunded'>
    >>> settled_status(OrderStatus.PAID, replace(paid, amount_refunded_minor=400)) is None
    True
    """
    if not current.succeeded:
        return None
    if current.refunded_in_full:
        refundable = status is OrderStatus.PENDING or status in _REFUNDABLE
        return OrderStatus.REFUNDED if refundable else None
    return OrderStatus.PAID if status is OrderStatus.PENDING else None


def event_seen(event_id: str) -> bool:
    """Whether this provider event was processed already (a cheap look before asking the provider)."""
    return db.session.get(ProviderEvent, event_id) is not None


def apply_event(provider_name: str, event_id: str, event_type: str, effect: Callable[[], object]) -> bool:
    """Run `effect` for this event unless it ran before; commits. The event row is written first, in
    the same transaction as the effect: a redelivery (even a concurrent one, which waits on the row)
    finds it and does nothing, and an effect that fails leaves no row, so the provider retries."""
    try:
        with db.session.begin_nested():
            db.session.add(ProviderEvent(id=event_id, provider=provider_name, type=event_type))
            db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return False
    effect()
    db.session.commit()
    return True


def stripe_webhook(payload: bytes, signature: str | None) -> WebhookOutcome:
    """Handle a call to the Stripe webhook: verify it, then act on the event once, on the payment as
    Stripe holds it now. Types that change no payment are acknowledged and ignored; `WebhooksDisabled`
    when this shop does not use Stripe."""
    from configurator.payments.stripe import NAME, StripeProvider

    active = provider()
    if not isinstance(active, StripeProvider):
        raise WebhooksDisabled("This shop does not take payments through Stripe.")
    event = active.verify(payload, signature)
    if not active.handles(event):
        return WebhookOutcome(event.id, event.type, handled=False, duplicate=False)
    if event_seen(event.id):
        return WebhookOutcome(event.id, event.type, handled=True, duplicate=True)
    current = active.payment_after(event)

    def effect() -> None:
        if current is not None:
            record(current, f"{NAME}-webhook")  # the actor in the order's history

    processed = apply_event(NAME, event.id, event.type, effect)
    return WebhookOutcome(event.id, event.type, handled=True, duplicate=not processed)
