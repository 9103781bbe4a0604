"""Production proofs: queued in the transaction that marks an order paid, rendered by
`configurator.proofs.tasks.render_proofs` once it has committed, read back by the admin API.

For each order line the workshop gets every view of the design at the view's own size (PNG) and one
spec sheet (PDF): the order number, "line i of n", the product, every choice with its label, texts
exactly as they will be cut with their font, colours with their hex. Files are stored under keys made
from the order, the line and the view, and recorded once per (line, kind, view): running the task
again only fills in what is missing.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, false, select, update
from sqlalchemy.dialects import postgresql, sqlite

from configurator.catalog import versions
from configurator.dbtypes import utcnow
from configurator.designs.services import check_with
from configurator.extensions import db
from configurator.orders.models import Order, OrderLine, OrderStatus
from configurator.orders.services import find_by_number
from configurator.proofs.errors import ProofNotFound
from configurator.proofs.models import Proof, ProofFailure, ProofKind
from configurator.storage import BlobStore
from configurator.uploads.services import upload_bytes
from rules import Product, preview
from rules.errors import RulesError
from rules.model import Value

PNG = "png"
PDF = "pdf"
MIMETYPES = {PNG: "image/png", PDF: "application/pdf"}
SPEC_NAME = "spec"
LOCALE = "en"  # the workshop's language

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Wanted:
    """One file a line needs."""

    kind: ProofKind
    view: str  # "" for the spec sheet
    format: str

    @property
    def file_name(self) -> str:
        return f"{self.view or SPEC_NAME}.{self.format}"


def wanted(product: Product) -> list[Wanted]:
    """Every file a line of this product needs: each view (none when the product has no views), then
    the spec sheet."""
    views = [Wanted(ProofKind.VIEW, view.key, PNG) for view in product.model.views]
    return [*views, Wanted(ProofKind.SPEC, "", PDF)]


def blob_key(order_number: str, line_id: int, file_name: str) -> str:
    """Where a proof's bytes live: the same key on every run, so a re-run replaces, never adds."""
    return f"proofs/{order_number}/{line_id}/{file_name}"


def order_info(order: Order, line: OrderLine, index: int, count: int, label: str) -> dict[str, str]:
    """What the spec sheet prints above the choices, in this order."""
    version = line.version
    return {
        "Order": order.number,
        "Line": f"{index} of {count}",
        "Product": f"{label} [{line.product_key}]",
        "Quantity": str(line.quantity),
        "Rules": f"version {version.id} ({version.content_hash[:12]})",
    }


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
    info: dict[str, str]
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
        info = order_info(order, line, index, len(lines), served.product.model.label.get(LOCALE))
        work.append(LineWork(line.id, served, design, info, stored.get(line.id, {})))
    return work


def _render(item: LineWork, want: Wanted) -> bytes:
    model, assets = item.served.product.model, item.served.assets
    if want.kind is ProofKind.VIEW:
        return preview.render(
            model, item.design, want.view, "production", PNG, assets=assets, uploads=upload_bytes
        )
    return preview.spec_sheet(model, item.design, item.info, fmt=want.format, locale=LOCALE, assets=assets)


def _record(line_id: int, want: Wanted, key: str, data: bytes, stored: StoredFile | None) -> None:
    digest, size = hashlib.sha256(data).hexdigest(), len(data)
    if stored is not None:
        # Its row was there but its file was lost: the row now describes the file just written.
        db.session.execute(
            update(Proof)
            .where(Proof.id == stored.proof_id)
            .values(sha256=digest, byte_size=size, blob_key=key)
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
    """A stored proof with the line it belongs to."""

    proof: Proof
    line_number: int  # 1-based position of the line in its order


def proofs_of(number: str) -> tuple[Order, list[ListedProof]]:
    """The order with this number and its proofs, by line then views before the spec sheet;
    `OrderNotFound` for an unknown number."""
    order = find_by_number(number)
    positions = {line.id: index for index, line in enumerate(order.lines, start=1)}
    rows = db.session.scalars(
        select(Proof)
        .where(Proof.order_line_id.in_(positions))
        .order_by(Proof.order_line_id, Proof.kind.desc(), Proof.view)  # a line's views, then its spec
    )
    return order, [ListedProof(proof, positions[proof.order_line_id]) for proof in rows]


@dataclass(frozen=True)
class ProofFile:
    """A proof's bytes with what a download needs."""

    data: bytes
    mimetype: str
    sha256: str
    download_name: str


def read(number: str, line_id: int, name: str, store: BlobStore) -> ProofFile:
    """The bytes of proof `name` (`front.png`, `spec.pdf`) of a line of the order; `OrderNotFound`
    or `ProofNotFound` otherwise (also when its file is missing or no longer matches its digest)."""
    order = find_by_number(number)
    proof = db.session.scalar(
        select(Proof)
        .join(OrderLine, OrderLine.id == Proof.order_line_id)
        .where(OrderLine.order_id == order.id, Proof.order_line_id == line_id)
        .where(*_name_conditions(name))
    )
    if proof is None:
        raise ProofNotFound(f"Order {order.number} has no proof {name!r} for line {line_id}.")
    data = store.get(proof.blob_key)
    if data is None or hashlib.sha256(data).hexdigest() != proof.sha256:
        logger.error("proof %s of order %s: its file is missing or damaged", proof.blob_key, order.number)
        raise ProofNotFound(
            f"The file of proof {name!r} is missing; render the order's proofs again to restore it."
        )
    return ProofFile(
        data=data,
        mimetype=MIMETYPES[proof.format],
        sha256=proof.sha256,
        download_name=f"{order.number}-{line_id}-{proof.file_name}",
    )


def _name_conditions(name: str) -> list[Any]:
    stem, dot, extension = name.rpartition(".")
    if not dot or extension not in MIMETYPES or not stem:
        return [false()]  # no proof has a name like that
    if stem == SPEC_NAME and extension == PDF:
        return [Proof.kind == ProofKind.SPEC.value]
    return [Proof.kind == ProofKind.VIEW.value, Proof.view == stem, Proof.format == extension]


# Orders worth proofs: paid, and not cancelled or refunded since.
MADE_STATUSES = (OrderStatus.PAID.value, OrderStatus.IN_PRODUCTION.value, OrderStatus.SHIPPED.value)


def orders_missing_proofs(older_than: timedelta, within: timedelta = timedelta(days=7)) -> list[int]:
    """Ids of orders paid between `within` and `older_than` ago with a line that has no spec sheet yet
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
