"""The language's meaning at its edges, one example each: rules that name no attribute, `distinct`
over values of different kinds, division (exact, and by zero), `null` in tables, and picks no design
can have. tests/rules/test_engine_oracle.py checks the same against brute force on random products."""

from __future__ import annotations

import itertools
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from rules import load_catalog, load_product
from rules.analysis import analyse
from rules.errors import CatalogError
from rules.expr import Const
from rules.model import Constraint, Localized
from rules.product import Product, UnknownAttributeError

BRAND = 'brand: test-brand\nlabel: Test\ncurrencies: [EUR]\npalette: {red: "#FF0000", blue: "#0000FF"}\n'


def write(folder: Path, body: str, key: str = "p") -> Path:
    """A product file `key.yaml` (and the brand beside it): `body` follows the product's header."""
    (folder / "brand.yaml").write_text(BRAND, encoding="utf-8")
    path = folder / f"{key}.yaml"
    path.write_text(f'product: {key}\nlabel: P\nprice: {{EUR: "1.00"}}\n{body}', encoding="utf-8")
    return path


def product(folder: Path, body: str) -> Product:
    return load_product(write(folder, body))


# -- rules that mention no attribute ----------------------------------------------------------------

NUMBERS = "attributes:\n  n: {type: number, min: 0, max: 5, default: 0}\n"


@pytest.mark.parametrize("rule", ["'false'", "'1 > 2'", "not true", "'2 * 3 == 7'"])
def test_a_rule_that_never_holds_is_a_located_error(tmp_path: Path, rule: str) -> None:
    # Given a rule that names no attribute and is false whatever the design
    write(tmp_path, f"{NUMBERS}constraints:\n  - rule: {rule}\n    message: Never\n")
    # When the catalog is loaded, then it is refused where the rule is written, with what to do
    with pytest.raises(CatalogError) as caught:
        load_catalog(tmp_path)
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code == "constant-rule"
    assert "never holds" in diagnostic.message
    assert diagnostic.source is not None
    assert (Path(diagnostic.source.file).name, diagnostic.source.line) == ("p.yaml", 7)
    assert diagnostic.source.column >= 11
    assert diagnostic.hint is not None
    assert "remove it" in diagnostic.hint


@pytest.mark.parametrize("rule", ["'true'", "'1 < 2'"])
def test_a_rule_that_always_holds_is_a_located_warning(tmp_path: Path, rule: str) -> None:
    write(tmp_path, f"{NUMBERS}constraints:\n  - rule: {rule}\n    message: Always\n")
    catalog = load_catalog(tmp_path)
    (warning,) = [w for w in catalog.warnings if w.code == "constant-rule"]
    assert "constrains nothing" in warning.message
    assert warning.source is not None
    assert warning.source.line == 7
    assert catalog.products["p"].count() == 6


def test_requires_and_excludes_of_constants_are_judged_alike(tmp_path: Path) -> None:
    write(
        tmp_path,
        f"{NUMBERS}constraints:\n"
        "  - requires: {if: 'true', then: 'false'}\n    message: Never\n"
        "  - excludes: ['true', '1 == 1']\n    message: Never either\n",
    )
    with pytest.raises(CatalogError) as caught:
        load_catalog(tmp_path)
    assert [d.code for d in caught.value.diagnostics] == ["constant-rule", "constant-rule"]


@pytest.mark.parametrize(("holds", "count"), [(True, 6), (False, 0)])
def test_the_engine_reads_a_constant_rule_built_in_code(tmp_path: Path, holds: bool, count: int) -> None:
    # Given a model built in code, past the loader, with a rule over no attribute
    model = product(tmp_path, f"{NUMBERS}constraints: []\n").model
    rule = Constraint("constant", Const(holds), Localized.plain("Constant"))
    engine = Product(replace(model, constraints=(*model.constraints, rule), source_hash=""))
    # Then it compiles, counts, and names the rule when it leaves nothing
    assert engine.count() == count
    assert engine.domains({"n": 1}).consistent is holds
    assert [r.id for r in engine.clashing_rules()] == ([] if holds else ["constant"])


