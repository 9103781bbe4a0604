"""Counting a day into `insight_counts`, and reading a product's window back as a report.

- A day is rebuilt whole: its rows are deleted and written again in one transaction, under an
  advisory lock per day, so a re-run (a retried task, the hourly beat, the CLI) gives the same
  numbers and readers never see half a day.
- Events exist only for shoppers who consent (see configurator.preferences), so views, picks,
  refusals and the funnel count consenting shoppers only. Paid orders are the shop's own business
  records: what was ordered, together with what, counts every paid order.
- The funnel counts a shopper on the day they first reached a stage of a product through a channel,
  so a window's sum is a number of distinct shoppers, not of visits.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, insert, select

from configurator.catalog import versions
from configurator.catalog.errors import ProductNotFound
from configurator.catalog.models import ProductVersion
from configurator.dbtypes import utcnow
from configurator.extensions import db
from configurator.insights import community as community_counts
from configurator.insights import compute
from configurator.insights.compute import Kind
from configurator.insights.models import NO_PARTNER, NONE, InsightCount, InsightDay
from configurator.orders.models import Order, OrderLine, OrderStatus
from configurator.partners import services as partners
from configurator.partners.models import Partner
from configurator.preferences.models import EventType, PreferenceEvent
from configurator.tasks import exclusive
from rules.model import AttributeKind, ProductModel

# PostgreSQL advisory locks are keyed by two integers: this one ("insi") keeps ours apart.
ADVISORY_LOCK_SPACE = 0x696E7369
# Orders that were paid and not cancelled or refunded since.
PAID = (OrderStatus.PAID.value, OrderStatus.IN_PRODUCTION.value, OrderStatus.SHIPPED.value)
TREND_METRICS = (Kind.VIEWED, Kind.PICKED, Kind.REFUSED, Kind.ORDERS, Kind.UNITS)
PAIR_LIMIT = 10
# A pair seen once says little: its lift is large by construction when both options are rare.
PAIR_MINIMUM = 2
MAX_DAYS = 366
MAX_KEY = 100

logger = logging.getLogger(__name__)

Key = tuple[str, int, str, str, str, str, str, str]  # product, partner, kind, subject columns
Total = tuple[str, str, str, str, str, str]  # kind and subject columns, summed over a window


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def today() -> date:
    """Today in UTC: days are UTC days everywhere in insights."""
    return utcnow().date()


class _Kinds:
    """Each product version's attribute kinds, read once per run (old versions stay readable)."""

    def __init__(self) -> None:
        self._found: dict[int, dict[str, AttributeKind]] = {}

    def of(self, version_id: int | None) -> dict[str, AttributeKind]:
        if version_id is None:
            return {}
        if version_id not in self._found:
            version = db.session.get(ProductVersion, version_id)
            model = versions.product_for(version).model if version is not None else None
            self._found[version_id] = {a.key: a.kind for a in model.attributes} if model else {}
        return self._found[version_id]


# --- counting a day ----------------------------------------------------------------------------------


def count_day(day: date) -> Counter[Key]:
    """Every count of `day`, read from the events and the paid orders (nothing is written)."""
    start, end = _start_of(day), _start_of(day + timedelta(days=1))
    counts: Counter[Key] = Counter()
    kinds = _Kinds()
    _count_events(counts, kinds, start, end)
    _count_funnel(counts, start, end)
    _count_orders(counts, kinds, start, end)
    return counts


def _key(
    product: str,
    partner: int | None,
    kind: Kind,
    attribute: str = NONE,
    option: str = NONE,
    other_attribute: str = NONE,
    other_option: str = NONE,
    rule: str = NONE,
) -> Key:
    return (
        product,
        partner or NO_PARTNER,
        kind.value,
        attribute,
        option,
        other_attribute,
        other_option,
        rule,
    )


def _count_events(counts: Counter[Key], kinds: _Kinds, start: datetime, end: datetime) -> None:
    wanted = (EventType.PRODUCT_VIEWED, EventType.OPTION_PICKED, EventType.OPTION_REFUSED)
    rows = db.session.execute(
        select(
            PreferenceEvent.type,
            PreferenceEvent.product_key,
            PreferenceEvent.partner_id,
            PreferenceEvent.version_id,
            PreferenceEvent.attribute,
            PreferenceEvent.option,
            PreferenceEvent.rule_id,
            PreferenceEvent.rules,
        )
        .where(
            PreferenceEvent.occurred_at >= start,
            PreferenceEvent.occurred_at < end,
            PreferenceEvent.type.in_([t.value for t in wanted]),
        )
        .execution_options(yield_per=1000)
    )
    for type_, product, partner, version_id, attribute, option, rule, rules in rows:
        if type_ == EventType.PRODUCT_VIEWED:
            counts[_key(product, partner, Kind.VIEWED)] += 1
            continue
        if attribute is None:
            continue
        for text in compute.option_texts(kinds.of(version_id).get(attribute), option):
            if type_ == EventType.OPTION_PICKED:
                counts[_key(product, partner, Kind.PICKED, attribute, text)] += 1
                continue
            counts[_key(product, partner, Kind.REFUSED, attribute, text)] += 1
            # Every rule of the conflict shares the blame: relaxing any one of them alone may not do.
            for culprit in dict.fromkeys(rules or [rule or NONE]):
                counts[_key(product, partner, Kind.BLOCKED, attribute, text, rule=culprit)] += 1


