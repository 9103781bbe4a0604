"""The JSON Schema (2020-12) of brand and product files, generated from the language's field tables.

It says what the loader checks of each value on its own: shapes, keys, patterns, bounds, the decimals
of each currency, keys that go together. What compares two values (`min` at most `max`, a default
among the options, tiers in increasing order) JSON Schema cannot say: `atelier rules check` does.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rules.countries import countries
from rules.language import fields as f
from rules.money import known_currencies, minor_units
from rules.regions import divided_countries

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
        "money": _money(
            "An amount per currency (ISO 4217 code -> amount); every brand currency, each amount with "
            "at most its currency's decimals (2 for EUR, 0 for JPY).",
            negative=True,
        ),
        "money_not_negative": _money(
            "An amount of 0 or more per currency (ISO 4217 code -> amount); every brand currency, each "
            "amount with at most its currency's decimals (2 for EUR, 0 for JPY).",
            negative=False,
        ),
        "rate": {
            "description": "An amount per currency that is multiplied before it is charged (a price per "
            "character): it may have more decimals than its currency; every brand currency.",
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
        "country": {
            "description": 'An ISO 3166-1 alpha-2 country code (GB, not UK), or "*" for every other country.',
            "enum": [*sorted(countries()), "*"],
        },
        # A pattern over the countries ISO divides rather than the five thousand codes: the schema
        # stays small for editors to fetch, still underlines us-ca or UK-ENG, and rules check names
        # a code no region has (US-XX) with the region meant.
        "region": {
            "description": "An ISO 3166-2 region code: a country's code, a hyphen, the region's (US-CA).",
            "type": "string",
            "pattern": f"^({'|'.join(sorted(divided_countries()))})-[A-Z0-9]{{1,3}}$",
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
    for name, others in table.needs:
        # What 2019-09 calls dependentRequired, in the if/then draft 7 editors read too.
        if table.field(name, kind) is not None:
            result.setdefault("allOf", []).append(
                {"if": {"required": [name]}, "then": {"required": list(others)}}
            )
    return result


def _money(description: str, *, negative: bool) -> JSON:
    """Money whose amounts have at most the decimals of their currency: a pattern per group of
    currencies with the same decimals, two decimals for the rest."""
    groups: dict[int, set[str]] = {}
    for code in known_currencies():
        groups.setdefault(minor_units(code), set()).add(code)
    return {
        "description": description,
        "type": "object",
        "propertyNames": {"pattern": f.CURRENCY},
        "patternProperties": {
            "^(" + "|".join(sorted(codes)) + ")$": _currency_amount(places, negative)
            for places, codes in sorted(groups.items())
            if places != 2
        },
        "additionalProperties": _currency_amount(2, negative),
        "minProperties": 1,
    }


def _currency_amount(places: int, negative: bool) -> JSON:
    """An amount with at most `places` decimals (trailing zeros aside): "3.50", "3.500", not "3.333"."""
    sign = "-?" if negative else ""
    decimals = r"(\.0+)?" if places == 0 else rf"(\.[0-9]{{1,{places}}}0*)?"
    number: JSON = {"type": "integer" if places == 0 else "number"}
    if not negative:
        number["minimum"] = 0
    return {"anyOf": [{"type": "string", "pattern": f"^{sign}[0-9]+{decimals}$"}, number]}


def _bounded_amount(shape: f.Amount) -> JSON:
    """An amount within bounds: numbers say them exactly; a string's pattern says its sign, that it is
    not zero, and an upper bound that is a power of ten (a percentage's 100)."""
    number: JSON = {"type": "number"}
    for keyword, bound in (
        ("minimum", shape.minimum),
        ("maximum", shape.maximum),
        ("exclusiveMinimum", shape.exclusive_minimum),
        ("exclusiveMaximum", shape.exclusive_maximum),
    ):
        if bound is not None:
            number[keyword] = int(bound) if bound == bound.to_integral_value() else float(bound)
    lower = shape.minimum if shape.minimum is not None else shape.exclusive_minimum
    sign = "" if lower is not None and lower >= 0 else "-?"
    not_zero = "(?=[0-9.]*[1-9])" if shape.exclusive_minimum == 0 else ""
    whole = "[0-9]+"
    upper = shape.maximum if shape.maximum is not None else shape.exclusive_maximum
    top = ""
    if upper is not None and upper >= 10 and _power_of_ten(upper) and not sign:
        digits = len(str(int(upper))) - 1
        whole = f"0*[0-9]{{1,{digits}}}"
        if shape.maximum is not None:
            top = rf"|0*{int(upper)}(\.0+)?"
    string = {"type": "string", "pattern": rf"^{not_zero}(?:{whole}(\.[0-9]+)?{top})$"}
    return {"anyOf": [string, number]}


def _power_of_ten(value: Decimal) -> bool:
    text = str(int(value)) if value == value.to_integral_value() else ""
    return text.startswith("1") and set(text[1:]) <= {"0"}


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
    if isinstance(shape, f.Text) and shape.pattern == f.COUNTRY:
        return {"$ref": "#/$defs/country"}
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
    if isinstance(shape, f.Measure):
        result = {"type": "number"}
        if shape.exclusive_minimum is not None:
            result["exclusiveMinimum"] = shape.exclusive_minimum
        return result
    if isinstance(shape, f.Boolean):
        return {"type": "boolean"}
    if isinstance(shape, f.Nothing):
        return {"type": "null"}
    if isinstance(shape, f.Amount):
        bounded = (shape.minimum, shape.maximum, shape.exclusive_minimum, shape.exclusive_maximum)
        if any(bound is not None for bound in bounded):
            return _bounded_amount(shape)
        return {"$ref": "#/$defs/amount"}
    if isinstance(shape, f.OptionKey):
        return {"$ref": "#/$defs/option_key"}
    if isinstance(shape, f.LocalizedText):
        return {"$ref": "#/$defs/localized"}
    if isinstance(shape, f.Money):
        if shape.rate:
            return {"$ref": "#/$defs/rate"}
        return {"$ref": "#/$defs/money" if shape.negative else "#/$defs/money_not_negative"}
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
        names: JSON = {"pattern": shape.key_pattern}
        if shape.key_pattern == f.COUNTRY:
            names = {"$ref": "#/$defs/country"}
        elif shape.key_pattern == f.TAX_AREA:
            names = {"anyOf": [{"$ref": "#/$defs/country"}, {"$ref": "#/$defs/region"}]}
        result = {
            "type": "object",
            "propertyNames": names,
            "additionalProperties": _shape(shape.value),
        }
        if shape.min_items:
            result["minProperties"] = shape.min_items
        return result
    if isinstance(shape, f.AnyOf):
        return {"anyOf": [_shape(option) for option in shape.options]}
    raise TypeError(f"no JSON Schema for {shape!r}")
