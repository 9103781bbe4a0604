"""Iframe mode: `/embed/<product>?key=pk_…`, a page partners frame on their own sites.

The page may be framed only by the partner's origins (`Content-Security-Policy: frame-ancestors`,
exactly the origins `atelier partners origins` lists) and its script talks to the parent page only
through `postMessage` with exact origins. Its API calls are same-origin and carry the key, so what the
shopper saves and orders is attributed to the partner.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, make_response, render_template, request, url_for

from configurator.catalog.services import live_version
from configurator.errors import AtelierError
from configurator.partners import services as partners
from configurator.requester import KEY_HEADER

# The page's template and scripts are the storefront's (embed.html, embed.js, the widget).
blp = Blueprint("embed", __name__, url_prefix="/embed")

# Everything the page loads comes from this shop; the widget engineer adds sources here (one place).
PAGE_POLICY = (
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",  # no inline styles: the widget's shadow root links configurator.css
    "img-src 'self' data: blob:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
)
# A refusal has nothing to click, so any site may show it: the partner's developer then sees in
# their own frame why the page is refused.
REFUSAL_POLICY = ("default-src 'none'", "style-src 'self'", "base-uri 'none'", "form-action 'none'")


def content_security_policy(origins: list[str]) -> str:
    """The page's policy: its own sources, and framing by exactly these origins.

    >>> content_security_policy(["https://a.example", "http://localhost:5173"]).split("; ")[-1]
    'frame-ancestors https://a.example http://localhost:5173'
    """
    return "; ".join([*PAGE_POLICY, "frame-ancestors " + " ".join(origins)])


def _refusal(status: int, title: str, detail: str) -> Response:
    response = make_response(render_template("embed.html", error={"title": title, "detail": detail}), status)
    response.headers["Content-Security-Policy"] = "; ".join(REFUSAL_POLICY)
    response.headers["Cache-Control"] = "no-store"
    return response


@blp.get("/<product>")
def page(product: str) -> Response:
    """The embed page for one product, for the partner whose publishable key is in `?key=`."""
    key = request.args.get("key", "")
    if not key:
        return _refusal(401, "Publishable key missing", "Add ?key=pk_… (the partner's publishable key).")
    try:
        partner = partners.resolve(key)
    except AtelierError as error:
        return _refusal(error.status, error.title, error.detail)
    origins = partner.origin_list
    if not origins:
        return _refusal(403, "No origin may frame this page", "The partner lists no origins.")
    try:
        live_version(product)
    except AtelierError as error:
        return _refusal(error.status, error.title, error.detail)
    config: dict[str, Any] = {
        "product": product,
        "key": partner.publishable_key,
        "keyHeader": KEY_HEADER,
        "origins": origins,
        "api": "/api/v1",
    }
    html = render_template(
        "embed.html",
        config=config,
        embed_js=url_for("storefront.asset", filename="embed.js"),
        widget_js=url_for("storefront.asset", filename="atelier-widget.js"),
    )
    response = make_response(html, 200)
    response.headers["Content-Security-Policy"] = content_security_policy(origins)
    # The policy follows the partner's origins: check again on every load rather than keep a copy.
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
