"""What the community did around one product, for the merchant's insights: the gallery, votes, ideas
and campaigns, read live (these tables are small next to the events the daily counts summarise).

Votes are counted as everywhere else (a few per device at most); vote days are UTC days.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select

from configurator.community import campaigns, votes
from configurator.community.models import (
    Campaign,
    CampaignKind,
    Candidate,
    EntryStatus,
    GalleryEntry,
    Idea,
    Vote,
)
from configurator.extensions import db
from configurator.insights import compute

TOP = 5


@dataclass(frozen=True)
class Ranked:
    id: str
    title: str
    by: str | None
    votes: int  # in the window
    status: str


@dataclass(frozen=True)
class CampaignSummary:
    id: str
    kind: str
    title: str
    status: str
    closes_at: datetime
    votes: int  # a vote's, in all
    leader: str | None  # a vote's leading candidate
    reserved: int | None  # an edition's pieces pre-ordered
    threshold: int | None


@dataclass(frozen=True)
class Community:
    entries: dict[str, int]  # gallery entries by status
    ideas: dict[str, int]  # ideas by status
    votes: compute.Trend  # votes per day for the product's entries, ideas and candidates
    top_entries: list[Ranked] = field(default_factory=list)
    top_ideas: list[Ranked] = field(default_factory=list)
    campaigns: list[CampaignSummary] = field(default_factory=list)


def community(product_key: str, window: list[date]) -> Community:
    start = _midnight(window[0])
    return Community(
        entries={
            str(status): int(n)
            for status, n in db.session.execute(
                select(GalleryEntry.status, func.count())
                .where(GalleryEntry.product_key == product_key)
                .group_by(GalleryEntry.status)
            )
        },
        ideas={
            str(status): int(n)
            for status, n in db.session.execute(
                select(Idea.status, func.count()).where(Idea.product_key == product_key).group_by(Idea.status)
            )
        },
        votes=_vote_trend(product_key, window),
        top_entries=_top_entries(product_key, start),
        top_ideas=_top_ideas(product_key, start),
        campaigns=_campaigns(product_key),
    )


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def _vote_trend(product_key: str, window: list[date]) -> compute.Trend:
    previous_first = window[0] - timedelta(days=len(window))
    per_day: dict[date, int] = {}
    subjects = (
        (Vote.entry_id, select(GalleryEntry.id).where(GalleryEntry.product_key == product_key)),
        (Vote.idea_id, select(Idea.id).where(Idea.product_key == product_key)),
        (
            Vote.candidate_id,
            select(Candidate.id)
            .join(Campaign, Campaign.id == Candidate.campaign_id)
            .where(Campaign.product_key == product_key),
        ),
    )
    for column, ids in subjects:
        found = db.session.execute(
            select(Vote.created_at).where(
                column.in_(ids),
                Vote.created_at >= _midnight(previous_first),
                Vote.created_at < _midnight(window[-1] + timedelta(days=1)),
            )
        ).scalars()
        for created in found:
            day = created.astimezone(UTC).date()
            per_day[day] = per_day.get(day, 0) + 1
    points = compute.series(per_day, window)
    previous = sum(n for day, n in per_day.items() if day < window[0])
    return compute.Trend("votes", points, sum(n for _d, n in points), previous)


def _top_entries(product_key: str, start: datetime) -> list[Ranked]:
    """The most voted published entries by their votes since `start`."""
    totals = votes.counted(Vote.entry_id, start)
    rows = db.session.execute(
        select(GalleryEntry, func.coalesce(totals.c.votes, 0))
        .outerjoin(totals, totals.c.subject_id == GalleryEntry.id)
        .where(GalleryEntry.product_key == product_key, GalleryEntry.status == EntryStatus.PUBLISHED.value)
        .order_by(func.coalesce(totals.c.votes, 0).desc(), GalleryEntry.id)
        .limit(TOP)
    ).all()
    return [Ranked(e.public_id, e.title, e.display_name, int(n), e.status) for e, n in rows]


def _top_ideas(product_key: str, start: datetime) -> list[Ranked]:
    totals = votes.counted(Vote.idea_id, start)
    rows = db.session.execute(
        select(Idea, func.coalesce(totals.c.votes, 0))
        .outerjoin(totals, totals.c.subject_id == Idea.id)
        .where(Idea.product_key == product_key, Idea.status != "removed")
        .order_by(func.coalesce(totals.c.votes, 0).desc(), Idea.id)
        .limit(TOP)
    ).all()
    return [Ranked(i.public_id, i.title, i.display_name, int(n), i.status) for i, n in rows]


def _campaigns(product_key: str) -> list[CampaignSummary]:
    found = []
    for campaign in db.session.scalars(
        select(Campaign)
        .where(Campaign.product_key == product_key)
        .order_by(Campaign.closes_at.desc())
        .limit(20)
    ):
        ranked = campaigns.results(campaign)  # most votes first
        leader = ranked[0] if ranked and ranked[0][1] else None
        reserved = campaigns.reserved_quantity(campaign) if campaign.kind == CampaignKind.EDITION else None
        found.append(
            CampaignSummary(
                campaign.public_id,
                campaign.kind,
                campaign.title,
                campaign.status,
                campaign.closes_at,
                sum(n for _candidate, n in ranked),
                leader[0].label if leader is not None else None,
                reserved,
                campaign.threshold,
            )
        )
    return found
