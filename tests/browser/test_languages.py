"""The shop in French and German: a shopper whose browser speaks the language (or who picks it in a
menu) walks the catalog, a product with a greyed option, the cart, the checkout with a mistake, the
order page after a test payment, and the partner's widget and embed page; no English the storefront
writes is left on any of them (text, aria-labels, alt, placeholders, titles, announcements), money is
written the language's way, and the choice of language and currency outlives a reload.

How English is told from French and German: every text of the page is collected, the texts the API
answered with (labels, reasons, problems: the catalog's and the application's words, whose
translation is not the storefront's) are set apart, and what is left fails when it holds an English
message of the storefront catalog (one whose translation differs) or a common English word that is no
French or German word. English in what the API answered (the application's messages, the demo
catalog's labels) fails too, listed in tests/browser/artifacts/untranslated-<language>.txt.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po
from flask import Flask
from playwright.sync_api import Browser, Frame, Locator, Page, Response, Route, expect
from playwright.sync_api import Error as PlaywrightError

from tests.browser.conftest import ARTIFACTS, CHOSEN_ALREADY, ROOT, STEP_WITHIN_MS, Server, serve
from tests.browser.steps import click_greyed, no_horizontal_scroll

CATALOGS = ROOT / "storefront" / "translations"
# Money as CLDR writes it in French and German: "14,00 €", "16,00 $US", "16,00 $".
EUROS = re.compile(r"\d+,\d{2}\s€")
DOLLARS = re.compile(r"\d+,\d{2}\s\$")

# Common English words that are no French or German words (so "in", "an", "or", "will", "was",
# "total", "design", "option", "details", "status", "shop", "start", "link", "name" are not here).
ENGLISH_WORDS = frozenset(
    """
    the and with your you yours this that these those for from of to is are be been being has have had
    it its it's isn't don't doesn't can't cannot could would should please here there what which who
    whom whose when where why how any some more less only just now yet already each every other another
    first last next add added remove removed save saved share shared copy copied view open opened close
    cancel cancelled choose chosen pick picked clear cleared undo undone over back edit enlarge
    enlarged loading loaded upload uploading download downloaded erase erased accept decline apply
    checkout cart price prices subtotal quantity item items order orders ordered payment pay paid
    shipping shipped address city country full required enter number character characters left too
    many least at up down right bottom picture preview products product choices choice yes nothing
    none empty popular recommended language currency privacy data my our we they them their he she
    were by if then than because while about after before into out off without within through still
    never always same different thank thanks sorry error wrong went something everything anything make
    made makes making look keep kept stays money moves moved charged buy sell waiting wait refunded
    summary instead switch shorten improve suggest random time run runs noting happened covers
    reserved way
    """.split()
)
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")  # letters of any script: "Payée" is one word
# Keys whose values in API answers are codes, ids and addresses, not words for people.
TECHNICAL_KEYS = frozenset(
    """
    key id kind type status code field currency source url href links token design product attribute
    option picks choices design_id cart order created_at paid_at updated_at swatch unit email picture
    """.split()
)

COLLECT = """
([root, expected]) => {
  const out = [];
  const primary = (tag) => (tag || "").toLowerCase().split("-")[0];
  const skip = new Set(["SCRIPT", "STYLE", "TEMPLATE"]);
  const where = (element) => {
    if (!element) return "";
    const id = element.id ? `#${element.id}` : "";
    const name = typeof element.className === "string" ? element.className.split(" ")[0] : "";
    const cls = name ? `.${name}` : "";
    return `${element.tagName.toLowerCase()}${id}${cls}`;
  };
  const walk = (node) => {
    if (node.nodeType === Node.TEXT_NODE) {
      const text = node.textContent.trim();
      if (text) out.push({ text, where: where(node.parentElement) });
      return;
    }
    if (node.nodeType === Node.ELEMENT_NODE) {
      if (skip.has(node.tagName)) return;
      // A part written in another language on purpose: a language named in itself in a menu.
      const lang = node.getAttribute("lang");
      if (lang && primary(lang) !== primary(expected)) return;
      for (const name of ["aria-label", "alt", "placeholder", "title", "aria-valuetext"]) {
        const value = node.getAttribute(name);
        if (value && value.trim()) out.push({ text: value.trim(), where: `${where(node)}[${name}]` });
      }
      if (node.tagName === "NOSCRIPT") {
        const text = node.textContent.replace(/<[^>]*>/g, " ").trim();
        if (text) out.push({ text, where: "noscript" });
        return;
      }
      if (node.shadowRoot) walk(node.shadowRoot);
    }
    for (const child of node.childNodes) walk(child);
  };
  walk(root ?? document);
  return out;
}
"""


@cache
def english_messages(language: str) -> tuple[re.Pattern[str], ...]:
    """The storefront catalog's English messages whose `language` text differs, as patterns that
    find them in a page's text (a parameter matches anything)."""
    with (CATALOGS / language / "LC_MESSAGES" / "storefront.po").open("rb") as handle:
        catalog = read_po(handle, locale=language)
    patterns = []
    for message in catalog:
        if not message.id:
            continue
        ids = list(message.id) if isinstance(message.id, tuple | list) else [message.id]
        texts = list(message.string) if isinstance(message.string, tuple | list) else [message.string]
        for english in ids:
            if english in texts or "<" in english:
                continue
            pieces = re.split(r"\{[A-Za-z_]+\}|%\([A-Za-z_]+\)s", english)
            if not any(re.search(r"[A-Za-z]{2}", piece) for piece in pieces):
                continue  # all parameters and signs ("{value} {unit}"): nothing English to find
            body = ".+?".join(re.escape(piece) for piece in pieces)
            if len(pieces) == 1 and re.fullmatch(r"\w+", english):
                # One word ("Undo", "Top"): a label of its own, not a word inside someone's sentence.
                patterns.append(re.compile(rf"^\W*{body}\W*$"))
                continue
            start = r"\b" if re.match(r"\w", english) else ""
            end = r"\b" if re.search(r"\w$", english) else ""
            patterns.append(re.compile(f"{start}{body}{end}"))
    return tuple(patterns)


