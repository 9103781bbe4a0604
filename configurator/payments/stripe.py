"""Stripe: PaymentIntents for orders, and the webhook that reports what happened to them.

The only module that imports the `stripe` SDK. Three rules keep payments right whatever the network
does:

- every PaymentIntent is created with an idempotency key derived from the order and the amount, so a
  retried checkout (or the SDK's own retries) never makes a second one;
- a webhook is trusted only once its signature, body and timestamp check out; anything else is a 400
  with no side effect;
- a webhook event only says "look again": `payment_after` re-fetches the PaymentIntent from Stripe,
  with its charge and so its refunds, and the payment service acts on all of it as it is now, so events
  delivered late or out of order (a failure after the success, a success after the refund) end in the
  same state.

Like every provider, this module translates Stripe's API and events into `configurator.payments.base`
values and knows nothing of orders or the database: `configurator.payments.services` decides.
"""

from __future__ import annotations

import logging
from typing import Any

import stripe

from configurator.payments.base import (
    CardRequest,
    Declined,
    PaymentRequest,
    ProviderPayment,
    SavedCard,
    WebhookEvent,
)
from configurator.payments.errors import PaymentProviderFailed, WebhookRejected

NAME = "stripe"
# Stripe's own default: a signed event older than this is refused as a possible replay.
WEBHOOK_TOLERANCE_SECONDS = 300

log = logging.getLogger(__name__)


# The events that may change a payment, and what each is about: a PaymentIntent, or a charge (whose
# intent is looked up).
INTENT_EVENTS = frozenset(
    {
        "payment_intent.succeeded",
        "payment_intent.payment_failed",
        "payment_intent.canceled",
        "payment_intent.processing",
    }
)
CHARGE_EVENTS = frozenset({"charge.refunded"})