def test_a_rule_too_wide_to_enumerate_is_a_located_catalog_error(tmp_path: Path) -> None:
    attributes = "".join(f"  f{i}: {{type: boolean, default: true}}\n" for i in range(22))
    rule = " or ".join(f"(f{2 * i} and f{2 * i + 1})" for i in range(11))
    write(tmp_path, f"attributes:\n{attributes}constraints:\n  - rule: {rule}\n    message: Wide\n")
    with pytest.raises(CatalogError) as caught:
        load_catalog(tmp_path)
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code == "rule-too-wide"
    assert diagnostic.source is not None
    assert diagnostic.source.line == 28


# -- distinct ---------------------------------------------------------------------------------------


def test_distinct_tells_true_from_one_and_false_from_zero(tmp_path: Path) -> None:
    # Given a number 0..2 and a boolean that must differ from each other
    engine = product(
        tmp_path,
        "attributes:\n"
        "  n: {type: number, min: 0, max: 2, default: 0}\n"
        "  flag: {type: boolean, default: false}\n"
        "constraints:\n  - rule: distinct(n, flag) == 2\n    message: Different\n",
    )
    # Then every one of the six designs holds: true is not 1, false is not 0
    assert engine.count() == 6
    assert engine.validate({"n": 1, "flag": True}) == []
    assert engine.validate({"n": 0, "flag": False}) == []
    assert engine.domains({"n": 1}).attributes["flag"].options[1].available


# -- division by zero --------------------------------------------------------------------------------

PANEL = (
    "attributes:\n"
    "  width: {type: number, min: 0, max: 3, default: 1}\n"
    "  drop: {type: number, min: 0, max: 3, default: 1}\n"
)


def test_a_rule_dividing_by_zero_is_false_where_the_divisor_is_zero(tmp_path: Path) -> None:
    # Given a rule that divides by an attribute that can be 0
    engine = product(tmp_path, f"{PANEL}constraints:\n  - rule: drop / width <= 2\n    message: Too long\n")
    # Then it loads, and a width of 0 has no ratio: the rule is false there, in the engine as in validate
    assert engine.count({"width": 0}) == 0
    assert engine.count() == sum(1 for w in range(1, 4) for d in range(4) if d <= 2 * w)
    assert engine.validate({"width": 0, "drop": 1})
    assert not engine.domains({}).attributes["width"].options[0].available


def test_a_guarded_division_keeps_the_zero(tmp_path: Path) -> None:
    engine = product(
        tmp_path, f"{PANEL}constraints:\n  - rule: width > 0 -> drop / width <= 2\n    message: Too long\n"
    )
    assert engine.count({"width": 0}) == 4
    assert engine.validate({"width": 0, "drop": 3}) == []


def test_a_formula_dividing_by_zero_is_left_off_and_rules_check_says_so(tmp_path: Path) -> None:
    write(
        tmp_path,
        f'{PANEL}constraints: []\nprices:\n  - label: Pleats\n    formula: {{EUR: "drop / width * 2.00"}}\n',
    )
    catalog = load_catalog(tmp_path)
    engine = catalog.products["p"]
    assert [line.kind for line in engine.price({"width": 0, "drop": 2}).lines] == ["base"]
    assert [line.amount for line in engine.price({"width": 2, "drop": 3}).lines] == [
        Decimal("1.00"),
        Decimal("3.00"),
    ]
    (warning,) = [d for d in analyse(engine) if d.code == "formula-without-value"]
    assert warning.severity == "warning"
    assert warning.source is not None
    assert warning.source.line == 9
    assert "(width = 0)" in warning.message


# -- exact arithmetic --------------------------------------------------------------------------------

THIRDS = (
    "attributes:\n  n: {type: number, min: 0, max: 11, default: 0}\n"
    "constraints:\n  - rule: n / 3 * 3 == n\n    message: Always\n"
    'prices:\n  - label: Thirds\n    formula: {EUR: "n * 0.005 / 3 * 3"}\n'
)


def test_a_quotient_multiplied_back_is_the_number_again(tmp_path: Path) -> None:
    engine = product(tmp_path, THIRDS)
    assert engine.count() == 12
    assert all(engine.validate({"n": n}) == [] for n in range(12))


