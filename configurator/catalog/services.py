"""Catalog services: load the compiled catalog once, then answer product questions through the rules
engine and shape the answers into plain data for the API and the CLI (one path for both).

Texts come out in the locale asked for; money stays `Decimal` here (the API renders it as strings).
"""

from __future__ import annotations

import functools
import math
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from flask import Flask, current_app

from configurator import wording
from configurator.availability import services as availability
from configurator.catalog import versions
from configurator.catalog.errors import (
    CatalogInvalid,
    CatalogNotPublished,
    InvalidPicks,
    ProductNotFound,
    UnknownAttribute,
    UnsupportedCurrency,
)
from configurator.catalog.models import ProductVersion
from configurator.errors import ErrorCode, FieldError
from configurator.locale import MESSAGES, request_locale
from configurator.observability import CONFIGURE_SECONDS, timed
from configurator.uploads.services import UploadCheck, require_uploads
from configurator.wording import PRODUCT_UNKNOWN
from rules import Catalog, Product, load_catalog
from rules.cheapest import cheapest
from rules.errors import CatalogError, Diagnostic
from rules.i18n import listed
from rules.model import (
    Attribute,
    AttributeKind,
    Brand,
    Localized,
    PriceTable,
    ProductModel,
    Value,
    ValueRule,
    json_value,
)
from rules.production import Making, making
from rules.results import AttributeState, Domains, Quote, Reason, RuleRef, TextState, Violation
from rules.session import Settled, settle

EXTENSION = "atelier.catalog"
# Violations of these kinds mean the request named something the product does not have.
_REQUEST_KINDS = {"unknown": ErrorCode.UNKNOWN_ATTRIBUTE, "invalid": ErrorCode.INVALID_PICK}
# Attributes a shopper may leave empty when they are not required.
_TEXT_LIKE = (AttributeKind.TEXT, AttributeKind.IMAGE)


@dataclass(frozen=True)
class LoadedCatalog:
    """A compiled catalog, the version of each product in it and the locales its texts are written in."""

    catalog: Catalog
    locales: tuple[str, ...]
    version_ids: Mapping[str, int] = field(default_factory=dict)
    # Which options are off sale in it ("" when none): answers cached from it key on this too.
    availability: str = ""

    @property
    def brand(self) -> Brand:
        return self.catalog.brand

    @property
    def products(self) -> Mapping[str, Product]:
        return self.catalog.products

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        return tuple(self.catalog.warnings)


def load(folder: str | os.PathLike[str]) -> LoadedCatalog:
    """Load and compile a catalog folder; `CatalogInvalid` (with every diagnostic) if it does not load."""
    path = Path(folder)
    try:
        catalog = load_catalog(path)
    except CatalogError as error:
        raise CatalogInvalid(f"The catalog in {path} does not load:\n{error}", error.diagnostics) from error
    return LoadedCatalog(catalog=catalog, locales=tuple(sorted(catalog_locales(catalog))))


@dataclass
class _LiveCache:
    key: tuple[versions.LiveEntry, ...] = ()
    loaded: LoadedCatalog | None = None
    checked_at: float = -math.inf  # monotonic time the live versions were last read
    publications: int = -1  # versions.publications() when they were
    availability: availability.State = field(default_factory=availability.State)
    availability_changes: int = -1  # availability.changes() when it was read
    lock: threading.Lock = field(default_factory=threading.Lock)


def init_app(app: Flask) -> None:
    """Keep a per-process cache of the live catalog on the app, and the compiled versions within the
    configured budget."""
    app.extensions[EXTENSION] = _LiveCache()
    versions.keep_within(app.config["ATELIER_VERSIONS_CACHE_MB"] * 1024 * 1024)


def live_version(product_key: str) -> ProductVersion:
    """The version shoppers configure now, or `ProductNotFound`."""
    version = versions.live_versions().get(product_key)
    if version is None:
        raise ProductNotFound(PRODUCT_UNKNOWN, extensions={"technical_detail": f"No product {product_key}."})
    return version


