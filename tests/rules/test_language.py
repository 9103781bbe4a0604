"""The catalog language: valid brand and product files lower into the model the spec describes."""

from __future__ import annotations

import shutil
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest

from rules.errors import CatalogError, Code
from rules.expr import Compare, Feature, Name, OptionKey, parse
from rules.language import load_brand, load_catalog, load_product
from rules.language.defaults import invalid_default_diagnostics
from rules.model import Attribute, AttributeKind, Localized, Option, ProductModel, SourceRef
from rules.product import Product

# The brand and product files of the spec, verbatim where the spec gives them (plus the attributes
# its constraints name).
SPEC = Path(__file__).parent / "data" / "spec"

BRAND = """\
brand: northwind
label: Northwind
currencies: [EUR, USD]
palette:
  white: "#FFFFFF"
  ink: {hex: "#1B1F3B", label: {en: Ink, fr: Encre}}
  gold: "#C9A227"
  coral: "#FF6F61"
"""

HEAD = 'product: mug\nlabel: Mug\nprice: {EUR: "10.00", USD: "12.00"}\n'


def write_catalog(folder: Path, product: str, brand: str = BRAND, **files: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "brand.yaml").write_text(brand, encoding="utf-8")
    (folder / "mug.yaml").write_text(product, encoding="utf-8")
    for name, text in files.items():
        (folder / name.replace("_", ".")).write_text(text, encoding="utf-8")
    return folder


def load_mug(tmp_path: Path, body: str, brand: str = BRAND, **files: str) -> ProductModel:
    folder = write_catalog(tmp_path / "catalog", HEAD + textwrap.dedent(body), brand, **files)
    _, products, _ = load_catalog(folder)
    return products["mug"]


@pytest.fixture
def spec_catalog(tmp_path: Path) -> Path:
    folder = tmp_path / "spec"
    shutil.copytree(SPEC, folder)
    return folder


# -- the spec's example ----------------------------------------------------------------------------


def test_spec_brand_lowers(spec_catalog: Path) -> None:
    brand = load_brand(spec_catalog / "brand.yaml")
    assert brand.key == "northwind-crafts"
    assert brand.label == Localized({"en": "Northwind Crafts"})
    assert brand.currencies == ("EUR", "USD")
    assert brand.prices_include_tax is True
    assert brand.rounding == "half_up"
    assert brand.palette["gold"] == "#C9A227"  # hex is normalised to upper case
    assert brand.palette_labels == {"ink": Localized({"en": "Ink", "fr": "Encre"})}
    assert brand.max_distinct_colours == 3
    assert brand.forbidden_pairs == (("coral", "gold"),)
    assert brand.max_text_length == 40
    assert brand.banned_words == ("competitorco", "some slur")
    assert brand.scripts == ("Latin",)
    assert brand.source == SourceRef(str(spec_catalog / "brand.yaml"), 1, 8)


def test_spec_product_lowers(spec_catalog: Path) -> None:
    brand, products, warnings = load_catalog(spec_catalog)
    assert warnings == []
    mug = products["engraved-mug"]
    assert mug.brand == brand
    assert mug.label.get("fr") == "Mug gravé"
    assert mug.description == Localized({"en": "..."})
    # A plain number is read from its source text, never through a float.
    assert mug.base_price == {"EUR": Decimal("14.00"), "USD": Decimal("16.10")}
    assert [a.key for a in mug.attributes] == [
        "colour", "material", "width", "drop", "gift_box", "toppings", "sponge", "filling", "size", "tiers",
        "engraving", "font",
    ]  # fmt: skip
    # Image attributes have their own tests (test_image_attribute.py).
    assert {a.kind for a in mug.attributes} == set(AttributeKind) - {AttributeKind.IMAGE}
    assert [c.id for c in mug.constraints] == ["enamel-not-gold", "engraved-mug#2", "engraved-mug#3"]
    assert [str(c.expr) for c in mug.constraints] == [
        "material == enamel -> colour != gold",
        "font == script -> engraving.length <= 12",
        "not (sponge == nut_free and filling == praline)",
    ]
    assert mug.constraints[0].message.get("fr") == "..."
    assert mug.constraints[1].message == Localized.plain("Script engraving fits at most 12 characters.")
    (table,) = mug.tables
    assert table.id == "engraved-mug#4"
    assert table.attributes == ("size", "tiers")
    assert table.allowed is True
    assert table.rows == frozenset({("small", 1), ("medium", 1), ("medium", 2), ("large", 2), ("large", 3)})
    assert [t.min_quantity for t in mug.quantity_tiers] == [10, 50]
    assert mug.quantity_tiers[1].percent_off == Decimal("12.5")
    assert len(mug.source_hash) == 64


