"""Checkout and orders: turn a cart into an order and its payment, confirm the payment, read the order;
and the payment provider's webhook."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Response, request, url_for
from flask.views import MethodView

from configurator.api.checkout_schemas import (
    CheckoutRequestSchema,
    CheckoutSchema,
    OrderSchema,
    StripeWebhookResultSchema,
)
from configurator.api.credits import design_credits
from configurator.community import campaigns
from configurator.designs.services import check
from configurator.idempotency import OPENAPI_PARAMETER as IDEMPOTENCY_KEY
from configurator.idempotency import idempotent
from configurator.locale import request_locale
from configurator.openapi import AtelierBlueprint
from configurator.orders import services as orders
from configurator.orders.models import Order, OrderLine
from configurator.payments import services as payments
from configurator.payments.models import Payment
from configurator.previews import services as previews
from configurator.ratelimit import limit
from rules.money import round_money

blp = AtelierBlueprint(
    "checkout",
    __name__,
    url_prefix="/api/v1",
    description="Checkout, orders and payments",
)

# A checkout opens an order and a payment with the provider; retries of one are answered again for
# free (idempotency), so only new checkouts count.
CHECKOUTS_PER_MINUTE = 20
# A shopper's browser returns from paying once, maybe reloads a few times; a loop is refused.
COMPLETES_PER_MINUTE = 30
SIGNATURE_HEADER = {
    "in": "header",
    "name": "Stripe-Signature",
    "required": True,
    "schema": {"type": "string"},
    "description": "t=<unix time>,v1=<HMAC-SHA256 of the body>, as Stripe sends it",
}
RAW_EVENT_BODY = {
    "required": True,
    "description": "A Stripe event, exactly as Stripe sent it (the signature covers these bytes)",
    "content": {"application/json": {"schema": {"type": "object"}}},
}


@blp.after_request
def _private(response: Response) -> Response:
    # Orders carry a name, an address and a client secret: no shared cache may keep them.
    response.headers["Cache-Control"] = "no-store"
    return response


def _payment(payment: Payment | None) -> dict[str, Any] | None:
    if payment is None:
        return None
    return {
        "provider": payment.provider,
        "reference": payment.reference,
        "status": payment.status,
        "amount_minor": payment.amount_minor,
        "currency": payment.currency,
        "test": payments.is_test(payment),
    }


def _preorder(order: Order) -> dict[str, Any] | None:
    """The limited edition an order was pre-ordered from, and where that pre-order stands."""
    found = campaigns.preorder_of(order)
    if found is None:
        return None
    campaign = campaigns.find_by_id(found.campaign_id)
    return {
        "status": found.status,
        "campaign": campaign.public_id,
        "title": campaign.title,
        "campaign_status": campaign.status,
        "closes_at": campaign.closes_at,
        "threshold": campaign.threshold,
        "page": f"/campaigns/{campaign.public_id}",
    }


def _order(order: Order, payment: Payment | None) -> dict[str, Any]:
    def money(amount: Decimal | str) -> Decimal:
        # Stored with four decimals whatever the currency: shown with the currency's own (JPY: none).
        return round_money(Decimal(amount), order.currency)

    return {
        "number": order.number,
        "token": order.token,
        "status": order.status,
        "currency": order.currency,
        "prices_include_tax": order.prices_include_tax,
        "subtotal": money(order.subtotal),
        "shipping": money(order.shipping),
        "tax": money(order.tax),
        "total": money(order.total),
        "summary": [{**line, "amount": money(line["amount"])} for line in order.summary],
        "lines": [
            {
                "product": line.product_key,
                "version_id": line.version_id,
                "choices": line.choices,
                "quantity": line.quantity,
                "unit_price": money(line.unit_price),
                "total": money(line.total),
                "price_lines": [{**p, "amount": money(p["amount"])} for p in line.price_lines],
                "ships_by": (line.production or {}).get("ships_by"),
                "personalised": line.personalised,
                "preview": _line_preview(line),
                "credits": design_credits(line.design),
                "design": line.design.public_id,
            }
            for line in order.lines
        ],
        "contact": {"email": order.email, "name": order.name, "address": order.address},
        "payment": _payment(payment),
        "preorder": _preorder(order),
        "created_at": order.created_at,
        "paid_at": order.paid_at,
        "in_production_at": order.in_production_at,
        "shipped_at": order.shipped_at,
        "cancelled_at": order.cancelled_at,
        "refunded_at": order.refunded_at,
        "links": {
            "self": url_for("checkout.OrderDetail", order_token=order.token),
            "complete": url_for("checkout.Complete", order_token=order.token),
        },
    }


@blp.route("/carts/<token>/checkout")
class Checkout(MethodView):
    @blp.doc(parameters=[IDEMPOTENCY_KEY])
    @idempotent
    @blp.arguments(CheckoutRequestSchema, required=False)
    @blp.response(201, CheckoutSchema, description="The order and its payment, made now")
    @blp.alt_response(200, schema=CheckoutSchema, description="The order and payment made before")
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    @blp.alt_response(502, response="BAD_GATEWAY")
    @blp.alt_response(429, response="TOO_MANY_REQUESTS")
    @limit("checkout", per_minute=CHECKOUTS_PER_MINUTE)
    def post(self, body: dict[str, Any], token: str) -> tuple[dict[str, Any], int]:
        """Check the cart out: its order (priced on the server) and the order's one payment.

        Repeating the call answers the same order and payment (200): a retry never charges twice.
        With an `Idempotency-Key`, a retry answers exactly the first response, status included.
        """
        result = payments.checkout(token, request_locale())
        active = payments.provider()
        payment = {
            **(_payment(result.payment) or {}),
            "client_secret": result.payment.client_secret,
            "publishable_key": active.publishable_key if result.payment.provider == active.name else None,
        }
        answer = {"order": _order(result.order, result.payment), "payment": payment}
        return answer, 201 if result.created else 200


@blp.route("/orders/<order_token>")
class OrderDetail(MethodView):
    @blp.response(200, OrderSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, order_token: str) -> dict[str, Any]:
        """The order, for whoever holds its token: lines, totals, contact details, status and payment."""
        order = orders.find_by_token(order_token)
        return _order(order, payments.payment_for(order))


@blp.route("/orders/<order_token>/complete")
class Complete(MethodView):
    @blp.response(200, OrderSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT", description="The payment has not succeeded (yet)")
    @blp.alt_response(429, response="TOO_MANY_REQUESTS")
    @blp.alt_response(502, response="BAD_GATEWAY")
    @limit("complete", per_minute=COMPLETES_PER_MINUTE)
    def post(self, order_token: str) -> dict[str, Any]:
        """The shopper is back from paying: the provider is asked whether the payment succeeded and, if it
        did, the order is paid (or refunded, if the money was already returned). Safe to repeat: a return
        within a few seconds of the last one is answered without asking the provider again."""
        order, payment = payments.complete(order_token, request_locale())
        return _order(order, payment)


@blp.route("/payments/stripe/webhook")
class StripeWebhook(MethodView):
    @blp.doc(parameters=[SIGNATURE_HEADER], requestBody=RAW_EVENT_BODY)
    @blp.response(200, StripeWebhookResultSchema)
    @blp.alt_response(400, response="BAD_REQUEST", description="Signature, body or timestamp not valid")
    @blp.alt_response(404, response="NOT_FOUND", description="This shop does not use Stripe")
    @blp.alt_response(502, response="BAD_GATEWAY")
    def post(self) -> dict[str, Any]:
        """Stripe's events about PaymentIntents and charges; each is processed once."""
        outcome = payments.stripe_webhook(
            request.get_data(cache=False), request.headers.get("Stripe-Signature")
        )
        return {
            "received": True,
            "event": outcome.event_id,
            "type": outcome.type,
            "handled": outcome.handled,
            "duplicate": outcome.duplicate,
        }


def _line_preview(line: OrderLine) -> dict[str, Any] | None:
    """The line's preview as it was ordered (its own version and choices)."""
    checked = check(line.choices, line.version)
    if not checked.valid:
        return None
    return previews.links(line.version_id, checked.product, checked.design, request_locale())
