"""Request and response bodies of checkout, orders and payments (marshmallow; documented in /openapi.json)."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields

from configurator.api.fields import Money, PickValue
from configurator.api.schemas import PreviewSchema, PriceLineSchema
from configurator.api.shop_schemas import CREDITS, SummaryLineSchema
from configurator.config import PAYMENT_PROVIDERS
from configurator.orders.models import OrderStatus

ORDER_STATUSES = [status.value for status in OrderStatus]


class CheckoutRequestSchema(Schema):
    """Nothing to send: the cart is priced on the server from its lines and contact details."""

    class Meta:
        unknown = RAISE


class OrderLineSchema(Schema):
    product = fields.String(required=True, metadata={"description": "The product's key"})
    version_id = fields.Integer(required=True, metadata={"description": "The rule version it was priced by"})
    choices = fields.Dict(keys=fields.String(), values=PickValue(allow_none=True), required=True)
    quantity = fields.Integer(required=True)
    unit_price = Money(required=True)
    total = Money(required=True)
    price_lines = fields.List(fields.Nested(PriceLineSchema), required=True)
    personalised = fields.Boolean(
        metadata={"description": "Made to the shopper's specifications: no EU right of withdrawal"}
    )
    ships_by = fields.String(
        allow_none=True,
        metadata={"format": "date", "description": "The day this line is made and sent by; null: not said"},
    )
    preview = fields.Nested(PreviewSchema, allow_none=True, metadata={"description": "As it was ordered"})
    credits = CREDITS
    design = fields.String(required=True, metadata={"description": "The saved design it was made from"})


class OrderContactSchema(Schema):
    email = fields.String(required=True)
    name = fields.String(required=True)
    address = fields.Dict(
        keys=fields.String(), required=True, metadata={"description": "As given at checkout"}
    )


class OrderPaymentSchema(Schema):
    provider = fields.String(required=True, metadata={"enum": list(PAYMENT_PROVIDERS)})
    reference = fields.String(
        required=True, metadata={"description": "The provider's id (a PaymentIntent's pi_…, offline_test_…)"}
    )
    status = fields.String(required=True, metadata={"description": "The provider's status word"})
    amount_minor = fields.Integer(
        required=True, metadata={"description": "In the currency's minor units (none for JPY)"}
    )
    currency = fields.String(required=True)
    test = fields.Boolean(required=True, metadata={"description": "A test payment: no money moves"})


class CheckoutPaymentSchema(OrderPaymentSchema):
    """What a browser needs to take the payment."""

    client_secret = fields.String(
        allow_none=True, required=True, metadata={"description": "Stripe.js confirms the payment with it"}
    )
    publishable_key = fields.String(allow_none=True, required=True)


class OrderLinksSchema(Schema):
    self = fields.String(required=True)
    complete = fields.String(required=True)


class OrderPreOrderSchema(Schema):
    status = fields.String(
        required=True,
        metadata={"enum": ["awaiting_card", "reserved", "charging", "charged", "declined", "released"]},
    )
    campaign = fields.String(required=True)
    title = fields.String(required=True)
    campaign_status = fields.String(required=True)
    closes_at = fields.DateTime(required=True)
    threshold = fields.Integer(allow_none=True)
    page = fields.String(required=True)


class OrderSchema(Schema):
    number = fields.String(required=True, metadata={"description": "What to quote, e.g. A7K2-9QXD"})
    token = fields.String(required=True, metadata={"description": "The shopper's key to the order"})
    status = fields.String(required=True, metadata={"enum": ORDER_STATUSES})
    currency = fields.String(required=True)
    prices_include_tax = fields.Boolean(required=True)
    subtotal = Money(required=True)
    shipping = Money(required=True)
    tax = Money(required=True)
    total = Money(required=True)
    summary = fields.List(fields.Nested(SummaryLineSchema), required=True)
    lines = fields.List(fields.Nested(OrderLineSchema), required=True)
    contact = fields.Nested(OrderContactSchema, required=True)
    payment = fields.Nested(OrderPaymentSchema, required=True, allow_none=True)
    preorder = fields.Nested(
        OrderPreOrderSchema,
        required=True,
        allow_none=True,
        metadata={"description": "The limited edition it was pre-ordered from; null for other orders"},
    )
    created_at = fields.DateTime(required=True)
    paid_at = fields.DateTime(required=True, allow_none=True)
    in_production_at = fields.DateTime(required=True, allow_none=True)
    shipped_at = fields.DateTime(required=True, allow_none=True)
    cancelled_at = fields.DateTime(required=True, allow_none=True)
    refunded_at = fields.DateTime(required=True, allow_none=True)
    links = fields.Nested(OrderLinksSchema, required=True)


class CheckoutSchema(Schema):
    order = fields.Nested(OrderSchema, required=True)
    payment = fields.Nested(CheckoutPaymentSchema, required=True)


class StripeWebhookResultSchema(Schema):
    received = fields.Boolean(required=True)
    event = fields.String(required=True, metadata={"description": "The event's id"})
    type = fields.String(required=True)
    handled = fields.Boolean(required=True, metadata={"description": "An event type this shop acts on"})
    duplicate = fields.Boolean(required=True, metadata={"description": "Processed before: nothing was done"})