def test_spec_attributes(spec_catalog: Path) -> None:
    _, products, _ = load_catalog(spec_catalog)
    mug = products["engraved-mug"]
    colour = mug.attribute("colour")
    assert colour is not None
    assert [(o.key, o.hex) for o in colour.options][:2] == [("white", "#FFFFFF"), ("ink", "#1B1F3B")]
    assert colour.options[1].label == Localized({"en": "Ink", "fr": "Encre"})  # from the palette
    assert colour.default == "white"
    material = mug.attribute("material")
    assert material is not None
    assert material.label == Localized.plain("Material")
    assert material.options[1].price == {"EUR": Decimal("2.00"), "USD": Decimal("2.50")}
    assert material.options[1].label.get("fr") == "Émail"
    assert material.options[0].price == {}
    width = mug.attribute("width")
    assert width is not None
    assert (width.minimum, width.maximum, width.step, width.unit, width.default) == (60, 300, 10, "cm", 120)
    gift_box = mug.attribute("gift_box")
    assert gift_box is not None
    assert gift_box.label == Localized.plain("Gift box")
    assert gift_box.default is False
    toppings = mug.attribute("toppings")
    assert toppings is not None
    assert (toppings.min_count, toppings.max_count, toppings.default) == (0, 3, frozenset())
    engraving = mug.attribute("engraving")
    assert engraving is not None
    assert engraving.text is not None
    assert engraving.text.max_length == 20
    assert engraving.text.scripts == ("Latin",)
    assert engraving.text.characters == " .,'&!?-"
    assert engraving.text.price_per_char == {"EUR": Decimal("0.25"), "USD": Decimal("0.30")}
    assert engraving.required is False
    assert engraving.default == ""
    font = mug.attribute("font")
    assert font is not None
    assert font.when == Feature("engraving", "present", "text")
    assert font.when is not None
    assert font.when.evaluate({"engraving": 0}) is False


def test_spec_prices(spec_catalog: Path) -> None:
    _, products, _ = load_catalog(spec_catalog)
    rules = products["engraved-mug"].price_rules
    # The boolean attribute's price comes first, as a rule "when gift_box".
    assert rules[0].label == Localized.plain("Gift box")
    assert rules[0].when == Name("gift_box")
    assert rules[0].add == {"EUR": Decimal("3.00"), "USD": Decimal("3.50")}
    assert str(rules[1].when) == "colour == gold and material == enamel"
    assert rules[1].add == {"EUR": Decimal("2.00"), "USD": Decimal("2.40")}
    assert rules[2].add is None
    assert rules[2].formula is not None
    assert rules[2].formula["EUR"].evaluate({"width": 120, "drop": 200}) == Decimal("95.76")
    assert str(rules[2].formula["USD"]) == "width * drop / 10000 * 44.90"


def test_the_demo_catalogs_load() -> None:
    root = Path(__file__).resolve().parents[2]
    for folder in (root / "catalog", root / "tests" / "fixtures" / "catalog"):
        if (folder / "brand.yaml").is_file():
            _, products, _ = load_catalog(folder)
            assert products