# An order number ("AT3R-JWYR") is random letters and digits: its "AT" is not the English "at".
_ORDER_NUMBER = re.compile(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}\b")


def english_in(text: str, language: str) -> list[str]:
    """What in `text` reads as English: storefront messages, then common English words."""
    text = _ORDER_NUMBER.sub(" ", text)
    found = [pattern.pattern for pattern in english_messages(language) if pattern.search(text)]
    found += sorted({word for word in _WORD.findall(text) if word.lower() in ENGLISH_WORDS})
    return found


def api_texts(value: Any, key: str = "") -> Iterator[str]:
    """Every text for people in an API answer."""
    if isinstance(value, dict):
        for name, inner in value.items():
            yield from api_texts(inner, name)
    elif isinstance(value, list):
        for inner in value:
            yield from api_texts(inner, key)
    elif isinstance(value, str) and key not in TECHNICAL_KEYS and re.search(r"[^\W\d_]{2}", value):
        yield value


@dataclass
class Scan:
    """What a shopper reads in one language: the API's texts as they arrive, and the English found."""

    language: str
    from_api: set[str] = field(default_factory=set)
    own: list[str] = field(default_factory=list)  # the storefront's own English: a failure
    foreign: dict[str, set[str]] = field(default_factory=dict)  # the API's or the catalog's, by page

    def listen(self, page: Page) -> None:
        def keep(response: Response) -> None:
            if "/api/v1/" not in response.url or "json" not in response.headers.get("content-type", ""):
                return
            try:
                self.from_api.update(api_texts(response.json()))
            except (PlaywrightError, ValueError):
                return  # a body already gone (the page went on) tells nothing

        page.on("response", keep)

    def look(self, where: str, target: Page | Frame | Locator) -> None:
        """Collect every text of `target` (a page, a frame, or an element and its shadow root)."""
        if isinstance(target, Locator):
            script = f"(element, expected) => ({COLLECT})([element.shadowRoot ?? element, expected])"
            fragments = target.evaluate(script, self.language)
        else:
            fragments = target.evaluate(f"expected => ({COLLECT})([null, expected])", self.language)
        known = sorted(self.from_api, key=len, reverse=True)
        for fragment in fragments:
            text = fragment["text"]
            for answer in known:
                if answer in text:
                    if english_in(answer, self.language):
                        self.foreign.setdefault(answer, set()).add(where)
                    text = text.replace(answer, "\x00")
            found = english_in(text, self.language)
            if found:
                self.own.append(f"{where}: {fragment['where']}: {fragment['text']!r} ({', '.join(found)})")

    def check(self) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        report = ARTIFACTS / f"untranslated-{self.language}.txt"
        lines = [f"{text!r} on {', '.join(sorted(pages))}\n" for text, pages in sorted(self.foreign.items())]
        report.write_text("".join(lines), encoding="utf-8")
        assert not self.own, "English the storefront writes:\n" + "\n".join(self.own)
        assert not self.foreign, f"English from the API or the catalog (see {report})"


# --- the partner's pages --------------------------------------------------------------------------

