"""The shopper's rights over what the community keeps of them, heard from the preferences domain.

Erasure deletes their gallery entries (with the votes and reports on them), their votes (campaign
votes too), reports and follows; their ideas stay on the board for those who voted for or follow
them, but lose their author (no shopper, no display name). Remixes others made of an erased
shopper's designs stop crediting them, since the credit is read from published entries. Pre-orders
are orders, kept for accounting like every order (see the preferences domain); a design a campaign
makes or puts to the vote is kept for it, no longer linked to the shopper.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, update

from configurator.community.models import Campaign, Candidate, GalleryEntry, Idea, IdeaFollower, Report, Vote
from configurator.designs.models import Design
from configurator.extensions import db
from configurator.preferences.models import Shopper


def erase(shopper: Shopper) -> None:
    """On `events.shopper_erasing`: within the erasure's transaction."""
    for model in (Vote, Report, IdeaFollower):
        db.session.execute(delete(model).where(model.shopper_id == shopper.id))
    entry_ids = select(GalleryEntry.id).where(GalleryEntry.shopper_id == shopper.id)
    db.session.execute(delete(Vote).where(Vote.entry_id.in_(entry_ids)))
    db.session.execute(delete(Report).where(Report.entry_id.in_(entry_ids)))
    db.session.execute(delete(GalleryEntry).where(GalleryEntry.shopper_id == shopper.id))
    db.session.execute(
        update(Idea).where(Idea.shopper_id == shopper.id).values(shopper_id=None, display_name=None)
    )
    # A design a campaign makes or puts to the vote is the merchant's now: kept, no longer the shopper's
    # (the preferences domain then leaves it in place).
    offered = (
        select(Campaign.design_id)
        .where(Campaign.design_id.is_not(None))
        .union(select(Candidate.design_id).where(Candidate.design_id.is_not(None)))
    )
    db.session.execute(
        update(Design)
        .where(Design.shopper_id == shopper.id, Design.id.in_(offered))
        .values(shopper_id=None)
        .execution_options(synchronize_session=False)
    )


def export(shopper: Shopper) -> dict[str, list[dict[str, Any]]]:
    """On `events.shopper_exporting`: the shopper's entries, votes, reports, ideas and follows."""
    entries = db.session.scalars(
        select(GalleryEntry).where(GalleryEntry.shopper_id == shopper.id).order_by(GalleryEntry.id)
    ).all()
    votes = db.session.execute(
        select(Vote.created_at, GalleryEntry.public_id, Idea.public_id, Campaign.public_id, Candidate.label)
        .outerjoin(GalleryEntry, GalleryEntry.id == Vote.entry_id)
        .outerjoin(Idea, Idea.id == Vote.idea_id)
        .outerjoin(Candidate, Candidate.id == Vote.candidate_id)
        .outerjoin(Campaign, Campaign.id == Candidate.campaign_id)
        .where(Vote.shopper_id == shopper.id)
        .order_by(Vote.id)
    ).all()
    reports = db.session.execute(
        select(Report, GalleryEntry.public_id)
        .join(GalleryEntry, GalleryEntry.id == Report.entry_id)
        .where(Report.shopper_id == shopper.id)
        .order_by(Report.id)
    ).all()
    ideas = db.session.scalars(select(Idea).where(Idea.shopper_id == shopper.id).order_by(Idea.id)).all()
    follows = db.session.execute(
        select(IdeaFollower, Idea.public_id)
        .join(Idea, Idea.id == IdeaFollower.idea_id)
        .where(IdeaFollower.shopper_id == shopper.id)
        .order_by(IdeaFollower.id)
    ).all()
    return {
        "gallery_entries": [
            {
                "id": e.public_id,
                "design": e.design.public_id,
                "title": e.title,
                "display_name": e.display_name,
                "status": e.status,
                "created_at": e.created_at,
            }
            for e in entries
        ],
        "votes": [
            {
                "gallery_entry": entry,
                "idea": idea,
                "campaign": campaign,
                "candidate": candidate,
                "created_at": created,
            }
            for created, entry, idea, campaign, candidate in votes
        ],
        "reports": [
            {"gallery_entry": entry, "reason": r.reason, "note": r.note, "created_at": r.created_at}
            for r, entry in reports
        ],
        "ideas": [
            {
                "id": i.public_id,
                "title": i.title,
                "body": i.body,
                "display_name": i.display_name,
                "product": i.product_key,
                "status": i.status,
                "created_at": i.created_at,
            }
            for i in ideas
        ],
        "idea_follows": [
            {"idea": idea, "email": f.email, "locale": f.locale, "created_at": f.created_at}
            for f, idea in follows
        ],
    }
