"""Stripe: PaymentIntents for orders, and the webhook that reports what happened to them.

The only module that imports the `stripe` SDK. Three rules keep payments right whatever the network
does:

- every PaymentIntent is created with an idempotency key derived from the order and the amount, so a
  retried checkout (or the SDK's own retries) never makes a second one;
- a webhook is trusted only once its signature, body and timestamp check out; anything else is a 400
  with no side effect;
- a webhook event only says "look again": the handler re-fetches the PaymentIntent from Stripe, with
  its charge and so its refunds, and acts on all of it as it is now, so events delivered late or out of
  order (a failure after the success, a success after the refund) end in the same state.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import stripe

from configurator.payments import services
from configurator.payments.base import PaymentRequest, ProviderPayment
from configurator.payments.errors import PaymentProviderFailed, WebhookRejected

NAME = "stripe"
ACTOR = "stripe-webhook"
# Stripe's own default: a signed event older than this is refused as a possible replay.
WEBHOOK_TOLERANCE_SECONDS = 300

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WebhookEvent:
    """The parts of a verified event we use; the object's content is fetched again, never trusted."""

    id: str
    type: str
    object_id: str


@dataclass(frozen=True)
class WebhookOutcome:
    event_id: str
    type: str
    handled: bool  # an event type we act on
    duplicate: bool  # already processed: nothing was done this time


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


def _unknown_to_stripe(error: PaymentProviderFailed) -> bool:
    cause = error.__cause__
    return isinstance(cause, stripe.InvalidRequestError) and cause.http_status == 404


def _record_intent(provider: StripeProvider, event: WebhookEvent, intent_id: str | None) -> bool:
    # Whatever this event says, another one may have said more since: look at the intent as it is now.
    current: ProviderPayment | None = None
    if intent_id is not None:
        try:
            current = provider.fetch(intent_id)
        except PaymentProviderFailed as error:
            if not _unknown_to_stripe(error):
                raise  # a 5xx: Stripe delivers the event again later
            # not visible with our key (another account's event): acknowledge it

    def effect() -> None:
        if current is not None:
            services.record(current, ACTOR)

    return services.apply_event(NAME, event.id, event.type, effect)


def _payment_intent_changed(provider: StripeProvider, event: WebhookEvent) -> bool:
    return _record_intent(provider, event, event.object_id)


def _charge_refunded(provider: StripeProvider, event: WebhookEvent) -> bool:
    try:
        intent_id = provider.payment_intent_of_charge(event.object_id)
    except PaymentProviderFailed as error:
        if not _unknown_to_stripe(error):
            raise
        intent_id = None
    return _record_intent(provider, event, intent_id)


# Event type -> handler; each answers False when the event had already been processed.
HANDLERS: dict[str, Callable[[StripeProvider, WebhookEvent], bool]] = {
    "payment_intent.succeeded": _payment_intent_changed,
    "payment_intent.payment_failed": _payment_intent_changed,
    "payment_intent.canceled": _payment_intent_changed,
    "payment_intent.processing": _payment_intent_changed,
    "charge.refunded": _charge_refunded,
}


def handle_webhook(provider: StripeProvider, payload: bytes, signature: str | None) -> WebhookOutcome:
    """Verify, then process the event once; types we do not handle are acknowledged and ignored."""
    event = provider.verify(payload, signature)
    handler = HANDLERS.get(event.type)
    if handler is None:
        return WebhookOutcome(event.id, event.type, handled=False, duplicate=False)
    if services.event_seen(event.id):
        return WebhookOutcome(event.id, event.type, handled=True, duplicate=True)
    processed = handler(provider, event)
    return WebhookOutcome(event.id, event.type, handled=True, duplicate=not processed)
