"""The daily removal of shopper photos nothing uses (see `configurator.uploads.collect`)."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from flask import current_app

from configurator.storage import blob_store
from configurator.tasks import exclusive
from configurator.uploads.collect import collect_unused

# PostgreSQL advisory locks are keyed by two integers: this one ("upl") keeps ours apart.
ADVISORY_LOCK_SPACE = 0x75706C


def retention() -> timedelta:
    return timedelta(days=float(current_app.config["ATELIER_UPLOAD_RETENTION_DAYS"]))


@shared_task(name="uploads.collect_unused", acks_late=True)
def collect_unused_uploads() -> int:
    """Remove the uploads older than the retention that no design or order names; how many went.
    One run at a time: a second one, started while the first works, does nothing."""
    with exclusive(ADVISORY_LOCK_SPACE, 0) as mine:
        if not mine:
            return 0
        return len(collect_unused(blob_store(), older_than=retention()).removed)