def _count_funnel(counts: Counter[Key], start: datetime, end: datetime) -> None:
    # Only the shoppers active that day can reach a stage for the first time on it.
    active = select(PreferenceEvent.shopper_id).where(
        PreferenceEvent.occurred_at >= start, PreferenceEvent.occurred_at < end
    )
    for stage, types in compute.REACHED_BY.items():
        first = func.min(PreferenceEvent.occurred_at)
        rows = db.session.execute(
            select(PreferenceEvent.product_key, PreferenceEvent.partner_id, PreferenceEvent.shopper_id)
            .where(PreferenceEvent.type.in_(types), PreferenceEvent.shopper_id.in_(active))
            .group_by(PreferenceEvent.product_key, PreferenceEvent.partner_id, PreferenceEvent.shopper_id)
            .having(and_(first >= start, first < end))
        )
        for product, partner, _shopper in rows:
            counts[_key(product, partner, Kind.FUNNEL, option=stage.value)] += 1


def _count_orders(counts: Counter[Key], kinds: _Kinds, start: datetime, end: datetime) -> None:
    rows = db.session.execute(
        select(
            Order.id,
            Order.partner_id,
            OrderLine.product_key,
            OrderLine.version_id,
            OrderLine.choices,
            OrderLine.quantity,
        )
        .join(OrderLine, OrderLine.order_id == Order.id)
        .where(Order.paid_at >= start, Order.paid_at < end, Order.status.in_(PAID))
        .order_by(OrderLine.id)
        .execution_options(yield_per=500)
    )
    orders: set[tuple[str, int | None, int]] = set()
    for order_id, partner, product, version_id, choices, quantity in rows:
        orders.add((product, partner, order_id))
        counts[_key(product, partner, Kind.DESIGNS)] += 1
        counts[_key(product, partner, Kind.UNITS)] += quantity
        options = compute.design_options(kinds.of(version_id), choices or {})
        for attribute, option in options:
            counts[_key(product, partner, Kind.ORDERED, attribute, option)] += 1
        for a, o, b, p in compute.design_pairs(options):
            counts[_key(product, partner, Kind.PAIR, a, o, b, p)] += 1
    for product, partner, _order in orders:
        counts[_key(product, partner, Kind.ORDERS)] += 1


@dataclass(frozen=True)
class Aggregated:
    day: date
    rows: int
    busy: bool = False  # another run was rebuilding the day; it will write the same numbers


def aggregate(day: date) -> Aggregated:
    """Rebuild `day`'s counts: delete and write them again in one transaction; commits."""
    with exclusive(ADVISORY_LOCK_SPACE, day.toordinal()) as mine:
        if not mine:
            return Aggregated(day, 0, busy=True)
        counts = count_day(day)
        db.session.execute(delete(InsightCount).where(InsightCount.day == day))
        rows = [
            {
                "day": day,
                "product_key": product,
                "partner_id": partner,
                "kind": kind,
                "attribute": attribute,
                "option": option,
                "other_attribute": other_attribute,
                "other_option": other_option,
                "rule_id": rule,
                "count": count,
            }
            for (
                product,
                partner,
                kind,
                attribute,
                option,
                other_attribute,
                other_option,
                rule,
            ), count in sorted(counts.items())
        ]
        if rows:
            db.session.execute(insert(InsightCount), rows)
        db.session.execute(delete(InsightDay).where(InsightDay.day == day))
        db.session.add(InsightDay(day=day, counted_at=utcnow()))
        db.session.commit()
    logger.info("insights: %s rebuilt, %s counts", day, len(rows))
    return Aggregated(day, len(rows))


def recount_today_if_older_than(age: timedelta) -> Aggregated | None:
    """Rebuild today's counts unless they were rebuilt within `age`; for a shop whose tasks run in its
    own process (the demo), where no beat recounts every hour."""
    counted = db.session.scalar(select(InsightDay.counted_at).where(InsightDay.day == today()))
    if counted is not None and utcnow() - counted < age:
        return None
    return aggregate(today())


def aggregate_since(since_days: int, last: date | None = None) -> list[Aggregated]:
    """Rebuild the last `since_days` days up to `last` (today), oldest first."""
    return [aggregate(day) for day in compute.days(last or today(), since_days)]


