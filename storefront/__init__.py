"""Shopper pages and the embeddable widget (templates and static assets); talks only to the HTTP API."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask


def register_storefront(app: Flask, *, shop_name: Callable[[], str]) -> None:
    """Serve the shopper's pages and the widget's assets from this app; `shop_name()` names the shop
    in the request's language, for the header and the page titles."""
    from storefront import admin, views

    app.register_blueprint(views.blp)
    app.register_blueprint(admin.blp)
    app.context_processor(lambda: {"shop_name": shop_name()})
