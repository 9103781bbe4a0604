"""The JSON Schema (2020-12) of brand and product files, generated from the language's field tables."""

from __future__ import annotations

from typing import Any

from rules.language import fields as f

SCHEMA_ID = "https://atelier.invalid/schema/catalog-file.json"

JSON = dict[str, Any]


def language_schema() -> JSON:
    """The JSON Schema of a catalog file: a brand file or a product file, with `$defs` for each part.

    >>> language_schema()["$defs"]["attribute"]["oneOf"][0]["$ref"]
    '#/$defs/attribute_choice'
    """
    defs: dict[str, JSON] = {
        "localized": {
            "description": "A text shown to shoppers: a plain string, or a mapping of language code to text.",
            "anyOf": [
                {"type": "string", "minLength": 1},
                {
                    "type": "object",
                    "propertyNames": {"pattern": f.LOCALE},
                    "additionalProperties": {"type": "string", "minLength": 1},
                    "minProperties": 1,
                },
            ],
        },
        "amount": {
            "description": 'An exact decimal amount: a quoted string like "14.00", or a plain number.',
            "anyOf": [{"type": "string", "pattern": f.AMOUNT}, {"type": "number"}],
        },
        "money": {
            "description": "An amount per currency (ISO 4217 code -> amount); every brand currency.",
            "type": "object",
            "propertyNames": {"pattern": f.CURRENCY},
            "additionalProperties": {"$ref": "#/$defs/amount"},
            "minProperties": 1,
        },
        "option_key": {
            "description": "An option key: lowercase letters, digits, _ and -.",
            "anyOf": [{"type": "string", "pattern": f.OPTION_KEY}, {"type": "integer", "minimum": 0}],
        },
        "expression": {
            "description": "A rule expression, e.g. `material == enamel -> colour != gold`.",
            "type": "string",
            "minLength": 1,
        },
        "cell": {
            "description": "A table cell: an option key, a number, true/false, or null (does not apply).",
            "type": ["string", "integer", "boolean", "null"],
        },
    }
    for table in f.TABLES:
        if table.discriminator is not None:
            _attribute_defs(table, defs)
        else:
            defs[table.name] = _table(table, None)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "Atelier catalog file",
        "description": "A brand file (brand.yaml, top key `brand`) or a product file (top key `product`).",
        "oneOf": [{"$ref": "#/$defs/brand"}, {"$ref": "#/$defs/product"}],
        "$defs": defs,
    }


def _attribute_defs(table: f.Table, defs: dict[str, JSON]) -> None:
    assert table.discriminator is not None
    refs = []
    for kind in table.kinds:
        name = f"{table.name}_{kind}"
        schema = _table(table, kind)
        schema["title"] = f"{table.title}: {kind}"
        schema["properties"][table.discriminator] = {
            "description": next(
                field.description for field in table.fields if field.name == table.discriminator
            ),
            "const": kind,
        }
        defs[name] = schema
        refs.append({"$ref": f"#/$defs/{name}"})
    defs[table.name] = {
        "title": table.title,
        "description": f"{table.title}; `{table.discriminator}` is one of {', '.join(table.kinds)}.",
        "type": "object",
        "required": [table.discriminator],
        "properties": {
            table.discriminator: {"description": "The kind of attribute.", "enum": list(table.kinds)}
        },
        "oneOf": refs,
    }


def _table(table: f.Table, kind: str | None) -> JSON:
    properties: JSON = {}
    required: list[str] = []
    for field in table.fields:
        if not field.applies_to(kind):
            continue
        schema = _described(_shape(field.shape))
        schema["description"] = field.description
        if field.example is not None:
            schema["examples"] = [field.example]
        properties[field.name] = schema
        if field.is_required(kind) and field.name not in required:
            required.append(field.name)
    result: JSON = {
        "title": table.title,
        "description": table.title + ".",
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }
    if required:
        result["required"] = required
    for group in table.exactly_one:
        # Exactly one of the group: each alternative requires its key and forbids the others.
        result.setdefault("allOf", []).append(
            {
                "oneOf": [{"required": [name]} for name in group],
            }
        )
    return result


def _described(schema: JSON) -> JSON:
    """A copy of `schema` that keywords may be added beside.

    Up to draft 7, keywords beside a `$ref` are ignored, so a described reference is wrapped in an
    `allOf` (what the drafts recommend); 2020-12 tools read both forms alike.
    """
    if "$ref" in schema:
        return {"allOf": [dict(schema)]}
    return dict(schema)


def _shape(shape: f.Shape) -> JSON:
    if isinstance(shape, f.Table):
        return {"$ref": f"#/$defs/{shape.name}"}
    if isinstance(shape, f.Text):
        result: JSON = {"type": "string"}
        if shape.enum:
            result["enum"] = list(shape.enum)
        if shape.pattern:
            result["pattern"] = shape.pattern
        if shape.non_empty and not shape.enum and not shape.pattern:
            result["minLength"] = 1
        return result
    if isinstance(shape, f.Integer):
        result = {"type": "integer"}
        if shape.minimum is not None:
            result["minimum"] = shape.minimum
        if shape.maximum is not None:
            result["maximum"] = shape.maximum
        return result
    if isinstance(shape, f.Boolean):
        return {"type": "boolean"}
    if isinstance(shape, f.Nothing):
        return {"type": "null"}
    if isinstance(shape, f.Amount):
        return {"$ref": "#/$defs/amount"}
    if isinstance(shape, f.OptionKey):
        return {"$ref": "#/$defs/option_key"}
    if isinstance(shape, f.LocalizedText):
        return {"$ref": "#/$defs/localized"}
    if isinstance(shape, f.Money):
        return {"$ref": "#/$defs/money"}
    if isinstance(shape, f.Expression):
        return {"$ref": "#/$defs/expression"}
    if isinstance(shape, f.Cell):
        return {"$ref": "#/$defs/cell"}
    if isinstance(shape, f.ListOf):
        result = {"type": "array", "items": _shape(shape.item)}
        if shape.min_items:
            result["minItems"] = shape.min_items
        if shape.max_items is not None:
            result["maxItems"] = shape.max_items
        if shape.unique:
            result["uniqueItems"] = True
        return result
    if isinstance(shape, f.MapOf):
        result = {
            "type": "object",
            "propertyNames": {"pattern": shape.key_pattern},
            "additionalProperties": _shape(shape.value),
        }
        if shape.min_items:
            result["minProperties"] = shape.min_items
        return result
    if isinstance(shape, f.AnyOf):
        return {"anyOf": [_shape(option) for option in shape.options]}
    raise TypeError(f"no JSON Schema for {shape!r}")