@pytest.mark.parametrize(
    ("rounding", "n", "amount"),
    [
        ("half_up", 11, "0.06"),
        ("half_even", 11, "0.06"),
        ("half_up", 1, "0.01"),
        ("half_even", 1, None),
        ("half_even", 3, "0.02"),
        ("half_up", 7, "0.04"),
    ],
)
def test_a_formula_is_rounded_once_from_its_exact_value(
    tmp_path: Path, rounding: str, n: int, amount: str | None
) -> None:
    # Given a formula that divides by 3 and multiplies back: n × 0.005 exactly, rounded once
    (tmp_path / "brand.yaml").write_text(f"{BRAND}rounding: {rounding}\n", encoding="utf-8")
    (tmp_path / "p.yaml").write_text(
        f'product: p\nlabel: P\nprice: {{EUR: "1.00"}}\n{THIRDS}', encoding="utf-8"
    )
    engine = load_catalog(tmp_path).products["p"]
    lines = [line.amount for line in engine.price({"n": n}).lines if line.kind == "formula"]
    # 0.055 is a tie: half_up 0.06, half_even 0.06; 0.005: 0.01 or nothing; 0.015: 0.02 either way
    assert lines == ([] if amount is None else [Decimal(amount)])


# -- null in tables ---------------------------------------------------------------------------------

BOTTLE = (
    "attributes:\n"
    "  bottle: {type: choice, options: [glass, can], default: glass}\n"
    "  cap: {type: choice, options: [gold, ink], default: gold, when: bottle != can}\n"
)


@pytest.mark.parametrize(
    ("rows", "cans"), [("[glass, gold], [can, null]", 1), ("[glass, gold], [glass, ink]", 0)]
)
def test_an_allowed_table_allows_does_not_apply_only_where_a_row_says_null(
    tmp_path: Path, rows: str, cans: int
) -> None:
    # Given an allowed table over an attribute that does not apply to cans
    engine = product(
        tmp_path,
        f"{BOTTLE}constraints:\n  - table: {{attributes: [bottle, cap], allowed: [{rows}]}}\n"
        "    message: No\n",
    )
    # Then a can (no cap) is allowed exactly when a row says [can, null]
    assert engine.count({"bottle": "can"}) == cans
    assert (engine.validate({"bottle": "can", "cap": None}) == []) is bool(cans)


def test_a_forbidden_row_with_null_forbids_that_combination(tmp_path: Path) -> None:
    engine = product(
        tmp_path,
        f"{BOTTLE}constraints:\n  - table: {{attributes: [bottle, cap], forbidden: [[can, null]]}}\n"
        "    message: No can\n",
    )
    assert engine.count() == 2  # glass with either cap; no can
    assert not engine.domains({}).attributes["bottle"].options[1].available
    assert [v.kind for v in engine.validate({"bottle": "can", "cap": None})] == ["table"]
    assert engine.validate({"bottle": "glass", "cap": "ink"}) == []


# -- picks no design can have -------------------------------------------------------------------------

GRID = (
    "attributes:\n"
    "  width: {type: number, min: 0, max: 100, step: 10, default: 10}\n"
    "  colour: {type: choice, options: [red, blue], default: red}\n"
    "  extras: {type: multi, options: [x, y], default: []}\n"
    "  engraving: {type: text, max_length: 5, required: false}\n"
    "constraints: []\n"
)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("width", 65),  # off its steps
        ("width", 110),  # off its range
        ("width", True),  # not a number
        ("colour", "green"),  # not an option
        ("extras", frozenset({"x", "z"})),  # an option it does not offer
        ("engraving", "Maximilian"),  # longer than any design holds
    ],
)
def test_a_pick_no_design_can_have_is_an_answer_of_its_own(tmp_path: Path, key: str, value: object) -> None:
    engine = product(tmp_path, GRID)
    picks = {"colour": "blue", key: value} if key != "colour" else {key: value}
    # Then no design agrees with it, and it clashes on its own, with why
    assert engine.count(picks) == 0
    domains = engine.domains(picks, count=True)
    assert domains.consistent is False
    assert domains.clash == (key,)
    assert domains.remaining == 0
    (why,) = domains.violations
    assert why.attributes == (key,)
    # every other attribute is answered as if it were not made
    assert all(o.available for o in domains.attributes["colour" if key != "colour" else "width"].options)
    # the design keeps it as given, validate reports it, and a repair changes it
    design = engine.complete(picks)
    assert design[key] == value
    assert why in engine.validate(design)
    target, wanted = ("width", 20) if key == "colour" else ("colour", "red")
    (repair, *_) = engine.repairs(picks, target, wanted)
    assert key in [change.attribute for change in repair.changes]


