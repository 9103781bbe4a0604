"""The catalog loader under hostile files: whatever the bytes, the answer is a clean `CatalogError` (or a
loaded catalog), quickly; never another exception, never a constructed Python object."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from ruamel.yaml.events import AliasEvent, CollectionStartEvent

from rules.errors import CatalogError, Code
from rules.language import load_brand, load_catalog
from rules.language.yamlsafe import MAX_DEPTH, MAX_YAML_BYTES, load_yaml
from tests.support.yamlwork import YamlEvents

BRAND = 'brand: northwind\nlabel: Northwind\ncurrencies: [EUR]\npalette: {white: "#FFFFFF"}\n'
PRODUCT = """\
product: mug
label: Mug
price: {EUR: "10.00"}
attributes: {colour: {type: colour, options: [white], default: white}}
"""


def catalog_codes(folder: Path) -> set[str]:
    """The codes of every error loading the folder, or an empty set when it loads."""
    failure: CatalogError | None = None
    try:
        load_catalog(folder)
    except CatalogError as error:
        failure = error
    if failure is None:
        return set()
    assert failure.diagnostics
    for diagnostic in failure.diagnostics:
        assert diagnostic.source is not None
        assert diagnostic.source.line >= 1
        assert diagnostic.source.column >= 1
        assert diagnostic.hint
    return {str(d.code) for d in failure.diagnostics if d.severity == "error"}


def write(folder: Path, product: str | bytes, brand: str | bytes = BRAND) -> Path:
    for name, content in (("brand.yaml", brand), ("mug.yaml", product)):
        target = folder / name
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    return folder


def test_the_base_catalog_loads(tmp_path: Path) -> None:
    assert catalog_codes(write(tmp_path, PRODUCT)) == set()


# --- tags: nothing is ever constructed ------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "!!python/object/apply:os.system ['touch pwned']",
        "!!python/object/new:os.system ['touch pwned']",
        "!!python/name:os.system",
        "!!python/module:os",
        "!!python/object:builtins.object {}",
        "!<tag:yaml.org,2002:python/object/apply:os.system> ['touch pwned']",
        "!custom value",
        "!custom {a: 1}",
        "!!binary aGVsbG8=",
        "!!set {a, b}",
        "!!omap [a: 1]",
    ],
)
def test_tags_are_refused_and_nothing_runs(tmp_path: Path, value: str) -> None:
    # Given a product whose label carries a tag that a naive loader would construct (or run)
    folder = write(tmp_path, PRODUCT.replace("label: Mug", f"label: {value}"))

    # Then loading refuses the tag, and nothing was executed
    assert Code.YAML_TAG in catalog_codes(folder)
    assert not (tmp_path / "pwned").exists()
    assert not Path("pwned").exists()


def test_a_tag_directive_is_refused(tmp_path: Path) -> None:
    text = "%TAG !e! tag:example.com,2000:app/\n---\nproduct: !e!thing mug\n"
    _, diagnostics = load_yaml(text.encode(), "x.yaml")
    assert Code.YAML_TAG in {d.code for d in diagnostics}


# --- alias bombs, depth and size --------------------------------------------------------------------

BLOCK_BOMB = "lol: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"l{n}: &{chr(98 + n)} [{', '.join([f'*{chr(97 + n)}'] * 9)}]\n" for n in range(12)
)


@pytest.mark.parametrize("where", ["brand", "product"])
def test_a_billion_laughs_is_refused_at_its_first_alias_in_any_file(
    tmp_path: Path, where: str, yaml_events: YamlEvents
) -> None:
    brand = BRAND + BLOCK_BOMB if where == "brand" else BRAND
    product = PRODUCT + BLOCK_BOMB if where == "product" else PRODUCT
    folder = write(tmp_path, product, brand)
    codes = catalog_codes(folder)
    assert Code.YAML_ALIAS in codes
    # The bomb's file was read up to its first alias and no further
    name = "brand.yaml" if where == "brand" else "mug.yaml"
    [bombed] = [file for file in yaml_events.by_file if file.endswith(name)]
    assert yaml_events.aliases(bombed) == 1
    assert isinstance(yaml_events.of(bombed)[-1], AliasEvent)
    if where == "brand":
        with pytest.raises(CatalogError):
            load_brand(folder / "brand.yaml")


def test_a_merge_key_alias_is_refused(tmp_path: Path) -> None:
    text = "base: &base {type: colour}\nattributes:\n  colour:\n    <<: *base\n"
    _, diagnostics = load_yaml(text.encode(), "x.yaml")
    assert {d.code for d in diagnostics} == {Code.YAML_ALIAS}


@pytest.mark.parametrize(
    "deep",
    [
        "".join("  " * n + f"k{n}:\n" for n in range(MAX_DEPTH + 5)) + "  " * (MAX_DEPTH + 5) + "x: 1\n",
        "".join("  " * n + "-\n" for n in range(MAX_DEPTH + 5)) + "  " * (MAX_DEPTH + 5) + "- 1\n",
        "a: " + "{b: [" * 50_000 + "]}" * 50_000 + "\n",
    ],
    ids=["block mappings", "block sequences", "flow"],
)
def test_deep_nesting_is_refused_in_every_style(deep: str, yaml_events: YamlEvents) -> None:
    root, diagnostics = load_yaml(deep.encode(), "x.yaml")
    assert root is None
    assert Code.YAML_TOO_DEEP in {d.code for d in diagnostics}
    # Refused on opening the level past the limit: what lies deeper was never read
    assert yaml_events.deepest("x.yaml") == MAX_DEPTH + 1
    assert isinstance(yaml_events.of("x.yaml")[-1], CollectionStartEvent)


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    data = b"a: " + b"x" * MAX_YAML_BYTES + b"\n"
    root, diagnostics = load_yaml(data, "x.yaml")
    assert root is None
    assert [d.code for d in diagnostics] == [Code.FILE_TOO_LARGE]
    assert catalog_codes(write(tmp_path, data)) == {Code.FILE_TOO_LARGE}


# --- fuzz -------------------------------------------------------------------------------------------

_TOKENS = st.sampled_from(
    [
        "product: mug",
        "label: Mug",
        "brand: b",
        "attributes:",
        "price: {EUR: '1'}",
        "- ",
        "-",
        ": ",
        "? ",
        "a",
        "key",
        "&a ",
        "*a",
        "!!python/name:os.system ",
        "!x ",
        "!!str ",
        "<<: ",
        "[",
        "]",
        "{",
        "}",
        ",",
        '"',
        "'",
        '"\\u0000"',
        '"\\x',
        "|",
        ">-",
        "#",
        "%YAML 1.2",
        "%TAG ! !",
        "---",
        "...",
        "\t",
        "\ufeff",
        "\u202e",
        "\x00",
        "\x85",
        "\u2028",
        "1e99999",
        "0x",
        ".inf",
        "~",
        " ",
        "  ",
    ]
)
_LINES = st.lists(st.lists(_TOKENS, max_size=6).map("".join), max_size=12).map("\n".join)


@settings(max_examples=200, deadline=None)
@given(_LINES)
@example("a: &x 1\nb: *x\n")
@example("- !!python/object/apply:os.system [ls]\n")
@example('"\\ud800"')
def test_yaml_like_text_only_ever_answers_diagnostics(text: str) -> None:
    root, diagnostics = load_yaml(text.encode("utf-8", errors="surrogatepass"), "x.yaml")
    assert root is not None or diagnostics
    for diagnostic in diagnostics:
        assert diagnostic.source is not None
        assert diagnostic.hint


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.one_of(_LINES.map(lambda text: text.encode("utf-8", errors="surrogatepass")), st.binary(max_size=300))
)
@example(b"\xff\xfe" + "product: mug".encode("utf-16-le"))
@example(b"\xef\xbb\xbf\xef\xbb\xbfproduct: mug\n")
def test_any_bytes_as_a_product_file_are_only_ever_a_catalog_error(tmp_path: Path, data: bytes) -> None:
    write(tmp_path, data)
    catalog_codes(tmp_path)  # raises anything but CatalogError: the test fails


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(_LINES)
def test_any_text_appended_to_a_brand_file_is_only_ever_a_catalog_error(tmp_path: Path, text: str) -> None:
    write(tmp_path, PRODUCT, (BRAND + text).encode("utf-8", errors="surrogatepass"))
    catalog_codes(tmp_path)
