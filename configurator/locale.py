"""Which locale to answer in: the best match of `Accept-Language` (with its q-values) to the locales
the catalog is written in.

The locales on offer come from the function `init_app` is given (the live catalog's), the way
Flask-Babel takes a locale selector: this module serves every layer, so it imports none of them."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from flask import Flask, Response, current_app, g, request

EXTENSION = "atelier.locales"


def init_app(app: Flask, offered: Callable[[], Iterable[str]]) -> None:
    """Answer `app`'s requests in one of the locales `offered()` names (called once per request)."""
    app.extensions[EXTENSION] = offered


def negotiate_locale(supported: Iterable[str], default: str) -> str:
    """The supported locale the client prefers most, else `default`.

    Tags are tried in order of q-value; each matches a supported locale exactly, or by its language
    (`fr-CA` takes `fr`), so `fr-CA;q=0.8, en;q=0.5` answers in French.
    """
    by_tag = {locale.lower(): locale for locale in supported}
    for tag, quality in request.accept_languages:  # werkzeug sorts these by q-value, highest first
        if quality <= 0:
            continue
        tag = tag.lower().replace("_", "-")
        if tag == "*":
            return default
        for candidate in (tag, tag.split("-")[0]):
            if candidate in by_tag:
                return by_tag[candidate]
    return default


def mark_language(response: Response, locale: str) -> Response:
    """Say which language the body is in, and that it depends on Accept-Language (for caches)."""
    response.headers["Content-Language"] = locale
    response.vary.add("Accept-Language")
    return response


def request_locale() -> str:
    """The locale of the current request's answer, negotiated once against the live catalog."""
    if "locale" not in g:
        default = current_app.config["ATELIER_DEFAULT_LOCALE"]
        offered = current_app.extensions.get(EXTENSION)
        g.locale = negotiate_locale(offered() if offered is not None else (default,), default)
    locale: str = g.locale
    return locale


def mark_request_language(response: Response) -> Response:
    """`after_request` hook for blueprints whose answers carry texts in the negotiated language."""
    return mark_language(response, request_locale())
