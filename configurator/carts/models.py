"""A cart is reached by its unguessable token; each line pins the design (and so the version) it sells."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from configurator.dbtypes import Json, UtcDateTime, public_token, utcnow
from configurator.designs.models import Design
from configurator.extensions import db


class CartStatus(StrEnum):
    OPEN = "open"
    CHECKED_OUT = "checked_out"  # an order exists; the cart no longer changes


class Cart(db.Model):  # type: ignore[name-defined]
    __tablename__ = "carts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(32), unique=True, default=public_token)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(20), default=CartStatus.OPEN.value, index=True)
    email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # country (ISO 3166 alpha-2), postal_code, city, line1, line2
    address: Mapped[dict[str, Any] | None] = mapped_column(Json, nullable=True)
    # The consenting shopper who filled it, so they can export or erase it; None otherwise.
    shopper_id: Mapped[int | None] = mapped_column(
        ForeignKey("shoppers.id", ondelete="SET NULL"), nullable=True, index=True
    )
    # The partner whose page started it or put a design in it: its order stays the partner's when
    # the shopper pays on the shop's own pages. None for the shop's own carts.
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)

    lines: Mapped[list[CartLine]] = relationship(
        back_populates="cart", order_by="CartLine.id", cascade="all, delete-orphan"
    )


class CartLine(db.Model):  # type: ignore[name-defined]
    __tablename__ = "cart_lines"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cart_id: Mapped[int] = mapped_column(ForeignKey("carts.id", ondelete="CASCADE"), index=True)
    design_id: Mapped[int] = mapped_column(ForeignKey("designs.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    cart: Mapped[Cart] = relationship(back_populates="lines")
    design: Mapped[Design] = relationship()