# --- reading a window --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    product: str
    label: str
    partner: str | None
    first_day: date
    last_day: date
    days: int
    designs: int  # paid order lines in the window
    popularity: list[compute.AttributePopularity]
    pairs: list[compute.Pair]
    funnel: compute.Funnel
    funnel_by_partner: list[compute.Funnel]
    blocked: list[compute.Blocked]
    trends: list[compute.Trend] = field(default_factory=list)
    last_counted: date | None = None  # the newest day with any count of this product
    counted_at: datetime | None = None  # when the newest counted day of the window was last rebuilt
    community: community_counts.Community | None = None  # gallery, votes, ideas, campaigns


def _live_model(product_key: str) -> ProductModel | None:
    version = versions.live_versions().get(product_key)
    return versions.product_for(version).model if version is not None else None


def _rule_messages(model: ProductModel | None, locale: str) -> dict[str, str]:
    if model is None:
        return {}
    rules: Iterable[Any] = (*model.constraints, *model.tables)
    return {rule.id: rule.message.get(locale) for rule in rules}


@dataclass(frozen=True)
class _Labels:
    """The live version's words for attributes and options, in one locale; a key it lacks (an
    attribute or option an older version had) reads as itself."""

    attributes: dict[str, str]
    options: dict[str, dict[str, str]]

    def attribute(self, key: str) -> str:
        return self.attributes.get(key, key)

    def option(self, attribute: str, key: str) -> str:
        return self.options.get(attribute, {}).get(key, key)


def _labels(model: ProductModel | None, locale: str) -> _Labels:
    attributes: dict[str, str] = {}
    options: dict[str, dict[str, str]] = {}
    for attribute in model.attributes if model is not None else ():
        if attribute.kind not in compute.COUNTED_KINDS:
            continue
        attributes[attribute.key] = attribute.label.get(locale)
        if attribute.kind is AttributeKind.BOOLEAN:
            options[attribute.key] = {"true": "yes", "false": "no"}
        else:
            options[attribute.key] = {o.key: o.label.get(locale) for o in attribute.options}
    return _Labels(attributes, options)


def require_product(product_key: str) -> None:
    """`ProductNotFound` unless some version of the product was ever published (a retired product
    keeps its history)."""
    known = (
        len(product_key) <= MAX_KEY
        and "\x00" not in product_key
        and db.session.scalar(
            select(ProductVersion.id).where(ProductVersion.product_key == product_key).limit(1)
        )
    )
    if not known:
        raise ProductNotFound(f"No product {product_key!r} was ever published.")


def report(
    product_key: str,
    days: int = 30,
    partner: str | None = None,
    last: date | None = None,
    locale: str = "en",
) -> Report:
    """`product_key`'s counts over the `days` days ending `last` (today), for one partner (by name)
    or every channel; `PartnerNotFound` for an unknown partner."""
    last = last or today()
    window = compute.days(last, days)
    first = window[0]
    partner_id = partners.find(partner).id if partner is not None else None
    where = [InsightCount.product_key == product_key]
    if partner_id is not None:
        where.append(InsightCount.partner_id == partner_id)
    totals: dict[Total, int] = defaultdict(int)
    by_partner: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for kind, attribute, option, other_attribute, other_option, rule, partner_of, count in db.session.execute(
        select(
            InsightCount.kind,
            InsightCount.attribute,
            InsightCount.option,
            InsightCount.other_attribute,
            InsightCount.other_option,
            InsightCount.rule_id,
            InsightCount.partner_id,
            func.sum(InsightCount.count),
        )
        .where(*where, InsightCount.day >= first, InsightCount.day <= last)
        .group_by(
            InsightCount.kind,
            InsightCount.attribute,
            InsightCount.option,
            InsightCount.other_attribute,
            InsightCount.other_option,
            InsightCount.rule_id,
            InsightCount.partner_id,
        )
    ):
        totals[(kind, attribute, option, other_attribute, other_option, rule)] += int(count)
        if kind == Kind.FUNNEL:
            by_partner[partner_of][option] += int(count)
        elif kind == Kind.ORDERS:
            by_partner[partner_of][Kind.ORDERS.value] += int(count)

    model = _live_model(product_key)
    designs = totals.get((Kind.DESIGNS.value, NONE, NONE, NONE, NONE, NONE), 0)
    picked = _by_option(totals, Kind.PICKED)
    refused = _by_option(totals, Kind.REFUSED)
    ordered = _by_option(totals, Kind.ORDERED)
    pairs = {(a, o, b, p): n for (kind, a, o, b, p, _rule), n in totals.items() if kind == Kind.PAIR.value}
    stages = {option: n for (kind, _a, option, _b, _p, _r), n in totals.items() if kind == Kind.FUNNEL.value}
    orders = totals.get((Kind.ORDERS.value, NONE, NONE, NONE, NONE, NONE), 0)
    names = _partner_names(by_partner)
    messages = _rule_messages(model, locale)
    words = _labels(model, locale)
    blocked = sorted(
        (
            compute.Blocked(
                rule,
                messages.get(rule),
                attribute,
                option,
                n,
                words.attribute(attribute),
                words.option(attribute, option),
            )
            for (kind, attribute, option, _b, _p, rule), n in totals.items()
            if kind == Kind.BLOCKED.value
        ),
        key=lambda b: (-b.count, b.rule, b.attribute, b.option),
    )
    return Report(
        product=product_key,
        label=model.label.get(locale) if model is not None else product_key,
        partner=partner,
        first_day=first,
        last_day=last,
        days=days,
        designs=designs,
        popularity=_popularity(words, picked, refused, ordered, designs),
        pairs=[
            replace(
                pair,
                attribute_label=words.attribute(pair.attribute),
                option_label=words.option(pair.attribute, pair.option),
                other_attribute_label=words.attribute(pair.other_attribute),
                other_option_label=words.option(pair.other_attribute, pair.other_option),
            )
            for pair in compute.top_pairs(pairs, ordered, designs, PAIR_LIMIT, PAIR_MINIMUM)
        ],
        funnel=compute.funnel(stages, orders, partner),
        funnel_by_partner=[
            compute.funnel(counts, counts.get(Kind.ORDERS.value, 0), names.get(pid))
            for pid, counts in sorted(
                by_partner.items(), key=lambda item: (item[0] != NO_PARTNER, names.get(item[0]) or "")
            )
        ],
        blocked=blocked,
        trends=_trends(where, window),
        last_counted=db.session.scalar(
            select(func.max(InsightCount.day)).where(InsightCount.product_key == product_key)
        ),
        counted_at=db.session.scalar(
            select(InsightDay.counted_at)
            .where(InsightDay.day <= last)
            .order_by(InsightDay.day.desc())
            .limit(1)
        ),
        community=community_counts.community(product_key, window),
    )