PARTNER_PAGES = {
    "/widget": """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Bistro Gifts</title></head>
<body><h1>Bistro Gifts</h1>
<atelier-configurator product="engraved-mug" key="{key}" api="{shop}"></atelier-configurator>
<script src="{shop}/assets/atelier-widget.js" async></script>
</body></html>""",
    "/frame": """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Corner Shop</title></head>
<body><h1>Corner Shop</h1>
<iframe title="Mug" src="{shop}/embed/engraved-mug?key={key}" width="900" height="1100"></iframe>
</body></html>""",
}


@pytest.fixture(scope="module")
def partner(shop: Server, shop_app: Flask) -> Iterator[Server]:
    """A partner's site on its own origin: the widget at /widget, the embed page framed at /frame."""
    from configurator.partners import services as partners

    key: dict[str, str] = {}

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        html = PARTNER_PAGES.get(environ.get("PATH_INFO", ""), "")
        start_response("200 OK" if html else "404 Not Found", [("Content-Type", "text/html; charset=utf-8")])
        return [html.format(key=key["value"], shop=shop.url).encode()]

    site = serve(app)
    with shop_app.app_context():
        key["value"] = partners.add("languages-partner", [site.url]).publishable_key
    yield site
    site.stop()


def browser_in(browser: Browser, shop: Server, locale: str, viewport: dict[str, int] | None = None) -> Page:
    """A new browser whose languages are `locale`'s, its privacy choice on the shop made already."""
    context = browser.new_context(
        locale=locale, viewport=viewport or {"width": 1280, "height": 900}, has_touch=bool(viewport)
    )
    context.add_init_script(CHOSEN_ALREADY % json.dumps(shop.url))
    page = context.new_page()
    page.set_default_timeout(STEP_WITHIN_MS)
    return page


# --- what the shopper does ------------------------------------------------------------------------


def summary(page: Page | Locator) -> Locator:
    return page.locator(".atelier-summary")


def option(page: Page | Locator, attribute: str, value: str) -> Locator:
    """The label of one option of an attribute (what a shopper clicks)."""
    return page.locator(f'[data-attribute="{attribute}"] label:has(input[value="{value}"])')


def open_product(page: Page, shop: Server, money: re.Pattern[str] = EUROS) -> None:
    """The mug's page, once its first price is shown, written as `money` says."""
    page.goto(f"{shop.url}/products/engraved-mug")
    expect(page.locator("[data-configurator]")).not_to_have_attribute("aria-busy", re.compile(".*"))
    expect(summary(page).locator(".atelier-amount")).to_have_text(money)