def shop_name() -> str:
    """The brand's label (brand.yaml) in the request's language; "Atelier" before anything is
    published (the shop has no brand yet, hence no name of its own)."""
    try:
        brand = current_catalog().brand
    except CatalogNotPublished:
        return "Atelier"
    return brand.label.get(request_locale())


def offered_currencies() -> tuple[str, ...]:
    """The currencies the shop sells in, its default first; none before anything is published."""
    try:
        return current_catalog().brand.currencies
    except CatalogNotPublished:
        return ()


def offered_locales() -> tuple[str, ...]:
    """The locales the live catalog is written in; the shop's default alone before anything is
    published (answers then say the catalog is missing, in that language)."""
    try:
        return current_catalog().locales
    except CatalogNotPublished:
        return (current_app.config["ATELIER_DEFAULT_LOCALE"],)


def current_catalog() -> LoadedCatalog:
    """The live catalog: the last activated version of every published product.

    The live versions are read again (one light query) once `ATELIER_LIVE_REFRESH_SECONDS` have passed
    or this process has published; compiled products are reused while the versions stay the same.
    """
    cache: _LiveCache = current_app.extensions[EXTENSION]
    refresh = float(current_app.config.get("ATELIER_LIVE_REFRESH_SECONDS") or 0)
    now = time.monotonic()
    moment = availability.now()
    with cache.lock:
        if (
            cache.loaded is not None
            and now - cache.checked_at < refresh
            and cache.publications == versions.publications()
            and cache.availability_changes == availability.changes()
            # A pause that has ended gives its option back at once, whoever else changed nothing.
            and cache.availability.current(moment)
        ):
            return cache.loaded
    publications = versions.publications()
    changes = availability.changes()
    live = versions.live_entries()
    if not live:
        raise CatalogNotPublished(
            "No catalog is published yet: run `atelier rules publish CATALOG_FOLDER` "
            "or publish through the admin API."
        )
    state = availability.withdrawn_at(moment)
    with cache.lock:
        if (
            cache.loaded is not None
            and cache.key == live
            and cache.availability.revision == state.revision
            and cache.availability.next_change == state.next_change
        ):
            cache.checked_at, cache.publications = now, publications
            cache.availability_changes = changes
            return cache.loaded
    loaded = _load_live(live, state)
    with cache.lock:
        cache.key, cache.loaded, cache.availability = live, loaded, state
        cache.checked_at, cache.publications, cache.availability_changes = now, publications, changes
    return loaded


def _load_live(
    live: tuple[versions.LiveEntry, ...], state: availability.State | None = None
) -> LoadedCatalog:
    """Compile (or take from the per-process cache) the products of the given live versions, with
    the options off sale in `state` withdrawn."""
    state = state or availability.State()
    products = {
        entry.product_key: versions.available(
            versions.product_for_id(entry.version_id), state.of(entry.product_key)
        )
        for entry in live
    }
    newest = max(live, key=lambda entry: (entry.activated_at, entry.version_id))
    catalog = Catalog(products[newest.product_key].model.brand, products)
    return LoadedCatalog(
        catalog=catalog,
        locales=tuple(sorted(catalog_locales(catalog))),
        version_ids={entry.product_key: entry.version_id for entry in live},
        availability=state.revision,
    )


def catalog_locales(catalog: Catalog) -> set[str]:
    """The locales Accept-Language can choose from: the brand's declared languages, or when it
    declares none, every locale some text of the catalog is written in."""
    if catalog.brand.languages:
        return set(catalog.brand.languages)
    found: set[str] = set()
    for text in _texts(catalog):
        found.update(text.texts)
    return found


