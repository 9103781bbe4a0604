"""Carts: lines are saved designs with a quantity; every read prices the whole cart again, on the
server, from the live rules (never from anything the client sent). A cart remembers the partner whose
page brought it, so its order is attributed to that partner wherever the shopper pays.

A line whose design the live version rejects (an option withdrawn, a new rule) keeps its design
untouched: it is priced through the version it was made with and flagged, and checkout waits until the
shopper replaces it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from configurator import events
from configurator.carts.errors import (
    CartClosed,
    CartLineNotFound,
    CartNotFound,
    CartNotReady,
    DesignInvalid,
)
from configurator.carts.models import Cart, CartLine, CartStatus
from configurator.catalog import versions
from configurator.catalog.services import resolve_currency
from configurator.dbtypes import looks_like_token
from configurator.designs import services as designs
from configurator.designs.models import Design
from configurator.errors import FieldError
from configurator.extensions import db
from configurator.requester import current_partner_id
from configurator.wording import (
    CART_EMPTY,
    CART_ORDERED,
    CART_UNKNOWN,
    CONTACT_MISSING,
    DESIGN_BREAKS_RULES,
    LINE_UNKNOWN,
    cart_full,
    classify,
    field_label,
    no_delivery,
    shopper_sentence,
    too_heavy,
)
from rules.commerce import (
    OrderTotals,
    ShippingUnavailableError,
    SummaryLine,
    TooHeavyToShipError,
    destination_problems,
    order_totals,
)
from rules.model import Brand, Localized
from rules.money import round_money
from rules.production import making
from rules.regions import Region, offered_regions
from rules.results import Quote, Violation

MAX_LINES = 100
MAX_QUANTITY = 1000


@dataclass(frozen=True)
class PricedLine:
    line: CartLine
    checked: designs.Checked  # the design read through the version that prices it
    quote: Quote
    current: bool  # priced by the live version (else by its own, and flagged)
    problems: tuple[Violation, ...]  # what the live version says is wrong with it


@dataclass(frozen=True)
class CartPrice:
    cart: Cart
    currency: str
    lines: tuple[PricedLine, ...]
    subtotal: Decimal
    shipping: Decimal
    tax: Decimal
    total: Decimal
    prices_include_tax: bool
    summary: tuple[SummaryLine, ...]
    shipping_problem: Localized | None = None  # the destination cannot be served; checkout waits
    # What is wrong with the address's country or region (saved before a rule changed: UK, or a
    # country whose tax now depends on the region): (field, technical message, value). Priced as
    # no destination yet; checkout waits for the shopper to correct it.
    address_problems: tuple[tuple[str, str, Any], ...] = ()

    @property
    def flagged(self) -> tuple[PricedLine, ...]:
        return tuple(line for line in self.lines if line.problems)


def brand() -> Brand:
    """The brand as published last (currencies, shipping, tax)."""
    return versions.live_rules().brand


def regions(country: str) -> tuple[bool, tuple[Region, ...]]:
    """Whether the live brand's tax depends on the region in `country` (an address there needs one),
    and the regions a shopper picks from there."""
    tax = brand().tax
    named = tax.by_region(country) if tax is not None else ()
    return bool(named), offered_regions(country, named)


def create(currency: str | None) -> Cart:
    """A new empty cart in one of the brand's currencies; commits."""
    cart = Cart(currency=resolve_currency(brand(), currency), partner_id=current_partner_id())
    db.session.add(cart)
    events.cart_opened.send(cart)
    db.session.commit()
    return cart


def find(token: str, *, for_update: bool = False) -> Cart:
    """The cart with this token, or `CartNotFound`; `for_update` locks its row until commit."""
    if not looks_like_token(token):
        raise CartNotFound(CART_UNKNOWN)
    query = select(Cart).where(Cart.token == token)
    if for_update:
        query = query.with_for_update()
    cart = db.session.scalar(query)
    if cart is None:
        raise CartNotFound(CART_UNKNOWN)
    return cart


def _open(cart: Cart) -> None:
    if cart.status != CartStatus.OPEN:
        raise CartClosed(CART_ORDERED)


def add_line(cart: Cart, design: Design, quantity: int, locale: str = "en") -> CartLine:
    """Add a design the live rules accept; commits. An invalid design is refused with its violations,
    said in `locale`."""
    _open(cart)
    if len(cart.lines) >= MAX_LINES:
        raise CartNotReady(cart_full(MAX_LINES))
    checked = designs.check_live(design.choices, design.product_key)
    if not checked.valid:
        errors = [
            FieldError(
                ".".join(["design", *v.attributes[:1]]),
                v.message.get(locale),
                code=v.rule.id if v.rule else None,
            )
            for v in checked.violations
        ]
        raise DesignInvalid(DESIGN_BREAKS_RULES, errors=errors)
    line = CartLine(cart=cart, design=design, quantity=quantity)
    db.session.add(line)
    if cart.partner_id is None:
        # The first partner to bring something: the one whose page adds the line, else the one
        # whose page saved the design (a shared widget design added on the shop's own pages).
        cart.partner_id = current_partner_id() or design.partner_id
    events.cart_line_added.send(line)
    db.session.commit()
    return line


