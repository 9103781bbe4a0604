"""The gallery: consenting shoppers publish saved designs, the merchant moderates, everyone browses
and votes, and a remix credits the designs it came from.

An entry's life:

    pending --approve--> published --report--> held --approve--> published
       |                     |                   |
       +--reject--> rejected +--unpublish-->     +--reject / unpublish--> rejected / unpublished
                                 unpublished --approve--> published

Only published entries are shown to anyone but their creator and the merchant. A creator withdrawing
an entry deletes it (with its votes and reports): it is theirs to take back. One report holds an
entry until the merchant looks at it; a shopper reports an entry once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import Select, func, select, update

from configurator.carts.errors import DesignInvalid
from configurator.catalog import versions
from configurator.catalog.services import live_version
from configurator.community import votes
from configurator.community.errors import (
    AlreadyInGallery,
    ConsentRequired,
    DecisionNotAllowed,
    EntryNotFound,
    NotYourDesign,
)
from configurator.community.models import (
    NAME_LENGTH,
    REASON_LENGTH,
    TITLE_LENGTH,
    EntryStatus,
    GalleryEntry,
    Report,
    ReportReason,
    Vote,
)
from configurator.community.policy import require_fit
from configurator.dbtypes import looks_like_token, utcnow
from configurator.designs import services as designs
from configurator.designs.models import Design
from configurator.extensions import db
from configurator.paging import Page, paginate
from configurator.preferences.models import Shopper
from configurator.wording import (
    ALREADY_IN_GALLERY,
    CONSENT_NEEDED,
    DESIGN_BREAKS_RULES,
    ENTRY_UNKNOWN,
    NOT_YOUR_DESIGN,
)
from rules.model import Brand, TextLimits

TITLE_LIMITS = TextLimits(max_length=TITLE_LENGTH)
NAME_LIMITS = TextLimits(max_length=NAME_LENGTH)
NOTE_LIMITS = TextLimits(max_length=REASON_LENGTH, max_lines=10)
# How far back a credit chain is followed: remixes of remixes rarely go deeper, and a bound keeps a
# design page to a few queries whatever the history.
MAX_CREDIT_DEPTH = 20


class Sort(StrEnum):
    TOP = "top"  # most votes
    NEW = "new"  # most recently published
    TRENDING = "trending"  # most votes in the last week
    SHUFFLED = "shuffled"  # a random order (voting views: no entry profits from its place)


class Decision(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    UNPUBLISH = "unpublish"


ALLOWED: dict[Decision, frozenset[EntryStatus]] = {
    Decision.APPROVE: frozenset({EntryStatus.PENDING, EntryStatus.HELD, EntryStatus.UNPUBLISHED}),
    Decision.REJECT: frozenset({EntryStatus.PENDING, EntryStatus.HELD}),
    Decision.UNPUBLISH: frozenset({EntryStatus.PUBLISHED, EntryStatus.HELD}),
}
AFTER: dict[Decision, EntryStatus] = {
    Decision.APPROVE: EntryStatus.PUBLISHED,
    Decision.REJECT: EntryStatus.REJECTED,
    Decision.UNPUBLISH: EntryStatus.UNPUBLISHED,
}


@dataclass(frozen=True)
class Credit:
    """A published design in a remix's history: whose it is and where to see it."""

    display_name: str
    entry: str  # the entry's public id
    design: str  # the design's public id
    role: str  # "creator" (the first) or "remixer"


def require_shopper(shopper: Shopper | None) -> Shopper:
    """The consenting shopper, or `ConsentRequired`: community data is kept only with consent."""
    if shopper is None:
        raise ConsentRequired(CONSENT_NEEDED)
    return shopper


# --- the shopper's side ----------------------------------------------------------------------------


def publish(shopper: Shopper, design: Design, title: str, display_name: str, locale: str) -> GalleryEntry:
    """Offer one of the shopper's designs to the gallery, waiting for the merchant; commits."""
    if design.shopper_id != shopper.id:
        raise NotYourDesign(NOT_YOUR_DESIGN)
    live = designs.check(design.choices, live_version(design.product_key))
    if not live.valid:
        raise DesignInvalid(DESIGN_BREAKS_RULES)
    title, display_name = title.strip(), display_name.strip()
    require_fit(
        {"title": (title, TITLE_LIMITS), "display_name": (display_name, NAME_LIMITS)},
        live.product.model.brand,
        locale,
    )
    if db.session.scalar(select(GalleryEntry.id).where(GalleryEntry.design_id == design.id)) is not None:
        raise AlreadyInGallery(ALREADY_IN_GALLERY)
    entry = GalleryEntry(
        design_id=design.id,
        shopper_id=shopper.id,
        product_key=design.product_key,
        title=title,
        display_name=display_name,
    )
    db.session.add(entry)
    db.session.commit()
    return entry


