"""Production proofs: queued in the transaction that marks an order paid, rendered by
`configurator.proofs.tasks.render_proofs` once it has committed, read back by the admin API.

For each order line the workshop gets a print file per view of the design (a PDF page at the view's
print size plus its bleed, with crop marks; see `rules.preview.printing`) and one summary sheet (PDF)
in the workshop's language: the order number, "line i of n", the product, every choice with its label
and key, texts exactly as they will be cut with their length, font and size, colours with their hex,
the quantity. Files are stored under keys made from the order, the line and the view, and recorded
once per (line, kind, view): running the task again only fills in what is missing. They are
downloaded under names made from ATELIER_PROOF_FILE_NAME (`{order}-{line}-{view}` by default).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from configurator.catalog import versions
from configurator.dbtypes import utcnow
from configurator.designs.services import check_with
from configurator.extensions import db
from configurator.orders.models import Order, OrderLine, OrderStatus
from configurator.orders.services import find_by_number
from configurator.proofs.errors import ProofNotFound
from configurator.proofs.models import Proof, ProofFailure, ProofKind, proof_stem
from configurator.storage import BlobStore
from configurator.uploads.services import upload_bytes
from rules import Product, preview
from rules.errors import RulesError
from rules.model import Value

PNG = "png"  # views of orders paid before print files, kept as they were rendered
PDF = "pdf"
MIMETYPES = {PNG: "image/png", PDF: "application/pdf"}

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Wanted:
    """One file a line needs."""

    kind: ProofKind
    view: str  # "" for the summary sheet
    format: str

    @property
    def file_name(self) -> str:
        return f"{proof_stem(self.kind.value, self.view)}.{self.format}"


def wanted(product: Product) -> list[Wanted]:
    """Every file a line of this product needs: each view's print file (none when the product has no
    views), then the summary sheet."""
    views = [Wanted(ProofKind.VIEW, view.key, PDF) for view in product.model.views]
    return [*views, Wanted(ProofKind.SPEC, "", PDF)]


def blob_key(order_number: str, line_id: int, file_name: str) -> str:
    """Where a proof's bytes live: the same key on every run, so a re-run replaces, never adds."""
    return f"proofs/{order_number}/{line_id}/{file_name}"


def line_facts(order: Order, line: OrderLine, index: int, count: int) -> preview.LineFacts:
    """What the summary sheet says of the line besides its design."""
    version = line.version
    return preview.LineFacts(
        order=order.number,
        line=index,
        lines=count,
        quantity=line.quantity,
        version=f"{version.id} ({version.content_hash[:12]})",
        ships_by=_ships_by(line),
    )


def _ships_by(line: OrderLine) -> date | None:
    """The day the order said the line ships by (orders placed before products said it: none)."""
    said = (line.production or {}).get("ships_by")
    return date.fromisoformat(said) if isinstance(said, str) else None


FILE_NAME_FIELDS = ("order", "line", "line_id", "view", "product")


def download_name(
    template: str, *, order: str, line: int, line_id: int, view: str, product: str, format: str
) -> str:
    """The name a proof is downloaded under: `template` (ATELIER_PROOF_FILE_NAME) filled in, then
    the format's extension; the summary sheet's `{view}` is `spec`.

    >>> download_name("{order}-{line}-{view}", order="B4JW-FJBR", line=2, line_id=12, view="front",
    ...               product="engraved-mug", format="pdf")
    'B4JW-FJBR-2-front.pdf'
    """
    filled = template.format(order=order, line=line, line_id=line_id, view=view, product=product)
    return f"{filled}.{format}"


@dataclass(frozen=True)
class StoredFile:
    proof_id: int
    blob_key: str


@dataclass(frozen=True)
class LineWork:
    """One line loaded for rendering: what it is made of and which proofs it has already."""

    line_id: int
    served: versions.Served
    design: dict[str, Value]
    facts: preview.LineFacts
    paid_at: datetime
    stored: dict[tuple[str, str], StoredFile]


@dataclass
class Outcome:
    """What one run did. `failed` counts files that cannot be made from what the order recorded (a
    missing asset, an unreadable version): trying again would not help, so they are logged."""

    status: str  # done | missing | unpaid | withdrawn
    rendered: list[str] = field(default_factory=list)
    kept: int = 0
    failed: int = 0