class StripeProvider:
    """PaymentIntents through `stripe.StripeClient`, with automatic payment methods."""

    name = NAME

    def __init__(
        self,
        *,
        secret_key: str,
        publishable_key: str,
        webhook_secret: str,
        api_base: str,
        max_network_retries: int,
    ) -> None:
        self.client = stripe.StripeClient(
            secret_key, base_addresses={"api": api_base}, max_network_retries=max_network_retries
        )
        self.publishable_key: str | None = publishable_key
        self.webhook_secret = webhook_secret
        self.test = secret_key.startswith(("sk_test_", "rk_test_"))

    def create(self, request: PaymentRequest) -> ProviderPayment:
        """The order's PaymentIntent; the idempotency key makes a repeated call answer the same one."""
        params: dict[str, Any] = {
            "amount": request.amount_minor,
            "currency": request.currency.lower(),
            "automatic_payment_methods": {"enabled": True},
            # Ids and a fingerprint only: Stripe's dashboard is no place for a shopper's design, and
            # metadata is limited to 50 keys of 500 characters.
            "metadata": {
                "order_number": request.order_number,
                "order_id": str(request.order_id),
                "cart_token_hash": request.cart_token_hash,
            },
        }
        try:
            intent = self.client.v1.payment_intents.create(
                params=params,  # type: ignore[arg-type]
                options={"idempotency_key": request.idempotency_key},
            )
        except stripe.StripeError as error:
            log.warning("Stripe refused to create the PaymentIntent of order %s: %s", request.order_id, error)
            raise PaymentProviderFailed("Stripe could not start the payment; try again.") from error
        return _payment(intent)

    def fetch(self, reference: str) -> ProviderPayment:
        """The PaymentIntent as Stripe holds it now, with what its charge has refunded (a refund leaves
        the intent `succeeded`: only the charge tells)."""
        try:
            intent = self.client.v1.payment_intents.retrieve(
                reference,
                params={"expand": ["latest_charge"]},
            )
        except stripe.StripeError as error:
            log.warning("Stripe did not answer for PaymentIntent %s: %s", reference, error)
            raise PaymentProviderFailed("Stripe could not tell the payment's status; try again.") from error
        return _payment(intent)

    def save_card(self, request: CardRequest) -> SavedCard:
        """A Customer and a SetupIntent for off-session use; the browser confirms it with Stripe.js.
        Both are created with idempotency keys of the pre-order, so a retry makes no second ones."""
        metadata = {"preorder": request.preorder_key}
        try:
            customer = self.client.v1.customers.create(
                params={"email": request.email, "metadata": metadata},
                options={"idempotency_key": f"{request.idempotency_key}-customer"},
            )
            setup = self.client.v1.setup_intents.create(
                params={
                    "customer": customer.id,
                    "usage": "off_session",
                    "automatic_payment_methods": {"enabled": True},
                    "metadata": metadata,
                },
                options={"idempotency_key": request.idempotency_key},
            )
        except stripe.StripeError as error:
            log.warning("Stripe refused to save a card for pre-order %s: %s", request.preorder_key, error)
            raise PaymentProviderFailed("Stripe could not start saving the card; try again.") from error
        return _saved(setup)

    def fetch_card(self, reference: str) -> SavedCard:
        try:
            setup = self.client.v1.setup_intents.retrieve(reference)
        except stripe.StripeError as error:
            log.warning("Stripe did not answer for SetupIntent %s: %s", reference, error)
            raise PaymentProviderFailed("Stripe could not tell whether the card was saved.") from error
        return _saved(setup)

    def charge_card(self, request: PaymentRequest, card: SavedCard) -> ProviderPayment | Declined:
        """A PaymentIntent confirmed at once, off-session, on the saved card. A refusal (a decline,
        or a bank asking for the shopper: authentication_required) comes back as `Declined` with the
        intent, which the shopper can still pay on-session."""
        params: dict[str, Any] = {
            "amount": request.amount_minor,
            "currency": request.currency.lower(),
            "customer": card.customer,
            "payment_method": card.payment_method,
            "off_session": True,
            "confirm": True,
            "metadata": {
                "order_number": request.order_number,
                "order_id": str(request.order_id),
                "cart_token_hash": request.cart_token_hash,
            },
        }
        try:
            intent = self.client.v1.payment_intents.create(
                params=params,  # type: ignore[arg-type]
                options={"idempotency_key": request.idempotency_key},
            )
        except stripe.CardError as error:
            refused = getattr(error.error, "payment_intent", None)
            if refused is None:
                raise PaymentProviderFailed("Stripe refused the charge without a payment.") from error
            return Declined(_payment(refused), str(error.code or "card_declined"))
        except stripe.StripeError as error:
            log.warning("Stripe could not charge the saved card of order %s: %s", request.order_id, error)
            raise PaymentProviderFailed("Stripe could not charge the saved card; try again.") from error
        return _payment(intent)

    def forget_card(self, card: SavedCard) -> None:
        """Detach the payment method from its customer; a card never saved, or already detached, has
        nothing to forget."""
        if card.payment_method is None:
            return
        try:
            self.client.v1.payment_methods.detach(card.payment_method)
        except stripe.InvalidRequestError as error:
            log.info("Payment method %s was not attached: %s", card.payment_method, error)
        except stripe.StripeError as error:
            raise PaymentProviderFailed("Stripe could not forget the saved card; try again.") from error

    def payment_intent_of_charge(self, charge_id: str) -> str | None:
        """The PaymentIntent a charge belongs to (refund events are about charges)."""
        try:
            charge = self.client.v1.charges.retrieve(charge_id).to_dict()
        except stripe.StripeError as error:
            log.warning("Stripe did not answer for charge %s: %s", charge_id, error)
            raise PaymentProviderFailed("Stripe could not tell the charge's status; try again.") from error
        intent = charge.get("payment_intent")
        if isinstance(intent, dict):  # expanded
            intent = intent.get("id")
        return str(intent) if intent else None

    def handles(self, event: WebhookEvent) -> bool:
        """Whether the event may change a payment; others are acknowledged and ignored."""
        return event.type in INTENT_EVENTS or event.type in CHARGE_EVENTS

    def payment_after(self, event: WebhookEvent) -> ProviderPayment | None:
        """The payment the event is about, as Stripe holds it now (whatever this event says, another may
        have said more since); None when Stripe does not know it with our key (another account's event).
        `PaymentProviderFailed` when Stripe does not answer: it delivers the event again later."""
        try:
            intent_id = (
                self.payment_intent_of_charge(event.object_id)
                if event.type in CHARGE_EVENTS
                else event.object_id
            )
            return self.fetch(intent_id) if intent_id is not None else None
        except PaymentProviderFailed as error:
            if _unknown_to_stripe(error):
                return None
            raise

    def verify(self, payload: bytes, signature: str | None) -> WebhookEvent:
        """The event, if Stripe signed exactly this body recently with our secret; else `WebhookRejected`."""
        try:
            event = stripe.Webhook.construct_event(
                payload, signature, self.webhook_secret, tolerance=WEBHOOK_TOLERANCE_SECONDS
            ).to_dict()
        except stripe.SignatureVerificationError as error:
            raise WebhookRejected(f"The Stripe-Signature header does not check out: {error}") from error
        except (ValueError, AttributeError, KeyError, TypeError) as error:
            # Signed with our secret but not UTF-8, not JSON or not an event object.
            raise WebhookRejected("The webhook body is not a JSON event.") from error
        try:
            found = WebhookEvent(str(event["id"]), str(event["type"]), str(event["data"]["object"]["id"]))
        except (KeyError, TypeError) as error:
            raise WebhookRejected("The event has no id, type or object id.") from error
        return found


def _payment(intent: Any) -> ProviderPayment:
    charge = getattr(intent, "latest_charge", None)
    # Not expanded (an id, or none yet) on answers to create: nothing can have been refunded yet.
    refunded = (
        int(getattr(charge, "amount_refunded", 0) or 0) if isinstance(charge, stripe.StripeObject) else 0
    )
    return ProviderPayment(
        reference=intent.id,
        status=intent.status,
        amount_minor=int(intent.amount),
        currency=str(intent.currency).upper(),
        client_secret=intent.client_secret,
        amount_refunded_minor=refunded,
    )


def _saved(setup: Any) -> SavedCard:
    method = getattr(setup, "payment_method", None)
    customer = getattr(setup, "customer", None)
    return SavedCard(
        reference=setup.id,
        status=setup.status,
        client_secret=setup.client_secret,
        customer=getattr(customer, "id", customer),
        payment_method=getattr(method, "id", method),
    )


def _unknown_to_stripe(error: PaymentProviderFailed) -> bool:
    cause = error.__cause__
    return isinstance(cause, stripe.InvalidRequestError) and cause.http_status == 404
