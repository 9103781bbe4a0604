"""Votes for gallery entries and ideas: one per shopper and subject, withdrawable, counted so that one
device cannot flood a count.

A count is the number of voting shoppers, taking at most `MAX_COUNTED_PER_DEVICE` of them from any
one device (a keyed hash of the network address): a family or an office sharing a connection still
counts a few, while a script minting shoppers from one machine counts as a handful at most.
"""

from __future__ import annotations

import random
from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Subquery, and_, case, cast, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute

from configurator.community.models import Vote
from configurator.dbtypes import utcnow
from configurator.extensions import db

MAX_COUNTED_PER_DEVICE = 3
TRENDING_WINDOW = timedelta(days=7)
# A voting view's order: ids through an affine map modulo a prime, (id * a + b) mod MODULUS, with a and
# b drawn from the seed. Each seed gives another permutation of the ids (not a rotation of one), and
# any database computes it in its ORDER BY.
SHUFFLE_MODULUS = 65521

Subject = InstrumentedAttribute[Any]  # Vote.entry_id or Vote.idea_id


def add(subject: Subject, subject_id: int, shopper_id: int, device: str) -> None:
    """Keep the shopper's vote (once: voting again changes nothing); commits."""
    exists = db.session.scalar(select(Vote.id).where(subject == subject_id, Vote.shopper_id == shopper_id))
    if exists is not None:
        return
    try:
        with db.session.begin_nested():
            db.session.add(Vote(**{subject.key: subject_id}, shopper_id=shopper_id, device=device))
    except IntegrityError:
        pass  # the same shopper's other request got there first: one vote either way
    db.session.commit()


def withdraw(subject: Subject, subject_id: int, shopper_id: int) -> None:
    """Take the shopper's vote back (nothing happens without one); commits."""
    db.session.execute(delete(Vote).where(subject == subject_id, Vote.shopper_id == shopper_id))
    db.session.commit()


def counted(subject: Subject, since: datetime | None = None) -> Subquery:
    """(subject_id, votes) for every subject with votes, within the per-device cap; votes since
    `since` only when given."""
    conditions: list[ColumnElement[bool]] = [subject.is_not(None)]
    if since is not None:
        conditions.append(Vote.created_at >= since)
    per_device = (
        select(subject.label("subject_id"), func.count().label("n"))
        .where(and_(*conditions))
        .group_by(subject, Vote.device)
        .subquery()
    )
    capped = case((per_device.c.n > MAX_COUNTED_PER_DEVICE, MAX_COUNTED_PER_DEVICE), else_=per_device.c.n)
    return (
        select(per_device.c.subject_id, func.sum(capped).label("votes"))
        .group_by(per_device.c.subject_id)
        .subquery()
    )


def counts(subject: Subject, subject_ids: Collection[int]) -> dict[int, int]:
    """Counted votes of these subjects (0 for none)."""
    if not subject_ids:
        return {}
    totals = counted(subject)
    found = db.session.execute(
        select(totals.c.subject_id, totals.c.votes).where(totals.c.subject_id.in_(list(subject_ids)))
    )
    known = {int(i): int(v) for i, v in found}
    return {i: known.get(i, 0) for i in subject_ids}


def voted(subject: Subject, subject_ids: Collection[int], shopper_id: int | None) -> set[int]:
    """Which of these subjects the shopper has voted for."""
    if shopper_id is None or not subject_ids:
        return set()
    return set(
        db.session.scalars(
            select(subject).where(subject.in_(list(subject_ids)), Vote.shopper_id == shopper_id)
        ).all()
    )


def trending_since() -> datetime:
    return utcnow() - TRENDING_WINDOW


def shuffled(column: InstrumentedAttribute[int], seed: int | None) -> ColumnElement[int]:
    """An ORDER BY key that shuffles rows by their id: the same order for the same seed (so pages
    agree), a fresh one when the seed is None. Computed in 64 bits: the product passes 2**31."""
    chosen = random.randrange(SHUFFLE_MODULUS) if seed is None else seed % SHUFFLE_MODULUS
    slope = 1 + (chosen * 48271) % (SHUFFLE_MODULUS - 1)
    offset = (chosen * 7919) % SHUFFLE_MODULUS
    wide = cast(column, BigInteger) % SHUFFLE_MODULUS
    return (wide * slope + offset) % SHUFFLE_MODULUS