# -- attributes ------------------------------------------------------------------------------------


def test_option_forms_and_default_labels(tmp_path: Path) -> None:
    mug = load_mug(
        tmp_path,
        """\
        attributes:
          nut_free_option: {type: choice, options: [dark-chocolate, 2, nut_free], default: 2}
          size:
            type: choice
            options:
              s:
              m: {label: {en: Medium, fr: Moyen}}
              l: {price: {EUR: -1, USD: "-1.50"}}
            default: s
            help: Pick one.
        """,
    )
    first = mug.attributes[0]
    assert first.label == Localized.plain("Nut free option")
    assert [(o.key, o.label.get()) for o in first.options] == [
        ("dark-chocolate", "Dark chocolate"),
        ("2", "2"),
        ("nut_free", "Nut free"),
    ]
    assert first.default == "2"
    size = mug.attributes[1]
    assert [o.label.get("fr") for o in size.options] == ["S", "Moyen", "L"]
    assert size.options[2].price == {"EUR": Decimal("-1"), "USD": Decimal("-1.50")}
    assert size.help == Localized.plain("Pick one.")
    assert size.source == SourceRef(str(tmp_path / "catalog" / "mug.yaml"), 6, 3)
    assert size.options[1].source == SourceRef(str(tmp_path / "catalog" / "mug.yaml"), 10, 7)


def test_multi_defaults_and_limits(tmp_path: Path) -> None:
    mug = load_mug(
        tmp_path,
        """\
        attributes:
          toppings: {type: multi, options: [a, b, c], min: 1, default: [c, a]}
          extras: {type: multi, options: [x, y]}
        """,
    )
    toppings, extras = mug.attributes
    assert (toppings.min_count, toppings.max_count, toppings.default) == (1, None, frozenset({"a", "c"}))
    assert (extras.min_count, extras.max_count, extras.default) == (0, None, frozenset())


def test_text_limits_merge_with_the_brand(tmp_path: Path) -> None:
    brand = BRAND + "limits: {max_text_length: 15}\ntext: {scripts: [Latin, Greek]}\n"
    mug = load_mug(
        tmp_path,
        """\
        attributes:
          long: {type: text, max_length: 30, scripts: [greek, Cyrillic], max_lines: 2, required: true}
          short: {type: text, max_length: 8, default: héllo}
          unset: {type: text}
        """,
        brand,
    )
    long, short, unset = (a.text for a in mug.attributes)
    assert long is not None
    assert short is not None
    assert unset is not None
    assert (long.max_length, long.max_lines, long.scripts) == (15, 2, ("Greek",))
    assert mug.attributes[0].required is True
    assert (short.max_length, short.scripts) == (8, ("Latin", "Greek"))
    assert mug.attributes[1].default == "héllo"
    assert unset.max_length == 15


def test_defaults_are_typed_per_kind(tmp_path: Path) -> None:
    mug = load_mug(
        tmp_path,
        """\
        attributes:
          c: {type: choice, options: [a], default: a}
          n: {type: number, min: -5, max: 5, default: -5}
          b: {type: boolean, default: true}
          m: {type: multi, options: [a], default: [a]}
          t: {type: text, max_length: 3, default: ~}
        """,
    )
    assert [a.default for a in mug.attributes] == ["a", -5, True, frozenset({"a"}), ""]


# -- constraints -----------------------------------------------------------------------------------


