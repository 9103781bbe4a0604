"""YAML safety: hostile or broken input is refused with a diagnostic, quickly, never with a crash."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML
from ruamel.yaml.events import AliasEvent

from rules.errors import CatalogError, Code
from rules.language import fields as f
from rules.language import load_catalog
from rules.language.yamlsafe import MAX_DEPTH, Mapping, Scalar, Sequence, load_yaml
from rules.model import MAX_NUMBER_LENGTH
from tests.support.yamlwork import YamlEvents

BRAND = """\
brand: northwind
label: Northwind
currencies: [EUR, USD]
palette: {white: "#FFFFFF", ink: "#1B1F3B", gold: "#C9A227", coral: "#FF6F61"}
limits: {max_distinct_colours: 1, forbidden_pairs: [[white, gold]], max_text_length: 8}
text: {scripts: [Latin]}
"""

ALIAS_BOMB = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def codes(data: bytes) -> list[str]:
    _, diagnostics = load_yaml(data, "x.yaml")
    return [d.code for d in diagnostics]


# -- the node tree ---------------------------------------------------------------------------------


def test_every_node_has_a_position() -> None:
    root, diagnostics = load_yaml(b'a: 1\nb:\n  - "x"\n  - {c: 2.50}\n', "x.yaml")
    assert diagnostics == []
    assert isinstance(root, Mapping)
    assert root.keys() == ["a", "b"]
    b = root.get("b")
    assert isinstance(b, Sequence)
    assert (b.source.line, b.source.column) == (3, 3)
    first, second = b.items
    assert isinstance(first, Scalar)
    assert (first.text, first.kind, first.plain, first.source.column) == ("x", "str", False, 5)
    assert first.text_start is not None
    assert first.text_start.column == 6  # inside the quotes
    assert isinstance(second, Mapping)
    amount = second.get("c")
    assert isinstance(amount, Scalar)
    assert (amount.kind, amount.text, str(amount.value)) == ("float", "2.50", "2.50")


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("~", "null", None),
        ("null", "null", None),
        ("", "null", None),
        ("true", "bool", True),
        ("False", "bool", False),
        ("yes", "str", "yes"),  # YAML 1.2: not a boolean
        ("no", "str", "no"),
        ("12", "int", 12),
        ("-3", "int", -3),
        ("0x1F", "int", 31),
        ("012", "int", 12),
        (".inf", "str", ".inf"),
        ("2024-01-01", "str", "2024-01-01"),
        ('"12"', "str", "12"),
    ],
)
def test_scalars_resolve_by_the_yaml_1_2_core_schema(text: str, kind: str, value: object) -> None:
    root, _ = load_yaml(f"k: {text}\n".encode(), "x.yaml")
    assert isinstance(root, Mapping)
    node = root.get("k")
    assert isinstance(node, Scalar)
    assert (node.kind, node.value) == (kind, value)


def test_block_scalars_keep_their_text() -> None:
    root, _ = load_yaml(b"rule: >-\n  a and\n  b\n", "x.yaml")
    assert isinstance(root, Mapping)
    node = root.get("rule")
    assert isinstance(node, Scalar)
    assert node.text == "a and b"
    assert node.text_start is None


# -- refusals --------------------------------------------------------------------------------------


def test_python_object_tags_are_refused() -> None:
    data = b"product: !!python/object/apply:os.system ['echo pwned']\n"
    root, diagnostics = load_yaml(data, "x.yaml")
    assert [d.code for d in diagnostics] == [Code.YAML_TAG]
    assert diagnostics[0].source is not None
    assert (diagnostics[0].source.line, diagnostics[0].source.column) == (1, 10)
    assert isinstance(root, Mapping)  # built as plain data, nothing executed


def test_every_tag_is_refused() -> None:
    assert codes(b"a: !!str 1\nb: !custom x\nc: !!map {}\n") == [Code.YAML_TAG] * 3


def test_an_alias_bomb_is_refused_at_once(yaml_events: YamlEvents) -> None:
    root, diagnostics = load_yaml(ALIAS_BOMB.encode(), "x.yaml")
    assert root is None
    assert [d.code for d in diagnostics] == [Code.YAML_ALIAS, Code.YAML_ALIAS, Code.YAML_ALIAS]
    assert str(diagnostics[-1]) == (
        "x.yaml:2:8: error: aliases (*a) are not allowed\n"
        "  hint: write the value out in full where it is used"
    )
    # The parse stopped at the first alias: nothing after it was read
    assert yaml_events.aliases("x.yaml") == 1
    assert isinstance(yaml_events.of("x.yaml")[-1], AliasEvent)


def test_an_alias_bomb_in_a_catalog_is_a_catalog_error(tmp_path: Path, yaml_events: YamlEvents) -> None:
    (tmp_path / "brand.yaml").write_text(BRAND, encoding="utf-8")
    (tmp_path / "bomb.yaml").write_text(ALIAS_BOMB, encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        load_catalog(tmp_path)
    assert {d.code for d in caught.value.diagnostics} == {Code.YAML_ALIAS}
    [bomb] = [file for file in yaml_events.by_file if file.endswith("bomb.yaml")]
    assert yaml_events.aliases(bomb) == 1
    assert isinstance(yaml_events.of(bomb)[-1], AliasEvent)


def test_deep_nesting_is_refused(yaml_events: YamlEvents) -> None:
    deep = ("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)).encode()
    assert codes(deep) == [Code.YAML_TOO_DEEP]
    very_deep = ("[" * 100_000).encode()
    root, diagnostics = load_yaml(very_deep, "deep.yaml")
    assert root is None
    assert [d.code for d in diagnostics] == [Code.YAML_TOO_DEEP]
    # Refused on opening the level past the limit: the rest of the file was never read
    assert yaml_events.deepest("deep.yaml") == MAX_DEPTH + 1
    assert len(yaml_events.of("deep.yaml")) <= MAX_DEPTH + 3  # the stream, the document, the lists


@pytest.mark.parametrize("number", ["1" * 5_000, "-" + "9" * 4_301, "0." + "5" * 60, "0x" + "f" * 60])
def test_a_number_too_long_is_refused_at_its_own_line(number: str) -> None:
    # Given a number longer than Python's int would convert (4,300 digits) or than any catalog needs
    data = f"product: cup\nattributes:\n  width: {{type: number, min: 1, max: {number}}}\n".encode()

    # Then it is one diagnostic, where the number is written
    root, diagnostics = load_yaml(data, "cup.yaml")
    assert root is None
    (error,) = diagnostics
    assert error.code == Code.BAD_VALUE
    assert str(error.source) == "cup.yaml:3:38"
    assert f"{len(number)} characters long" in error.message


def test_a_number_at_the_limit_and_a_long_quoted_text_are_read() -> None:
    root, diagnostics = load_yaml(f"a: {'9' * MAX_NUMBER_LENGTH}\nb: '{'1' * 5_000}'\n".encode(), "x.yaml")
    assert diagnostics == []
    assert isinstance(root, Mapping)
    a, b = root.get("a"), root.get("b")
    assert isinstance(a, Scalar)
    assert a.value == int("9" * MAX_NUMBER_LENGTH)
    assert isinstance(b, Scalar)
    assert b.kind == "str"


def test_oversized_files_are_refused_unread(tmp_path: Path) -> None:
    (tmp_path / "brand.yaml").write_text(BRAND, encoding="utf-8")
    big = tmp_path / "big.yaml"
    big.write_bytes(b"# " + b"x" * (4 * 1024 * 1024) + b"\n")
    with pytest.raises(CatalogError) as caught:
        load_catalog(tmp_path)
    (error,) = caught.value.diagnostics
    assert error.code == Code.FILE_TOO_LARGE
    assert str(error) == (
        f"{big}:1:1: error: big.yaml is {4 * 1024 * 1024 + 3} bytes; the limit is {4 * 1024 * 1024}\n"
        "  hint: split it into smaller files"
    )


def test_oversized_csv_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("rules.language.loader.MAX_CSV_BYTES", 20)
    (tmp_path / "brand.yaml").write_text(BRAND, encoding="utf-8")
    (tmp_path / "t.csv").write_text("size\n" + "s\n" * 20, encoding="utf-8")
    (tmp_path / "mug.yaml").write_text(
        "product: mug\nlabel: Mug\nprice: {EUR: '1', USD: '1'}\n"
        "attributes: {size: {type: choice, options: [s], default: s}}\n"
        "constraints: [{table: {file: t.csv}, message: x}]\n",
        encoding="utf-8",
    )
    with pytest.raises(CatalogError) as caught:
        load_catalog(tmp_path)
    (error,) = caught.value.diagnostics
    assert str(error) == (
        f"{tmp_path / 'mug.yaml'}:5:30: error: t.csv is 45 bytes; the limit is 20\n"
        "  hint: split it into smaller files"
    )


def test_invalid_utf8_points_at_the_byte() -> None:
    _, diagnostics = load_yaml(b"a: 1\nb: caf\xe9\n", "x.yaml")
    assert [str(d) for d in diagnostics] == [
        "x.yaml:2:7: error: the file is not valid UTF-8\n  hint: save the file as UTF-8"
    ]


def test_control_characters_are_a_syntax_error() -> None:
    assert codes(b"a: \x07\n") == [Code.YAML_SYNTAX]


def test_a_missing_brand_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(CatalogError) as caught:
        load_catalog(tmp_path / "nope")
    assert caught.value.diagnostics[0].code == Code.FILE_MISSING
    (tmp_path / "mug.yaml").write_text(
        "product: mug\nlabel: Mug\nprice: {}\nattributes: {}\n", encoding="utf-8"
    )
    with pytest.raises(CatalogError) as caught:
        load_catalog(tmp_path)
    first = caught.value.diagnostics[0]
    assert str(first) == (
        f"{tmp_path / 'brand.yaml'}:1:1: error: {tmp_path / 'brand.yaml'} does not exist\n"
        "  hint: create brand.yaml, or fix the file name"
    )
    # The product is still checked for its own mistakes, without errors that are really the brand's.
    assert [d.code for d in caught.value.diagnostics[1:]] == [Code.BAD_VALUE]


# -- never a crash ---------------------------------------------------------------------------------


def load_quietly(folder: Path) -> None:
    failure: CatalogError | None = None
    try:
        load_catalog(folder)
    except CatalogError as error:
        failure = error
    if failure is None:
        return
    assert failure.diagnostics
    for diagnostic in failure.diagnostics:
        assert diagnostic.severity == "error"
        assert diagnostic.hint
        assert diagnostic.source is not None


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_random_bytes_never_crash_the_parser(data: bytes) -> None:
    load_yaml(data, "x.yaml")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab:- \n\t[]{},'\"#&*!|>?%@`~0.1")), max_size=60))
def test_random_yaml_like_text_never_crashes_the_parser(text: str) -> None:
    root, diagnostics = load_yaml(text.encode(), "x.yaml")
    assert root is not None or diagnostics


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.text(max_size=120))
def test_random_text_as_a_product_is_only_ever_a_catalog_error(tmp_path: Path, text: str) -> None:
    (tmp_path / "brand.yaml").write_text(BRAND, encoding="utf-8")
    (tmp_path / "mug.yaml").write_text(text, encoding="utf-8", errors="surrogatepass")
    load_quietly(tmp_path)


# Random products built from the language's own keys, so the fuzzing reaches deep into the lowering.
_KEYS = sorted(
    {field.name for table in f.TABLES for field in table.fields} | {"s", "m", "white", "gold", "EUR"}
)
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-3, max_value=400),
    st.sampled_from(
        [
            "s",
            "m",
            "white",
            "gold",
            "ink",
            "a",
            "size",
            "size == s",
            "colour == gold",
            "engraving.present",
            "engraving.length <= 3",
            "a -> b",
            "width * 2",
            "10.00",
            "-1",
            "#FFFFFF",
            "EUR",
            "",
            "t.csv",
            "choice",
            "colour",
            "multi",
            "number",
            "boolean",
            "text",
            "Latin",
            "allowed",
            "forbidden",
            "distinct(colour, lid) <= 1",
            "s in toppings",
            "(",
            "x ==",
        ]
    ),  # fmt: skip
    st.text(max_size=4),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(_KEYS), inner, max_size=4),
    max_leaves=8,
)
_ATTRIBUTE = st.fixed_dictionaries(
    {"type": st.sampled_from(["choice", "colour", "multi", "number", "boolean", "text", "other"])},
    optional={
        name: _VALUES
        if name not in ("options", "default", "min", "max")
        else st.one_of(
            st.lists(st.sampled_from(["s", "m", "white", "gold", "ink"]), max_size=3),
            st.sampled_from(["s", "white"]),
            st.integers(min_value=-1, max_value=5),
            _VALUES,
        )
        for name in [
            "label",
            "when",
            "options",
            "default",
            "min",
            "max",
            "step",
            "max_length",
            "scripts",
            "price",
        ]
    },
)
_PRODUCT = st.fixed_dictionaries(
    {
        "product": st.sampled_from(["mug", "Mug"]),
        "label": st.sampled_from(["Mug", ""]),
        "price": st.sampled_from([{"EUR": "1", "USD": "2"}, {"EUR": 1.5}, "3"]),
        "attributes": st.dictionaries(
            st.sampled_from(["size", "colour", "lid", "width", "engraving", "toppings", "a", "b", "Bad"]),
            _ATTRIBUTE,
            max_size=5,
        ),
    },
    optional={
        "constraints": st.lists(st.dictionaries(st.sampled_from(_KEYS), _VALUES, max_size=4), max_size=4),
        "prices": st.lists(st.dictionaries(st.sampled_from(_KEYS), _VALUES, max_size=4), max_size=3),
        "quantity_tiers": st.lists(st.dictionaries(st.sampled_from(_KEYS), _VALUES, max_size=3), max_size=3),
    },
)


def dump(data: Any) -> str:
    stream = io.StringIO()
    yaml = YAML(typ="safe", pure=True)
    yaml.dump(data, stream)
    return stream.getvalue()


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(_PRODUCT)
def test_random_products_never_crash_the_loader(tmp_path: Path, product: dict[str, Any]) -> None:
    (tmp_path / "brand.yaml").write_text(BRAND, encoding="utf-8")
    (tmp_path / "t.csv").write_text("size,width\ns,1\nm,x\n", encoding="utf-8")
    (tmp_path / "mug.yaml").write_text(dump(product), encoding="utf-8")
    load_quietly(tmp_path)


SPEC_BRAND = BRAND.replace("max_distinct_colours: 1", "max_distinct_colours: 2")
SPEC_PRODUCT = {
    "product": "mug",
    "label": {"en": "Mug", "fr": "Mug"},
    "price": {"EUR": "14.00", "USD": "16.00"},
    "attributes": {
        "colour": {"type": "colour", "options": ["white", "ink", "gold"], "default": "white"},
        "lid": {
            "type": "colour",
            "options": {"white": None, "coral": {"label": "Coral"}},
            "default": "white",
        },
        "material": {
            "type": "choice",
            "options": {"ceramic": {"label": "Ceramic"}, "enamel": {"price": {"EUR": "2.00", "USD": "2.50"}}},
            "default": "ceramic",
        },
        "width": {"type": "number", "min": 60, "max": 300, "step": 10, "unit": "cm", "default": 120},
        "gift": {"type": "boolean", "default": False, "price": {"EUR": "3.00", "USD": "3.50"}},
        "toppings": {"type": "multi", "options": ["nuts", "berries"], "min": 0, "max": 2, "default": []},
        "engraving": {"type": "text", "max_length": 6, "scripts": ["Latin"], "default": ""},
        "font": {
            "type": "choice",
            "options": ["serif", "script"],
            "when": "engraving.present",
            "default": "serif",
        },
    },
    "constraints": [
        {"rule": "material == enamel -> colour != gold", "message": "No gold enamel.", "id": "x"},
        {"requires": {"if": "font == script", "then": "engraving.length <= 4"}, "message": "Short."},
        {"excludes": ["nuts in toppings", "gift"], "message": "No."},
        {"table": {"attributes": ["material", "width"], "forbidden": [["enamel", 300]]}, "message": "T"},
        {"table": {"file": "t.csv", "mode": "forbidden"}, "message": "F"},
    ],
    "prices": [
        {"when": "colour == gold", "add": {"EUR": "1", "USD": "1"}, "label": "Gold"},
        {"label": "Size", "formula": {"EUR": "width / 100 * 2.5", "USD": "width / 100 * 3"}},
    ],
    "quantity_tiers": [{"min": 10, "percent_off": 5}, {"min": 50, "percent_off": "12.5"}],
}


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += _paths(value, (*prefix, index))
    return found


_SPEC_PATHS = _paths(SPEC_PRODUCT)[1:]


def _replace(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(data, dict):
        return {key: (_replace(item, rest, value) if key == head else item) for key, item in data.items()}
    return [(_replace(item, rest, value) if index == head else item) for index, item in enumerate(data)]


def test_the_mutation_base_is_valid(tmp_path: Path) -> None:
    (tmp_path / "brand.yaml").write_text(SPEC_BRAND, encoding="utf-8")
    (tmp_path / "t.csv").write_text("colour,lid\nink,coral\n", encoding="utf-8")
    (tmp_path / "mug.yaml").write_text(dump(SPEC_PRODUCT), encoding="utf-8")
    _, products, _ = load_catalog(tmp_path)
    assert len(products["mug"].constraints) == 4  # three rules and the brand's forbidden pair
    assert len(products["mug"].tables) == 2


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(st.tuples(st.sampled_from(_SPEC_PATHS), _VALUES), min_size=1, max_size=3))
def test_mutated_products_never_crash_the_loader(
    tmp_path: Path, edits: list[tuple[tuple[Any, ...], Any]]
) -> None:
    product: Any = SPEC_PRODUCT
    for path, value in edits:
        try:
            product = _replace(product, path, value)
        except (TypeError, IndexError):
            continue  # an earlier edit changed the shape under this path
    (tmp_path / "brand.yaml").write_text(SPEC_BRAND, encoding="utf-8")
    (tmp_path / "t.csv").write_text("colour,lid\nink,coral\n", encoding="utf-8")
    (tmp_path / "mug.yaml").write_text(dump(product), encoding="utf-8")
    load_quietly(tmp_path)


def test_a_one_line_block_scalar_keeps_exact_positions() -> None:
    root, _ = load_yaml(b"rule: >-\n\n    a and b\nnext: 1\n", "x.yaml")
    assert isinstance(root, Mapping)
    node = root.get("rule")
    assert isinstance(node, Scalar)
    assert node.text_start is not None
    assert (node.text_start.line, node.text_start.column) == (3, 5)
