"""Published rule sets: immutable versions of the brand and of each product, keyed by content hash."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from configurator.dbtypes import Json, UtcDateTime, utcnow
from configurator.extensions import db


class BrandVersion(db.Model):  # type: ignore[name-defined]
    """The brand file as published: palette, limits, shipping and tax, shared by its product versions."""

    __tablename__ = "brand_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    brand_key: Mapped[str] = mapped_column(String(100))
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    source: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class ProductVersion(db.Model):  # type: ignore[name-defined]
    """One product's rules as published; designs, cart lines and orders point at the one they used."""

    __tablename__ = "product_versions"
    __table_args__ = (UniqueConstraint("product_key", "content_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_key: Mapped[str] = mapped_column(String(100), index=True)
    # Hash of the brand and product sources together: the same text publishes to the same version.
    content_hash: Mapped[str] = mapped_column(String(64))
    brand_version_id: Mapped[int] = mapped_column(ForeignKey("brand_versions.id"))
    # The product file and the CSV tables it names: file name -> text. Deferred, like the assets and
    # the compiled state: read once per process when the version is compiled, never on the many
    # queries that only need to know which version is live.
    sources: Mapped[dict[str, Any]] = mapped_column(Json, deferred=True)
    # The preview assets its views read: path relative to the catalog folder -> sha256 of an AssetBlob.
    assets: Mapped[dict[str, str]] = mapped_column(Json, default=dict, deferred=True)
    # The compiled engine state, so a worker serves a version without compiling it again.
    compiled: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True, deferred=True)
    design_count: Mapped[str] = mapped_column(String(80))  # exact, possibly beyond 64 bits
    published_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    # The live version of a product is the one activated last: publishing an older source again
    # (a rollback) reactivates its version instead of copying it.
    activated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)

    brand_version: Mapped[BrandVersion] = relationship()


class AssetBlob(db.Model):  # type: ignore[name-defined]
    """A preview asset's bytes, stored once however many versions use it."""

    __tablename__ = "asset_blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(Integer)
