"""An option off sale: live data beside the published versions, read on every change of the live rules."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from configurator.dbtypes import Json, UtcDateTime, utcnow
from configurator.extensions import db

SOLD_OUT = "sold_out"
PAUSED = "paused"


class OptionAvailability(db.Model):  # type: ignore[name-defined]
    """One option of a product that shoppers cannot choose for now; the row goes when it is back.

    A paused option has `until`: from that moment it is back by itself, whether or not the row stays.
    """

    __tablename__ = "option_availability"
    __table_args__ = (UniqueConstraint("product_key", "attribute_key", "option_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_key: Mapped[str] = mapped_column(String(100))
    attribute_key: Mapped[str] = mapped_column(String(100))
    option_key: Mapped[str] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(16))  # SOLD_OUT or PAUSED
    until: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    message: Mapped[dict[str, Any] | None] = mapped_column(Json, nullable=True)  # locale -> text
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)
    changed_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
