"""Errors of payments: a payment not (yet) made, a provider that failed, a webhook we cannot trust."""

from __future__ import annotations

from configurator.errors import AtelierError, BadRequest, ErrorCode, FieldError, NotFound


class PaymentNotCompleted(AtelierError):
    """The order cannot be confirmed: its payment has not succeeded (yet). `errors` carries the
    provider's status word as the `code` of the `payment.status` entry."""

    status = 409
    code = ErrorCode.PAYMENT_FAILED
    title = "Payment not completed"

    def __init__(self, detail: str, payment_status: str | None) -> None:
        errors = []
        if payment_status is not None:
            errors.append(
                FieldError("payment.status", f"The payment is {payment_status}.", code=payment_status)
            )
        super().__init__(detail, errors=errors)


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
