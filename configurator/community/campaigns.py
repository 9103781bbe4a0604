"""Campaigns the merchant runs with the community.

- **A vote** ("what should we make next?"): candidates (new options for an attribute, or designs)
  are open to votes for a period; one vote per shopper and candidate, several candidates allowed
  (approval voting). Counts stay hidden while it runs, so early leaders do not draw the rest, and
  the candidates come in a shuffled order. Blocked demand from insights can seed the candidates.
- **A limited edition**: one design offered for a period, with a threshold and a maximum quantity.
  A shopper pre-orders: their order is kept `reserved` and their card saved with the provider
  (nothing is charged). At the deadline, if the reserved quantity reaches the threshold, every
  pre-order is charged off-session and its order goes to production like any paid order; otherwise
  every pre-order is released, its order cancelled and its card forgotten: nobody pays.

Why a saved card rather than an authorisation hold: a card authorisation lapses after about seven
days, and campaigns run for weeks (Cotton Bureau's two, LEGO Ideas' sixty days). A saved card works
for any length. Its cost is that the bank may refuse a charge made in the shopper's absence (a
decline, or a request to authenticate): that pre-order's order then waits for payment like any
pending order, and the shopper is e-mailed a link to pay on its page.

Every money step is idempotent under retries and concurrent closes: the campaign row is locked while
it is decided (one close decides, the others find it decided), each pre-order row is locked while it
moves, and every provider call carries an idempotency key derived from the pre-order or its order.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import func, select

from configurator import events
from configurator.carts import services as carts
from configurator.carts.errors import DesignInvalid
from configurator.catalog import versions
from configurator.catalog.services import live_version
from configurator.community import votes
from configurator.community.errors import CampaignNotFound, CampaignNotOpen, DecisionNotAllowed, EditionFull
from configurator.community.models import (
    Campaign,
    CampaignKind,
    CampaignStatus,
    Candidate,
    GalleryEntry,
    PreOrder,
    PreOrderStatus,
    Vote,
)
from configurator.dbtypes import looks_like_token, utcnow
from configurator.designs import services as designs
from configurator.designs.models import Design
from configurator.errors import FieldError, ValidationFailed
from configurator.extensions import db
from configurator.orders import services as orders
from configurator.orders.models import Order, OrderStatus
from configurator.payments import services as payments
from configurator.payments.base import CardRequest, Declined, PaymentRequest, SavedCard, token_hash
from configurator.payments.errors import PaymentProviderFailed
from configurator.payments.models import Payment
from configurator.preferences.models import Shopper
from configurator.wording import CAMPAIGN_NOT_OPEN, CAMPAIGN_UNKNOWN, DESIGN_BREAKS_RULES, edition_full
from rules.money import to_minor

log = logging.getLogger(__name__)
T = TypeVar("T", Campaign, PreOrder)

# A pre-order whose card was not saved within this time no longer holds its place in the edition.
CARD_WINDOW = timedelta(hours=1)
# Reserved places: pre-orders that count toward the threshold and the maximum.
COUNTED = (PreOrderStatus.RESERVED, PreOrderStatus.CHARGING, PreOrderStatus.CHARGED, PreOrderStatus.DECLINED)
ACTOR = "campaign"


@dataclass(frozen=True)
class CandidateSpec:
    label: str
    attribute: str | None = None
    option: str | None = None
    design: str | None = None  # a design's public id
    note: str | None = None


@dataclass(frozen=True)
class Started:
    """A new pre-order and what the browser needs to save the card."""

    preorder: PreOrder
    order: Order
    card: SavedCard


# --- creating ---------------------------------------------------------------------------------------


def create_vote(
    product: str,
    title: str,
    description: str,
    opens_at: datetime,
    closes_at: datetime,
    candidates: Sequence[CandidateSpec],
) -> Campaign:
    """A vote between candidates: new options of the product (an attribute it has, a key that is
    not one of its options yet) or designs of the product; commits."""
    model = versions.product_for(live_version(product)).model
    errors = _period_errors(opens_at, closes_at)
    if len(candidates) < 2:
        errors.append(FieldError("candidates", "Give at least two candidates."))
    made: list[Candidate] = []
    for index, spec in enumerate(candidates):
        where = f"candidates.{index}"
        if spec.design is not None:
            design = _design(spec.design)
            if design is None or design.product_key != product:
                errors.append(FieldError(f"{where}.design", f"No saved design {spec.design!r} of {product}."))
                continue
            made.append(Candidate(label=spec.label, design_id=design.id, note=spec.note))
            continue
        attribute = model.attribute(spec.attribute or "")
        if attribute is None:
            errors.append(FieldError(f"{where}.attribute", f"{product} has no attribute {spec.attribute!r}."))
            continue
        if not spec.option:
            errors.append(FieldError(f"{where}.option", "Name the new option (its key) or give a design."))
            continue
        made.append(
            Candidate(label=spec.label, attribute=spec.attribute, option_key=spec.option, note=spec.note)
        )
    if errors:
        raise ValidationFailed("; ".join(e.detail for e in errors), errors=errors)
    campaign = Campaign(
        kind=CampaignKind.VOTE.value,
        product_key=product,
        title=title,
        description=description,
        opens_at=opens_at,
        closes_at=closes_at,
    )
    db.session.add(campaign)
    db.session.flush()
    for made_candidate in made:
        made_candidate.campaign_id = campaign.id
    db.session.add_all(made)
    db.session.commit()
    return campaign


def create_edition(
    design_id: str,
    title: str,
    description: str,
    opens_at: datetime,
    closes_at: datetime,
    threshold: int,
    max_quantity: int,
) -> Campaign:
    """A limited edition of a design (a gallery entry's credits its creator); commits."""
    errors = _period_errors(opens_at, closes_at)
    if threshold < 1:
        errors.append(FieldError("threshold", "At least one piece must be pre-ordered."))
    if max_quantity < threshold:
        errors.append(FieldError("max_quantity", "The maximum cannot be below the threshold."))
    design = _design(design_id)
    if design is None:
        errors.append(FieldError("design", f"No saved design {design_id!r}."))
    if errors:
        raise ValidationFailed("; ".join(e.detail for e in errors), errors=errors)
    assert design is not None
    if not designs.check(design.choices, live_version(design.product_key)).valid:
        raise DesignInvalid(DESIGN_BREAKS_RULES)
    entry_id = db.session.scalar(select(GalleryEntry.id).where(GalleryEntry.design_id == design.id))
    campaign = Campaign(
        kind=CampaignKind.EDITION.value,
        product_key=design.product_key,
        title=title,
        description=description,
        opens_at=opens_at,
        closes_at=closes_at,
        design_id=design.id,
        entry_id=entry_id,
        threshold=threshold,
        max_quantity=max_quantity,
    )
    db.session.add(campaign)
    db.session.commit()
    return campaign


def _period_errors(opens_at: datetime, closes_at: datetime) -> list[FieldError]:
    if closes_at <= opens_at:
        return [FieldError("closes_at", "A campaign closes after it opens.")]
    if closes_at <= utcnow():
        return [FieldError("closes_at", "A campaign closes in the future.")]
    return []


def _design(public_id: str) -> Design | None:
    if not looks_like_token(public_id):
        return None
    return db.session.scalar(select(Design).where(Design.public_id == public_id))


# --- reading ----------------------------------------------------------------------------------------


def find(public_id: str) -> Campaign:
    campaign = None
    if looks_like_token(public_id):
        campaign = db.session.scalar(select(Campaign).where(Campaign.public_id == public_id))
    if campaign is None:
        raise CampaignNotFound(CAMPAIGN_UNKNOWN)
    return campaign


def find_by_id(campaign_id: int) -> Campaign:
    found = db.session.get(Campaign, campaign_id)
    if found is None:
        raise CampaignNotFound(CAMPAIGN_UNKNOWN)
    return found


def listing(statuses: Sequence[CampaignStatus], product: str | None) -> list[Campaign]:
    query = select(Campaign).where(Campaign.status.in_([s.value for s in statuses]))
    if product is not None:
        query = query.where(Campaign.product_key == product)
    return list(db.session.scalars(query.order_by(Campaign.closes_at, Campaign.id)).all())


def is_running(campaign: Campaign, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return campaign.status == CampaignStatus.OPEN and campaign.opens_at <= now < campaign.closes_at


def campaign_candidates(
    campaign: Campaign, *, shuffle: bool = False, seed: int | None = None
) -> list[Candidate]:
    """The candidates in their own order, or shuffled (by `seed`, or afresh without one)."""
    query = select(Candidate).where(Candidate.campaign_id == campaign.id)
    order = (votes.shuffled(Candidate.id, seed), Candidate.id) if shuffle else (Candidate.id,)
    return list(db.session.scalars(query.order_by(*order)).all())


def candidate(campaign: Campaign, public_id: str) -> Candidate:
    found = db.session.scalar(
        select(Candidate).where(Candidate.campaign_id == campaign.id, Candidate.public_id == public_id)
    )
    if found is None:
        raise CampaignNotFound(CAMPAIGN_UNKNOWN)
    return found


def results(campaign: Campaign) -> list[tuple[Candidate, int]]:
    """Each candidate with its counted votes, most first."""
    found = campaign_candidates(campaign)
    counts = votes.counts(Vote.candidate_id, [c.id for c in found])
    return sorted(((c, counts[c.id]) for c in found), key=lambda pair: (-pair[1], pair[0].id))


def reserved_quantity(campaign: Campaign) -> int:
    """Pieces pre-ordered with a saved card (and those charged since)."""
    total = db.session.scalar(
        select(func.coalesce(func.sum(PreOrder.quantity), 0)).where(
            PreOrder.campaign_id == campaign.id, PreOrder.status.in_([s.value for s in COUNTED])
        )
    )
    return int(total or 0)


def voted_candidates(campaign: Campaign, shopper: Shopper | None) -> set[int]:
    return votes.voted(
        Vote.candidate_id, [c.id for c in campaign_candidates(campaign)], shopper.id if shopper else None
    )


# --- voting -----------------------------------------------------------------------------------------


def vote(shopper: Shopper, campaign: Campaign, chosen: Candidate, device: str) -> None:
    if campaign.kind != CampaignKind.VOTE or not is_running(campaign):
        raise CampaignNotOpen(CAMPAIGN_NOT_OPEN)
    votes.add(Vote.candidate_id, chosen.id, shopper.id, device)


def unvote(shopper: Shopper, campaign: Campaign, chosen: Candidate) -> None:
    if not is_running(campaign):
        raise CampaignNotOpen(CAMPAIGN_NOT_OPEN)
    votes.withdraw(Vote.candidate_id, chosen.id, shopper.id)


# --- pre-orders -------------------------------------------------------------------------------------


def preorder(
    campaign: Campaign,
    quantity: int,
    currency: str | None,
    contact: Mapping[str, Any],
    locale: str,
) -> Started:
    """Reserve `quantity` pieces of a running edition for this contact: a cart, its order kept
    `reserved`, and a card-saving the browser confirms; commits. Refused when the edition is not
    running (`CampaignNotOpen`) or would pass its maximum (`EditionFull`)."""
    if campaign.kind != CampaignKind.EDITION or not is_running(campaign) or campaign.design is None:
        raise CampaignNotOpen(CAMPAIGN_NOT_OPEN)
    cart = carts.create(currency)
    carts.add_line(cart, campaign.design, quantity, locale)
    carts.set_contact(cart, email=contact["email"], name=contact["name"], address=dict(contact["address"]))
    priced = carts.price(cart)
    carts.ready_for_checkout(priced, locale)
    provider = payments.provider()
    card = provider.save_card(CardRequest(token_hash(cart.token)[:32], contact["email"], priced.currency))
    # Locked while the places are counted, so two last pre-orders cannot both take the last place.
    locked = _lock(campaign.id)
    if not is_running(locked):
        db.session.rollback()
        raise CampaignNotOpen(CAMPAIGN_NOT_OPEN)
    taken = reserved_quantity(locked) + _awaiting_card(locked)
    left = (locked.max_quantity or 0) - taken
    if quantity > left:
        db.session.rollback()
        raise EditionFull(edition_full(max(left, 0)), extensions={"left": max(left, 0)})
    order = orders.create(priced, provider.name, locale, status=OrderStatus.RESERVED)
    made = PreOrder(
        campaign_id=locked.id,
        order_id=order.id,
        quantity=quantity,
        provider=provider.name,
        setup_reference=card.reference,
    )
    db.session.add(made)
    db.session.commit()
    return Started(made, order, card)


def _awaiting_card(campaign: Campaign) -> int:
    since = utcnow() - CARD_WINDOW
    total = db.session.scalar(
        select(func.coalesce(func.sum(PreOrder.quantity), 0)).where(
            PreOrder.campaign_id == campaign.id,
            PreOrder.status == PreOrderStatus.AWAITING_CARD.value,
            PreOrder.created_at >= since,
        )
    )
    return int(total or 0)


def preorder_of(order: Order) -> PreOrder | None:
    return db.session.scalar(select(PreOrder).where(PreOrder.order_id == order.id))


def confirm_card(order_token: str) -> tuple[PreOrder, Order]:
    """The shopper has saved their card: ask the provider (never the browser) and, if it is saved,
    the pre-order holds its place; commits. Asking again changes nothing."""
    order = orders.find_by_token(order_token)
    found = preorder_of(order)
    if found is None:
        raise CampaignNotFound(CAMPAIGN_UNKNOWN)
    if found.status == PreOrderStatus.AWAITING_CARD:
        card = payments.provider().fetch_card(found.setup_reference)
        locked = _lock_preorder(found.id)
        if locked.status == PreOrderStatus.AWAITING_CARD and card.usable:
            locked.status = PreOrderStatus.RESERVED.value
            locked.customer_reference = card.customer
            locked.payment_method_reference = card.payment_method
        db.session.commit()
    return found, order


# --- closing ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Closed:
    campaign: Campaign
    decided: bool  # this call decided the outcome (else it was decided before, or is not due)
    charge: tuple[int, ...] = ()  # pre-orders to charge
    release: tuple[int, ...] = ()  # pre-orders to release


def due(now: datetime | None = None) -> list[int]:
    """Open campaigns whose deadline has passed."""
    now = now or utcnow()
    return list(
        db.session.scalars(
            select(Campaign.id).where(Campaign.status == CampaignStatus.OPEN.value, Campaign.closes_at <= now)
        ).all()
    )


def close(campaign_id: int, *, early: bool = False, cancel: bool = False) -> Closed:
    """Decide a campaign whose deadline has passed (or now, when the merchant closes it `early` or
    `cancel`s it); commits. One caller decides; the others (a retried task, a second worker, the
    merchant's click) find it decided and change nothing. The pre-orders to charge or release are
    returned: the caller settles each (a task per pre-order)."""
    _refresh_waiting_cards(campaign_id)
    campaign = _lock(campaign_id)
    now = utcnow()
    if campaign.status != CampaignStatus.OPEN:
        db.session.commit()
        return Closed(campaign, decided=False)
    if not (early or cancel) and now < campaign.closes_at:
        db.session.commit()
        return Closed(campaign, decided=False)
    campaign.closed_at = now
    if campaign.kind == CampaignKind.VOTE:
        campaign.status = (CampaignStatus.CANCELLED if cancel else CampaignStatus.CLOSED).value
        db.session.commit()
        return Closed(campaign, decided=True)
    reached = not cancel and reserved_quantity(campaign) >= (campaign.threshold or 0)
    campaign.status = (
        CampaignStatus.SUCCEEDED if reached else CampaignStatus.CANCELLED if cancel else CampaignStatus.FAILED
    ).value
    rows = db.session.execute(
        select(PreOrder.id, PreOrder.status).where(PreOrder.campaign_id == campaign.id).order_by(PreOrder.id)
    ).all()
    charge = tuple(i for i, status in rows if reached and status == PreOrderStatus.RESERVED)
    release = tuple(
        i
        for i, status in rows
        if status == PreOrderStatus.AWAITING_CARD or (not reached and status == PreOrderStatus.RESERVED)
    )
    db.session.commit()
    log.info(
        "campaign %s closed %s: %d to charge, %d to release",
        campaign.public_id,
        campaign.status,
        len(charge),
        len(release),
    )
    return Closed(campaign, decided=True, charge=charge, release=release)


def _refresh_waiting_cards(campaign_id: int) -> None:
    """Before deciding, ask the provider about cards still being saved: a shopper who confirmed
    just before the deadline, whose browser never came back, still counts."""
    waiting = db.session.scalars(
        select(PreOrder).where(
            PreOrder.campaign_id == campaign_id, PreOrder.status == PreOrderStatus.AWAITING_CARD.value
        )
    ).all()
    provider = payments.provider()
    for found in waiting:
        try:
            card = provider.fetch_card(found.setup_reference)
        except PaymentProviderFailed:
            continue  # asked again at the next close attempt; without an answer it is released
        if card.usable:
            found.status = PreOrderStatus.RESERVED.value
            found.customer_reference = card.customer
            found.payment_method_reference = card.payment_method
    db.session.commit()


def charge(preorder_id: int) -> PreOrderStatus:
    """Charge a reserved pre-order of a successful edition on its saved card; its order becomes
    pending, then paid (and goes to production) or waits for the shopper to pay. Idempotent: a
    retry (or a concurrent call) charges the same payment, and a settled pre-order is left alone."""
    found = _lock_preorder(preorder_id)
    if found.status not in (PreOrderStatus.RESERVED, PreOrderStatus.CHARGING):
        db.session.commit()
        return PreOrderStatus(found.status)
    order = orders.lock(found.order_id)
    request = PaymentRequest(
        order_id=order.id,
        order_number=order.number,
        amount_minor=to_minor(order.total, order.currency),
        currency=order.currency,
        cart_token_hash=token_hash(order.token),
    )
    if found.status == PreOrderStatus.RESERVED:
        orders.transition(order, OrderStatus.PENDING, ACTOR, note="Edition made: charging the saved card")
        db.session.add(
            Payment(
                order_id=order.id,
                provider=found.provider,
                status="processing",
                amount_minor=request.amount_minor,
                currency=request.currency,
                idempotency_key=request.idempotency_key,
            )
        )
        found.status = PreOrderStatus.CHARGING.value
    db.session.commit()  # the intent to charge is kept before the provider is asked

    card = SavedCard(
        found.setup_reference,
        "succeeded",
        customer=found.customer_reference,
        payment_method=found.payment_method_reference,
    )
    answer = payments.provider().charge_card(request, card)
    current = answer.payment if isinstance(answer, Declined) else answer
    found = _lock_preorder(preorder_id)
    payment = db.session.scalar(select(Payment).where(Payment.order_id == found.order_id).with_for_update())
    assert payment is not None
    payment.reference = current.reference
    payment.client_secret = current.client_secret
    payment.status = current.status
    if found.status == PreOrderStatus.CHARGING:
        found.status = (
            PreOrderStatus.DECLINED if isinstance(answer, Declined) else PreOrderStatus.CHARGED
        ).value
        found.settled_at = utcnow()
        if isinstance(answer, Declined):
            found.last_error = answer.reason[:500]
            declined_order = orders.lock(found.order_id)
            events.preorder_declined.send(declined_order, reason=answer.reason)
    db.session.commit()
    if not isinstance(answer, Declined):
        payments.record(current, ACTOR)  # the order becomes paid: confirmation, proofs, production
    return PreOrderStatus(found.status)


def release(preorder_id: int) -> PreOrderStatus:
    """Release a pre-order of an edition that was not made (or whose card was never saved): its order
    is cancelled, nothing is charged, the card is forgotten; idempotent."""
    found = _lock_preorder(preorder_id)
    if found.status not in (PreOrderStatus.RESERVED, PreOrderStatus.AWAITING_CARD):
        db.session.commit()
        return PreOrderStatus(found.status)
    was_reserved = found.status == PreOrderStatus.RESERVED
    order = orders.lock(found.order_id)
    orders.transition(order, OrderStatus.CANCELLED, ACTOR, note="Edition not made: nothing was charged")
    found.status = PreOrderStatus.RELEASED.value
    found.settled_at = utcnow()
    if was_reserved:
        events.preorder_released.send(order)
    db.session.commit()
    card = SavedCard(
        found.setup_reference,
        "released",
        customer=found.customer_reference,
        payment_method=found.payment_method_reference,
    )
    try:
        payments.provider().forget_card(card)
    except PaymentProviderFailed:
        log.warning("could not forget the card of pre-order %s; nothing can be charged to it by us", found.id)
    return PreOrderStatus.RELEASED


def stale_awaiting_cards(now: datetime | None = None) -> list[int]:
    """Pre-orders whose card was not saved within the window: their places go back to others."""
    since = (now or utcnow()) - CARD_WINDOW
    return list(
        db.session.scalars(
            select(PreOrder.id).where(
                PreOrder.status == PreOrderStatus.AWAITING_CARD.value, PreOrder.created_at < since
            )
        ).all()
    )


def _lock(campaign_id: int) -> Campaign:
    found = _locked(Campaign, campaign_id)
    if found is None:
        raise CampaignNotFound(CAMPAIGN_UNKNOWN)
    return found


def _lock_preorder(preorder_id: int) -> PreOrder:
    found = _locked(PreOrder, preorder_id)
    if found is None:
        raise DecisionNotAllowed(f"No pre-order {preorder_id}.")
    return found


def _locked(model: type[T], row_id: int) -> T | None:
    """The row, locked for the transaction and read afresh (not from the session's identity map)."""
    return db.session.scalar(
        select(model).where(model.id == row_id).with_for_update().execution_options(populate_existing=True)
    )