def render_order(order_id: int, store: BlobStore) -> Outcome:
    """Render and store every proof the order lacks; commits after each file, so a run cut short
    keeps what it finished. Never writes to the order or its lines."""
    order = db.session.get(Order, order_id, populate_existing=True)
    if order is None:
        return Outcome("missing")
    if order.paid_at is None:
        return Outcome("unpaid")  # nothing is made before the payment
    if order.status not in MADE_STATUSES:
        return Outcome("withdrawn")  # refunded or cancelled since it was paid: nothing to make
    number = order.number
    outcome = Outcome("done")
    work = _load(order, outcome)
    db.session.commit()  # rendering takes a while: no transaction stays open meanwhile
    for item in work:
        for want in wanted(item.served.product):
            stored = item.stored.get((want.kind.value, want.view))
            if stored is not None and store.exists(stored.blob_key):
                outcome.kept += 1
                continue
            try:
                data = _render(item, want)
            except (RulesError, ValueError):
                logger.exception("order %s, line %s: cannot render %s", number, item.line_id, want.file_name)
                outcome.failed += 1
                continue
            key = blob_key(number, item.line_id, want.file_name)
            store.put(key, data)
            _record(item.line_id, want, key, data, stored)
            db.session.commit()
            outcome.rendered.append(key)
    return outcome


def _load(order: Order, outcome: Outcome) -> list[LineWork]:
    lines = list(order.lines)
    stored_rows = db.session.scalars(
        select(Proof).where(Proof.order_line_id.in_([line.id for line in lines]))
    )
    stored: dict[int, dict[tuple[str, str], StoredFile]] = {}
    for proof in stored_rows:
        stored.setdefault(proof.order_line_id, {})[(proof.kind, proof.view)] = StoredFile(
            proof.id, proof.blob_key
        )
    work = []
    for index, line in enumerate(lines, start=1):
        try:
            served = versions.served(line.version)
            design = check_with(served.product, line.choices, line.version).design
        except (RulesError, ValueError):
            logger.exception("order %s, line %s: its product version cannot be read", order.number, line.id)
            outcome.failed += 1
            continue
        facts = line_facts(order, line, index, len(lines))
        assert order.paid_at is not None  # checked by render_order
        work.append(LineWork(line.id, served, design, facts, order.paid_at, stored.get(line.id, {})))
    return work


def _render(item: LineWork, want: Wanted) -> bytes:
    product, assets = item.served.product, item.served.assets
    if want.kind is ProofKind.VIEW:
        facts = item.facts
        return preview.print_file(
            product,
            item.design,
            want.view,
            assets=assets,
            uploads=upload_bytes,
            title=f"{facts.order} · {facts.line}/{facts.lines} · {want.view}",
            created=item.paid_at,
        )
    return preview.summary_sheet(
        product, item.design, item.facts, assets=assets, uploads=upload_bytes, created=item.paid_at
    )


def _record(line_id: int, want: Wanted, key: str, data: bytes, stored: StoredFile | None) -> None:
    digest, size = hashlib.sha256(data).hexdigest(), len(data)
    if stored is not None:
        # Its row was there but its file was lost: the row now describes the file just written (a
        # view rendered as PNG before print files comes back as its print file).
        db.session.execute(
            update(Proof)
            .where(Proof.id == stored.proof_id)
            .values(sha256=digest, byte_size=size, blob_key=key, format=want.format)
        )
        return
    _insert_once(
        order_line_id=line_id,
        kind=want.kind.value,
        view=want.view,
        format=want.format,
        blob_key=key,
        sha256=digest,
        byte_size=size,
    )


def _insert_once(**values: Any) -> None:
    """Insert a proof row unless (line, kind, view) has one: a duplicate cannot fail the statement."""
    row = {"created_at": utcnow(), **values}
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        statement: Any = postgresql.insert(Proof).values(row).on_conflict_do_nothing()
    elif dialect == "sqlite":
        statement = sqlite.insert(Proof).values(row).on_conflict_do_nothing()
    else:  # pragma: no cover - the app runs on PostgreSQL or SQLite
        raise NotImplementedError(f"no insert-once for {dialect}")
    db.session.execute(statement)


# --- reading ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListedProof:
    """A stored proof with the line it belongs to and the name it is downloaded under."""

    proof: Proof
    line_number: int  # 1-based position of the line in its order
    download_name: str


