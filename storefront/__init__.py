"""Shopper pages and the embeddable widget (templates and static assets); talks only to the HTTP API."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Protocol

from flask import Flask, has_request_context


class ShareCard(Protocol):
    """What a chat shows of a pasted link: the page's Open Graph and Twitter card tags."""

    @property
    def title(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def image(self) -> str | None: ...  # absolute URL
    @property
    def url(self) -> str: ...  # absolute URL of the page


# (kind, id) -> the card, or None when there is nothing to share (unknown or hidden): kind is
# "entry" (a gallery entry) or "design" (a saved design).
ShareCards = Callable[[str, str], ShareCard | None]


def register_storefront(
    app: Flask,
    *,
    shop_name: Callable[[], str],
    share_card: ShareCards,
    languages: Callable[[], Iterable[str]],
    currencies: Callable[[], Sequence[str]],
) -> None:
    """Serve the shopper's pages and the widget's assets from this app; `shop_name()` names the shop
    in the request's language, for the header and the page titles; `share_card` gives the preview a
    chat shows of a gallery entry's or a design's link; `languages()` and `currencies()` are what the
    shop's language and currency menus offer. The request's language is Flask-Babel's
    (`flask_babel.get_locale`), negotiated by the application."""
    from storefront import admin, views

    app.extensions["storefront_share_card"] = share_card
    app.extensions["storefront_languages"] = languages
    app.extensions["storefront_currencies"] = currencies
    app.register_blueprint(views.blp)
    app.register_blueprint(admin.blp)

    @app.context_processor
    def page_context() -> dict[str, object]:
        # Pages only: the application also renders templates outside any request (e-mails, in a
        # task), where there is no page and no shopper's language to negotiate.
        if not has_request_context():
            return {}
        return {"shop_name": shop_name(), **views.page_language()}
