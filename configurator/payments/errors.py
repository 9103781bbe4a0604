"""Errors of payments: a payment not (yet) made, a provider that failed, a webhook we cannot trust."""

from __future__ import annotations

from configurator.errors import AtelierError, BadRequest, ErrorCode, FieldError, NotFound
from configurator.wording import PAYMENT_PENDING
from rules.model import Localized


class PaymentNotCompleted(AtelierError):
    """The order cannot be confirmed: its payment has not succeeded (yet). `errors` carries the
    provider's status word as the `code` of the `payment.status` entry (for integrators: a shopper
    reads that the payment has not gone through)."""

    status = 409
    code = ErrorCode.PAYMENT_FAILED
    title = "Payment not completed"

    def __init__(self, detail: Localized, payment_status: str | None, locale: str, technical: str) -> None:
        errors = []
        if payment_status is not None:
            errors.append(
                FieldError(
                    "payment.status",
                    PAYMENT_PENDING.get(locale),
                    code=payment_status,
                    technical_detail=f"The payment is {payment_status}.",
                )
            )
        super().__init__(detail, errors=errors, extensions={"technical_detail": technical})


class PaymentProviderFailed(AtelierError):
    """The provider could not be reached or refused the call; nothing was charged twice (retries reuse
    the idempotency key) and the shopper may try again."""

    status = 502
    code = ErrorCode.PAYMENT_FAILED
    title = "The payment provider did not answer as expected"


class WebhookRejected(BadRequest):
    """A webhook whose signature, body or timestamp does not check out; nothing was done."""

    title = "Webhook not accepted"


class WebhooksDisabled(NotFound):
    """This shop does not take payments through the provider that would call this webhook."""

    title = "Webhook not enabled"
