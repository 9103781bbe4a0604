"""The published JSON Schema: generated from the field tables, valid, and agreeing with the loader."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from ruamel.yaml import YAML

from rules.errors import CatalogError
from rules.language import fields as f
from rules.language import load_catalog
from rules.schema import language_schema

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).parent
PRODUCT = "product: p\nlabel: x\nprice: {EUR: '1'}\n"


def load(text: str) -> Any:
    return YAML(typ="safe", pure=True).load(text)


@pytest.fixture(scope="module")
def validator() -> Any:
    schema = language_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def errors(validator: Any, data: Any) -> list[str]:
    return [error.message for error in validator.iter_errors(data)]


def walk(schema: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(schema, dict):
        yield path, schema
        for key, value in schema.items():
            yield from walk(value, f"{path}/{key}")
    elif isinstance(schema, list):
        for index, value in enumerate(schema):
            yield from walk(value, f"{path}/{index}")


def test_schema_is_json_and_2020_12() -> None:
    schema = language_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert json.loads(json.dumps(schema)) == schema
    assert {"brand", "product", "attribute", "constraint", "price_rule", "quantity_tier"} <= set(
        schema["$defs"]
    )


def test_every_field_of_every_table_is_in_the_schema_with_a_description() -> None:
    defs = language_schema()["$defs"]
    for table in f.TABLES:
        kinds = table.kinds or (None,)
        for kind in kinds:
            name = f"{table.name}_{kind}" if kind else table.name
            properties = defs[name]["properties"]
            assert set(properties) == set(table.names(kind)), name
            for key, schema in properties.items():
                assert schema.get("description"), f"{name}.{key}"


def test_every_object_property_has_a_description() -> None:
    for path, node in walk(language_schema()):
        for key, schema in (
            node.get("properties", {}).items() if isinstance(node.get("properties"), dict) else []
        ):
            assert "description" in schema, f"{path}/properties/{key}"


def test_enums_for_types() -> None:
    defs = language_schema()["$defs"]
    assert defs["attribute"]["properties"]["type"]["enum"] == list(f.KINDS)
    assert defs["attribute_number"]["properties"]["type"]["const"] == "number"
    assert defs["brand"]["properties"]["rounding"]["enum"] == ["half_up", "half_even"]
    assert defs["price_rule"]["allOf"] == [
        {"oneOf": [{"required": ["add"]}, {"required": ["formula"]}, {"required": ["table"]}]}
    ]


def test_spec_examples_validate(validator: Any) -> None:
    for path in sorted((HERE / "data" / "spec").glob("*.yaml")):
        assert errors(validator, load(path.read_text(encoding="utf-8"))) == [], path


def test_catalog_files_validate(validator: Any) -> None:
    files = sorted((ROOT / "catalog").glob("*.yaml")) + sorted(
        (ROOT / "tests" / "fixtures" / "catalog").glob("*.yaml")
    )
    for path in files:
        assert errors(validator, load(path.read_text(encoding="utf-8"))) == [], path


@pytest.mark.parametrize(
    "text",
    [
        "brand: Bad Key\nlabel: x\ncurrencies: [EUR]\n",
        "brand: b\nlabel: x\ncurrency: [EUR]\n",
        "brand: b\nlabel: x\ncurrencies: [EUR]\nrounding: up\n",
        "brand: b\nlabel: x\ncurrencies: [EUR]\npalette: {white: '#FFF'}\n",
        PRODUCT + "attributes: {a: {type: choice, options: [x], default: x, max_length: 3}}\n",
        "product: p\nlabel: x\nprice: {EUR: '1'}\nattributes: {a: {type: colour}}\n",
        "product: p\nlabel: x\nprice: {EUR: '1,5'}\nattributes: {}\n",
        PRODUCT + "attributes: {}\nconstraints: [{rule: a, table: {}, message: m}]\n",
        "product: p\nlabel: x\nprice: {EUR: '1'}\nattributes: {}\nconstraints: [{rule: a}]\n",
        PRODUCT + "attributes: {}\nprices: [{label: l, add: {EUR: '1'}, formula: {EUR: '1'}}]\n",
        "product: p\nlabel: {EN: x}\nprice: {EUR: '1'}\nattributes: {}\n",
    ],
)
def test_mistakes_are_rejected(validator: Any, text: str) -> None:
    assert errors(validator, load(text))


def test_valid_constructs_validate(validator: Any) -> None:
    # The schema accepts the less common forms the loader accepts.
    product = load(
        "product: mug\nlabel: Mug\nprice: {EUR: '1', USD: '2'}\n"
        "attributes:\n"
        "  s: {type: choice, options: {a: ~, b: {label: B, price: {EUR: '1'}}}, default: a}\n"
        "  n: {type: number, min: 1, max: 2, default: 1}\n"
        "  m: {type: multi, options: [a, 2]}\n"
        "  t: {type: text, max_length: 3, characters: ' -'}\n"
        "constraints:\n"
        "  - {table: {file: x.csv, mode: forbidden}, message: m}\n"
        "  - {table: {attributes: [s, n], allowed: [[a, 1], [b, ~]]}, message: m}\n"
        "  - {excludes: [a, b], message: m, id: 'x#1'}\n"
        "quantity_tiers: [{min: 2, percent_off: 2.5}]\n"
    )
    assert errors(validator, product) == []


def test_no_keyword_sits_beside_a_ref() -> None:
    # Draft-7 tools (many editors) ignore everything beside a `$ref`: descriptions go around an allOf.
    for path, node in walk(language_schema()):
        if "$ref" in node:
            assert set(node) == {"$ref"}, path
    described = language_schema()["$defs"]["attribute_choice"]["properties"]["label"]
    assert described["allOf"] == [{"$ref": "#/$defs/localized"}]
    assert described["description"]


def test_a_draft_7_validator_reads_the_schema_alike(validator: Any) -> None:
    draft7 = jsonschema.Draft7Validator(language_schema())
    good = load(PRODUCT + "attributes: {a: {type: choice, options: [x], default: x}}\n")
    bad = load(PRODUCT + "attributes: {a: {type: choice, options: [x], default: x, label: {EN: x}}}\n")
    assert errors(draft7, good) == errors(validator, good) == []
    assert errors(draft7, bad)
    assert errors(validator, bad)


def test_the_published_schema_is_up_to_date() -> None:
    published = json.loads((ROOT / "docs" / "atelier.schema.json").read_text(encoding="utf-8"))
    assert published == language_schema(), "regenerate it: atelier rules schema > docs/atelier.schema.json"


# -- the shape checks `atelier rules check` makes, said by the schema too ----------------------------

ATTRIBUTE = "attributes: {a: {type: choice, options: [x, y], default: x}}\n"
IMAGE = "attributes: {photo: {type: image, print_size: [150, 100]"


def brand(currencies: str = "[EUR]", more: str = "") -> str:
    return f"brand: b\nlabel: B\ncurrencies: {currencies}\n{more}"


def product(head: str = "price: {EUR: '1.00'}\n", body: str = ATTRIBUTE) -> str:
    return "product: p\nlabel: P\n" + head + body


SHAPE_MISTAKES = {
    "more decimals than the euro": (brand(), product("price: {EUR: '3.333'}\n")),
    "decimals in yen": (brand("[JPY]"), product("price: {JPY: '1500.5'}\n")),
    "a plain number in yen with decimals": (brand("[JPY]"), product("price: {JPY: 1500.5}\n")),
    "a negative base price": (brand(), product("price: {EUR: '-1.00'}\n")),
    "a negative image price": (brand(), product(body=IMAGE + ", price: {EUR: '-2'}}}\n")),
    "an image printed 0 mm wide": (
        brand(),
        product(body="attributes: {p: {type: image, print_size: [0, 9]}}\n"),
    ),
    "an option price in cents of cents": (
        brand(),
        product(body="attributes: {a: {type: choice, options: {x: {price: {EUR: '0.001'}}}, default: x}}\n"),
    ),
    "100 % off": (brand(), product(body=ATTRIBUTE + "quantity_tiers: [{min: 2, percent_off: 100}]\n")),
    "0 % off": (brand(), product(body=ATTRIBUTE + "quantity_tiers: [{min: 2, percent_off: '0'}]\n")),
    "a negative discount": (
        brand(),
        product(body=ATTRIBUTE + "quantity_tiers: [{min: 2, percent_off: -5}]\n"),
    ),
    "a discount of 100.5 %": (
        brand(),
        product(body=ATTRIBUTE + "quantity_tiers: [{min: 2, percent_off: '100.5'}]\n"),
    ),
    "a tax rate above 100": (brand(more="tax: {rates: {FR: '120'}}\n"), product()),
    "a negative tax rate": (brand(more="tax: {rates: {FR: -1}}\n"), product()),
    "a negative shipping rate": (
        brand(more="shipping: [{zone: z, countries: [FR], flat: {EUR: '-4.90'}}]\n"),
        product(),
    ),
    "a shipping rate in tenths of cents": (
        brand(more="shipping: [{zone: z, countries: [FR], flat: {EUR: '4.905'}}]\n"),
        product(),
    ),
    "UK for the United Kingdom": (brand(more="tax: {rates: {UK: '20'}}\n"), product()),
    "a region in lower case": (brand(more="tax: {rates: {us-ca: '7.25'}}\n"), product()),
    "a region of a country that is none": (brand(more="tax: {rates: {UK-ENG: '20'}}\n"), product()),
    "a shipping zone of a country that is none": (
        brand(more="shipping: [{zone: z, countries: [FR, UK], flat: {EUR: '4.90'}}]\n"),
        product(),
    ),
    "a table mode without a file": (
        brand(),
        product(
            body=ATTRIBUTE
            + "constraints: [{table: {attributes: [a], allowed: [[x]], mode: allowed}, message: m}]\n"
        ),
    ),
    "table rows without attributes": (
        brand(),
        product(body=ATTRIBUTE + "constraints: [{table: {forbidden: [[x]]}, message: m}]\n"),
    ),
}

SHAPES_ACCEPTED = {
    "trailing zeros": (brand(), product("price: {EUR: '3.330'}\n")),
    "whole yen written with zeros": (brand("[JPY]"), product("price: {JPY: '1500.00'}\n")),
    "three decimals in dinars": (brand("[KWD]"), product("price: {KWD: '1.125'}\n")),
    "a price per character finer than a cent": (
        brand(),
        product(body="attributes: {t: {type: text, max_length: 9, price_per_char: {EUR: '0.125'}}}\n"),
    ),
    "a negative option price": (
        brand(),
        product(body="attributes: {a: {type: choice, options: {x: {price: {EUR: '-1.50'}}}, default: x}}\n"),
    ),
    "99.5 % off": (brand(), product(body=ATTRIBUTE + "quantity_tiers: [{min: 2, percent_off: '99.5'}]\n")),
    "0.5 % off": (brand(), product(body=ATTRIBUTE + "quantity_tiers: [{min: 2, percent_off: 0.5}]\n")),
    "tax rates from 0 to 100": (
        brand(more="tax: {rates: {FR: '0', DE: '100', IT: 22.5, '*': '0'}}\n"),
        product(),
    ),
    "rates by region beside countries": (
        brand(more="tax: {rates: {US: '0', US-CA: '7.25', CA-ON: 13, ES-CN: '0', '*': '0'}}\n"),
        product(),
    ),
    "countries and the rest of the world": (
        brand(more="shipping: [{zone: z, countries: [GB, MC, '*'], flat: {EUR: '4.90'}}]\n"),
        product(),
    ),
    "rows of a CSV file": (
        brand(),
        product(body=ATTRIBUTE + "constraints: [{table: {file: t.csv, mode: forbidden}, message: m}]\n"),
    ),
}


def loads(tmp_path: Path, brand_text: str, product_text: str) -> bool:
    """Whether `atelier rules check` reads these files without an error."""
    (tmp_path / "brand.yaml").write_text(brand_text, encoding="utf-8")
    (tmp_path / "p.yaml").write_text(product_text, encoding="utf-8")
    (tmp_path / "t.csv").write_text("a\ny\n", encoding="utf-8")
    try:
        load_catalog(tmp_path)
    except CatalogError:
        return False
    return True


@pytest.mark.parametrize("files", SHAPE_MISTAKES.values(), ids=SHAPE_MISTAKES.keys())
def test_the_schema_refuses_the_shapes_the_loader_refuses(
    validator: Any, tmp_path: Path, files: tuple[str, str]
) -> None:
    brand_text, product_text = files
    assert not loads(tmp_path, brand_text, product_text)
    assert errors(validator, load(brand_text)) + errors(validator, load(product_text))


@pytest.mark.parametrize("files", SHAPES_ACCEPTED.values(), ids=SHAPES_ACCEPTED.keys())
def test_the_schema_accepts_what_the_loader_accepts(
    validator: Any, tmp_path: Path, files: tuple[str, str]
) -> None:
    brand_text, product_text = files
    assert loads(tmp_path, brand_text, product_text)
    assert errors(validator, load(brand_text)) == errors(validator, load(product_text)) == []


@pytest.mark.parametrize(
    "layer",
    [
        "{text: {attribute: t, box: [0, 0, 10, 10], fonts: {x: default}}}",
        "{text: {attribute: t, box: [0, 0, 10, 10], font_attribute: a}}",
        "{overlay: {images: {x: a.png}}}",
    ],
)
def test_the_schema_says_which_view_keys_go_together(validator: Any, layer: str) -> None:
    text = product(body=ATTRIBUTE + f"views: {{front: {{size: [100, 100], layers: [{layer}]}}}}\n")
    assert errors(validator, load(text))
    assert errors(jsonschema.Draft7Validator(language_schema()), load(text))  # editors on draft 7 too


def test_comparisons_between_two_values_are_left_to_the_loader(validator: Any, tmp_path: Path) -> None:
    # JSON Schema cannot compare two values of a file: the loader says `min` is more than `max`.
    text = product(body="attributes: {n: {type: number, min: 5, max: 2, default: 5}}\n")
    assert errors(validator, load(text)) == []
    assert not loads(tmp_path, brand(), text)
    described = language_schema()["$defs"]["attribute_number"]["properties"]["min"]["description"]
    assert "at most `max`" in described
