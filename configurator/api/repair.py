"""Repair: when a shopper insists on an option that is greyed out, the fewest earlier picks to change."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask.views import MethodView
from marshmallow import Schema, fields

from configurator.api.fields import Picks, PickValue
from configurator.catalog import services
from configurator.catalog.errors import InvalidPicks, UnknownAttribute
from configurator.errors import ErrorCode, FieldError
from configurator.locale import mark_request_language, request_locale
from configurator.openapi import AtelierBlueprint
from rules import Product
from rules.model import AttributeKind, Value
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


class ChangeSchema(Schema):
    attribute = fields.String(required=True)
    label = fields.String(required=True, metadata={"description": "The attribute's label"})
    old = PickValue(allow_none=True, required=True)
    new = PickValue(allow_none=True, required=True)
    old_label = fields.String(
        allow_none=True, required=True, metadata={"description": "As a shopper reads it"}
    )
    new_label = fields.String(
        allow_none=True, required=True, metadata={"description": "As a shopper reads it"}
    )


class RepairResponseSchema(Schema):
    attribute = fields.String(required=True)
    value = PickValue(allow_none=True, required=True)
    possible = fields.Boolean(
        required=True, metadata={"description": "false: no valid design has this option at all"}
    )
    changes = fields.List(
        fields.Nested(ChangeSchema),
        required=True,
        metadata={"description": "Apply them with the wanted option to reach a valid design"},
    )
    picks = fields.Dict(
        keys=fields.String(),
        values=PickValue(allow_none=True),
        required=True,
        metadata={"description": "The picks with the changes and the wanted option applied"},
    )


@blp.route("/<slug>/repair")
class Repair(MethodView):
    @blp.arguments(RepairRequestSchema)
    @blp.response(200, RepairResponseSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def post(self, body: dict[str, Any], slug: str) -> dict[str, Any]:
        """The fewest other picks to change so that `attribute = value` becomes possible."""
        product = services.get_product(services.current_catalog(), slug)
        return repair_data(product, body["picks"], body["attribute"], body["value"], request_locale())


def repair_data(
    product: Product, raw_picks: Mapping[str, object], attribute: str, value: object, locale: str
) -> dict[str, Any]:
    """The engine's repair, with text lengths turned back into texts a shopper can accept."""
    target = product.model.attribute(attribute)
    if target is None:
        raise UnknownAttribute(
            f"attribute: {product.model.key} has no attribute {attribute!r}.",
            errors=[
                FieldError("attribute", "Not an attribute of this product.", code=ErrorCode.UNKNOWN_ATTRIBUTE)
            ],
        )
    picks, _ = services.normalize_picks(product, raw_picks)
    wanted = _wanted(product, attribute, value)
    found = product.repair(picks, attribute, wanted)
    if found is None:
        return {"attribute": attribute, "value": value, "possible": False, "changes": [], "picks": picks}
    repaired: dict[str, Value] = dict(picks)
    texts: list[str] = []
    for change in found.changes:
        if isinstance(change.new, int) and isinstance(change.old, str):
            texts.append(change.attribute)  # the engine speaks of a length: shortened below
            repaired.pop(change.attribute, None)
        else:
            repaired[change.attribute] = change.new
    if target.kind is AttributeKind.MULTI:
        current = repaired.get(attribute)
        members = set(current) if isinstance(current, frozenset) else set()
        repaired[attribute] = frozenset(members | {str(wanted)})
    else:
        repaired[attribute] = wanted
    changes = [
        (c.attribute, c.old, repaired.get(c.attribute)) for c in found.changes if c.attribute not in texts
    ]
    if texts:
        limits = product.domains(repaired).attributes
        for key in texts:
            old = picks.get(key)
            state = limits[key].text if key in limits else None
            room = state.max_length if state is not None else 0
            shortened = "".join(graphemes(str(old))[:room]).rstrip()
            repaired[key] = shortened
            changes.append((key, old, shortened))
    return {
        "attribute": attribute,
        "value": value,
        "possible": True,
        "changes": [
            {
                "attribute": key,
                "label": _attribute_label(product, key, locale),
                "old": old,
                "new": new,
                "old_label": _value_label(product, key, old, locale),
                "new_label": _value_label(product, key, new, locale),
            }
            for key, old, new in changes
        ],
        "picks": repaired,
    }


_YES_NO = {"en": {True: "Yes", False: "No"}, "fr": {True: "Oui", False: "Non"}}


def _wanted(product: Product, attribute: str, value: object) -> Value:
    """The wanted value as the engine reads it (a multi's: one option key); errors point at `value`."""
    target = product.model.attribute(attribute)
    multi = target is not None and target.kind is AttributeKind.MULTI
    try:
        picks, _ = services.normalize_picks(product, {attribute: [value] if multi else value})
    except InvalidPicks as error:
        errors = [FieldError("value", e.detail, code=e.code) for e in error.errors]
        raise type(error)(f"value: {'; '.join(e.detail for e in errors)}", errors=errors) from error
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
        return _YES_NO.get(locale.split("-")[0], _YES_NO["en"])[value]
    return labels.get(value, str(value)) if isinstance(value, str) else str(value)