def walk_the_shop(page: Page, shop: Server, partner: Server, scan: Scan, snap: Callable[[str], None]) -> None:
    """Catalog, product, cart, checkout, order, widget and embed page, each read whole."""
    language = scan.language
    # The catalog: every product from its price, the language's way
    page.goto(f"{shop.url}/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    prices = page.locator(".product-card .product-price strong")
    expect(prices.first).to_have_text(EUROS)
    expect(page.locator(".product-picture img").first).to_be_visible()
    scan.look("catalog", page)
    snap("catalog")

    # A product: pick enamel, and gold is greyed with its reason
    open_product(page, shop)
    option(page, "material", "enamel").click()
    gold = page.locator('[data-attribute="colour"] input[value="gold"]')
    expect(gold).to_have_attribute("aria-disabled", "true")
    option(page, "colour", "gold").hover()
    reason = page.locator('[data-attribute="colour"] .atelier-blocked [role="tooltip"]')
    expect(reason).to_be_visible()
    expect(reason).not_to_be_empty()
    # a refused word is explained (the text policy's message), then a fitting text is priced
    engraving = page.locator('[data-attribute="engraving"] .atelier-text')
    engraving.fill("Stupid")
    expect(engraving).to_have_attribute("aria-invalid", "")
    expect(page.locator('[data-attribute="engraving"] .atelier-field-message')).not_to_be_empty()
    scan.look("product, refused text", page)
    engraving.fill("Léa 2026")
    expect(page.locator('[data-attribute="engraving"] .atelier-counter')).to_contain_text("16")
    expect(summary(page).locator(".atelier-amount")).to_have_text(EUROS)
    expect(summary(page)).not_to_have_attribute("aria-busy", "true")
    scan.look("product", page)
    snap("product")
    # insisting on it asks before changing anything
    click_greyed(option(page, "colour", "gold"))
    dialog = page.locator("dialog.atelier-dialog[open]")
    expect(dialog).to_be_visible()
    expect(dialog.locator(".atelier-dialog-question")).not_to_be_empty()
    scan.look("product, repair", page)
    snap("product-repair")
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    summary(page).locator(".atelier-actions .atelier-button:not(.atelier-secondary)").click()
    expect(summary(page).locator(".atelier-added")).to_be_visible()
    scan.look("product, added to the cart", page)

    # The cart
    page.goto(f"{shop.url}/cart")
    expect(page.locator(".cart-line")).to_have_count(1)
    expect(page.locator(".cart-summary dd").last).to_have_text(EUROS)
    scan.look("cart", page)
    snap("cart")

    # Checkout: sent empty, every required field says what it needs
    page.goto(f"{shop.url}/checkout")
    form = page.locator("form.checkout-form")
    form.locator('button[type="submit"]').click()
    expect(form.locator(".atelier-field-message:visible")).to_have_count(5)
    expect(page.locator("#email")).to_be_focused()
    scan.look("checkout, mistakes", page)
    snap("checkout")
    for control, value in (
        ("#email", "lea@example.org"),
        ("#name", "Léa Martin"),
        ("#line1", "1 rue de la Roquette"),
        ("#postal_code", "75011"),
        ("#city", "Paris"),
    ):
        page.locator(control).fill(value)
    page.locator("#country").select_option("FR")
    form.locator('button[type="submit"]').click()
    expect(page.locator(".pay h2")).to_be_focused()
    scan.look("checkout, payment", page)
    page.locator(".atelier-test-payment").click()

    # The order page after the test payment
    expect(page.locator(".order-status")).not_to_be_empty()
    expect(page.locator(".cart-summary dd").last).to_have_text(EUROS)
    scan.look("order", page)
    snap("order")

    # The partner's widget, on a page written in English
    page.goto(f"{partner.url}/widget")
    widget = page.locator("atelier-configurator")
    expect(summary(widget).locator(".atelier-amount")).to_have_text(EUROS)
    expect(widget.locator(".atelier-root").first).to_have_attribute("lang", language)
    option(widget, "material", "enamel").click()
    widget_gold = widget.locator('[data-attribute="colour"] input[value="gold"]')
    expect(widget_gold).to_have_attribute("aria-disabled", "true")
    expect(summary(widget)).not_to_have_attribute("aria-busy", "true")
    scan.look("widget", widget)
    snap("widget")

    # and the embed page in the partner's frame
    page.goto(f"{partner.url}/frame")
    frame = page.frame_locator("iframe")
    expect(summary(frame.locator("atelier-configurator")).locator(".atelier-amount")).to_have_text(EUROS)
    embed = next(f for f in page.frames if f.url.startswith(f"{shop.url}/embed/"))
    expect(frame.locator("html")).to_have_attribute("lang", language)
    scan.look("embed page", embed)
    snap("embed")


@pytest.mark.parametrize("language", ["fr", "de"])
def test_a_shopper_whose_browser_speaks_the_language_reads_no_english(
    browser: Browser, shop: Server, partner: Server, language: str
) -> None:
    page = browser_in(browser, shop, f"{language}-{language.upper()}")
    scan = Scan(language)
    scan.listen(page)
    walk_the_shop(page, shop, partner, scan, lambda name: snapshot(page, f"languages-{language}-{name}"))
    page.context.close()
    scan.check()


def test_the_menus_choose_the_language_and_currency_and_remember_them(
    browser: Browser, shop: Server, partner: Server
) -> None:
    # Given an English browser with a cart opened in euros
    page = browser_in(browser, shop, "en-GB")
    open_product(page, shop, re.compile(r"^€14\.00$"))
    summary(page).locator(".atelier-actions .atelier-button:not(.atelier-secondary)").click()
    expect(summary(page).locator(".atelier-added")).to_be_visible()

    # When the shopper picks German in the header's menu by keyboard: the arrow keys only move
    page.goto(f"{shop.url}/")
    language = page.get_by_label("Language", exact=True)
    language.focus()
    page.keyboard.press("ArrowUp")
    expect(language).to_have_value("de")
    apply = page.get_by_role("button", name="Apply")
    expect(apply).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    # and Enter applies them
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("heading", level=1)).to_have_text("Auf Bestellung gefertigt")
    # (the catalog drawn: the page's script has run, so a pick applies at once rather than showing
    # "Apply", which is what a pick made before the script arrives gets)
    expect(page.locator("[data-products]")).not_to_have_attribute("aria-busy", re.compile(".*"))
    # then US dollars, picked with the pointer (applied at once)
    with page.expect_navigation():
        page.get_by_label("Währung", exact=True).select_option("USD")
    # then prices are in dollars, written the German way, and both choices outlive a reload
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_label("Währung", exact=True)).to_have_value("USD")
    expect(page.get_by_label("Sprache", exact=True)).to_have_value("de")
    expect(page.locator(".product-card .product-price strong").first).to_have_text(DOLLARS)
    scan = Scan("de")
    scan.listen(page)
    page.reload()
    expect(page.locator(".product-card .product-price strong").first).to_have_text(DOLLARS)
    scan.look("catalog (menu)", page)
    open_product(page, shop, DOLLARS)
    scan.look("product (menu)", page)
    # and the cart, opened in euros, stays in euros and says so
    page.goto(f"{shop.url}/cart")
    expect(page.locator(".cart-currency")).to_contain_text("Euro")
    expect(page.locator(".cart-summary dd").last).to_have_text(EUROS)
    scan.look("cart (menu)", page)
    snapshot(page, "languages-menu-cart")

    # When, on an English partner page (the shop's choices are the shop's: the widget starts from the
    # browser's English and the shop's euros), the shopper picks French and dollars in the widget's menu
    page.goto(f"{partner.url}/widget")
    widget = page.locator("atelier-configurator")
    expect(summary(widget).locator(".atelier-amount")).to_have_text("€14.00")
    widget.get_by_label("Language", exact=True).focus()
    widget.get_by_label("Language", exact=True).select_option("fr")
    expect(widget.locator(".atelier-root").first).to_have_attribute("lang", "fr")
    expect(widget.locator(".atelier-title")).to_have_text("Mug gravé")
    expect(widget.get_by_label("Langue", exact=True)).to_be_focused()
    widget.get_by_label("Devise", exact=True).focus()
    widget.get_by_label("Devise", exact=True).select_option("USD")
    expect(summary(widget).locator(".atelier-amount")).to_have_text(DOLLARS)
    expect(widget.get_by_label("Devise", exact=True)).to_be_focused()
    # then both are remembered in this browser
    french = Scan("fr")
    french.listen(page)
    page.reload()
    expect(widget.locator(".atelier-root").first).to_have_attribute("lang", "fr")
    expect(summary(widget).locator(".atelier-amount")).to_have_text(DOLLARS)
    expect(summary(widget)).not_to_have_attribute("aria-busy", "true")
    french.look("widget (menu)", widget)
    snapshot(page, "languages-menu-widget")
    page.context.close()
    scan.check()
    french.check()


