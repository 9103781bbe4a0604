"""Recommendations for shoppers and suggested defaults for merchants, learned from paid orders.

Every paid order line (paid, in production or shipped) of a product is one past design weighing its
quantity. Its choices are read through the version the line was ordered on, then kept only where the
live version still has the attribute and the value, so a design ordered before a publish still votes
for what a shopper can pick today. Texts and images are never learned: they are the shoppers' own
words and photos, and no option is ranked by them.

Designs shoppers saved while consenting also vote, `DESIGN_WEIGHT` each, when the preferences domain
provides them (`use_consented_designs`, wired by the app factory).

The learned `Recommender` is cached per process (on the app) and per product. It is rebuilt when the
live version changes, when the paid lines change (counted with one indexed aggregate query per
request: the number of paid orders and the last paid line's id), when the consented designs' stamp
changes (a new design, a withdrawal, an erasure: the source says how, in one query too), or after
`REBUILD_AFTER` seconds at most, which also catches what the counts cannot see (an order refunded while
an older one is paid). Answers are then computed purely: candidates are the options the engine still
allows given the picks, so nothing it excludes is ever recommended.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app
from sqlalchemy import func, select

from configurator.catalog import services as catalog
from configurator.catalog import versions
from configurator.catalog.models import ProductVersion
from configurator.designs.services import to_json
from configurator.extensions import db
from configurator.orders.models import Order, OrderLine, OrderStatus
from rules import Product
from rules.model import AttributeKind, Value
from rules.recommend import DESIGN_WEIGHT, Recommender

EXTENSION = "atelier.recommendations"
PAID = (OrderStatus.PAID.value, OrderStatus.IN_PRODUCTION.value, OrderStatus.SHIPPED.value)
REBUILD_AFTER = 600.0  # seconds; the count query catches new orders at once, this catches the rest
POPULAR_SHARE = 0.25  # an option with a quarter of the learned weight or more is "popular"
RANKING_SHOWN = 10  # a number attribute can have hundreds of allowed values: the best ten are enough
MULTI_CANDIDATES = 5  # sets checked with the engine per multi attribute (one `domains` call each)
# Attributes a shopper picks among options; texts and images are the shopper's own.
RANKED_KINDS = frozenset(
    {
        AttributeKind.CHOICE,
        AttributeKind.COLOUR,
        AttributeKind.BOOLEAN,
        AttributeKind.NUMBER,
        AttributeKind.MULTI,
    }
)

# Designs shoppers agreed to share, per product key, as (the version they were made on, their stored
# choices). The preferences domain provides them through `use_consented_designs`; until it does,
# recommendations learn from paid orders only.
ConsentedDesigns = Callable[[str], Iterable[tuple[ProductVersion, Mapping[str, Any]]]]
# Per product key, a cheap value that changes whenever the consented designs may have (a new design, a
# withdrawal, an erasure): the cache compares it on every request, so nothing taken back is kept.
ConsentedStamp = Callable[[str], tuple[int, ...]]


@dataclass(frozen=True)
class History:
    """Past designs of a product in the live version's terms, each with its weight and its order."""

    designs: list[dict[str, Value]]
    weights: list[float]
    orders: list[int | None]  # the order of each design; None for a design shared with consent

    @property
    def order_count(self) -> int:
        return len({order for order in self.orders if order is not None})


@dataclass(frozen=True)
class Learned:
    """A product's recommender and what it was learned from, as cached."""

    stamp: tuple[int, ...]  # live version id, paid orders, last paid line id, consented designs' stamp
    built_at: float
    recommender: Recommender
    orders: int
    start_from: dict[str, Value] | None


@dataclass
class _Cache:
    learned: dict[str, Learned]
    lock: threading.Lock
    consented: ConsentedDesigns | None = None
    consented_stamp: ConsentedStamp | None = None


def _cache(app: Flask | None = None) -> _Cache:
    extensions = (app or current_app).extensions
    cache = extensions.get(EXTENSION)
    if cache is None:
        cache = extensions.setdefault(EXTENSION, _Cache({}, threading.Lock()))
    return cache


def use_consented_designs(app: Flask, source: ConsentedDesigns, stamp: ConsentedStamp) -> None:
    """Learn also from designs shoppers agreed to share (weighted `DESIGN_WEIGHT` each, not by quantity);
    a product's recommender is rebuilt as soon as `stamp(product_key)` changes."""
    cache = _cache(app)
    with cache.lock:
        cache.consented = source
        cache.consented_stamp = stamp
        cache.learned.clear()


# --- loading ----------------------------------------------------------------------------------------


