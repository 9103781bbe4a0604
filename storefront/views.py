"""The shopper's pages: server-rendered shells whose scripts read and write through the public JSON API,
so there is one price and one validation path (the API's)."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, render_template, send_from_directory

STATIC = Path(__file__).resolve().parent / "static"

blp = Blueprint("storefront", __name__, template_folder="templates")


@blp.after_request
def _headers(response: Response) -> Response:
    # Cart and order pages carry their keys in the address: never hand them to another site.
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    return response


@blp.route("/assets/<path:filename>")
def asset(filename: str) -> Response:
    """Static files, readable from any origin: partner pages import the widget's modules (CORS mode)."""
    response = send_from_directory(STATIC, filename, max_age=300)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@blp.route("/")
def catalog() -> str:
    """Every product, with its base price."""
    return render_template("storefront/catalog.html", page="catalog")


@blp.route("/products/<key>")
def product(key: str) -> str:
    """The configurator for one product."""
    return render_template("storefront/product.html", page="product", product=key)


@blp.route("/designs/<design_id>")
def design(design_id: str) -> str:
    """A shared design, read-only: edit a copy of it or add it to the cart."""
    return render_template("storefront/design.html", page="design", design=design_id)


@blp.route("/cart")
def cart() -> str:
    """The cart kept in this browser: lines, quantities and the server's prices."""
    return render_template("storefront/cart.html", page="cart")


@blp.route("/checkout")
def checkout() -> str:
    """Contact details, then the payment."""
    return render_template("storefront/checkout.html", page="checkout")


@blp.route("/orders/<token>")
def order(token: str) -> str:
    """The order confirmation, for whoever holds its token."""
    return render_template("storefront/order.html", page="order", token=token)
