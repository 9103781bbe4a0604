"""Beat's sweep of the preview store (see `configurator.previews.cache`): the budget held even when no
web process writes, and the age limit applied."""

from __future__ import annotations

from celery import shared_task

from configurator.previews import services
from configurator.tasks import exclusive

# PostgreSQL advisory locks are keyed by two integers: this one ("prv") keeps ours apart.
ADVISORY_LOCK_SPACE = 0x707276


@shared_task(name="previews.sweep", acks_late=True)
def sweep_previews() -> int:
    """Hold the preview store to its budget; how many previews went. One run at a time: a second one,
    started while the first works, does nothing (web processes' own sweeps may still overlap it, which
    only removes the same oldest previews twice)."""
    with exclusive(ADVISORY_LOCK_SPACE, 0) as mine:
        if not mine:
            return 0
        swept = services.cache().sweep()
        return swept.expired + swept.evicted
