"""The shopper's pages: server-rendered shells whose scripts read and write through the public JSON API,
so there is one price and one validation path (the API's)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.numbers import get_currency_name, get_currency_symbol
from babel.support import Translations
from flask import Blueprint, Response, current_app, jsonify, render_template, request, send_from_directory
from flask_babel import get_locale

from rules.i18n import direction
from storefront import ShareCard, ShareCards

STATIC = Path(__file__).resolve().parent / "static"
TRANSLATIONS = Path(__file__).resolve().parent / "translations"

# Babel numbers a catalog's plural forms in this order of CLDR categories (those the language uses,
# "other" always), the order of its Plural-Forms expression.
PLURAL_ORDER = ("zero", "one", "two", "few", "many", "other")

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


def request_language() -> str:
    """The request's language as a BCP 47 tag ("fr", "pt-BR"): what the application negotiated."""
    locale = get_locale()
    return str(locale).replace("_", "-") if locale is not None else "en"


def _offered_languages() -> list[dict[str, str]]:
    offered = current_app.extensions["storefront_languages"]()
    return [{"code": code, "name": _language_name(code)} for code in sorted(offered)]


def _language_name(code: str) -> str:
    """A language named in itself ("Français", "Deutsch"), as a language menu lists it."""
    try:
        name = Locale.parse(code.replace("-", "_")).get_display_name() or code
    except ValueError:
        return code
    return name[:1].upper() + name[1:]


def _currency_name(code: str, language: str) -> str:
    """A currency as a menu names it in `language`: "Euro (€)", "dollar des États-Unis ($US)"."""
    locale = language.replace("-", "_")
    try:
        name = get_currency_name(code, locale=locale)
        symbol = get_currency_symbol(code, locale=locale)
    except (UnknownLocaleError, ValueError):
        return code
    name = name[:1].upper() + name[1:]
    return name if symbol in (code, name) else f"{name} ({symbol})"


def page_language() -> dict[str, Any]:
    """What every page's template knows of the shopper's language and currency menus: `languages` and
    `currencies` as [{code, name}], each language named in itself, each currency in the page's
    language."""
    language = request_language()
    return {
        "language": language,
        "direction": direction(language),
        "languages": _offered_languages(),
        "currencies": [
            {"code": code, "name": _currency_name(code, language)}
            for code in current_app.extensions["storefront_currencies"]()
        ],
    }


def plural_forms(language: str) -> list[str]:
    """The CLDR plural categories of `language` in the order of its gettext forms (Babel writes the
    catalogs' Plural-Forms from CLDR in this order): French ["one", "many", "other"]."""
    try:
        tags = Locale.parse(language.replace("-", "_")).plural_form.tags | {"other"}
    except (UnknownLocaleError, ValueError):
        return ["one", "other"]
    return [tag for tag in PLURAL_ORDER if tag in tags]


@cache
def _script_messages(language: str) -> dict[str, str | list[str]]:
    """The storefront catalog of `language` as the scripts read it (i18n.js): each message id to its
    text, a plural message's singular to its forms."""
    translations = Translations.load(str(TRANSLATIONS), [language.replace("-", "_")], "storefront")
    # gettext keeps the compiled catalog in `_catalog`: a message id to its text, (id, n) to plural form n.
    found: dict[str | tuple[str, int], str] = getattr(translations, "_catalog", {})
    messages: dict[str, str | list[str]] = {}
    plurals: dict[str, dict[int, str]] = {}
    for key, text in found.items():
        if isinstance(key, tuple):
            plurals.setdefault(key[0], {})[key[1]] = text
        elif key:  # "" is the catalog's header
            messages[key] = text
    for singular, forms in plurals.items():
        messages[singular] = [forms[index] for index in sorted(forms)]
    return messages


@blp.route("/assets/messages.json")
def script_messages() -> Response:
    """The texts of the scripts in the shopper's language (`?lang=` when they chose one the shop offers,
    else the negotiated language), with the language menu. Read by pages and partner widgets alike."""
    languages = _offered_languages()
    offered = {entry["code"]: entry["code"] for entry in languages}
    asked = request.args.get("lang", "")
    language = offered.get(asked) or request_language()
    response = jsonify(
        language=language,
        direction=direction(language),
        languages=languages,
        plural_forms=plural_forms(language),
        messages=_script_messages(language.split("-")[0]),
    )
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "public, max-age=300"
    response.vary.add("Accept-Language")
    response.vary.add("Cookie")
    return response


@blp.route("/")
def catalog() -> str:
    """Every product, with its base price."""
    return render_template("storefront/catalog.html", page="catalog")


@blp.route("/products/<key>")
def product(key: str) -> str:
    """The configurator for one product."""
    return render_template("storefront/product.html", page="product", product=key)


def share_card(kind: str, public_id: str) -> ShareCard | None:
    """What a chat shows of this page's link (None: nothing to show, the page has no card tags)."""
    cards: ShareCards = current_app.extensions["storefront_share_card"]
    return cards(kind, public_id)


@blp.route("/designs/<design_id>")
def design(design_id: str) -> str:
    """A shared design, read-only: edit a copy of it, add it to the cart, or publish it (its owner)."""
    return render_template(
        "storefront/design.html", page="design", design=design_id, card=share_card("design", design_id)
    )


@blp.route("/gallery")
def gallery() -> str:
    """Shoppers' designs the shop approved: by votes, newest, trending, or shuffled to vote."""
    return render_template("storefront/gallery.html", page="gallery")


@blp.route("/gallery/<entry_id>")
def gallery_entry(entry_id: str) -> str:
    """One design of the gallery: vote for it, start from it, report it."""
    return render_template(
        "storefront/gallery_entry.html", page="entry", entry=entry_id, card=share_card("entry", entry_id)
    )


@blp.route("/ideas")
def ideas() -> str:
    """The idea board: what shoppers would like the shop to make, with their votes."""
    return render_template("storefront/ideas.html", page="ideas")


@blp.route("/ideas/<idea_id>")
def idea(idea_id: str) -> str:
    """One idea, its status and the shop's note: vote for it, follow it by e-mail."""
    return render_template("storefront/idea.html", page="idea", idea=idea_id)


@blp.route("/campaigns")
def campaigns() -> str:
    """What the shop asks its shoppers: votes on what to make next, limited editions to pre-order."""
    return render_template("storefront/campaigns.html", page="campaigns")


@blp.route("/campaigns/<campaign_id>")
def campaign(campaign_id: str) -> str:
    """One campaign: vote for its candidates (results once it closes), or pre-order its edition."""
    return render_template("storefront/campaign.html", page="campaign", campaign=campaign_id)


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
