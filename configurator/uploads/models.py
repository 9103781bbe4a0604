"""An upload is a re-encoded shopper photo; its bytes live in the blob store under `blob_key`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from configurator.dbtypes import UtcDateTime, public_token, utcnow
from configurator.extensions import db

EXTENSIONS = {"png": "png", "jpeg": "jpg"}


class Upload(db.Model):  # type: ignore[name-defined]
    __tablename__ = "uploads"

    # The id is the only thing needed to fetch the photo: unguessable, never sequential.
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=public_token)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    format: Mapped[str] = mapped_column(String(8))  # png | jpeg: what was stored, not what was sent
    byte_size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))  # of the stored bytes; the strong ETag
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)

    @property
    def blob_key(self) -> str:
        return f"uploads/{self.id}.{EXTENSIONS[self.format]}"

    @property
    def mimetype(self) -> str:
        return f"image/{self.format}"