def test_rules_resolve_names_and_options(tmp_path: Path) -> None:
    mug = load_mug(
        tmp_path,
        """\
        attributes:
          colour: {type: colour, options: [white, ink], default: white}
          lid: {type: colour, options: [white, gold], default: white}
          toppings: {type: multi, options: [nuts, light-blue], default: []}
          width: {type: number, min: 1, max: 9, default: 1}
          gift: {type: boolean, default: false}
        constraints:
          - rule: colour in [white, "ink"] and lid != colour
            message: a
          - rule: nuts in toppings -> not gift
            message: b
          - rule: '"light-blue" not in toppings or width * 2 >= 4 or toppings.count < 1'
            message: c
          - rule: gift == true <-> width in [1, 2]
            message: d
        """,
    )
    exprs = [c.expr for c in mug.constraints]
    assert [str(e) for e in exprs] == [
        "colour in [white, ink] and lid != colour",
        "nuts in toppings -> not gift",
        '"light-blue" not in toppings or width * 2 >= 4 or toppings.count < 1',
        "gift == true <-> width in [1, 2]",
    ]
    assert exprs[1].references() == frozenset({"toppings", "gift"})
    env = {"colour": "ink", "lid": "white", "toppings": frozenset({"nuts"}), "width": 1, "gift": True}
    assert [e.evaluate(env) for e in exprs] == [True, False, True, True]


def test_excludes_means_at_most_one(tmp_path: Path) -> None:
    mug = load_mug(
        tmp_path,
        """\
        attributes:
          a: {type: boolean, default: false}
          b: {type: boolean, default: false}
          c: {type: boolean, default: false}
        constraints:
          - excludes: [a, b, c]
            message: Pick one at most.
            id: one-of-abc
        """,
    )
    (constraint,) = mug.constraints
    assert constraint.id == "one-of-abc"
    assert str(constraint.expr) == "not (a and b) and not (a and c) and not (b and c)"
    assert constraint.expr.evaluate({"a": True, "b": False, "c": False}) is True
    assert constraint.expr.evaluate({"a": True, "b": False, "c": True}) is False


def test_tables_from_yaml_and_csv(tmp_path: Path) -> None:
    mug = load_mug(
        tmp_path,
        """\
        attributes:
          size: {type: choice, options: [small, large], default: small}
          tiers: {type: number, min: 1, max: 3, default: 1}
          boxed: {type: boolean, default: false}
          ribbon: {type: choice, options: [red, blue], default: red, when: boxed}
        constraints:
          - table:
              attributes: [size, boxed, ribbon]
              forbidden: [[small, true, blue], [large, false, ~]]
            message: No.
          - table: {file: sizes.csv, mode: forbidden}
            message: Not that many tiers.
          - table: {file: sizes.csv, attributes: [size, tiers]}
            message: Allowed sizes.
        """,
        sizes_csv="size,tiers\nsmall,3\n\nlarge, 1\n",
    )
    first, second, third = mug.tables
    assert first.allowed is False
    assert first.rows == frozenset({("small", True, "blue"), ("large", False, None)})
    assert (second.attributes, second.allowed) == (("size", "tiers"), False)
    assert second.rows == frozenset({("small", 3), ("large", 1)})
    assert third.allowed is True
    assert third.id == "mug#3"


@pytest.mark.parametrize(
    "text",
    [
        "size;tiers\nsmall;3\nlarge; 1\n",  # what spreadsheets write in France and Germany
        "size\ttiers\nsmall\t3\nlarge\t1\n",  # tab-separated
        '"size";"tiers"\r\n"small";"3"\r\nlarge;1\r\n',  # quoted cells, Windows line ends
        "sep=;\nsize;tiers\nsmall;3\nlarge;1\n",  # Excel's own note of the separator
        "size,tiers\nsmall,3\nlarge,1\n",
    ],
    ids=["semicolon", "tab", "quoted", "sep-line", "comma"],
)
def test_csv_tables_are_read_with_the_separator_of_their_header(tmp_path: Path, text: str) -> None:
    # Given a table saved by a spreadsheet with its own separator
    mug = load_mug(
        tmp_path,
        """\
        attributes:
          size: {type: choice, options: [small, large], default: small}
          tiers: {type: number, min: 1, max: 3, default: 1}
        constraints:
          - table: {file: sizes.csv, mode: forbidden}
            message: Not that many tiers.
        """,
        sizes_csv=text,
    )
    # Then its rows are the same whichever separator it used
    (table,) = mug.tables
    assert table.attributes == ("size", "tiers")
    assert table.rows == frozenset({("small", 3), ("large", 1)})


