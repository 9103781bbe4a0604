"""The one interface a payment provider implements, and the plain values that cross it.

A provider knows nothing of orders or the database: it is given what to charge and answers with what
the provider holds. `configurator.payments.services` stores the answers and moves orders.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Protocol

# Status words shared by both providers (Stripe's PaymentIntent statuses; the offline provider uses the
# same words so the rest of the app reads one vocabulary).
SUCCEEDED = "succeeded"
CANCELED = "canceled"
REQUIRES_PAYMENT_METHOD = "requires_payment_method"
REQUIRES_CONFIRMATION = "requires_confirmation"
# Ours, not a PaymentIntent status: the charge behind a succeeded payment was refunded in full.
REFUNDED = "refunded"


def token_hash(token: str) -> str:
    """A stable fingerprint of a shopper's token, safe to hand to a provider (the token itself is a key)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class PaymentRequest:
    """What to charge for one order: the amount in the currency's minor units (JPY has none)."""

    order_id: int
    order_number: str
    amount_minor: int
    currency: str  # ISO 4217, upper case
    cart_token_hash: str

    @property
    def idempotency_key(self) -> str:
        """The same order, amount and currency always give the same key, so a retried create returns
        the payment already made; a changed amount gets a new key and so a new payment.

        The random order number is part of it because order ids restart when a database is recreated,
        while the provider remembers keys for a day.

        >>> PaymentRequest(7, "A7K2-9QXD", 1400, "EUR", "ab").idempotency_key
        'atelier-order-7-A7K2-9QXD-1400-eur'
        """
        return (
            f"atelier-order-{self.order_id}-{self.order_number}-{self.amount_minor}-{self.currency.lower()}"
        )


@dataclass(frozen=True)
class ProviderPayment:
    """A payment as the provider holds it now."""

    reference: str
    status: str
    amount_minor: int
    currency: str  # ISO 4217, upper case
    client_secret: str | None = None
    # Returned to the payer so far. A refund leaves the payment `succeeded` (Stripe's model: the
    # PaymentIntent keeps its status, its charge carries the refunded amount).
    amount_refunded_minor: int = 0

    @property
    def succeeded(self) -> bool:
        return self.status == SUCCEEDED

    @property
    def refunded_in_full(self) -> bool:
        """Whether all the money taken was returned.

        >>> ProviderPayment("pi_1", SUCCEEDED, 1400, "EUR", amount_refunded_minor=1400).refunded_in_full
        True
        >>> ProviderPayment("pi_1", SUCCEEDED, 1400, "EUR", amount_refunded_minor=400).refunded_in_full
        False
        """
        return self.succeeded and self.amount_minor > 0 and self.amount_refunded_minor >= self.amount_minor


@dataclass(frozen=True)
class WebhookEvent:
    """The parts of a verified provider event that are used; what it is about is fetched again, never
    taken from the event."""

    id: str
    type: str
    object_id: str


@dataclass(frozen=True)
class CardRequest:
    """Save a shopper's card for a pre-order, to charge later without them (off-session)."""

    preorder_key: str  # stable per pre-order: the idempotency keys derive from it
    email: str
    currency: str  # ISO 4217, upper case

    @property
    def idempotency_key(self) -> str:
        return f"atelier-preorder-{self.preorder_key}-setup"


@dataclass(frozen=True)
class SavedCard:
    """A card-saving (a Stripe SetupIntent) as the provider holds it now."""

    reference: str
    status: str  # SUCCEEDED once the shopper has confirmed it
    client_secret: str | None = None
    customer: str | None = None
    payment_method: str | None = None

    @property
    def usable(self) -> bool:
        return self.status == SUCCEEDED and self.payment_method is not None


@dataclass(frozen=True)
class Declined:
    """An off-session charge the bank refused (or wants the shopper present for): the payment as it
    stands, which the shopper can still complete on the order page with its client secret."""

    payment: ProviderPayment
    reason: str


class PaymentProvider(Protocol):
    """Creates the one payment of an order, and tells its current status."""

    name: str
    # The payments it takes move no money (the offline provider, Stripe's test mode).
    test: bool
    # What a browser needs to show the provider's payment form, if anything.
    publishable_key: str | None

    def create(self, request: PaymentRequest) -> ProviderPayment:
        """Create the payment, idempotently: the same request always answers the same payment."""
        ...

    def fetch(self, reference: str) -> ProviderPayment:
        """The payment's current status, asked of the provider (never taken from a client)."""
        ...

    # Pre-orders: the card is saved now and charged only if the edition is made, however long the
    # campaign runs (an authorisation hold would lapse after about seven days).

    def save_card(self, request: CardRequest) -> SavedCard:
        """Start saving the shopper's card, idempotently; the browser confirms it."""
        ...

    def fetch_card(self, reference: str) -> SavedCard:
        """The card-saving as the provider holds it now."""
        ...

    def charge_card(self, request: PaymentRequest, card: SavedCard) -> ProviderPayment | Declined:
        """Charge a saved card without the shopper, idempotently (the request's key): the payment, or
        `Declined` when the bank refuses."""
        ...

    def forget_card(self, card: SavedCard) -> None:
        """Make the saved card unusable by the shop (nothing can be charged to it any more)."""
        ...
