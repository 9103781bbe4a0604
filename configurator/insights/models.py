"""Daily counts, one row per (day, product, partner, metric and its subject); rebuilt a day at a time."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from configurator.dbtypes import UtcDateTime
from configurator.extensions import db

NO_PARTNER = 0  # the shop's own storefront: a key column cannot be NULL
NONE = ""  # an unused subject column (a product-wide metric has no attribute, a pick no rule)


class InsightCount(db.Model):  # type: ignore[name-defined]
    """A count for one day. Windows are sums of days, so every metric stored here must add up."""

    __tablename__ = "insight_counts"
    __table_args__ = (Index("ix_insight_counts_product_day", "product_key", "day"),)

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    product_key: Mapped[str] = mapped_column(String(100), primary_key=True)
    partner_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    attribute: Mapped[str] = mapped_column(String(100), primary_key=True)
    option: Mapped[str] = mapped_column(String(100), primary_key=True)
    other_attribute: Mapped[str] = mapped_column(String(100), primary_key=True)
    other_option: Mapped[str] = mapped_column(String(100), primary_key=True)
    rule_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)


class InsightDay(db.Model):  # type: ignore[name-defined]
    """When a day's counts were last rebuilt: readers say how fresh the numbers are."""

    __tablename__ = "insight_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    counted_at: Mapped[datetime] = mapped_column(UtcDateTime)
