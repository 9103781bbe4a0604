"""Which locale to answer in: the shopper's own choice of language (the `atelier_language` cookie the
shop's language menu sets), else the best match of `Accept-Language` (with its q-values), among the
locales the catalog is written in.

The locales on offer come from the function `init_app` is given (the live catalog's): this module
serves every layer, so it imports none of them. It is also Flask-Babel's locale selector, so the
application's and the storefront's gettext catalogs (`configurator/translations`,
`storefront/translations`) answer in the same language as the API."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Final

from flask import Flask, Response, current_app, g, request
from flask_babel import Babel

from rules.i18n import Catalogs

EXTENSION = "atelier.locales"
LANGUAGE_COOKIE = "atelier_language"
_ROOT = Path(__file__).resolve().parent.parent
# Flask-Babel reads each domain from its folder (the two lists pair up).
_DOMAINS = (
    ("messages", _ROOT / "configurator" / "translations"),
    ("storefront", _ROOT / "storefront" / "translations"),
)
# The application's own messages in every language at once (rules/i18n.py), for answers whose
# language is picked later (a problem's detail, an e-mail queued for its shopper).
MESSAGES: Final = Catalogs(_ROOT / "configurator" / "translations", "messages")


def init_app(app: Flask, offered: Callable[[], Iterable[str]]) -> None:
    """Answer `app`'s requests in one of the locales `offered()` names (called once per request)."""
    app.extensions[EXTENSION] = offered
    app.config.setdefault("BABEL_DEFAULT_LOCALE", app.config["ATELIER_DEFAULT_LOCALE"])
    app.config["BABEL_DOMAIN"] = ";".join(name for name, _ in _DOMAINS)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(str(folder) for _, folder in _DOMAINS)
    Babel(app, locale_selector=request_locale)


def negotiate_locale(supported: Iterable[str], default: str) -> str:
    """The supported locale the client prefers most, else `default`.

    A language chosen on the shop's menu (the `atelier_language` cookie) comes first.
    Tags are tried in order of q-value; each matches a supported locale exactly, or by its language
    (`fr-CA` takes `fr`), so `fr-CA;q=0.8, en;q=0.5` answers in French.
    """
    by_tag = {locale.lower(): locale for locale in supported}
    chosen = request.cookies.get(LANGUAGE_COOKIE, "").lower()
    if chosen in by_tag:
        return by_tag[chosen]
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