def find(public_id: str, viewer: Shopper | None = None) -> GalleryEntry:
    """A published entry, or any entry of the viewer's own; `EntryNotFound` otherwise (the same
    answer whether it does not exist or is hidden)."""
    entry = find_any(public_id)
    if not (entry.status == EntryStatus.PUBLISHED or (viewer is not None and entry.shopper_id == viewer.id)):
        raise EntryNotFound(ENTRY_UNKNOWN)
    return entry


def withdraw(shopper: Shopper, entry: GalleryEntry) -> None:
    """The creator takes their entry back: deleted, with its votes and reports; commits."""
    if entry.shopper_id != shopper.id:
        raise EntryNotFound(ENTRY_UNKNOWN)
    db.session.delete(entry)
    db.session.commit()


def vote(shopper: Shopper, entry: GalleryEntry, device: str) -> None:
    if entry.status != EntryStatus.PUBLISHED:
        raise EntryNotFound(ENTRY_UNKNOWN)
    votes.add(Vote.entry_id, entry.id, shopper.id, device)


def unvote(shopper: Shopper, entry: GalleryEntry) -> None:
    votes.withdraw(Vote.entry_id, entry.id, shopper.id)


def report(
    shopper: Shopper, entry: GalleryEntry, reason: ReportReason, note: str | None, locale: str
) -> None:
    """Keep the shopper's report (once) and hold a published entry until the merchant reviews it;
    commits. The creator cannot hide their own entry this way (nothing happens)."""
    if entry.shopper_id == shopper.id:
        return
    if note:
        note = note.strip()
        require_fit({"note": (note, NOTE_LIMITS)}, _brand(entry), locale)
    already = db.session.scalar(
        select(Report.id).where(Report.entry_id == entry.id, Report.shopper_id == shopper.id)
    )
    if already is not None:
        return
    db.session.add(Report(entry_id=entry.id, shopper_id=shopper.id, reason=reason.value, note=note or None))
    db.session.execute(
        update(GalleryEntry)
        .where(GalleryEntry.id == entry.id, GalleryEntry.status == EntryStatus.PUBLISHED.value)
        .values(status=EntryStatus.HELD.value)
    )
    db.session.commit()


def listing(
    product: str | None, sort: Sort, page: int, page_size: int, seed: int | None = None
) -> Page[GalleryEntry]:
    """One page of published entries, in `sort` order (`seed` fixes a shuffled order across pages)."""
    query = select(GalleryEntry).where(GalleryEntry.status == EntryStatus.PUBLISHED.value)
    if product is not None:
        query = query.where(GalleryEntry.product_key == product)
    return paginate(_ordered(query, sort, seed), page, page_size)


def mine(shopper: Shopper) -> list[GalleryEntry]:
    """Every entry of the shopper's, whatever its status, newest first."""
    return list(
        db.session.scalars(
            select(GalleryEntry)
            .where(GalleryEntry.shopper_id == shopper.id)
            .order_by(GalleryEntry.created_at.desc(), GalleryEntry.id.desc())
        ).all()
    )


def vote_counts(entries: Sequence[GalleryEntry]) -> dict[int, int]:
    """Counted votes of these entries (0 for none)."""
    return votes.counts(Vote.entry_id, [item.id for item in entries])


def _ordered(query: Select[tuple[GalleryEntry]], sort: Sort, seed: int | None) -> Select[tuple[GalleryEntry]]:
    newest = (GalleryEntry.published_at.desc(), GalleryEntry.id.desc())
    if sort is Sort.NEW:
        return query.order_by(*newest)
    if sort is Sort.SHUFFLED:
        return query.order_by(votes.shuffled(GalleryEntry.id, seed), GalleryEntry.id)
    totals = votes.counted(Vote.entry_id, votes.trending_since() if sort is Sort.TRENDING else None)
    query = query.outerjoin(totals, totals.c.subject_id == GalleryEntry.id)
    if sort is Sort.TRENDING:
        everything = votes.counted(Vote.entry_id).alias("all_votes")
        query = query.outerjoin(everything, everything.c.subject_id == GalleryEntry.id)
        return query.order_by(
            func.coalesce(totals.c.votes, 0).desc(), func.coalesce(everything.c.votes, 0).desc(), *newest
        )
    return query.order_by(func.coalesce(totals.c.votes, 0).desc(), *newest)