def test_a_price_per_character_may_be_finer_than_the_currency(tmp_path: Path) -> None:
    # Given a rate of an eighth of a euro per character (amounts charged as written may not be finer)
    mug = load_mug(
        tmp_path,
        """\
        attributes:
          engraving:
            type: text
            max_length: 20
            price_per_char: {EUR: "0.125", USD: "0.15"}
        """,
    )
    product = Product(mug)
    # Then the line it makes is exact, and rounded once to the cent
    (eight,) = [line for line in product.price({"engraving": "Eightchr"}).lines if line.kind == "text"]
    assert eight.amount == Decimal("1.00")  # 8 x 0.125
    (nine,) = [line for line in product.price({"engraving": "Ninechars"}).lines if line.kind == "text"]
    assert nine.amount == Decimal("1.13")  # 9 x 0.125 = 1.125, half up


def test_source_hash_covers_brand_product_and_csv(tmp_path: Path) -> None:
    body = """\
    attributes:
      size: {type: choice, options: [small], default: small}
      n: {type: number, min: 1, max: 2, default: 1}
    constraints:
      - table: {file: t.csv}
        message: x
    """
    first = load_mug(tmp_path / "a", body, t_csv="size,n\nsmall,1\n").source_hash
    again = load_mug(tmp_path / "b", body, t_csv="size,n\nsmall,1\n").source_hash
    csv_changed = load_mug(tmp_path / "c", body, t_csv="size,n\nsmall,2\n").source_hash
    brand_changed = load_mug(
        tmp_path / "d", body, BRAND + "# a comment\n", t_csv="size,n\nsmall,1\n"
    ).source_hash
    product_changed = load_mug(tmp_path / "e", body + "# note\n", t_csv="size,n\nsmall,1\n").source_hash
    assert first == again
    assert len({first, csv_changed, brand_changed, product_changed}) == 4


def test_load_product_alone_matches_the_catalog(spec_catalog: Path) -> None:
    brand, products, _ = load_catalog(spec_catalog)
    alone = load_product(spec_catalog / "engraved-mug.yaml", brand)
    assert alone == products["engraved-mug"]
    assert alone.source_hash == products["engraved-mug"].source_hash


# -- brand limits ----------------------------------------------------------------------------------


def test_brand_limits_lower_into_constraints(spec_catalog: Path) -> None:
    (spec_catalog / "two-tone.yaml").write_text(
        textwrap.dedent(
            """\
            product: two-tone
            label: Two-tone mug
            price: {EUR: "1", USD: "1"}
            attributes:
              body: {type: colour, options: [white, coral, gold], default: white}
              lid: {type: colour, options: [white, gold], default: white}
              rim: {type: colour, options: [white, sage], default: white}
              handle: {type: colour, options: [white, ink], default: white}
            """
        ),
        encoding="utf-8",
    )
    _, products, _ = load_catalog(spec_catalog)
    pair, distinct = products["two-tone"].constraints
    assert pair.id == "brand:forbidden-pair:coral+gold"
    assert pair.origin == "brand"
    assert str(pair.expr) == "not (body == coral and (body == gold or lid == gold))"
    assert pair.message == Localized({"en": "Coral and gold never go together."})
    assert pair.source == SourceRef(str(spec_catalog / "brand.yaml"), 14, 21)
    assert distinct.id == "brand:max-distinct-colours"
    assert str(distinct.expr) == "distinct(body, lid, rim, handle) <= 3"
    assert distinct.message.get() == "At most 3 colours per design."
    assert distinct.expr.evaluate({"body": "coral", "lid": "gold", "rim": "sage", "handle": "ink"}) is False
    # The spec mug has one colour attribute: no brand constraint at all.
    assert all(c.origin == "product" for c in products["engraved-mug"].constraints)


