"""One payment per order, and every provider event seen (so each is processed once)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from configurator.dbtypes import UtcDateTime, utcnow
from configurator.extensions import db


class Payment(db.Model):  # type: ignore[name-defined]
    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Exactly one payment (one PaymentIntent) per order.
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), unique=True)
    provider: Mapped[str] = mapped_column(String(20))
    reference: Mapped[str | None] = mapped_column(String(255), unique=True, nullable=True)
    client_secret: Mapped[str | None] = mapped_column(String(255), nullable=True)
    status: Mapped[str] = mapped_column(String(40))  # the provider's own status word
    amount_minor: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    idempotency_key: Mapped[str] = mapped_column(String(100), unique=True)
    # Returned to the payer so far, as the provider last reported it; never decreases.
    amount_refunded_minor: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # When the shopper's return last asked the provider: a repeated return within a few seconds is
    # answered from this row instead of asking again.
    checked_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)


class ProviderEvent(db.Model):  # type: ignore[name-defined]
    """A webhook event already received: a redelivery of the same id does nothing."""

    __tablename__ = "provider_events"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    provider: Mapped[str] = mapped_column(String(20))
    type: Mapped[str] = mapped_column(String(100))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
