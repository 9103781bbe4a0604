"""Forget shopper photos nothing uses: uploads older than the retention that no saved design and no
order names.

A shopper uploads a photo, tries it on, and may never save the design: that photo is personal data
kept for nothing. A design or an order line that names an upload keeps it (orders keep theirs for as
long as the order is kept; a design erased at the shopper's request lets its photos go). Candidates
are taken oldest first, in batches; the domains whose designs and orders could name them (those made
since the oldest candidate) are asked once per batch, through `events.uploads_named`. The blob goes
before the row: a row never points at a missing blob for longer than the step between the two, and a
lost row only wastes a file.

A batch's candidates are locked (FOR UPDATE SKIP LOCKED on PostgreSQL) from before the designs are
read until they are removed. A design being saved share-locks the photos it names: the run skips
those, or, when it locked them first, the save waits for the run and finds them gone (422).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from configurator import events
from configurator.dbtypes import utcnow
from configurator.extensions import db
from configurator.storage import BlobStore
from configurator.uploads import services
from configurator.uploads.models import Upload

BATCH = 500

logger = logging.getLogger(__name__)


@dataclass
class Collected:
    """What a run looked at and what it removed (or would remove, on a dry run)."""

    examined: int = 0
    kept: int = 0
    removed: list[str] = field(default_factory=list)


def collect_unused(store: BlobStore, *, older_than: timedelta, dry_run: bool = False) -> Collected:
    """Remove every upload older than `older_than` that no design or order line names; commits."""
    result = Collected()
    cutoff = utcnow() - older_than
    after: tuple[datetime, str] | None = None
    while True:
        batch = _candidates(cutoff, after, lock=not dry_run)
        if not batch:
            break
        after = (batch[-1].created_at, batch[-1].id)
        named = _named_among({u.id for u in batch}, since=batch[0].created_at)
        unused = [u for u in batch if u.id not in named]
        result.examined += len(batch)
        result.kept += len(batch) - len(unused)
        if not dry_run:
            _remove(store, unused)
        result.removed.extend(u.id for u in unused)
        db.session.commit()
        if len(batch) < BATCH:
            break
    if result.removed and not dry_run:
        logger.info("removed %s unused upload(s) older than %s", len(result.removed), older_than)
    return result


def _candidates(cutoff: datetime, after: tuple[datetime, str] | None, *, lock: bool) -> list[Upload]:
    query = select(Upload).where(Upload.created_at < cutoff)
    if after is not None:
        created, upload_id = after
        query = query.where(
            (Upload.created_at > created) | ((Upload.created_at == created) & (Upload.id > upload_id))
        )
    query = query.order_by(Upload.created_at, Upload.id).limit(BATCH)
    if lock:
        query = query.with_for_update(skip_locked=True)
    return list(db.session.scalars(query))


def _named_among(ids: set[str], *, since: datetime) -> set[str]:
    """The ids among `ids` that something made since `since` names: every domain that keeps choices
    answers `events.uploads_named` (designs, order lines)."""
    answers = events.uploads_named.send(collect_unused, ids=ids, since=since)
    if not answers:
        # Nobody to ask would mean every photo looks unused: refuse rather than remove them all.
        raise RuntimeError("No domain answers events.uploads_named; create the app before collecting.")
    return set().union(*(named for _receiver, named in answers))


def _remove(store: BlobStore, uploads: list[Upload]) -> None:
    for upload in uploads:
        store.delete(upload.blob_key)
        services.forget(upload.id)
    if uploads:
        db.session.execute(delete(Upload).where(Upload.id.in_([u.id for u in uploads])))
