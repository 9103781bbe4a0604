"""Recording what shoppers do, only while they consent, and honouring their rights over it.

- A shopper is a random token issued here and kept in their browser; it is never derived from who
  they are. Whoever holds it exercises the shopper's rights (export, erasure): it is the only key there
  is, since the shop does not know the person behind it.
- A consent choice is a new row each time; the previous one is closed, never rewritten.
- Events are kept only while the current choice grants `preferences`. Browsers send what only they
  see (views, picks, refusals, repairs, shares); saves, remixes, carts and orders are recorded here, by
  the services that make them, so they cannot be forged.
- Erasure deletes the events and the designs, and forgets open carts; orders (and the designs and
  carts they point to) are kept for accounting, unlinked from the shopper. The consent history is kept
  as proof of what was asked and answered, under a fresh random token nobody holds.
- A choice made on a partner's page (its widget or embed page) names the partner, like the events.
- Recommendations learn from the designs of shoppers whose choice in force grants `preferences` (their
  choices improve the shop for everyone); a withdrawal or an erasure takes them out at once.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update

from configurator import events
from configurator.carts.models import Cart, CartLine, CartStatus
from configurator.catalog import versions
from configurator.catalog.models import ProductVersion
from configurator.dbtypes import looks_like_token, public_token, utcnow
from configurator.designs.models import Design
from configurator.errors import FieldError, ValidationFailed
from configurator.extensions import db
from configurator.orders.models import Order, OrderLine
from configurator.preferences.errors import ServerOnlyEvent, ShopperNotFound
from configurator.preferences.models import (
    SERVER_ONLY,
    Consent,
    EventType,
    PreferenceEvent,
    Purpose,
    Shopper,
)
from configurator.requester import current_partner_id, current_shopper_token
from rules.money import round_money

logger = logging.getLogger(__name__)

# Browser clocks drift and batches wait in the page: older or future times are taken as "on receipt".
MAX_EVENT_AGE = timedelta(days=1)
NO_CONSENT = "no consent"


@dataclass(frozen=True)
class Ingested:
    stored: int
    reason: str | None = None


def create_shopper() -> Shopper:
    """A new pseudonymous shopper; commits."""
    shopper = Shopper()
    db.session.add(shopper)
    db.session.commit()
    return shopper


def find(token: str) -> Shopper:
    """The shopper holding this token, or `ShopperNotFound` (the same answer for any wrong token)."""
    shopper: Shopper | None = None
    if looks_like_token(token):
        shopper = db.session.scalar(select(Shopper).where(Shopper.token == token))
    if shopper is None or shopper.erased_at is not None:
        raise ShopperNotFound("No shopper has this id.")
    return shopper


def current_consent(shopper: Shopper) -> Consent | None:
    """The choice in force, or None when the shopper has not chosen yet."""
    return db.session.scalar(
        select(Consent)
        .where(Consent.shopper_id == shopper.id, Consent.withdrawn_at.is_(None))
        .order_by(Consent.given_at.desc(), Consent.id.desc())
        .limit(1)
    )


def grants(consent: Consent | None, purpose: Purpose) -> bool:
    return consent is not None and consent.purposes.get(purpose.value) is True


def set_consent(shopper: Shopper, purposes: Mapping[str, bool], wording_version: str) -> Consent:
    """Record a choice as a new row, closing the one in force, with the partner whose page asked (None
    on the shop's own pages); commits. Purposes left out are refused."""
    now = utcnow()
    db.session.execute(
        update(Consent)
        .where(Consent.shopper_id == shopper.id, Consent.withdrawn_at.is_(None))
        .values(withdrawn_at=now)
    )
    consent = Consent(
        shopper_id=shopper.id,
        purposes={p.value: bool(purposes.get(p.value, False)) for p in Purpose},
        wording_version=wording_version,
        partner_id=current_partner_id(),
        given_at=now,
    )
    db.session.add(consent)
    db.session.commit()
    return consent


def consenting_shopper(purpose: Purpose = Purpose.PREFERENCES) -> Shopper | None:
    """The request's shopper if their choice in force grants `purpose`; else None."""
    token = current_shopper_token()
    if token is None:
        return None
    shopper = db.session.scalar(select(Shopper).where(Shopper.token == token))
    if shopper is None or shopper.erased_at is not None:
        return None
    return shopper if grants(current_consent(shopper), purpose) else None


# --- events -----------------------------------------------------------------------------------------


def ingest(shopper: Shopper, events: Sequence[Mapping[str, Any]]) -> Ingested:
    """Keep a browser's batch if the shopper consents (all of it, or nothing); commits.

    Refused with 422, before anything is kept: server-only types and unknown products or attributes.
    The version and the partner are the server's (the live version now, the request's key)."""
    refused = [
        FieldError(f"events.{i}.type", "Recorded by the server only; browsers may not send it.")
        for i, event in enumerate(events)
        if event["type"] in SERVER_ONLY
    ]
    if refused:
        raise ServerOnlyEvent("Saves, remixes, carts and orders are recorded by the server.", errors=refused)
    live = versions.live_versions()
    errors: list[FieldError] = []
    for index, event in enumerate(events):
        version = live.get(event["product"])
        if version is None:
            errors.append(FieldError(f"events.{index}.product", "No such product in this catalog."))
        elif event.get("attribute") is not None:
            if versions.product_for(version).model.attribute(event["attribute"]) is None:
                errors.append(FieldError(f"events.{index}.attribute", "This product has no such attribute."))
    if errors:
        raise ValidationFailed("; ".join(f"{e.field}: {e.detail}" for e in errors), errors=errors)
    if not grants(current_consent(shopper), Purpose.PREFERENCES):
        return Ingested(0, NO_CONSENT)
    now = utcnow()
    partner_id = current_partner_id()
    for event in events:
        db.session.add(
            PreferenceEvent(
                shopper_id=shopper.id,
                type=event["type"],
                product_key=event["product"],
                version_id=live[event["product"]].id,
                partner_id=partner_id,
                attribute=event.get("attribute"),
                option=event.get("option"),
                rule_id=event.get("rule") or next(iter(event.get("rules") or []), None),
                rules=event.get("rules") or ([event["rule"]] if event.get("rule") else None),
                design_public_id=event.get("design"),
                occurred_at=_plausible(event.get("occurred_at"), now),
                received_at=now,
                source="browser",
            )
        )
    db.session.commit()
    return Ingested(len(events))


def _plausible(occurred: datetime | None, now: datetime) -> datetime:
    if occurred is None:
        return now
    try:
        if now - MAX_EVENT_AGE <= occurred <= now:
            return occurred.astimezone(now.tzinfo)
    except OverflowError:  # an offset pushing a far date out of range
        pass
    return now


def _server_event(shopper_id: int, type: EventType, **fields: Any) -> None:
    now = utcnow()
    db.session.add(
        PreferenceEvent(
            shopper_id=shopper_id,
            type=type.value,
            occurred_at=now,
            received_at=now,
            source="server",
            **fields,
        )
    )


def claim_design(design: Design) -> None:
    """On `events.design_saved`: a consenting shopper's design is theirs to export and erase, and its
    saving (or remixing) is one of their events (flushed, not committed: the saver's commit keeps all)."""
    shopper = consenting_shopper()
    if shopper is None:
        return
    design.shopper_id = shopper.id
    _server_event(
        shopper.id,
        EventType.DESIGN_REMIXED if design.remixed_from_id is not None else EventType.DESIGN_SAVED,
        product_key=design.product_key,
        version_id=design.version_id,
        partner_id=design.partner_id,
        design_public_id=design.public_id,
    )


def claim_cart(cart: Cart) -> None:
    """On `events.cart_opened`: a cart a consenting shopper opens is theirs."""
    shopper = consenting_shopper()
    if shopper is not None:
        cart.shopper_id = shopper.id


def record_added_to_cart(line: CartLine) -> None:
    """On `events.cart_line_added`: a design went into a consenting shopper's cart (which becomes
    theirs if they opened it before consenting); not committed, the caller's commit keeps both."""
    shopper = consenting_shopper()
    if shopper is None:
        return
    if line.cart.shopper_id is None:
        line.cart.shopper_id = shopper.id
    _server_event(
        shopper.id,
        EventType.ADDED_TO_CART,
        product_key=line.design.product_key,
        version_id=line.design.version_id,
        partner_id=current_partner_id(),
        design_public_id=line.design.public_id,
    )


def record_order(order: Order) -> None:
    """On `events.order_paid`: one `ordered` event per line, if the cart's shopper consents at payment.

    Runs inside the payment's transaction, in a savepoint: a failure here is logged and never undoes
    the payment."""
    try:
        with db.session.begin_nested():
            cart = db.session.get(Cart, order.cart_id)
            shopper = db.session.get(Shopper, cart.shopper_id) if cart and cart.shopper_id else None
            if shopper is None or shopper.erased_at is not None:
                return
            if not grants(current_consent(shopper), Purpose.PREFERENCES):
                return
            for line in order.lines:
                _server_event(
                    shopper.id,
                    EventType.ORDERED,
                    product_key=line.product_key,
                    version_id=line.version_id,
                    partner_id=order.partner_id,
                    design_public_id=line.design.public_id if line.design is not None else None,
                )
            db.session.flush()
    except Exception:
        logger.exception("order %s: its preference events were not recorded", order.number)


# --- what recommendations learn from ---------------------------------------------------------------


def consented_designs(product_key: str) -> list[tuple[ProductVersion, dict[str, Any]]]:
    """The product's saved designs recommendations may learn from, as (version, stored choices).

    Only designs of shoppers whose choice in force grants `preferences` ("improve this shop with my
    choices": learning from them serves every shopper, not only them). One per shopper, their latest, so
    nobody outweighs others by saving often; designs an order points to are left out, since the order
    already speaks for them. Erased shoppers' designs are deleted or unlinked, so never found here."""
    rows = db.session.execute(
        select(Design.shopper_id, Design.choices, ProductVersion)
        .join(ProductVersion, ProductVersion.id == Design.version_id)
        .join(Shopper, Shopper.id == Design.shopper_id)
        .where(
            Design.product_key == product_key,
            Shopper.erased_at.is_(None),
            Design.id.not_in(select(OrderLine.design_id)),
        )
        .order_by(Design.created_at.desc(), Design.id.desc())
    ).all()
    if not rows:
        return []
    shopper_ids = {shopper_id for shopper_id, _, _ in rows}
    in_force = db.session.scalars(
        select(Consent)
        .where(Consent.shopper_id.in_(shopper_ids), Consent.withdrawn_at.is_(None))
        .order_by(Consent.given_at, Consent.id)
    ).all()
    current = {consent.shopper_id: consent for consent in in_force}  # the latest wins
    consenting = {i for i in shopper_ids if grants(current.get(i), Purpose.PREFERENCES)}
    found: list[tuple[ProductVersion, dict[str, Any]]] = []
    for shopper_id, choices, version in rows:
        if shopper_id in consenting:
            consenting.discard(shopper_id)  # rows come newest first: the rest are older designs
            found.append((version, choices))
    return found


def consented_designs_stamp(product_key: str) -> tuple[int, int, int]:
    """What `consented_designs` depends on, in one indexed query: the number and the last id of the
    product's designs linked to a shopper, and the last consent choice of those shoppers. A new design
    raises the last id, an erasure unlinks or deletes designs, a withdrawal is a new choice: each
    changes the stamp, so a cache keyed by it never keeps what a shopper took back."""
    linked = select(Design.shopper_id).where(
        Design.product_key == product_key, Design.shopper_id.is_not(None)
    )
    row = db.session.execute(
        select(
            select(func.count(Design.id))
            .where(Design.product_key == product_key, Design.shopper_id.is_not(None))
            .scalar_subquery(),
            select(func.coalesce(func.max(Design.id), 0))
            .where(Design.product_key == product_key, Design.shopper_id.is_not(None))
            .scalar_subquery(),
            select(func.coalesce(func.max(Consent.id), 0))
            .where(Consent.shopper_id.in_(linked))
            .scalar_subquery(),
        )
    ).one()
    return int(row[0]), int(row[1]), int(row[2])


# --- the shopper's rights ---------------------------------------------------------------------------


def export(shopper: Shopper) -> dict[str, Any]:
    """Everything kept about the shopper: consent history, events, designs, carts and their orders."""
    consents = db.session.scalars(
        select(Consent).where(Consent.shopper_id == shopper.id).order_by(Consent.given_at, Consent.id)
    ).all()
    kept_events = db.session.scalars(
        select(PreferenceEvent)
        .where(PreferenceEvent.shopper_id == shopper.id)
        .order_by(PreferenceEvent.occurred_at, PreferenceEvent.id)
    ).all()
    designs = db.session.scalars(
        select(Design).where(Design.shopper_id == shopper.id).order_by(Design.created_at, Design.id)
    ).all()
    carts = db.session.scalars(
        select(Cart).where(Cart.shopper_id == shopper.id).order_by(Cart.created_at, Cart.id)
    ).all()
    orders = db.session.scalars(
        select(Order).where(Order.cart_id.in_([c.id for c in carts])).order_by(Order.created_at, Order.id)
    ).all()
    # What other domains keep of the shopper (gallery entries, votes, ideas...), by section.
    kept_elsewhere: dict[str, Any] = {}
    for _receiver, sections in events.shopper_exporting.send(shopper):
        kept_elsewhere.update(sections)
    return {
        "shopper": {"id": shopper.token, "created_at": shopper.created_at},
        "consents": [
            {
                "purposes": c.purposes,
                "wording_version": c.wording_version,
                "partner": c.partner_id,
                "given_at": c.given_at,
                "withdrawn_at": c.withdrawn_at,
            }
            for c in consents
        ],
        "events": [
            {
                "type": e.type,
                "product": e.product_key,
                "version": e.version_id,
                "partner": e.partner_id,
                "attribute": e.attribute,
                "option": e.option,
                "rule": e.rule_id,
                "rules": e.rules,
                "design": e.design_public_id,
                "occurred_at": e.occurred_at,
                "received_at": e.received_at,
                "source": e.source,
            }
            for e in kept_events
        ],
        "designs": [
            {
                "id": d.public_id,
                "product": d.product_key,
                "version": d.version_id,
                "choices": d.choices,
                "created_at": d.created_at,
            }
            for d in designs
        ],
        "carts": [
            {
                "id": c.token,
                "status": c.status,
                "currency": c.currency,
                "created_at": c.created_at,
                "contact": {"email": c.email, "name": c.name, "address": c.address},
                "lines": [{"design": line.design.public_id, "quantity": line.quantity} for line in c.lines],
            }
            for c in carts
        ],
        "orders": [
            {
                "number": o.number,
                "status": o.status,
                "created_at": o.created_at,
                "currency": o.currency,
                "total": round_money(o.total, o.currency),
                "contact": {"email": o.email, "name": o.name, "address": o.address},
                "lines": [
                    {"product": line.product_key, "choices": line.choices, "quantity": line.quantity}
                    for line in o.lines
                ],
            }
            for o in orders
        ],
        **kept_elsewhere,
    }


def erase(shopper: Shopper) -> None:
    """Delete the shopper's events, designs and open carts; unlink what orders keep; commits.

    The consent history stays as proof, closed, under a new random token: the old id then finds
    nothing (404), and nobody can reach the history through it. Other domains erase what they keep
    first (`shopper_erasing`), in this transaction, while the designs they point to still exist."""
    events.shopper_erasing.send(shopper)
    now = utcnow()
    db.session.execute(delete(PreferenceEvent).where(PreferenceEvent.shopper_id == shopper.id))
    carts = db.session.scalars(select(Cart).where(Cart.shopper_id == shopper.id)).all()
    ordered_carts = set(
        db.session.scalars(select(Order.cart_id).where(Order.cart_id.in_([c.id for c in carts]))).all()
    )
    for cart in carts:
        if cart.id in ordered_carts or cart.status != CartStatus.OPEN:
            cart.shopper_id = None  # an order's cart: kept with the order, no longer the shopper's
        else:
            db.session.delete(cart)
    db.session.flush()
    design_ids = db.session.scalars(select(Design.id).where(Design.shopper_id == shopper.id)).all()
    # Designs in someone's cart or in an order are part of those records: kept, unlinked.
    kept = set(db.session.scalars(select(CartLine.design_id).where(CartLine.design_id.in_(design_ids))).all())
    kept |= set(
        db.session.scalars(select(OrderLine.design_id).where(OrderLine.design_id.in_(design_ids))).all()
    )
    deleted = [i for i in design_ids if i not in kept]
    if kept:
        db.session.execute(update(Design).where(Design.id.in_(kept)).values(shopper_id=None))
    if deleted:
        # Remixes made by others stay theirs; they only forget which design they came from.
        db.session.execute(
            update(Design).where(Design.remixed_from_id.in_(deleted)).values(remixed_from_id=None)
        )
        db.session.execute(delete(Design).where(Design.id.in_(deleted)))
    db.session.execute(
        update(Consent)
        .where(Consent.shopper_id == shopper.id, Consent.withdrawn_at.is_(None))
        .values(withdrawn_at=now)
    )
    shopper.token = public_token()
    shopper.erased_at = now
    db.session.commit()