# --- credit -----------------------------------------------------------------------------------------


def credits(design: Design) -> list[Credit]:
    """Who a design owes: the published designs of its remix history (itself included), the first
    one's creator first. Unpublished and private designs in between are passed over, so a remixer who
    never published is not named, and an erased or withdrawn creator no longer is."""
    chain: list[Design] = []
    current: Design | None = design
    while current is not None and len(chain) < MAX_CREDIT_DEPTH and current not in chain:
        chain.append(current)
        current = current.remixed_from
    by_design = {
        e.design_id: e
        for e in db.session.scalars(
            select(GalleryEntry).where(
                GalleryEntry.design_id.in_([d.id for d in chain]),
                GalleryEntry.status == EntryStatus.PUBLISHED.value,
            )
        )
    }
    published = [(d, by_design[d.id]) for d in reversed(chain) if d.id in by_design]
    return [
        Credit(entry.display_name, entry.public_id, d.public_id, "creator" if i == 0 else "remixer")
        for i, (d, entry) in enumerate(published)
    ]


# --- the merchant's side ----------------------------------------------------------------------------


def queue(
    statuses: Sequence[EntryStatus], product: str | None, page: int, page_size: int
) -> Page[GalleryEntry]:
    """Entries in these statuses, oldest first (the order the merchant should look at them)."""
    query = select(GalleryEntry).where(GalleryEntry.status.in_([s.value for s in statuses]))
    if product is not None:
        query = query.where(GalleryEntry.product_key == product)
    return paginate(query.order_by(GalleryEntry.created_at, GalleryEntry.id), page, page_size)


def find_any(public_id: str) -> GalleryEntry:
    """Any entry, whatever its status (the merchant's view)."""
    entry = None
    if looks_like_token(public_id):
        entry = db.session.scalar(select(GalleryEntry).where(GalleryEntry.public_id == public_id))
    if entry is None:
        raise EntryNotFound(ENTRY_UNKNOWN)
    return entry


def open_reports(entry: GalleryEntry) -> list[Report]:
    return list(
        db.session.scalars(
            select(Report)
            .where(Report.entry_id == entry.id, Report.resolved_at.is_(None))
            .order_by(Report.id)
        ).all()
    )


def decide(entry_id: int, decision: Decision, reason: str | None) -> GalleryEntry:
    """Apply the merchant's decision under a row lock (two moderators deciding at once see each
    other's decision); open reports are resolved by any decision; commits."""
    entry = db.session.scalar(select(GalleryEntry).where(GalleryEntry.id == entry_id).with_for_update())
    if entry is None:
        raise EntryNotFound(ENTRY_UNKNOWN)
    if EntryStatus(entry.status) not in ALLOWED[decision]:
        raise DecisionNotAllowed(
            f"A {entry.status} entry cannot be given '{decision.value}'.",
            extensions={"status": entry.status, "allowed": sorted(d.value for d in _allowed(entry))},
        )
    now = utcnow()
    entry.status = AFTER[decision].value
    entry.reason = reason if decision is not Decision.APPROVE else None
    entry.reviewed_at = now
    if decision is Decision.APPROVE and entry.published_at is None:
        entry.published_at = now
    db.session.execute(
        update(Report)
        .where(Report.entry_id == entry.id, Report.resolved_at.is_(None))
        .values(resolved_at=now)
    )
    db.session.commit()
    return entry


def _allowed(entry: GalleryEntry) -> list[Decision]:
    return [d for d, sources in ALLOWED.items() if EntryStatus(entry.status) in sources]


def allowed_decisions(entry: GalleryEntry) -> list[str]:
    return [d.value for d in _allowed(entry)]


def _brand(entry: GalleryEntry) -> Brand:
    return versions.product_for(entry.design.version).model.brand


def voted_by(entries: Sequence[GalleryEntry], shopper: Shopper | None) -> set[int]:
    """Which of these entries the shopper has voted for."""
    return votes.voted(Vote.entry_id, [e.id for e in entries], shopper.id if shopper else None)
