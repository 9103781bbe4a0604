"""A proof is one file the workshop makes an order line from; its bytes live in the blob store."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from configurator.dbtypes import UtcDateTime, utcnow
from configurator.extensions import db
from configurator.orders.models import OrderLine


class ProofKind(StrEnum):
    VIEW = "view"  # one view of the design: its print file (PDF; a PNG for orders paid before them)
    SPEC = "spec"  # the summary sheet: every choice, texts as cut, fonts, colours, the quantity


SPEC_NAME = "spec"
SPEC_VIEW_NAME = "view-spec"  # a view keyed `spec` is named apart from the summary sheet


def proof_stem(kind: str, view: str) -> str:
    """A proof's name within its line, without its extension: the view's key, or `spec`.

    >>> proof_stem("view", "front"), proof_stem("spec", ""), proof_stem("view", "spec")
    ('front', 'spec', 'view-spec')
    """
    if kind == ProofKind.SPEC.value:
        return SPEC_NAME
    return SPEC_VIEW_NAME if view == SPEC_NAME else view


class Proof(db.Model):  # type: ignore[name-defined]
    __tablename__ = "proofs"
    __table_args__ = (
        # One file per line, kind and view: a re-run or a redelivered task finds it and adds nothing.
        UniqueConstraint("order_line_id", "kind", "view"),
        CheckConstraint("kind IN ('view', 'spec')", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    view: Mapped[str] = mapped_column(String(100), default="")  # "" for the summary sheet
    format: Mapped[str] = mapped_column(String(10))  # png | pdf
    blob_key: Mapped[str] = mapped_column(String(512))
    sha256: Mapped[str] = mapped_column(String(64))
    byte_size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    line: Mapped[OrderLine] = relationship()

    @property
    def file_name(self) -> str:
        """The proof's name within its line: `<view>.pdf` (`<view>.png` before print files), or
        `spec.pdf`."""
        return f"{proof_stem(self.kind, self.view)}.{self.format}"


class ProofFailure(db.Model):  # type: ignore[name-defined]
    """An order whose proofs were given up: every delivery of its rendering task ended with the worker
    dead (configurator.deliveries). The sweep leaves the order alone; `atelier proofs render NUMBER`
    removes the row and tries again."""

    __tablename__ = "proof_failures"

    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True)
    reason: Mapped[str] = mapped_column(String(500))
    failed_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