def _by_option(totals: Mapping[Total, int], kind: Kind) -> dict[tuple[str, str], int]:
    found: dict[tuple[str, str], int] = defaultdict(int)
    for (k, attribute, option, _b, _p, _r), n in totals.items():
        if k == kind.value:
            found[(attribute, option)] += n
    return found


def _partner_names(by_partner: Mapping[int, Any]) -> dict[int, str]:
    ids = [pid for pid in by_partner if pid != NO_PARTNER]
    if not ids:
        return {}
    return {
        pid: name
        for pid, name in db.session.execute(select(Partner.id, Partner.name).where(Partner.id.in_(ids)))
    }


def _popularity(
    words: _Labels,
    picked: Mapping[tuple[str, str], int],
    refused: Mapping[tuple[str, str], int],
    ordered: Mapping[tuple[str, str], int],
    designs: int,
) -> list[compute.AttributePopularity]:
    """The live product's attributes and options in its order (options nobody chose included, they
    are a signal too), then whatever older versions had that the live one lost."""
    options: dict[str, dict[str, str]] = {key: dict(found) for key, found in words.options.items()}
    for key, option in sorted({*picked, *refused, *ordered}):
        options.setdefault(key, {}).setdefault(option, option)
    return [
        compute.AttributePopularity(
            attribute,
            words.attribute(attribute),
            [
                compute.OptionCount(
                    option,
                    label,
                    picked.get((attribute, option), 0),
                    refused.get((attribute, option), 0),
                    ordered.get((attribute, option), 0),
                    round(ordered.get((attribute, option), 0) / designs, 4) if designs else None,
                )
                for option, label in found.items()
            ],
        )
        for attribute, found in options.items()
    ]


def _trends(where: list[Any], window: list[date]) -> list[compute.Trend]:
    """A per-day series of each trend metric over the window, and the previous window's total."""
    size = len(window)
    previous_first = window[0] - timedelta(days=size)
    per_day: dict[str, dict[date, int]] = defaultdict(dict)
    for kind, day, count in db.session.execute(
        select(InsightCount.kind, InsightCount.day, func.sum(InsightCount.count))
        .where(
            *where,
            InsightCount.kind.in_([k.value for k in TREND_METRICS]),
            InsightCount.day >= previous_first,
            InsightCount.day <= window[-1],
        )
        .group_by(InsightCount.kind, InsightCount.day)
    ):
        per_day[kind][day] = int(count)
    trends = []
    for metric in TREND_METRICS:
        days_of = per_day.get(metric.value, {})
        points = compute.series(days_of, window)
        previous = sum(n for day, n in days_of.items() if day < window[0])
        trends.append(compute.Trend(metric.value, points, sum(n for _d, n in points), previous))
    return trends
