"""Rendering an order's proofs: one task per order, by id, idempotent, one run at a time per order.

A run renders only what the order lacks and records each file as it is stored, so a redelivered or
retried task finishes the work of one that died without repeating it. Failures that may pass (the
database or the blob store away for a moment) are retried with backoff; the order is never written.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import Task, shared_task
from sqlalchemy.exc import InterfaceError, OperationalError

from configurator.extensions import db
from configurator.orders.models import Order
from configurator.proofs.services import give_up, orders_missing_proofs, render_order
from configurator.storage import blob_store
from configurator.tasks import enqueue_after_commit, exclusive, send_now

# PostgreSQL advisory locks are keyed by two integers: this one ("prf") keeps ours apart.
ADVISORY_LOCK_SPACE = 0x707266
# Worth another try: a lost connection, a full or unmounted disk under the blob store.
TRANSIENT = (OperationalError, InterfaceError, OSError)
MAX_RETRIES = 6

logger = logging.getLogger(__name__)


def _give_up(_task: Task, order_id: int, *, reason: str) -> None:
    """Every delivery of the order's task killed its worker (configurator.deliveries): record it, so the
    sweep stops sending the order again and a person can look at it."""
    give_up(order_id, reason)


@shared_task(
    bind=True,
    name="proofs.render_proofs",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT,
    retry_backoff=10,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=MAX_RETRIES,
    on_deliveries_exhausted=_give_up,
)
def render_proofs(self: Task, order_id: int) -> str:
    """Render and store the proofs the order lacks (a print file per view of every line, a summary each)."""
    with exclusive(ADVISORY_LOCK_SPACE, order_id) as mine:
        if not mine:
            logger.info("the proofs of order %s are being rendered by another run", order_id)
            return "busy"
        try:
            outcome = render_order(order_id, blob_store())
        finally:
            db.session.rollback()  # nothing half-written stays in the session for the next task
    if outcome.failed:
        logger.error(
            "order %s: %s proof(s) cannot be rendered from what the order recorded", order_id, outcome.failed
        )
    logger.info(
        "order %s proofs: %s rendered, %s already stored", order_id, len(outcome.rendered), outcome.kept
    )
    return outcome.status


# A paid order whose proofs nobody started this long after payment is sent again by the sweep.
SWEEP_AFTER = timedelta(minutes=10)


@shared_task(name="proofs.sweep", acks_late=True)
def sweep_proofs() -> int:
    """Send the proofs task again for recent paid orders that still have none (the enqueue was lost,
    e.g. while the broker was down); how many were sent. Safe to run any time: the task is idempotent."""
    missing = orders_missing_proofs(SWEEP_AFTER)
    db.session.commit()  # end this read: an eager task works through its own session
    for order_id in missing:
        send_now(render_proofs, order_id)
    if missing:
        logger.warning("proofs sweep: sending %s order(s) again: %s", len(missing), missing)
    return len(missing)


def queue_proofs(order: Order) -> None:
    """Render the order's proofs once the payment's transaction has committed.

    Runs inside that transaction; nothing here may raise: missing proofs must not undo a payment
    (they can be rendered again, the payment cannot be taken again)."""
    try:
        enqueue_after_commit(render_proofs, order.id)
    except Exception:  # noqa: BLE001
        logger.exception("could not queue the proofs of order %s; the order is paid", order.number)