def test_brand_limit_default_messages_name_the_colours(tmp_path: Path) -> None:
    brand = BRAND + "limits: {forbidden_pairs: [[ink, gold]], max_distinct_colours: 1}\n"
    mug = load_mug(
        tmp_path,
        """\
        attributes:
          a: {type: colour, options: [ink, white], default: white}
          b: {type: colour, options: [gold, white], default: white}
        """,
        brand,
    )
    pair, distinct = mug.constraints
    # In the locales of the other built-in messages, with the palette's labels where it has them.
    assert pair.message == Localized(
        {
            "en": "Ink and Gold never go together.",
            "fr": "Encre et Gold ne vont jamais ensemble.",
            "de": "Ink und Gold passen nie zusammen.",
        }
    )
    assert distinct.message == Localized(
        {
            "en": "A design uses at most 1 different colour.",
            "fr": "Un modèle utilise au plus 1 couleur différente.",
            "de": "Ein Design verwendet höchstens 1 verschiedene Farbe.",
        }
    )


def test_a_max_length_beyond_the_brand_limit_is_a_warning(tmp_path: Path) -> None:
    brand = BRAND + "limits: {max_text_length: 12}\n"
    folder = write_catalog(
        tmp_path,
        HEAD
        + "attributes:\n  engraving: {type: text, max_length: 40}\n  note: {type: text, max_length: 8}\n",
        brand,
    )
    _, products, warnings = load_catalog(folder)
    assert products["mug"].attributes[0].text is not None
    assert products["mug"].attributes[0].text.max_length == 12
    (warning,) = warnings
    assert str(warning) == (
        f"{folder / 'mug.yaml'}:5:39: warning: `max_length` 40 of attribute 'engraving' is more than the "
        "brand allows: texts stop at 12 (`limits.max_text_length` in brand.yaml)\n"
        "  hint: write `max_length: 12`, or raise the brand's max_text_length"
    )


def test_when_message_is_lowered_onto_the_attribute(tmp_path: Path) -> None:
    mug = load_mug(
        tmp_path,
        """\
        attributes:
          engraving: {type: text, max_length: 10}
          font:
            type: choice
            options: [serif, sans]
            default: serif
            when: engraving.present
            when_message: {en: Fonts are for engravings., fr: La police est pour la gravure.}
          size: {type: choice, options: [s], default: s}
        """,
    )
    engraving, font, size = mug.attributes
    assert font.when_message == Localized(
        {"en": "Fonts are for engravings.", "fr": "La police est pour la gravure."}
    )
    assert engraving.when_message is None
    assert size.when_message is None


def test_a_when_message_without_a_when_is_a_warning(tmp_path: Path) -> None:
    folder = write_catalog(
        tmp_path,
        HEAD + "attributes:\n  size: {type: choice, options: [s], default: s, when_message: Never.}\n",
    )
    _, _, warnings = load_catalog(folder)
    (warning,) = warnings
    assert warning.code == Code.UNREACHABLE
    assert warning.source == SourceRef(str(folder / "mug.yaml"), 5, 50)
    assert "never shown" in warning.message


# -- API and warnings ------------------------------------------------------------------------------


