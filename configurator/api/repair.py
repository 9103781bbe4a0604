"""Repair: when a shopper insists on an option that is greyed out, the fewest earlier picks to change."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from configurator.api.fields import Money, Picks, PickValue
from configurator.catalog import services
from configurator.catalog.errors import InvalidPicks, UnknownAttribute
from configurator.errors import ErrorCode, FieldError
from configurator.locale import MESSAGES, mark_request_language, request_locale
from configurator.openapi import AtelierBlueprint
from rules import Product
from rules.i18n import spoken
from rules.model import AttributeKind, Value, number_value
from rules.results import Change, Quote
from rules.text import graphemes

blp = AtelierBlueprint(
    "repair",
    __name__,
    url_prefix="/api/v1/products",
    description="Products, their options and the rules between them",
)
blp.after_request(mark_request_language)


class RepairRequestSchema(Schema):
    """The picks so far and the option the shopper wants despite them."""

    picks = Picks(load_default=dict, metadata={"description": "Attribute key -> picked value"})
    attribute = fields.String(required=True, metadata={"example": "colour"})
    value = PickValue(
        required=True,
        metadata={"description": "The wanted option (multi: one option key to add; text: the text)"},
    )
    currency = fields.String(
        load_default=None, metadata={"description": "For the price changes (the brand's first by default)"}
    )
    quantity = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10_000))


class ChangeSchema(Schema):
    attribute = fields.String(required=True)
    label = fields.String(required=True, metadata={"description": "The attribute's label"})
    old = PickValue(allow_none=True, required=True)
    new = PickValue(allow_none=True, required=True, metadata={"description": "null: the pick is cleared"})
    old_label = fields.String(
        allow_none=True, required=True, metadata={"description": "As a shopper reads it"}
    )
    new_label = fields.String(
        allow_none=True, required=True, metadata={"description": "As a shopper reads it"}
    )


class InputNeededSchema(Schema):
    attribute = fields.String(required=True)
    label = fields.String(required=True)
    min_length = fields.Integer(allow_none=True, required=True)
    max_length = fields.Integer(allow_none=True, required=True)
    message = fields.String(required=True, metadata={"description": "For the shopper: what to type"})


class AlternativeSchema(Schema):
    changes = fields.List(fields.Nested(ChangeSchema), required=True)
    picks = Picks(
        required=True,
        metadata={"description": "The picks with the changes and the wanted option applied: send them as is"},
    )
    needs_input = fields.List(
        fields.Nested(InputNeededSchema),
        required=True,
        metadata={"description": "Texts only the shopper can write (the picks leave them as they are)"},
    )
    price_change = Money(required=True, metadata={"description": "Total after, minus total now"})
    total = Money(required=True, metadata={"description": "The total after the change"})
    currency = fields.String(required=True)


class RepairResponseSchema(Schema):
    attribute = fields.String(required=True)
    value = PickValue(allow_none=True, required=True)
    possible = fields.Boolean(
        required=True, metadata={"description": "false: no valid design has this option at all"}
    )
    changes = fields.List(
        fields.Nested(ChangeSchema),
        required=True,
        metadata={"description": "The first alternative's changes"},
    )
    picks = Picks(required=True, metadata={"description": "The first alternative's picks"})
    alternatives = fields.List(
        fields.Nested(AlternativeSchema),
        required=True,
        metadata={"description": "Ways to get the option, fewest changes first; each accepted by configure"},
    )


@blp.route("/<slug>/repair")
class Repair(MethodView):
    @blp.arguments(RepairRequestSchema)
    @blp.response(200, RepairResponseSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def post(self, body: dict[str, Any], slug: str) -> dict[str, Any]:
        """Ways to make `attribute = value` possible, each changing as few other picks as it can."""
        loaded = services.current_catalog()
        product = services.get_product(loaded, slug)
        currency = services.resolve_currency(product.model.brand, body["currency"], request_locale())
        return repair_data(
            product,
            body["picks"],
            body["attribute"],
            body["value"],
            request_locale(),
            currency=currency,
            quantity=body["quantity"],
        )


def repair_data(
    product: Product,
    raw_picks: Mapping[str, object],
    attribute: str,
    value: object,
    locale: str,
    *,
    currency: str | None = None,
    quantity: int = 1,
) -> dict[str, Any]:
    """The engine's repairs as alternatives a shopper can accept: texts are never cut mid-word (the
    longest whole-word fit, or a request to edit), and each says what it does to the price."""
    target = product.model.attribute(attribute)
    if target is None:
        detail = MESSAGES.localized("This product has no such choice: reload the page and try again.")
        raise UnknownAttribute(
            detail,
            errors=[
                FieldError(
                    "attribute",
                    detail.get(locale),
                    code=ErrorCode.UNKNOWN_ATTRIBUTE,
                    technical_detail=f"{product.model.key} has no attribute {attribute!r}",
                )
            ],
        )
    picks, _ = services.normalize_picks(product, raw_picks, locale)
    wanted = _wanted(product, attribute, value, locale)
    found = product.repairs(picks, attribute, wanted)
    if not found:
        return {
            "attribute": attribute,
            "value": value,
            "possible": False,
            "changes": [],
            "picks": picks,
            "alternatives": [],
        }
    now = product.price(product.complete(picks), quantity, currency)
    alternatives = [
        _alternative(product, picks, attribute, wanted, repair.changes, locale, now, quantity)
        for repair in found
    ]
    first = alternatives[0]
    return {
        "attribute": attribute,
        "value": value,
        "possible": True,
        "changes": first["changes"],
        "picks": first["picks"],
        "alternatives": alternatives,
    }


def _alternative(
    product: Product,
    picks: Mapping[str, Value],
    attribute: str,
    wanted: Value,
    changes: tuple[Change, ...],
    locale: str,
    now: Quote,
    quantity: int,
) -> dict[str, Any]:
    target = product.model.attribute(attribute)
    repaired: dict[str, Value] = dict(picks)
    texts: list[Change] = []
    for change in changes:
        if isinstance(change.new, int) and isinstance(change.old, str):
            texts.append(change)  # the engine speaks of a length: the text is settled below
        elif change.new is None:
            repaired.pop(change.attribute, None)
        else:
            repaired[change.attribute] = change.new
    if target is not None and target.kind is AttributeKind.MULTI:
        current = repaired.get(attribute)
        members = set(current) if isinstance(current, frozenset) else set()
        repaired[attribute] = frozenset(members | {str(wanted)})
    else:
        repaired[attribute] = wanted
    listed = [(c.attribute, c.old, repaired.get(c.attribute)) for c in changes if c not in texts]
    needs_input: list[dict[str, Any]] = []
    if texts:
        limits = product.domains({k: v for k, v in repaired.items() if k not in {c.attribute for c in texts}})
        for change in texts:
            old = str(change.old)
            state = limits.attributes[change.attribute].text
            room = state.max_length if state is not None else 0
            fitted = (
                whole_words(old, room)
                if isinstance(change.new, int) and change.new < len(graphemes(old))
                else None
            )
            if fitted:
                repaired[change.attribute] = fitted
                listed.append((change.attribute, old, fitted))
            else:
                needs_input.append(_input_needed(product, change, room, locale))
    after = product.price(product.complete(repaired), quantity, now.currency)
    return {
        "changes": [
            {
                "attribute": key,
                "label": _attribute_label(product, key, locale),
                "old": old,
                "new": new,
                "old_label": _value_label(product, key, old, locale),
                "new_label": _value_label(product, key, new, locale),
            }
            for key, old, new in listed
        ],
        "picks": repaired,
        "needs_input": needs_input,
        "price_change": after.total - now.total,
        "total": after.total,
        "currency": after.currency,
    }


def whole_words(text: str, room: int) -> str:
    """The longest start of `text` made of whole words that fits in `room` graphemes ("" if none).

    >>> whole_words("Happy birthday Charlotte", 12)
    'Happy'
    >>> whole_words("Charlotte", 8)
    ''
    """
    kept = ""
    for match in re.finditer(r"\S+", text):
        candidate = text[: match.end()]
        if len(graphemes(candidate)) > room:
            break
        kept = candidate
    return kept


def _input_needed(product: Product, change: Change, room: int, locale: str) -> dict[str, Any]:
    """A text only the shopper can change: shorten it (with the limit), or write one."""
    label = _attribute_label(product, change.attribute, locale)
    assert isinstance(change.new, int)
    if change.new < len(graphemes(str(change.old))):
        message = MESSAGES.localized_plural(
            "Shorten “{label}” to {n} character or fewer.",
            "Shorten “{label}” to {n} characters or fewer.",
            room,
            label=label,
        ).get(locale)
        return {
            "attribute": change.attribute,
            "label": label,
            "min_length": None,
            "max_length": room,
            "message": message,
        }
    message = MESSAGES.localized("Write something for “{label}”.", label=label).get(locale)
    return {
        "attribute": change.attribute,
        "label": label,
        "min_length": change.new,
        "max_length": None,
        "message": message,
    }


_YES_NO = {True: MESSAGES.localized("Yes"), False: MESSAGES.localized("No")}


def _wanted(product: Product, attribute: str, value: object, locale: str) -> Value:
    """The wanted value as the engine reads it (a multi's: one option key); errors point at `value`."""
    target = product.model.attribute(attribute)
    multi = target is not None and target.kind is AttributeKind.MULTI
    try:
        picks, _ = services.normalize_picks(product, {attribute: [value] if multi else value}, locale)
    except InvalidPicks as error:
        errors = [
            FieldError("value", e.detail, code=e.code, technical_detail=e.technical_detail)
            for e in error.errors
        ]
        detail = error.localized_detail or error.detail
        raise type(error)(detail, errors=errors) from error
    return str(value) if multi else picks[attribute]


def _attribute_label(product: Product, key: str, locale: str) -> str:
    attribute = product.model.attribute(key)
    return attribute.label.get(locale) if attribute is not None else key


def _value_label(product: Product, key: str, value: object, locale: str) -> str | None:
    attribute = product.model.attribute(key)
    if value is None or attribute is None:
        return None
    labels = {option.key: option.label.get(locale) for option in attribute.options}
    if isinstance(value, frozenset | set | list | tuple):
        return ", ".join(labels.get(v, str(v)) for v in sorted(value))
    if isinstance(value, bool):
        return _YES_NO[value].get(locale)
    if isinstance(value, str):
        return labels.get(value, value)
    number = number_value(value)
    if number is not None:  # 5,5 in French; the unit as the merchant wrote it
        return f"{spoken(number, locale)} {attribute.unit}" if attribute.unit else spoken(number, locale)
    return str(value)
