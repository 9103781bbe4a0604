"""A partner and the origins (scheme://host[:port]) whose pages may use its publishable key."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from configurator.dbtypes import UtcDateTime, utcnow
from configurator.extensions import db


class Partner(db.Model):  # type: ignore[name-defined]
    __tablename__ = "partners"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    # Stored as it is: a publishable key is written into partners' pages, so it is no secret to keep
    # from the database; it only has to be unguessable (192 random bits). Unique, hence indexed.
    publishable_key: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    disabled_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)

    origins: Mapped[list[PartnerOrigin]] = relationship(
        back_populates="partner", order_by="PartnerOrigin.origin", cascade="all, delete-orphan"
    )

    @property
    def active(self) -> bool:
        return self.disabled_at is None

    @property
    def origin_list(self) -> list[str]:
        return [o.origin for o in self.origins]


class PartnerOrigin(db.Model):  # type: ignore[name-defined]
    """One origin a partner's pages are served from, in the form browsers send in `Origin`."""

    __tablename__ = "partner_origins"
    __table_args__ = (UniqueConstraint("partner_id", "origin"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"), index=True)
    # Indexed: a CORS preflight carries no key, only its origin, and is answered by looking it up.
    origin: Mapped[str] = mapped_column(String(300), index=True)

    partner: Mapped[Partner] = relationship(back_populates="origins")