def _texts(catalog: Catalog) -> Iterator[Localized]:
    brand = catalog.brand
    yield brand.label
    yield from brand.palette_labels.values()
    for product in catalog.products.values():
        model = product.model
        yield model.label
        if model.description:
            yield model.description
        for attribute in model.attributes:
            yield attribute.label
            if attribute.help:
                yield attribute.help
            yield from (option.label for option in attribute.options)
        # Not the rules' messages: where the merchant wrote none, the engine's own stand in, in every
        # language the software speaks, which says nothing of the languages the shop sells in.
        yield from (r.label for r in model.price_rules)


def get_product(loaded: LoadedCatalog, key: str) -> Product:
    """The product with this key, or `ProductNotFound`."""
    product = loaded.products.get(key)
    if product is None:
        raise ProductNotFound(
            wording.PRODUCT_UNKNOWN, extensions={"technical_detail": f"no product {key!r} in this catalog"}
        )
    return product


def _text(value: Localized | None, locale: str) -> str | None:
    return value.get(locale) if value is not None else None


# --- listing and describing ------------------------------------------------------------------------


def brand_summary(brand: Brand, locale: str) -> dict[str, Any]:
    """The brand as a client shows it."""
    return {
        "key": brand.key,
        "label": brand.label.get(locale),
        "currencies": list(brand.currencies),
        "prices_include_tax": brand.prices_include_tax,
    }


def product_summaries(loaded: LoadedCatalog, locale: str) -> list[dict[str, Any]]:
    """One line per product: key, label, description and base price per currency."""
    return [
        {
            "key": key,
            "label": product.model.label.get(locale),
            "description": _text(product.model.description, locale),
            "base_price": dict(product.model.base_price),
            "from_price": from_prices(product),
        }
        for key, product in loaded.products.items()
    ]


@functools.lru_cache(maxsize=256)
def from_prices(product: Product) -> dict[str, Decimal]:
    """The cheapest valid design's price in every currency, worked out once per compiled product."""
    return {currency: cheapest(product, currency)[1].total for currency in product.model.brand.currencies}


# An option's picture URL, by attribute and option (None: pictures are not served, as in the CLI).
PictureUrl = Callable[[str, str], str]


def describe_product(product: Product, locale: str, picture: PictureUrl | None = None) -> dict[str, Any]:
    """Everything a UI needs to draw the product's form: attributes, options, limits and defaults."""
    model = product.model
    # A conditional attribute's own default: the one it takes whenever it applies.
    defaults = product.defaults_unconditioned()
    return {
        "key": model.key,
        "label": model.label.get(locale),
        "description": _text(model.description, locale),
        "currencies": list(model.brand.currencies),
        "prices_include_tax": model.brand.prices_include_tax,
        "base_price": dict(model.base_price),
        "attributes": [
            _describe_attribute(a, defaults.get(a.key, a.default), locale, picture) for a in model.attributes
        ],
        "defaults": {key: json_value(value) for key, value in product.complete({}).items()},
        "adjustments": [
            {
                "label": rule.label.get(locale),
                "when": str(rule.when) if rule.when is not None else None,
                "add": dict(rule.add) if rule.add is not None else None,
                "formula": {c: str(e) for c, e in rule.formula.items()} if rule.formula is not None else None,
                "table": _price_table(rule.table) if rule.table is not None else None,
            }
            for rule in model.price_rules
        ],
        "quantity_tiers": [
            {"min_quantity": tier.min_quantity, "percent_off": format(tier.percent_off, "f")}
            for tier in model.quantity_tiers
        ],
    }


def _price_table(table: PriceTable) -> dict[str, Any]:
    return {
        "attributes": list(table.attributes),
        "rows": [
            {
                "match": {k: json_value(v) for k, v in zip(table.attributes, row, strict=True)},
                "add": dict(amounts),
            }
            for row, amounts in table.rows.items()
        ],
    }