def test_an_over_long_text_is_said_as_the_text_check_says_it(tmp_path: Path) -> None:
    engine = product(tmp_path, GRID)
    (why,) = engine.domains({"engraving": "Maximilian"}).violations
    assert why.kind == "text"
    assert why.message.get() == "Engraving is too long: at most 5 characters, not 10."


ENGRAVED = (
    "attributes:\n"
    "  colour: {type: choice, options: [red, blue], default: red}\n"
    "  engraving: {type: text, max_length: 5, required: false}\n"
    "  ink: {type: choice, options: [red, blue], default: blue, when: engraving.present}\n"
    "constraints:\n"
    "  - {id: ink-shows, rule: ink != colour, message: Pick another ink.}\n"
)


def test_an_over_long_text_still_makes_apply_what_a_text_makes_apply(tmp_path: Path) -> None:
    engine = product(tmp_path, ENGRAVED)
    # Given picks that clash only while the engraving is there, and an engraving too long
    picks = {"colour": "red", "engraving": "Maximilian", "ink": "red"}
    domains = engine.domains(picks)
    # Then the text clashes on its own, and the clash it takes part in is named with its rule
    assert domains.clash == ("colour", "engraving", "ink")
    assert engine.clashes(picks) == (("engraving",), ("colour", "engraving", "ink"))
    assert [v.kind for v in domains.violations] == ["text", "rule"]
    assert [v.rule.id for v in domains.violations if v.rule is not None] == ["ink-shows"]
    # and the design shows the ink it applies with, greyed where the T-shirt's colour is the same
    assert engine.complete(picks)["ink"] == "red"
    assert [o.key for o in domains.attributes["ink"].options if o.available] == ["blue"]
    # while without the clashing ink, a shorter engraving is all that is asked
    assert engine.domains({"colour": "red", "engraving": "Maximilian"}).clash == ("engraving",)


def test_a_pick_on_an_attribute_the_product_lacks_is_an_error(tmp_path: Path) -> None:
    engine = product(tmp_path, GRID)
    with pytest.raises(UnknownAttributeError, match="did you mean 'width'"):
        engine.count({"widht": 10})


# -- brand colour limits over a multi of palette colours ---------------------------------------------

INKS_BRAND = (
    "brand: printer\nlabel: Printer\ncurrencies: [EUR]\n"
    'palette: {white: "#FFFFFF", red: "#FF0000", sky: "#8EC5E8", navy: "#1F2A44"}\n'
    "limits:\n  max_distinct_colours: 3\n  forbidden_pairs: [[red, sky]]\n"
)
INKS = (
    "attributes:\n"
    "  body: {type: colour, options: [white, red, sky, navy], default: white}\n"
    "  inks: {type: multi, options: [white, red, sky, navy], default: [navy]}\n"
    "constraints: []\n"
)


def test_the_inks_of_a_multi_count_toward_the_brands_colour_limits(tmp_path: Path) -> None:
    (tmp_path / "brand.yaml").write_text(INKS_BRAND, encoding="utf-8")
    path = tmp_path / "p.yaml"
    path.write_text(f'product: p\nlabel: P\nprice: {{EUR: "1.00"}}\n{INKS}', encoding="utf-8")
    engine = load_product(path)
    colours = ["white", "red", "sky", "navy"]
    valid = []
    for body in colours:
        for size in range(len(colours) + 1):
            for inks in itertools.combinations(colours, size):
                used = {body, *inks}
                design = {"body": body, "inks": frozenset(inks)}
                ok = len(used) <= 3 and not {"red", "sky"} <= used
                assert (not engine.validate(design)) == ok, design
                valid.append(ok)
    # a white T-shirt printed in navy, red and white uses three colours; red ink on a sky shirt clashes
    assert engine.count() == sum(valid)
    assert engine.validate({"body": "white", "inks": frozenset({"navy", "red", "white"})}) == []
    (clash,) = engine.validate({"body": "sky", "inks": frozenset({"red"})})
    assert clash.rule is not None
    assert clash.rule.id == "brand:forbidden-pair:red+sky"
