"""Carts: lines are saved designs with a quantity; every answer is the whole cart, priced by the server."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView

from configurator.api.credits import design_credits
from configurator.api.shop_schemas import (
    CartCreateSchema,
    CartSchema,
    ContactSchema,
    DestinationQuerySchema,
    LineCreateSchema,
    LineUpdateSchema,
)
from configurator.carts import services
from configurator.carts.errors import CartClosed, CartNotReady
from configurator.carts.models import Cart
from configurator.catalog.services import violation_data
from configurator.designs import services as designs
from configurator.locale import mark_request_language, request_locale
from configurator.openapi import AtelierBlueprint
from configurator.ratelimit import limit

blp = AtelierBlueprint(
    "carts", __name__, url_prefix="/api/v1/carts", description="Carts: designs with quantities, priced here"
)
blp.after_request(mark_request_language)

# Every cart change writes and re-prices the cart; shoppers make a handful a minute.
CART_CHANGES_PER_MINUTE = 120


def cart_data(cart: Cart, destination: tuple[str, str | None] | None = None) -> dict[str, Any]:
    """The cart as the API shows it, priced now from the live rules (for `destination` when given)."""
    language = request_locale()
    priced = services.price(cart, destination=destination)
    problems: list[dict[str, str]] = []
    try:
        services.ready_for_checkout(priced, language)
    except CartNotReady as error:
        problems = [e.to_dict() for e in error.errors]
    except CartClosed:
        pass
    return {
        "id": cart.token,
        "currency": cart.currency,
        "status": cart.status,
        "lines": [
            {
                "id": p.line.id,
                "design": p.line.design.public_id,
                "product": p.line.design.product_key,
                "choices": p.line.design.choices,
                "credits": design_credits(p.line.design),
                "quantity": p.line.quantity,
                "version": p.checked.stored.id,
                "current": p.current,
                "problems": [violation_data(v, language) for v in p.problems],
                "lines": [
                    {
                        "kind": x.kind,
                        "label": x.label.get(language),
                        "amount": x.amount,
                        "attribute": x.attribute,
                    }
                    for x in p.quote.lines
                ],
                "unit_price": p.quote.unit_price,
                "total": p.quote.total,
                "personalised": bool(p.checked.product.personalisation(p.checked.design)),
            }
            for p in priced.lines
        ],
        "contact": {"email": cart.email, "name": cart.name, "address": cart.address},
        "subtotal": priced.subtotal,
        "shipping": priced.shipping,
        "tax": priced.tax,
        "total": priced.total,
        "prices_include_tax": priced.prices_include_tax,
        "summary": [
            {"kind": s.kind, "label": s.label.get(language), "amount": s.amount} for s in priced.summary
        ],
        "ready": cart.status == "open" and not problems,
        "problems": problems,
    }


def _location(cart: Cart) -> dict[str, str]:
    return {"Location": url_for("carts.CartView", token=cart.token)}


@blp.route("")
class Carts(MethodView):
    @blp.arguments(CartCreateSchema)
    @blp.response(201, CartSchema)
    @blp.alt_response(400, response="BAD_REQUEST")
    @blp.alt_response(429, response="TOO_MANY_REQUESTS")
    @limit("carts", per_minute=CART_CHANGES_PER_MINUTE)
    def post(self, body: dict[str, Any]) -> Any:
        """Open an empty cart in one of the brand's currencies; its id is the key to it: keep it private."""
        cart = services.create(body["currency"])
        return cart_data(cart), 201, _location(cart)


@blp.route("/<token>")
class CartView(MethodView):
    @blp.arguments(DestinationQuerySchema, location="query")
    @blp.response(200, CartSchema)
    @blp.alt_response(400, response="BAD_REQUEST")
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, query: dict[str, Any], token: str) -> dict[str, Any]:
        """The cart, every line priced again from the live rules (lines those rules reject are flagged);
        with `country` (and `region`), shipping and tax for that destination, as the shopper chooses it."""
        country = query["country"]
        return cart_data(services.find(token), (country, query["region"]) if country else None)


@blp.route("/<token>/lines")
class Lines(MethodView):
    @blp.arguments(LineCreateSchema)
    @blp.response(201, CartSchema)
    @blp.alt_response(400, response="BAD_REQUEST")
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    @blp.alt_response(429, response="TOO_MANY_REQUESTS")
    @limit("carts", per_minute=CART_CHANGES_PER_MINUTE)
    def post(self, body: dict[str, Any], token: str) -> dict[str, Any]:
        """Add a saved design with a quantity; a design the live rules reject is refused (422)."""
        cart = services.find(token, for_update=True)
        services.add_line(cart, designs.find(body["design"]), body["quantity"], request_locale())
        return cart_data(cart)


@blp.route("/<token>/lines/<int:line_id>")
class Line(MethodView):
    @blp.arguments(LineUpdateSchema)
    @blp.response(200, CartSchema)
    @blp.alt_response(400, response="BAD_REQUEST")
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    @blp.alt_response(429, response="TOO_MANY_REQUESTS")
    @limit("carts", per_minute=CART_CHANGES_PER_MINUTE)
    def patch(self, body: dict[str, Any], token: str, line_id: int) -> dict[str, Any]:
        """Change a line's quantity."""
        cart = services.find(token, for_update=True)
        services.set_quantity(cart, services.find_line(cart, line_id), body["quantity"])
        return cart_data(cart)

    @blp.response(200, CartSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    @blp.alt_response(429, response="TOO_MANY_REQUESTS")
    @limit("carts", per_minute=CART_CHANGES_PER_MINUTE)
    def delete(self, token: str, line_id: int) -> dict[str, Any]:
        """Remove a line."""
        cart = services.find(token, for_update=True)
        services.remove_line(cart, services.find_line(cart, line_id))
        return cart_data(cart)


@blp.route("/<token>/contact")
class Contact(MethodView):
    @blp.arguments(ContactSchema)
    @blp.response(200, CartSchema)
    @blp.alt_response(400, response="BAD_REQUEST")
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    @blp.alt_response(429, response="TOO_MANY_REQUESTS")
    @limit("carts", per_minute=CART_CHANGES_PER_MINUTE)
    def put(self, body: dict[str, Any], token: str) -> dict[str, Any]:
        """Set the e-mail address, name and shipping address (shipping and tax follow the country)."""
        cart = services.find(token, for_update=True)
        services.set_contact(cart, email=body["email"], name=body["name"], address=body["address"])
        return cart_data(cart)