def _describe_attribute(
    attribute: Attribute, default: Value, locale: str, picture: PictureUrl | None = None
) -> dict[str, Any]:
    chosen = default if isinstance(default, frozenset) else {default}
    described: dict[str, Any] = {
        "key": attribute.key,
        "kind": attribute.kind.value,
        "label": attribute.label.get(locale),
        "help": _text(attribute.help, locale),
        "required": attribute.required,
        "ordered": attribute.ordered,
        "when": str(attribute.when) if attribute.when is not None else None,
        "default": json_value(default),
        "options": [
            {
                "key": option.key,
                "label": option.label.get(locale),
                "swatch": option.hex,
                "image": picture(attribute.key, option.key) if picture is not None and option.image else None,
                "price": dict(option.price),
                "default": option.key in chosen,
            }
            for option in attribute.options
        ],
    }
    if attribute.kind is AttributeKind.MULTI:
        described.update(min_count=attribute.min_count, max_count=attribute.max_count)
    if attribute.kind is AttributeKind.NUMBER:
        described.update(
            minimum=json_value(attribute.minimum),
            maximum=json_value(attribute.maximum),
            step=json_value(attribute.step),
            unit=attribute.unit,
        )
    if attribute.image is not None:
        spec = attribute.image
        described["image"] = {
            "formats": list(spec.formats),
            "min_dpi": spec.min_dpi,
            "print_size": [format(Decimal(repr(mm)).normalize(), "f") for mm in spec.print_size],
            "price": dict(spec.price),
        }
    if attribute.text is not None:
        limits = attribute.text
        described["text"] = {
            "max_length": limits.max_length,
            "max_lines": limits.max_lines,
            "scripts": list(limits.scripts),
            "characters": limits.characters,
            "price_per_char": dict(limits.price_per_char),
        }
    return described


# --- configuring ------------------------------------------------------------------------------------


def normalize_picks(
    product: Product, raw: Mapping[str, object], locale: str = "en"
) -> tuple[dict[str, Value], list[Violation]]:
    """Picks as the engine reads them; unknown attributes or values raise `InvalidPicks` (field `picks.x`).

    Violations of other kinds (a banned word, say) are part of the answer, not a bad request: returned.
    """
    picks, problems = product.normalize(raw)
    refused = [v for v in problems if v.kind in _REQUEST_KINDS]
    errors = [
        FieldError(
            field=".".join(["picks", *v.attributes[:1]]),
            detail=v.message.get(locale),
            code=_REQUEST_KINDS[v.kind],
            technical_detail=v.detail,
        )
        for v in refused
    ]
    if errors:
        only_unknown = all(e.code == ErrorCode.UNKNOWN_ATTRIBUTE for e in errors)
        error_class = UnknownAttribute if only_unknown else InvalidPicks
        locales = {locale, *(language for v in refused for language in v.message.texts)}
        detail = Localized(
            {language: " ".join(v.message.get(language) for v in refused) for language in locales}
        )
        raise error_class(detail, errors=errors)
    return picks, [v for v in problems if v.kind not in _REQUEST_KINDS]


def resolve_currency(brand: Brand, currency: str | None, locale: str = "en") -> str:
    """The currency asked for if the brand sells in it; the brand's first currency when none is asked."""
    if currency is None:
        return brand.currencies[0]
    if currency not in brand.currencies:
        detail = MESSAGES.localized(
            "{shop} does not sell in {currency}: choose {currencies}.",
            shop=brand.label,
            currency=currency,
            currencies=listed(brand.currencies, "or"),
        )
        raise UnsupportedCurrency(
            detail,
            errors=[
                FieldError(
                    field="currency",
                    detail=detail.get(locale),
                    code=ErrorCode.UNSUPPORTED_CURRENCY,
                    technical_detail=f"not one of {', '.join(brand.currencies)}",
                )
            ],
        )
    return currency


