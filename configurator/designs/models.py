"""A saved design pins the product version it was made with."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from configurator.catalog.models import ProductVersion
from configurator.dbtypes import Json, UtcDateTime, public_token, utcnow
from configurator.extensions import db


class Design(db.Model):  # type: ignore[name-defined]
    __tablename__ = "designs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=public_token)
    product_key: Mapped[str] = mapped_column(String(100), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("product_versions.id"), index=True)
    # The whole design (every attribute, in JSON form): what the shopper picked, completed.
    choices: Mapped[dict[str, Any]] = mapped_column(Json)
    remixed_from_id: Mapped[int | None] = mapped_column(ForeignKey("designs.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)
    # The partner whose page saved it (attribution); None on the shop's own storefront.
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"), nullable=True, index=True)
    # The consenting shopper who saved it, so they can export or erase it; None otherwise.
    shopper_id: Mapped[int | None] = mapped_column(
        ForeignKey("shoppers.id", ondelete="SET NULL"), nullable=True, index=True
    )

    version: Mapped[ProductVersion] = relationship()
    remixed_from: Mapped[Design | None] = relationship(remote_side=[id])