def test_a_list_moved_before_the_page_script_ran_is_applied_by_enter(browser: Browser, shop: Server) -> None:
    # Given a page whose script is still loading (a slow network holds it)
    page = browser_in(browser, shop, "en-GB")
    held: list[Route] = []
    page.route("**/assets/storefront.js", lambda route: held.append(route))
    page.goto(f"{shop.url}/", wait_until="commit")
    language = page.get_by_label("Language", exact=True)
    # When the shopper moves the language list by keyboard before the script runs
    language.focus()
    page.keyboard.press("ArrowUp")
    expect(language).to_have_value("de")
    assert held, "the script was not held"
    held[0].continue_()
    page.unroute("**/assets/storefront.js")
    # Then, once it runs, the move is not lost: "Apply" shows, and Enter applies it
    apply = page.get_by_role("button", name="Apply")
    expect(apply).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    page.context.close()


@pytest.mark.parametrize("language", ["fr", "de"])
def test_the_pages_fit_a_phone_in_the_language(
    browser: Browser, shop: Server, partner: Server, language: str
) -> None:
    page = browser_in(browser, shop, f"{language}-{language.upper()}", {"width": 390, "height": 844})
    open_product(page, shop)
    summary(page).locator(".atelier-actions .atelier-button:not(.atelier-secondary)").click()
    expect(summary(page).locator(".atelier-added")).to_be_visible()
    pages = {"catalog": "/", "product": "/products/engraved-mug", "cart": "/cart", "checkout": "/checkout"}
    for name, path in pages.items():
        page.goto(f"{shop.url}{path}")
        expect(page.locator("[aria-busy]")).to_have_count(0)
        if name == "checkout":
            page.locator('form.checkout-form button[type="submit"]').click()
            expect(page.locator(".atelier-field-message:visible")).to_have_count(5)
        no_horizontal_scroll(page, 390)
        snapshot(page, f"languages-{language}-phone-{name}")
    page.goto(f"{partner.url}/widget")
    widget = page.locator("atelier-configurator")
    expect(summary(widget).locator(".atelier-amount")).to_have_text(EUROS)
    no_horizontal_scroll(page, 390)
    snapshot(page, f"languages-{language}-phone-widget")
    page.context.close()


def snapshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