def test_load_product_raises_catalog_error(tmp_path: Path, spec_catalog: Path) -> None:
    brand = load_brand(spec_catalog / "brand.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("product: bad\nlabel: Bad\nprice: {EUR: '1'}\nattributes: {}\n", encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        load_product(bad, brand)
    (error,) = caught.value.diagnostics
    assert str(error) == (
        f"{bad}:3:8: error: `price` has no amount in USD; every brand currency needs one\n"
        '  hint: add `USD: "..."`'
    )
    assert "1 error in the catalog" in str(caught.value)


def test_warnings_come_back_without_failing(tmp_path: Path) -> None:
    folder = write_catalog(
        tmp_path,
        HEAD + "attributes:\n  width: {type: number, min: 60, max: 305, step: 10, default: 60}\n",
    )
    (folder / "old.yml").write_text("product: old\n", encoding="utf-8")
    _, products, warnings = load_catalog(folder)
    assert "mug" in products
    assert [(w.severity, w.code) for w in warnings] == [
        ("warning", Code.FILE_IGNORED),
        ("warning", Code.UNREACHABLE),
    ]
    assert str(warnings[1]) == (
        f"{folder / 'mug.yaml'}:5:39: warning: `max` 305 of attribute 'width' is never reached: "
        "from 60 by 10 "
        "the values stop at 300\n  hint: write `max: 300` or `max: 310`"
    )


def test_expressions_parse_at_their_yaml_column(tmp_path: Path) -> None:
    # Given a syntax error inside a quoted scalar, the column is the token's own.
    folder = write_catalog(
        tmp_path,
        HEAD
        + textwrap.dedent(
            """\
            attributes:
              a: {type: boolean, default: false}
            constraints:
              - rule: "a and and a"
                message: x
            """
        ),
    )
    with pytest.raises(CatalogError) as caught:
        load_catalog(folder)
    (error,) = caught.value.diagnostics
    assert error.source == SourceRef(str(folder / "mug.yaml"), 7, 18)
    assert parse("a and and a".replace("and and", "and")) == parse("a and a")


def test_resolved_expressions_use_option_keys(tmp_path: Path) -> None:
    mug = load_mug(
        tmp_path,
        """\
        attributes:
          colour: {type: colour, options: [white, ink], default: white}
        constraints:
          - {rule: colour != ink, message: x}
        """,
    )
    assert mug.constraints[0].expr == Compare("!=", Name("colour"), OptionKey("ink"))


def test_invalid_defaults_name_the_rule_the_defaults_and_what_to_write(tmp_path: Path) -> None:
    # Given defaults that break a rule
    folder = write_catalog(
        tmp_path,
        HEAD
        + textwrap.dedent(
            """\
            attributes:
              material: {type: choice, options: [ceramic, enamel], default: enamel}
              colour: {type: colour, options: [white, gold], default: gold}
              extras: {type: multi, options: [lid, box]}
            constraints:
              - id: no-gold-enamel
                rule: material == enamel -> colour != gold
                message: Enamel mugs don't come in gold.
            """
        ),
    )
    product = Product(load_catalog(folder)[1]["mug"])
    defaults = product.defaults()
    # When the finding is worded
    (error,) = invalid_default_diagnostics(
        product.model, defaults, product.validate(defaults), product.complete({})
    )
    # Then it names the rule, the defaults it sees and the default to write instead
    assert error.code == "invalid-default"
    assert error.source == SourceRef(str(folder / "mug.yaml"), 5, 3)
    assert error.message == (
        "the default design breaks rule “no-gold-enamel” (line 9): Enamel mugs don't come in gold. "
        "(defaults material: enamel, colour: gold)"
    )
    assert error.hint in ("write `default: ceramic` for `material`", "write `default: white` for `colour`")


def test_invalid_default_values_are_written_as_yaml() -> None:
    from rules.language.defaults import _yaml

    multi = Attribute(
        "extras",
        AttributeKind.MULTI,
        Localized.plain("E"),
        options=(Option("lid", Localized.plain("L")), Option("box", Localized.plain("B"))),
    )
    text = Attribute("t", AttributeKind.TEXT, Localized.plain("T"))
    flag = Attribute("f", AttributeKind.BOOLEAN, Localized.plain("F"))
    assert _yaml(multi, frozenset({"box", "lid"})) == "[lid, box]"
    assert _yaml(text, 'say "hi"') == '"say \\"hi\\""'
    assert _yaml(flag, False) == "false"
    assert _yaml(flag, None) == "~"
