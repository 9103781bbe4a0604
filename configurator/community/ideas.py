"""The idea board: consenting shoppers suggest what the shop could make next, vote for ideas and
follow them; the merchant gives each a status, and followers are told by e-mail.

Ideas are shown as soon as they pass the brand's text policy; the merchant removes what should not
stay (status `removed`: never listed, nobody told). A status change is announced through
`events.idea_status_changed` with the followers to tell, so the mail domain writes the messages in
the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from configurator import events
from configurator.catalog import versions
from configurator.catalog.errors import CatalogNotPublished
from configurator.catalog.services import current_catalog, live_version
from configurator.community import votes
from configurator.community.errors import DecisionNotAllowed, IdeaNotFound
from configurator.community.models import (
    IDEA_BODY_LENGTH,
    IDEA_TITLE_LENGTH,
    NAME_LENGTH,
    REASON_LENGTH,
    Idea,
    IdeaFollower,
    IdeaStatus,
    Vote,
)
from configurator.community.policy import require_fit
from configurator.dbtypes import looks_like_token, utcnow
from configurator.extensions import db
from configurator.paging import Page, paginate
from configurator.preferences.models import Shopper
from configurator.wording import IDEA_UNKNOWN
from rules.model import Brand, Localized, TextLimits

TITLE_LIMITS = TextLimits(max_length=IDEA_TITLE_LENGTH)
BODY_LIMITS = TextLimits(max_length=IDEA_BODY_LENGTH, max_lines=40)
NAME_LIMITS = TextLimits(max_length=NAME_LENGTH)
NOTE_LIMITS = TextLimits(max_length=REASON_LENGTH, max_lines=10)
LISTED = tuple(s for s in IdeaStatus if s is not IdeaStatus.REMOVED)


class IdeaSort(StrEnum):
    TOP = "top"
    NEW = "new"
    SHUFFLED = "shuffled"


def suggest(
    shopper: Shopper,
    title: str,
    body: str,
    product: str | None,
    display_name: str | None,
    locale: str,
) -> Idea:
    """A new idea on the board (after the text policy), its author voting for it; commits."""
    brand = _brand(product)
    texts = {"title": (title.strip(), TITLE_LIMITS), "body": (body.strip(), BODY_LIMITS)}
    if display_name:
        texts["display_name"] = (display_name.strip(), NAME_LIMITS)
    require_fit(texts, brand, locale)
    idea = Idea(
        shopper_id=shopper.id,
        display_name=display_name.strip() if display_name else None,
        product_key=product,
        title=title.strip(),
        body=body.strip(),
    )
    db.session.add(idea)
    db.session.commit()
    return idea


def find(public_id: str) -> Idea:
    """A listed idea, or `IdeaNotFound` (the same answer for removed ones)."""
    idea = find_any(public_id)
    if idea.status == IdeaStatus.REMOVED:
        raise IdeaNotFound(IDEA_UNKNOWN)
    return idea


def find_any(public_id: str) -> Idea:
    idea = None
    if looks_like_token(public_id):
        idea = db.session.scalar(select(Idea).where(Idea.public_id == public_id))
    if idea is None:
        raise IdeaNotFound(IDEA_UNKNOWN)
    return idea


def listing(
    statuses: Sequence[IdeaStatus],
    product: str | None,
    sort: IdeaSort,
    page: int,
    page_size: int,
    seed: int | None = None,
) -> Page[Idea]:
    query = select(Idea).where(Idea.status.in_([s.value for s in statuses]))
    if product is not None:
        query = query.where(Idea.product_key == product)
    newest = (Idea.created_at.desc(), Idea.id.desc())
    if sort is IdeaSort.NEW:
        query = query.order_by(*newest)
    elif sort is IdeaSort.SHUFFLED:
        query = query.order_by(votes.shuffled(Idea.id, seed), Idea.id)
    else:
        totals = votes.counted(Vote.idea_id)
        query = query.outerjoin(totals, totals.c.subject_id == Idea.id).order_by(
            func.coalesce(totals.c.votes, 0).desc(), *newest
        )
    return paginate(query, page, page_size)


def vote_counts(ideas: Sequence[Idea]) -> dict[int, int]:
    """Counted votes of these ideas (0 for none)."""
    return votes.counts(Vote.idea_id, [item.id for item in ideas])


def vote(shopper: Shopper, idea: Idea, device: str) -> None:
    votes.add(Vote.idea_id, idea.id, shopper.id, device)


def unvote(shopper: Shopper, idea: Idea) -> None:
    votes.withdraw(Vote.idea_id, idea.id, shopper.id)


def follow(shopper: Shopper, idea: Idea, email: str, locale: str) -> None:
    """Tell the shopper at `email` when the idea's status changes (a second follow updates the
    address); commits."""
    found = db.session.scalar(
        select(IdeaFollower).where(IdeaFollower.idea_id == idea.id, IdeaFollower.shopper_id == shopper.id)
    )
    if found is not None:
        found.email, found.locale = email, locale
    else:
        try:
            with db.session.begin_nested():
                db.session.add(
                    IdeaFollower(idea_id=idea.id, shopper_id=shopper.id, email=email, locale=locale)
                )
        except IntegrityError:
            pass  # a simultaneous follow by the same shopper: one row either way
    db.session.commit()


def unfollow(shopper: Shopper, idea: Idea) -> None:
    db.session.execute(
        IdeaFollower.__table__.delete().where(
            IdeaFollower.idea_id == idea.id, IdeaFollower.shopper_id == shopper.id
        )
    )
    db.session.commit()


def follows(shopper: Shopper | None, idea: Idea) -> bool:
    if shopper is None:
        return False
    return (
        db.session.scalar(
            select(IdeaFollower.id).where(
                IdeaFollower.idea_id == idea.id, IdeaFollower.shopper_id == shopper.id
            )
        )
        is not None
    )


def set_status(idea_id: int, status: IdeaStatus, note: str | None, locale: str, public_url: str) -> Idea:
    """The merchant's decision on an idea, under a row lock; followers are told of a real change
    (not of the same status again, nor of a removal); commits."""
    idea = db.session.scalar(select(Idea).where(Idea.id == idea_id).with_for_update())
    if idea is None:
        raise IdeaNotFound(IDEA_UNKNOWN)
    if note:
        note = note.strip()
        require_fit({"note": (note, NOTE_LIMITS)}, _brand(idea.product_key), locale)
    previous = idea.status
    if previous == status and (note or None) == idea.status_note:
        raise DecisionNotAllowed(f"The idea is already {status.value}.", extensions={"status": previous})
    idea.status = status.value
    idea.status_note = note or None
    idea.status_changed_at = utcnow()
    if status is not IdeaStatus.REMOVED:
        followers = db.session.execute(
            select(IdeaFollower.email, IdeaFollower.locale).where(IdeaFollower.idea_id == idea.id)
        ).all()
        events.idea_status_changed.send(
            idea,
            recipients=[(email, loc) for email, loc in followers],
            link=f"{public_url}/ideas/{idea.public_id}",
        )
    db.session.commit()
    return idea


def _brand(product: str | None) -> Brand:
    """The brand whose policy applies: the product's, or the shop's for a shop-wide idea."""
    if product is not None:
        return versions.product_for(live_version(product)).model.brand
    try:
        return current_catalog().brand
    except CatalogNotPublished:
        return Brand(key="shop", label=Localized({"en": "Shop"}), currencies=(), palette={})


def voted_by(ideas: Sequence[Idea], shopper: Shopper | None) -> set[int]:
    """Which of these ideas the shopper has voted for."""
    return votes.voted(Vote.idea_id, [i.id for i in ideas], shopper.id if shopper else None)
