"""Closing campaigns at their deadline and settling each pre-order, as Celery tasks.

The beat runs `close_due` every minute; each decided edition queues one task per pre-order, so a
failing charge is retried alone and never holds up the others. Every task is idempotent (see
`configurator.community.campaigns`): a redelivered or concurrent one changes nothing.
"""

from __future__ import annotations

from celery import Task, shared_task

from configurator.community import campaigns
from configurator.extensions import db
from configurator.payments.errors import PaymentProviderFailed
from configurator.tasks import enqueue_after_commit

# A provider that does not answer is asked again with growing pauses, for about a day.
SETTLE_RETRIES = 12


def settle(closed: campaigns.Closed) -> None:
    """Queue the charge or release of every pre-order a close decided (after the commit)."""
    for preorder_id in closed.charge:
        enqueue_after_commit(charge_preorder, preorder_id)
    for preorder_id in closed.release:
        enqueue_after_commit(release_preorder, preorder_id)
    db.session.commit()


@shared_task(name="community.close_due")
def close_due() -> int:
    """Decide every campaign past its deadline and release places whose card was never saved; the
    number of campaigns decided."""
    decided = 0
    for campaign_id in campaigns.due():
        closed = campaigns.close(campaign_id)
        decided += closed.decided
        settle(closed)
    for preorder_id in campaigns.stale_awaiting_cards():
        enqueue_after_commit(release_preorder, preorder_id)
    db.session.commit()
    return decided


@shared_task(
    name="community.charge_preorder",
    bind=True,
    autoretry_for=(PaymentProviderFailed,),
    retry_backoff=30,
    retry_backoff_max=3600,
    max_retries=SETTLE_RETRIES,
)
def charge_preorder(self: Task, preorder_id: int) -> str:
    return campaigns.charge(preorder_id).value


@shared_task(
    name="community.release_preorder",
    bind=True,
    autoretry_for=(PaymentProviderFailed,),
    retry_backoff=30,
    retry_backoff_max=3600,
    max_retries=SETTLE_RETRIES,
)
def release_preorder(self: Task, preorder_id: int) -> str:
    return campaigns.release(preorder_id).value