def paid_stamp(product_key: str) -> tuple[int, int]:
    """The number of paid orders with the product and the id of their last line (one query)."""
    row = db.session.execute(
        select(func.count(func.distinct(OrderLine.order_id)), func.coalesce(func.max(OrderLine.id), 0))
        .join(Order, Order.id == OrderLine.order_id)
        .where(OrderLine.product_key == product_key, Order.status.in_(PAID))
    ).one()
    return int(row[0]), int(row[1])


def in_live_terms(design: Mapping[str, Value], live: Product) -> dict[str, Value]:
    """The part of a design the live version can still be picked with: its option attributes, with
    values the live version still offers (read again through it, so an option renamed away drops)."""
    kept: dict[str, Value] = {}
    for key, value in design.items():
        attribute = live.model.attribute(key)
        if attribute is None or attribute.kind not in RANKED_KINDS or value is None:
            continue
        kept[key] = value
    typed, _ = live.normalize(to_json(kept))  # values it refuses are left out of `typed`
    return typed


def _read(version: ProductVersion, choices: Mapping[str, Any], live: Product) -> dict[str, Value]:
    """Stored choices typed by the version they were made on, then in the live version's terms."""
    design, _ = versions.product_for(version).normalize(choices)
    return in_live_terms(design, live)


def order_history(product_key: str, live: Product) -> History:
    """Every paid line of the product, weighing its quantity."""
    lines = db.session.execute(
        select(OrderLine.order_id, OrderLine.choices, OrderLine.quantity, ProductVersion)
        .join(Order, Order.id == OrderLine.order_id)
        .join(ProductVersion, ProductVersion.id == OrderLine.version_id)
        .where(OrderLine.product_key == product_key, Order.status.in_(PAID))
        .order_by(OrderLine.id)
    ).all()
    designs, weights, orders = [], [], []
    for order_id, choices, quantity, version in lines:
        designs.append(_read(version, choices, live))
        weights.append(float(quantity))
        orders.append(order_id)
    return History(designs, weights, orders)


def consented_history(product_key: str, live: Product, source: ConsentedDesigns | None) -> History:
    """The designs shared with consent, when a source of them is registered."""
    if source is None:
        return History([], [], [])
    designs = [_read(version, choices, live) for version, choices in source(product_key)]
    return History(designs, [DESIGN_WEIGHT] * len(designs), [None] * len(designs))


def learn(*histories: History) -> Recommender:
    """A recommender over the histories' designs and weights."""
    designs = [design for history in histories for design in history.designs]
    weights = [weight for history in histories for weight in history.weights]
    return Recommender(designs, weights)


def start_design(product: Product, recommender: Recommender, orders: int) -> dict[str, Value] | None:
    """The most popular valid design, as picks for the product's option attributes; None without orders."""
    if orders == 0:
        return None
    design = recommender.most_popular_design(product)
    picks = _option_picks(product, design)
    # The recommender skips texts, so it can pick an option whose condition needs a text (a font for an
    # engraving nobody typed): such picks are let go and the engine completes the rest, until valid.
    while True:
        design = product.complete(picks)
        violations = product.validate(design)
        if not violations:
            return _option_picks(product, design)
        wrong = {key for violation in violations for key in violation.attributes} & picks.keys()
        if not wrong:
            return None
        picks = {key: value for key, value in picks.items() if key not in wrong}


def _option_picks(product: Product, design: Mapping[str, Value]) -> dict[str, Value]:
    """The values of a design a shopper picks among options (no texts, nothing that does not apply)."""
    return {key: value for key, value in design.items() if _ranked(product, key) and value is not None}


def learned(product_key: str, product: Product, version_id: int) -> Learned:
    """The product's recommender, from the cache while the live version, the paid lines and the
    consented designs are the same and it is younger than `REBUILD_AFTER`; rebuilt otherwise."""
    cache = _cache()
    with cache.lock:
        found = cache.learned.get(product_key)
        source, consented_stamp = cache.consented, cache.consented_stamp
    stamp: tuple[int, ...] = (version_id, *paid_stamp(product_key))
    if consented_stamp is not None:
        stamp = (*stamp, *consented_stamp(product_key))
    if found is not None and found.stamp == stamp and time.monotonic() - found.built_at < REBUILD_AFTER:
        return found
    orders = order_history(product_key, product)
    recommender = learn(orders, consented_history(product_key, product, source))
    built = Learned(
        stamp=stamp,
        built_at=time.monotonic(),
        recommender=recommender,
        orders=orders.order_count,
        start_from=start_design(product, recommender, orders.order_count),
    )
    with cache.lock:
        cache.learned[product_key] = built
    return built


# --- answering --------------------------------------------------------------------------------------


