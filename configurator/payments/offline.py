"""The embedded demo's provider: test payments that move no money and need no card.

A payment is created waiting for confirmation; the shopper's "complete" call is that confirmation, so
fetching it answers `succeeded`. Production refuses this provider (see `configurator.config`).
"""

from __future__ import annotations

from configurator.payments.base import (
    REQUIRES_CONFIRMATION,
    SUCCEEDED,
    CardRequest,
    Declined,
    PaymentRequest,
    ProviderPayment,
    SavedCard,
)

NAME = "offline"
REFERENCE_PREFIX = "offline_test_"
CARD_PREFIX = "offline_card_"


class OfflineProvider:
    """Test payments, marked as such in their reference and in every API answer."""

    name = NAME
    test = True
    publishable_key: str | None = None

    def create(self, request: PaymentRequest) -> ProviderPayment:
        """A test payment whose reference is derived from the idempotency key: asking again gives the
        same one."""
        return ProviderPayment(
            reference=REFERENCE_PREFIX + request.idempotency_key.removeprefix("atelier-"),
            status=REQUIRES_CONFIRMATION,
            amount_minor=request.amount_minor,
            currency=request.currency,
        )

    def fetch(self, reference: str) -> ProviderPayment:
        """Always succeeded. The provider keeps no state: the amount and currency are read back from
        the reference, which holds the idempotency key they were created with."""
        if not reference.startswith(REFERENCE_PREFIX):
            raise ValueError(f"{reference!r} is not an offline test payment")
        _, amount, currency = reference.rsplit("-", 2)
        return ProviderPayment(
            reference=reference, status=SUCCEEDED, amount_minor=int(amount), currency=currency.upper()
        )

    def save_card(self, request: CardRequest) -> SavedCard:
        """A test card, waiting for the shopper's confirmation (the pre-order's "complete" call)."""
        return SavedCard(
            reference=CARD_PREFIX + request.idempotency_key.removeprefix("atelier-"),
            status=REQUIRES_CONFIRMATION,
        )

    def fetch_card(self, reference: str) -> SavedCard:
        """Always saved: confirming is asking."""
        if not reference.startswith(CARD_PREFIX):
            raise ValueError(f"{reference!r} is not an offline test card")
        return SavedCard(reference, SUCCEEDED, customer="offline", payment_method=reference)

    def charge_card(self, request: PaymentRequest, card: SavedCard) -> ProviderPayment | Declined:
        """A test payment, already succeeded: nobody is there to confirm it."""
        made = self.create(request)
        return ProviderPayment(made.reference, SUCCEEDED, made.amount_minor, made.currency)

    def forget_card(self, card: SavedCard) -> None:
        """Nothing is kept, so nothing to forget."""
