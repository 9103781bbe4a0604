"""Gallery entries, reports, ideas, their followers, and votes.

Everything here belongs to a consenting shopper (`shoppers.id`): erasing the shopper removes their
entries, votes, reports and follows, and takes their name off their ideas (see `privacy`).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from configurator.dbtypes import UtcDateTime, public_token, utcnow
from configurator.designs.models import Design
from configurator.extensions import db

TITLE_LENGTH = 80
NAME_LENGTH = 40
REASON_LENGTH = 300
IDEA_TITLE_LENGTH = 120
IDEA_BODY_LENGTH = 2000


class EntryStatus(StrEnum):
    PENDING = "pending"  # submitted, waiting for the merchant
    PUBLISHED = "published"
    HELD = "held"  # reported by a shopper: hidden until the merchant reviews it
    REJECTED = "rejected"  # never shown; the reason goes to its creator
    UNPUBLISHED = "unpublished"  # taken down by the merchant, or withdrawn by its creator


# What the public may see; everything else only the creator and the merchant.
VISIBLE = (EntryStatus.PUBLISHED,)


class GalleryEntry(db.Model):  # type: ignore[name-defined]
    """A saved design a consenting shopper offered to the gallery, under a title and a display name."""

    __tablename__ = "gallery_entries"
    __table_args__ = (
        CheckConstraint(
            "status IN (" + ", ".join(f"'{s.value}'" for s in EntryStatus) + ")", name="entry_status_known"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=public_token)
    # One entry per design: a design shown twice would split its votes.
    design_id: Mapped[int] = mapped_column(ForeignKey("designs.id", ondelete="CASCADE"), unique=True)
    shopper_id: Mapped[int] = mapped_column(ForeignKey("shoppers.id", ondelete="CASCADE"), index=True)
    product_key: Mapped[str] = mapped_column(String(100), index=True)
    title: Mapped[str] = mapped_column(String(TITLE_LENGTH * 4))
    display_name: Mapped[str] = mapped_column(String(NAME_LENGTH * 4))
    status: Mapped[str] = mapped_column(String(20), default=EntryStatus.PENDING.value, index=True)
    # Why the merchant rejected or unpublished it, for its creator.
    reason: Mapped[str | None] = mapped_column(String(REASON_LENGTH * 4), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True, index=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)

    design: Mapped[Design] = relationship()


class ReportReason(StrEnum):
    OFFENSIVE = "offensive"
    COPYRIGHT = "copyright"
    SPAM = "spam"
    OTHER = "other"


class Report(db.Model):  # type: ignore[name-defined]
    """A shopper's report of a gallery entry; open until the merchant reviews the entry."""

    __tablename__ = "gallery_reports"
    __table_args__ = (UniqueConstraint("entry_id", "shopper_id", name="one_report_per_shopper"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("gallery_entries.id", ondelete="CASCADE"), index=True)
    shopper_id: Mapped[int] = mapped_column(ForeignKey("shoppers.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(String(REASON_LENGTH * 4), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class IdeaStatus(StrEnum):
    OPEN = "open"  # suggested, not looked at yet
    UNDER_REVIEW = "under_review"
    PLANNED = "planned"
    MADE = "made"
    DECLINED = "declined"
    REMOVED = "removed"  # taken off the board by the merchant (abuse, duplicates): never listed


class Idea(db.Model):  # type: ignore[name-defined]
    """A shopper's suggestion of what the shop could make next."""

    __tablename__ = "ideas"
    __table_args__ = (
        CheckConstraint(
            "status IN (" + ", ".join(f"'{s.value}'" for s in IdeaStatus) + ")", name="idea_status_known"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=public_token)
    # None once its author is erased: the idea stays for those who follow it, nameless.
    shopper_id: Mapped[int | None] = mapped_column(
        ForeignKey("shoppers.id", ondelete="SET NULL"), nullable=True, index=True
    )
    display_name: Mapped[str | None] = mapped_column(String(NAME_LENGTH * 4), nullable=True)
    product_key: Mapped[str | None] = mapped_column(String(100), nullable=True, index=True)
    title: Mapped[str] = mapped_column(String(IDEA_TITLE_LENGTH * 4))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=IdeaStatus.OPEN.value, index=True)
    # The merchant's word on the latest status ("in the spring range"), shown and mailed with it.
    status_note: Mapped[str | None] = mapped_column(String(REASON_LENGTH * 4), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)
    status_changed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class IdeaFollower(db.Model):  # type: ignore[name-defined]
    """A consenting shopper who asked to be told by e-mail when the idea's status changes."""

    __tablename__ = "idea_followers"
    __table_args__ = (UniqueConstraint("idea_id", "shopper_id", name="one_follow_per_shopper"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    shopper_id: Mapped[int] = mapped_column(ForeignKey("shoppers.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    locale: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class CampaignKind(StrEnum):
    VOTE = "vote"  # "what should we make next?": shoppers vote for candidates
    EDITION = "edition"  # a limited edition made only if enough shoppers pre-order it


class CampaignStatus(StrEnum):
    OPEN = "open"  # running (or waiting for its opening time)
    CLOSED = "closed"  # a vote that has ended: its results are shown
    SUCCEEDED = "succeeded"  # an edition that reached its threshold: pre-orders charged, made
    FAILED = "failed"  # an edition that missed it: every pre-order released, nobody paid
    CANCELLED = "cancelled"  # called off by the merchant: like a missed edition, nobody pays


class Campaign(db.Model):  # type: ignore[name-defined]
    """A merchant's call to the community, open for a period."""

    __tablename__ = "campaigns"
    __table_args__ = (
        CheckConstraint("kind IN ('vote', 'edition')", name="campaign_kind_known"),
        CheckConstraint(
            "status IN (" + ", ".join(f"'{s.value}'" for s in CampaignStatus) + ")",
            name="campaign_status_known",
        ),
        CheckConstraint("closes_at > opens_at", name="campaign_closes_after_opening"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=public_token)
    kind: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20), default=CampaignStatus.OPEN.value, index=True)
    product_key: Mapped[str] = mapped_column(String(100), index=True)
    title: Mapped[str] = mapped_column(String(IDEA_TITLE_LENGTH * 4))
    description: Mapped[str] = mapped_column(Text, default="")
    opens_at: Mapped[datetime] = mapped_column(UtcDateTime())
    closes_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    # An edition: the design it makes, the gallery entry it came from (its creator is credited), how
    # many pieces must be pre-ordered for it to be made, and how many at most.
    design_id: Mapped[int | None] = mapped_column(ForeignKey("designs.id"), nullable=True)
    entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("gallery_entries.id", ondelete="SET NULL"), nullable=True
    )
    threshold: Mapped[int | None] = mapped_column(Integer, nullable=True)
    max_quantity: Mapped[int | None] = mapped_column(Integer, nullable=True)

    design: Mapped[Design | None] = relationship()


class Candidate(db.Model):  # type: ignore[name-defined]
    """One choice of a vote campaign: a new option for an attribute, or a design."""

    __tablename__ = "campaign_candidates"
    __table_args__ = (
        CheckConstraint(
            "(option_key IS NOT NULL AND attribute IS NOT NULL) OR design_id IS NOT NULL",
            name="candidate_is_an_option_or_a_design",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=public_token)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(TITLE_LENGTH * 4))
    # A new option: the attribute it joins and its key there ("walnut" for "wood").
    attribute: Mapped[str | None] = mapped_column(String(100), nullable=True)
    option_key: Mapped[str | None] = mapped_column(String(100), nullable=True)
    design_id: Mapped[int | None] = mapped_column(ForeignKey("designs.id"), nullable=True)
    # Where the idea came from ("23 shoppers tried walnut with a pedestal base"), for the merchant.
    note: Mapped[str | None] = mapped_column(String(REASON_LENGTH * 4), nullable=True)

    design: Mapped[Design | None] = relationship()


class PreOrderStatus(StrEnum):
    AWAITING_CARD = "awaiting_card"  # the shopper has not finished saving their card
    RESERVED = "reserved"  # card saved; counts toward the threshold; charged only if it is reached
    CHARGING = "charging"  # the edition succeeded: being charged (a retry charges the same payment)
    CHARGED = "charged"
    DECLINED = "declined"  # the saved card was refused: the shopper was asked to pay on the order page
    RELEASED = "released"  # the edition did not happen (or the card was never saved): nobody pays


class PreOrder(db.Model):  # type: ignore[name-defined]
    """A shopper's pre-order of an edition: an order kept `reserved` and the card saved to charge it."""

    __tablename__ = "preorders"
    __table_args__ = (
        CheckConstraint(
            "status IN (" + ", ".join(f"'{s.value}'" for s in PreOrderStatus) + ")",
            name="preorder_status_known",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), unique=True)
    quantity: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default=PreOrderStatus.AWAITING_CARD.value, index=True)
    provider: Mapped[str] = mapped_column(String(20))
    # The provider's saved card: the setup (a Stripe SetupIntent), the customer and the payment method.
    setup_reference: Mapped[str] = mapped_column(String(255), unique=True)
    customer_reference: Mapped[str | None] = mapped_column(String(255), nullable=True)
    payment_method_reference: Mapped[str | None] = mapped_column(String(255), nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(500), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    settled_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class Vote(db.Model):  # type: ignore[name-defined]
    """One shopper's vote for one gallery entry, one idea or one campaign candidate (exactly one).

    `device` is a keyed hash of the network address the vote came from: counts take at most a few
    votes per device and entry, so one machine minting shoppers cannot flood a count."""

    __tablename__ = "votes"
    __table_args__ = (
        CheckConstraint(
            "(CASE WHEN entry_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN idea_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN candidate_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="vote_has_one_subject",
        ),
        UniqueConstraint("entry_id", "shopper_id", name="one_vote_per_entry"),
        UniqueConstraint("idea_id", "shopper_id", name="one_vote_per_idea"),
        UniqueConstraint("candidate_id", "shopper_id", name="one_vote_per_candidate"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shopper_id: Mapped[int] = mapped_column(ForeignKey("shoppers.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("gallery_entries.id", ondelete="CASCADE"), nullable=True, index=True
    )
    idea_id: Mapped[int | None] = mapped_column(
        ForeignKey("ideas.id", ondelete="CASCADE"), nullable=True, index=True
    )
    candidate_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaign_candidates.id", ondelete="CASCADE"), nullable=True, index=True
    )
    device: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)