def configure(
    product: Product,
    raw_picks: Mapping[str, object],
    *,
    currency: str | None = None,
    quantity: int = 1,
    locale: str,
    preview: Callable[[Mapping[str, Value]], dict[str, Any] | None] | None = None,
    look_up_uploads: bool = True,
) -> dict[str, Any]:
    """Answer one step of a configuration: domains with reasons, rule violations, price, designs left.

    The design that is checked and priced is the picks completed with the product's defaults: what the
    shopper would get if they stopped here. Without `look_up_uploads` (`atelier rules explain`, which
    reads catalog files and no shop), a photo pick is taken as given, unchecked and without warnings.
    """
    picks, text_problems = normalize_picks(product, raw_picks, locale)
    uploads = require_uploads(product, picks, locale) if look_up_uploads else UploadCheck()
    chosen_currency = resolve_currency(product.model.brand, currency, locale)
    with timed(CONFIGURE_SECONDS):
        step = settle(product, picks, explain=True, count=True)
        violations = _unique([*text_problems, *step.violations])
    quote = product.price(step.design, quantity=quantity, currency=chosen_currency)
    valid = step.valid and not violations
    clash = set(step.clash)
    set_by = product.set_by(step.design)
    return {
        "product": product.model.key,
        "locale": locale,
        "design": {key: json_value(value) for key, value in step.design.items()},
        "domains": [
            {
                **_domain(step.domains.attributes[a.key], product.model, locale),
                "applies": step.applies[a.key],
                "value": json_value(step.design.get(a.key)),
                "source": step.sources[a.key].value,
                "conflict": a.key in clash,
                "set_by": _set_by(set_by.get(a.key), locale),
            }
            for a in product.model.attributes
            if a.key in step.domains.attributes
        ],
        "consistent": step.domains.consistent,
        "valid": valid,
        "complete": is_complete(product.model, step.domains, picks),
        "conflict": _conflict(step, product.model, locale),
        "violations": [violation_data(v, locale) for v in violations],
        "price": quote_data(quote, locale),
        "remaining": str(step.domains.remaining),
        # An impossible product is never drawn: no preview until the design is valid.
        "preview": preview(step.design) if preview is not None and valid else None,
        # Said, never refused: a blurry photo, like a merchant's warning, is still the shopper's call.
        "warnings": [*uploads.warnings, *(_advice(v, locale) for v in product.advice(step.design))],
        "production": making_data(making(product.model, step.design)),
        # Made to the shopper's specifications: no right of withdrawal (EU Directive 2011/83, 16(c)).
        "personalised": bool(product.personalisation(step.design)),
    }


def making_data(made: Making, ordered: date | None = None) -> dict[str, Any]:
    """What making one unit takes, as answers and orders write it; `ships_by` from `ordered` (today)."""
    shipped = made.ships_by(ordered or datetime.now(UTC).date())
    return {**made.as_json(), "ships_by": shipped.isoformat() if shipped is not None else None}


def _conflict(step: Settled, model: ProductModel, locale: str) -> dict[str, Any] | None:
    """The picks that clash, for the shopper: who they are and the rules between them."""
    if not step.clash:
        return None
    rules = [v.rule for v in step.domains.violations if v.rule is not None]
    # A pick no design can have (a text longer than any design holds) clashes on its own: the engine
    # says why, in the shopper's words.
    alone = [v.message.get(locale) for v in step.domains.violations if v.rule is None and v.kind != "rule"]
    labels = listed([_attribute_label(model, key, locale) for key in step.clash], languages=(locale,))
    # Said of picks that clash when no rule of the merchant's names them all.
    message = " ".join([*alone, *(rule.message.get(locale) for rule in rules)]) or MESSAGES.localized(
        "These choices cannot go together: {picks}. Change one of them.", picks=labels
    ).get(locale)
    return {"picks": list(step.clash), "message": message, "rules": [_rule(r, locale) for r in rules]}


def upload_attribute_keys(product: Product) -> frozenset[str]:
    """The attributes whose values are uploads (image attributes)."""
    return frozenset(a.key for a in product.model.attributes if a.kind is AttributeKind.IMAGE)