def proofs_of(number: str) -> tuple[Order, list[ListedProof]]:
    """The order with this number and its proofs, by line then views before the summary sheet;
    `OrderNotFound` for an unknown number."""
    order = find_by_number(number)
    lines = {line.id: (index, line) for index, line in enumerate(order.lines, start=1)}
    rows = db.session.scalars(
        select(Proof)
        .where(Proof.order_line_id.in_(lines))
        .order_by(Proof.order_line_id, Proof.kind.desc(), Proof.view)  # a line's views, then its sheet
    )
    listed = []
    for proof in rows:
        index, line = lines[proof.order_line_id]
        listed.append(ListedProof(proof, index, _download_name(order, index, line, proof)))
    return order, listed


def _download_name(order: Order, index: int, line: OrderLine, proof: Proof) -> str:
    return download_name(
        current_app.config["ATELIER_PROOF_FILE_NAME"],
        order=order.number,
        line=index,
        line_id=line.id,
        view=proof_stem(proof.kind, proof.view),
        product=line.product_key,
        format=proof.format,
    )


@dataclass(frozen=True)
class ProofFile:
    """A proof's bytes with what a download needs."""

    data: bytes
    mimetype: str
    sha256: str
    download_name: str


def read(number: str, line_id: int, name: str, store: BlobStore) -> ProofFile:
    """The bytes of proof `name` (`front.pdf`, `spec.pdf`) of a line of the order; `OrderNotFound`
    or `ProofNotFound` otherwise (also when its file is missing or no longer matches its digest)."""
    order = find_by_number(number)
    candidates = db.session.scalars(
        select(Proof)
        .join(OrderLine, OrderLine.id == Proof.order_line_id)
        .where(OrderLine.order_id == order.id, Proof.order_line_id == line_id)
    )
    proof = next((p for p in candidates if p.file_name == name), None)  # a line has a few proofs
    if proof is None:
        raise ProofNotFound(f"Order {order.number} has no proof {name!r} for line {line_id}.")
    data = store.get(proof.blob_key)
    if data is None or hashlib.sha256(data).hexdigest() != proof.sha256:
        logger.error("proof %s of order %s: its file is missing or damaged", proof.blob_key, order.number)
        raise ProofNotFound(
            f"The file of proof {name!r} is missing; render the order's proofs again to restore it."
        )
    index, line = next((i, line) for i, line in enumerate(order.lines, start=1) if line.id == line_id)
    return ProofFile(
        data=data,
        mimetype=MIMETYPES[proof.format],
        sha256=proof.sha256,
        download_name=_download_name(order, index, line, proof),
    )


# Orders worth proofs: paid, and not cancelled or refunded since.
MADE_STATUSES = (OrderStatus.PAID.value, OrderStatus.IN_PRODUCTION.value, OrderStatus.SHIPPED.value)


def orders_missing_proofs(older_than: timedelta, within: timedelta = timedelta(days=7)) -> list[int]:
    """Ids of orders paid between `within` and `older_than` ago with a line that has no summary yet
    (every line gets one): their proofs task was lost, e.g. enqueued while the broker was down. Orders
    whose proofs were given up are left to a person (`give_up`)."""
    now = utcnow()
    has_spec = select(Proof.id).where(Proof.order_line_id == OrderLine.id, Proof.kind == ProofKind.SPEC.value)
    query = (
        select(Order.id)
        .join(OrderLine, OrderLine.order_id == Order.id)
        .where(
            Order.status.in_(MADE_STATUSES),
            Order.paid_at < now - older_than,
            Order.paid_at > now - within,
            ~has_spec.exists(),
            ~select(ProofFailure.order_id).where(ProofFailure.order_id == Order.id).exists(),
        )
        .distinct()
        .order_by(Order.id)
    )
    return list(db.session.scalars(query))


# --- giving up --------------------------------------------------------------------------------------


def give_up(order_id: int, reason: str) -> None:
    """Record that the order's proofs were given up, and why (kept if one is recorded already): its
    rendering kept killing the worker. Commits."""
    row = {"order_id": order_id, "reason": reason[:500], "failed_at": utcnow()}
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        statement: Any = postgresql.insert(ProofFailure).values(row).on_conflict_do_nothing()
    elif dialect == "sqlite":
        statement = sqlite.insert(ProofFailure).values(row).on_conflict_do_nothing()
    else:  # pragma: no cover - the app runs on PostgreSQL or SQLite
        raise NotImplementedError(f"no insert-once for {dialect}")
    db.session.execute(statement)
    db.session.commit()


def try_again(order_id: int) -> str | None:
    """Forget that the order's proofs were given up (a person asks for them again); the reason that was
    recorded, if any."""
    removed = db.session.execute(
        delete(ProofFailure).where(ProofFailure.order_id == order_id).returning(ProofFailure.reason)
    )
    return removed.scalar_one_or_none()