def _ranked(product: Product, key: str) -> bool:
    attribute = product.model.attribute(key)
    return attribute is not None and attribute.kind in RANKED_KINDS


def _allowed_sets(
    product: Product, picks: Mapping[str, Value], key: str, available: set[Value], recommender: Recommender
) -> list[Value]:
    """A multi attribute's candidates: the option sets ordered before whose options are all still
    available and that the engine confirms possible together (the most popular few)."""
    found: list[Value] = []
    for value, _ in recommender.popular(key):
        if not isinstance(value, frozenset) or not value <= available:
            continue
        if product.domains({**picks, key: value}, explain=False).consistent:
            found.append(value)
        if len(found) == MULTI_CANDIDATES:
            break
    return found


def advise(
    product: Product, picks: Mapping[str, Value], found: Learned, locale: str = "en"
) -> dict[str, Any]:
    """For every option attribute not picked yet that may still apply: its allowed options ranked by
    what similar shoppers chose, the best one when anybody chose it, the popular ones, and the
    merchant's own suggestion (`recommendations:` in the product file) when its condition holds."""
    recommender = found.recommender
    domains = product.domains(picks, explain=False)
    designed = product.complete(picks) if product.model.recommendations else {}
    ours = {r.attribute: r for r in reversed(product.recommended(designed))} if designed else {}
    advice = []
    for attribute in product.model.attributes:
        key = attribute.key
        state = domains.attributes.get(key)
        if attribute.kind not in RANKED_KINDS or key in picks or state is None or state.applies is False:
            continue
        available = [option.key for option in state.options if option.available]
        if attribute.kind is AttributeKind.MULTI:
            allowed: Sequence[Value] = _allowed_sets(product, picks, key, set(available), recommender)
        else:
            allowed = available
        ranking = recommender.rank(picks, key, allowed) if allowed else []
        candidates = set(allowed)
        merchant = ours.get(key)
        advice.append(
            {
                "attribute": key,
                "recommended": ranking[0][0] if ranking and ranking[0][1] > 0 else None,
                "ranking": [{"option": value, "score": score} for value, score in ranking[:RANKING_SHOWN]],
                "popular": [
                    value
                    for value, share in recommender.popular(key)
                    if share >= POPULAR_SHARE and value in candidates
                ],
                # Never an option the picks rule out: the shop's advice stays possible.
                "ours": {"option": merchant.option, "message": merchant.message.get(locale)}
                if merchant is not None and merchant.option in available
                else None,
            }
        )
    return {
        "product": product.model.key,
        "orders": found.orders,
        "attributes": advice,
        "start_from": found.start_from,
    }


def recommend(product_key: str, raw_picks: Mapping[str, object], locale: str = "en") -> dict[str, Any]:
    """Recommendations for the live version of a product given the shopper's picks so far."""
    loaded = catalog.current_catalog()
    product = catalog.get_product(loaded, product_key)
    picks, _ = catalog.normalize_picks(product, raw_picks)
    return advise(product, picks, learned(product_key, product, loaded.version_ids[product_key]), locale)


# --- suggested defaults -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    """One attribute of the suggested design and how often it was ordered."""

    attribute: str
    label: str
    value: Value
    current: Value  # the product's default today
    units: float  # ordered units with this value
    total_units: float  # ordered units with any value of the attribute
    orders: int  # paid orders with this value

    @property
    def share(self) -> float:
        return self.units / self.total_units if self.total_units else 0.0

    @property
    def differs(self) -> bool:
        return self.value != self.current


@dataclass(frozen=True)
class Suggestion:
    """The most chosen valid design of a product, attribute by attribute, with the evidence."""

    product: str
    orders: int
    units: float
    design: dict[str, Value]
    evidence: list[Evidence]


def suggest_defaults(product_key: str) -> Suggestion:
    """The most chosen valid design among the paid orders of the live version's product."""
    loaded = catalog.current_catalog()
    product = catalog.get_product(loaded, product_key)
    history = order_history(product_key, product)
    recommender = learn(history)
    design = start_design(product, recommender, history.order_count) or {}
    defaults = product.defaults()
    evidence = []
    for attribute in product.model.attributes:
        key = attribute.key
        if key not in design:
            continue
        value = design[key]
        having = [i for i, past in enumerate(history.designs) if key in past]
        chosen = [i for i in having if history.designs[i][key] == value]
        evidence.append(
            Evidence(
                attribute=key,
                label=attribute.label.get(),
                value=value,
                current=defaults.get(key),
                units=sum(history.weights[i] for i in chosen),
                total_units=sum(history.weights[i] for i in having),
                orders=len({history.orders[i] for i in chosen}),
            )
        )
    return Suggestion(product_key, history.order_count, sum(history.weights), design, evidence)