def is_complete(model: ProductModel, domains: Domains, picks: Mapping[str, Value]) -> bool:
    """Every attribute that applies has been picked (text that may stay empty and optional multis aside)."""
    for attribute in model.attributes:
        state = domains.attributes.get(attribute.key)
        if state is None or state.applies is False or attribute.key in picks:
            continue
        optional = (attribute.kind in _TEXT_LIKE and not attribute.required) or (
            attribute.kind is AttributeKind.MULTI and attribute.min_count == 0
        )
        if not optional:
            return False
    return True


def _unique(violations: Iterable[Violation]) -> list[Violation]:
    seen: set[tuple[object, ...]] = set()
    unique = []
    for violation in violations:
        key = (
            violation.kind,
            violation.rule.id if violation.rule else None,
            violation.attributes,
            tuple(sorted(violation.message.texts.items())),
        )
        if key not in seen:
            seen.add(key)
            unique.append(violation)
    return unique


def _set_by(rule: ValueRule | None, locale: str) -> dict[str, Any] | None:
    return {"id": rule.id, "message": rule.message.get(locale)} if rule is not None else None


def _advice(warning: Violation, locale: str) -> dict[str, Any]:
    """A merchant's warning the design breaks, shown by the last attribute it reads (the choice that
    usually brings it about: the oil, after the wood)."""
    rule = warning.rule
    return {
        "attribute": warning.attributes[-1],
        "code": "rule",
        "message": warning.message.get(locale),
        "rule": rule.id if rule is not None else None,
    }


def _rule(rule: RuleRef, locale: str) -> dict[str, Any]:
    return {"id": rule.id, "message": rule.message.get(locale), "origin": rule.origin}


def _reason(reason: Reason | None, model: ProductModel, locale: str) -> dict[str, Any] | None:
    if reason is None:
        return None
    messages = [rule.message.get(locale) for rule in reason.rules]
    if messages:
        text = " ".join(messages)
    else:
        # Said when the engine names picks but no rule (the picks already clash), or nothing at all.
        labels = [_attribute_label(model, key, locale) for key in reason.picks]
        said = (
            MESSAGES.localized(
                "Not possible with your choice of {picks}.", picks=listed(labels, languages=(locale,))
            )
            if labels
            else MESSAGES.localized("Not possible in this product.")
        )
        text = said.get(locale)
    return {"picks": list(reason.picks), "rules": [_rule(r, locale) for r in reason.rules], "text": text}


def _attribute_label(model: ProductModel, key: str, locale: str) -> str:
    attribute = model.attribute(key)
    return attribute.label.get(locale) if attribute is not None else key


def _text_state(state: TextState | None, model: ProductModel, locale: str) -> dict[str, Any] | None:
    if state is None:
        return None
    return {
        "max_length": state.max_length,
        "may_be_empty": state.may_be_empty,
        "may_be_present": state.may_be_present,
        "reason": _reason(state.reason, model, locale),
    }


def _domain(state: AttributeState, model: ProductModel, locale: str) -> dict[str, Any]:
    return {
        "key": state.key,
        "applies": state.applies,
        "picked": json_value(state.picked),
        "options": [
            {
                "key": json_value(option.key),
                "available": option.available,
                "reason": _reason(option.reason, model, locale),
            }
            for option in state.options
        ],
        "text": _text_state(state.text, model, locale),
    }


def violation_data(violation: Violation, locale: str) -> dict[str, Any]:
    return {
        "kind": violation.kind,
        "attributes": list(violation.attributes),
        "message": violation.message.get(locale),
        "rule": _rule(violation.rule, locale) if violation.rule else None,
    }


def quote_data(quote: Quote, locale: str) -> dict[str, Any]:
    """A quote with its labels in `locale`; amounts stay Decimal."""
    return {
        "currency": quote.currency,
        "quantity": quote.quantity,
        "lines": [
            {
                "kind": line.kind,
                "label": line.label.get(locale),
                "amount": line.amount,
                "attribute": line.attribute,
            }
            for line in quote.lines
        ],
        "unit_price": quote.unit_price,
        "total": quote.total,
        "tax_included": quote.tax_included,
    }
