"""A pseudonymous shopper, the history of their consent choices, and what they did while consenting."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from configurator.dbtypes import Json, UtcDateTime, public_token, utcnow
from configurator.extensions import db


class Purpose(StrEnum):
    """What a shopper may consent to, each on its own."""

    PREFERENCES = "preferences"  # keep what they configure, to improve the shop
    RECOMMENDATIONS = "recommendations"  # use it to suggest options to them


class EventType(StrEnum):
    PRODUCT_VIEWED = "product_viewed"
    OPTION_PICKED = "option_picked"
    OPTION_REFUSED = "option_refused"  # a rule excluded the option the shopper wanted
    REPAIR_ACCEPTED = "repair_accepted"
    REPAIR_DECLINED = "repair_declined"
    DESIGN_SAVED = "design_saved"
    DESIGN_SHARED = "design_shared"
    DESIGN_REMIXED = "design_remixed"
    ADDED_TO_CART = "added_to_cart"
    ORDERED = "ordered"


# Facts the server witnesses itself; a browser sending one would be forging it.
SERVER_ONLY = frozenset(
    {EventType.DESIGN_SAVED, EventType.DESIGN_REMIXED, EventType.ADDED_TO_CART, EventType.ORDERED}
)
FROM_BROWSER = tuple(t for t in EventType if t not in SERVER_ONLY)


class Shopper(db.Model):  # type: ignore[name-defined]
    """A random token the shopper's browser keeps; nothing about the person goes into it."""

    __tablename__ = "shoppers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(32), unique=True, default=public_token)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    # Erased: the token was replaced by a random one nobody holds; only the consent history remains.
    erased_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class Consent(db.Model):  # type: ignore[name-defined]
    """One consent choice; a change is a new row, so the history shows what was in force when."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shopper_id: Mapped[int] = mapped_column(ForeignKey("shoppers.id", ondelete="CASCADE"), index=True)
    # Purpose -> granted, for every purpose (a purpose not mentioned was not granted).
    purposes: Mapped[dict[str, bool]] = mapped_column(Json)
    # Which text the shopper was shown: a choice means nothing without the words it answered.
    wording_version: Mapped[str] = mapped_column(String(40))
    # The partner whose page asked (its widget or embed page); None on the shop's own pages.
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"), nullable=True)
    given_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    # When this choice stopped being in force (a newer choice, or the shopper's erasure); None: current.
    withdrawn_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class PreferenceEvent(db.Model):  # type: ignore[name-defined]
    """One thing a consenting shopper did, with the product version and partner it happened on."""

    __tablename__ = "preference_events"
    __table_args__ = (
        CheckConstraint(
            "type IN (" + ", ".join(f"'{t.value}'" for t in EventType) + ")",
            name="type_known",
        ),
        CheckConstraint("source IN ('browser', 'server')", name="source_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shopper_id: Mapped[int] = mapped_column(ForeignKey("shoppers.id", ondelete="CASCADE"), index=True)
    type: Mapped[str] = mapped_column(String(20))
    product_key: Mapped[str] = mapped_column(String(100), index=True)
    version_id: Mapped[int | None] = mapped_column(ForeignKey("product_versions.id"), nullable=True)
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"), nullable=True)
    attribute: Mapped[str | None] = mapped_column(String(100), nullable=True)
    option: Mapped[Any] = mapped_column(Json, nullable=True)  # a JSON scalar: the option's key or value
    rule_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    # A refusal's every rule: those of the smallest conflict that excluded the option (`rule_id` is the
    # first); None on events that name no rule, and on refusals kept before this was recorded.
    rules: Mapped[list[str] | None] = mapped_column(Json, nullable=True)
    # A copy, not a foreign key: deleting a design never has to reach into the events about it.
    design_public_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime())
    received_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    source: Mapped[str] = mapped_column(String(10))