def find_line(cart: Cart, line_id: int) -> CartLine:
    line = next((line for line in cart.lines if line.id == line_id), None)
    if line is None:
        raise CartLineNotFound(
            LINE_UNKNOWN, extensions={"technical_detail": f"This cart has no line {line_id}."}
        )
    return line


def set_quantity(cart: Cart, line: CartLine, quantity: int) -> None:
    _open(cart)
    line.quantity = quantity
    db.session.commit()


def remove_line(cart: Cart, line: CartLine) -> None:
    _open(cart)
    cart.lines.remove(line)
    db.session.commit()


def set_contact(cart: Cart, *, email: str, name: str, address: dict[str, Any]) -> None:
    _open(cart)
    cart.email, cart.name, cart.address = email, name, address
    db.session.commit()


def price(
    cart: Cart, rules: versions.Rules | None = None, destination: tuple[str, str | None] | None = None
) -> CartPrice:
    """Price every line from the live rules (or those given: what a publish would make live), then
    shipping and tax for the cart's destination, or for `destination` (a country and region the
    shopper is choosing, not saved yet)."""
    if rules is None:
        rules = versions.live_rules()
    priced = tuple(_price_line(line, cart.currency, rules) for line in cart.lines)
    subtotal = sum((p.quote.total for p in priced), round_money(Decimal(0), cart.currency))
    shop = rules.brand
    address = cart.address or {}
    country, region = destination or (address.get("country"), address.get("region"))
    found = destination_problems(shop.tax, country, region) if country is not None else ()
    address_problems = tuple(
        (field, technical, country if field == "country" else region) for field, technical in found
    )
    taxed = True
    if any(field == "country" for field, _ in found):
        country = region = None
    elif found:
        # The country is shipped to; its tax waits for a region it has, rather than show a rate
        # (the country's) the order may not pay.
        region, taxed = None, False
    problem = None
    items = sum(p.line.quantity for p in priced)
    grams = sum((_unit_grams(p) * p.line.quantity for p in priced), Decimal(0))
    try:
        totals = _totals(shop, cart.currency, country, region, subtotal, items, taxed=taxed, grams=grams)
    except TooHeavyToShipError:
        problem = too_heavy(shop.label)
        totals = _totals(shop, cart.currency, None, None, subtotal, 0)
    except ShippingUnavailableError:
        problem = no_delivery(shop.label)
        totals = _totals(shop, cart.currency, None, None, subtotal, 0)
    return CartPrice(
        cart,
        cart.currency,
        priced,
        totals.subtotal,
        totals.shipping,
        totals.tax,
        totals.total,
        totals.tax_included,
        totals.lines,
        problem,
        address_problems,
    )


def _totals(
    shop: Brand,
    currency: str,
    country: str | None,
    region: str | None,
    subtotal: Decimal,
    items: int,
    *,
    taxed: bool = True,
    grams: Decimal = Decimal(0),
) -> OrderTotals:
    return order_totals(
        zones=shop.shipping,
        tax=shop.tax if taxed else None,
        prices_include_tax=shop.prices_include_tax,
        currency=currency,
        country=country,
        region=region,
        subtotal=subtotal,
        items=items,
        rounding=shop.rounding,
        grams=grams,
    )


def _unit_grams(line: PricedLine) -> Decimal:
    """What one unit of the line weighs, from its product's production data (0 when it says none)."""
    weight = making(line.checked.product.model, line.checked.design).weight_grams
    return weight if weight is not None else Decimal(0)


def _price_line(line: CartLine, currency: str, rules: versions.Rules) -> PricedLine:
    live, checked = designs.read_for_price(line.design, rules)
    quote = checked.product.price(checked.design, quantity=line.quantity, currency=currency)
    return PricedLine(line, checked, quote, checked is live, live.violations)


def ready_for_checkout(priced: CartPrice, locale: str) -> None:
    """Refuse checkout while the cart is empty, lacks contact details or holds a flagged line; the
    refusal is worded for shoppers in `locale`."""
    cart = priced.cart
    _open(cart)
    found: list[tuple[str, Localized, str | None]] = []  # field, what a shopper reads, code
    technical: dict[str, str] = {}  # field -> what integrators read
    if not priced.lines:
        found.append(("lines", CART_EMPTY, None))
    for index, line in enumerate(priced.lines):
        for violation in line.problems:
            field = ".".join([f"lines.{index}", *violation.attributes[:1]])
            found.append((field, violation.message, violation.rule.id if violation.rule else None))
    if not cart.email or not cart.name or not cart.address:
        found.append(("contact", CONTACT_MISSING, None))
    elif priced.address_problems:
        for name, message, value in priced.address_problems:
            problem = classify(message, value)
            said = shopper_sentence(problem, field_label(["address", name]))
            found.append((f"contact.address.{name}", said, problem.kind))
            technical[f"contact.address.{name}"] = message
    elif priced.shipping_problem:
        found.append(("contact.address.country", priced.shipping_problem, None))
    if found:
        errors = [
            FieldError(field, said.get(locale), code=code, technical_detail=technical.get(field))
            for field, said, code in found
        ]
        languages = {"en", locale, *(language for _, said, _ in found for language in said.texts)}
        detail = Localized(
            {language: " ".join(said.get(language) for _, said, _ in found) for language in languages}
        )
        raise CartNotReady(detail, errors=errors)
