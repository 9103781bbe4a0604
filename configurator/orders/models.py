"""An order snapshots its cart: every line's design, version and price lines, and the totals charged."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from configurator.catalog.models import ProductVersion
from configurator.dbtypes import MONEY, Json, UtcDateTime, public_token, utcnow
from configurator.designs.models import Design
from configurator.extensions import db
from configurator.partners.models import Partner


class OrderStatus(StrEnum):
    RESERVED = "reserved"  # a pre-order: the card is saved, charged only if its edition is made
    PENDING = "pending"  # waiting for payment
    PAID = "paid"
    IN_PRODUCTION = "in_production"
    SHIPPED = "shipped"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"


# Each state's timestamp column, set once when the order enters the state.
STATUS_TIMESTAMP = {
    OrderStatus.PAID: "paid_at",
    OrderStatus.IN_PRODUCTION: "in_production_at",
    OrderStatus.SHIPPED: "shipped_at",
    OrderStatus.CANCELLED: "cancelled_at",
    OrderStatus.REFUNDED: "refunded_at",
}


class Order(db.Model):  # type: ignore[name-defined]
    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint(
            "status IN ('reserved', 'pending', 'paid', 'in_production', 'shipped', 'cancelled', 'refunded')",
            name="status_known",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # What the workshop and the shopper quote ("A7K2-9QXD"); not a secret, but not sequential either.
    number: Mapped[str] = mapped_column(String(20), unique=True)
    # The shopper's key to the order: whoever holds it can read the order, nobody else.
    token: Mapped[str] = mapped_column(String(32), unique=True, default=public_token)
    # One order per cart: the checkout call, its retries and the payment webhook cannot make two.
    cart_id: Mapped[int] = mapped_column(ForeignKey("carts.id"), unique=True)
    status: Mapped[str] = mapped_column(String(20), default=OrderStatus.PENDING.value, index=True)
    # Why the order is in its status, for the merchant's list ("Refunded in full before ..."): the
    # note of the change that brought it there.
    status_note: Mapped[str | None] = mapped_column(String(500), nullable=True)
    currency: Mapped[str] = mapped_column(String(3))
    prices_include_tax: Mapped[bool]
    subtotal: Mapped[Decimal] = mapped_column(MONEY)
    shipping: Mapped[Decimal] = mapped_column(MONEY)
    tax: Mapped[Decimal] = mapped_column(MONEY)
    total: Mapped[Decimal] = mapped_column(MONEY)
    # Returned to the shopper so far (a partial refund leaves the order paid).
    refunded: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0), server_default="0")
    # The summary lines shown to the shopper (subtotal, shipping, tax), labelled, as charged.
    summary: Mapped[list[dict[str, Any]]] = mapped_column(Json)
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[dict[str, Any]] = mapped_column(Json)
    payment_provider: Mapped[str] = mapped_column(String(20))
    # The language the shopper checked out in: the order's labels and its e-mails are written in it.
    locale: Mapped[str] = mapped_column(String(16), default="en", server_default="en")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)
    paid_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    in_production_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    shipped_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    refunded_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    # The partner whose page placed it (attribution); None on the shop's own storefront.
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"), nullable=True, index=True)

    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", order_by="OrderLine.id", cascade="all, delete-orphan"
    )
    partner: Mapped[Partner | None] = relationship()


class OrderLine(db.Model):  # type: ignore[name-defined]
    __tablename__ = "order_lines"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    design_id: Mapped[int] = mapped_column(ForeignKey("designs.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("product_versions.id"), index=True)
    product_key: Mapped[str] = mapped_column(String(100), index=True)
    choices: Mapped[dict[str, Any]] = mapped_column(Json)
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[Decimal] = mapped_column(MONEY)
    total: Mapped[Decimal] = mapped_column(MONEY)
    price_lines: Mapped[list[dict[str, Any]]] = mapped_column(Json)
    # What making each unit takes and the day it ships by (`rules.production`), as the product said
    # when the order was placed; None for orders placed before products said it.
    production: Mapped[dict[str, Any] | None] = mapped_column(Json, nullable=True)
    # Made to the shopper's specifications: excluded from the EU right of withdrawal (2011/83/EU,
    # Art. 16(c)), as the shopper was told at checkout.
    personalised: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    order: Mapped[Order] = relationship(back_populates="lines")
    design: Mapped[Design] = relationship()
    version: Mapped[ProductVersion] = relationship()


class OrderEvent(db.Model):  # type: ignore[name-defined]
    """The order's history: every state change, who made it and why."""

    __tablename__ = "order_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    to_status: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(100))  # "shopper", "stripe-webhook", "admin:<token name>"
    note: Mapped[str | None] = mapped_column(String(500), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
