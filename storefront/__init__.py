"""Shopper pages and the embeddable widget (templates and static assets); talks only to the HTTP API."""

from __future__ import annotations

from flask import Flask


def register_storefront(app: Flask) -> None:
    """Serve the shopper's pages and the widget's assets from this app."""
    from storefront import admin, views

    app.register_blueprint(views.blp)
    app.register_blueprint(admin.blp)
