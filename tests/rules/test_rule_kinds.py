"""The rule kinds merchants know from CPQ tools: a rule that sets values (`set:`), a warning that
alerts but allows (`severity: warning`), and the merchant's own recommendations."""

from __future__ import annotations

from pathlib import Path

import pytest

from rules import load_product
from rules.errors import CatalogError
from rules.product import Product

BRAND = 'brand: b\nlabel: B\ncurrencies: [GBP]\npalette: {white: "#FFFFFF"}\n'
TABLE = """\
product: table
label: Table
price: {GBP: "900.00"}
attributes:
  wood: {type: choice, options: [oak, walnut, ash], default: oak}
  oil: {type: choice, options: [natural, hardwax, white], default: natural}
  extendable: {type: boolean, default: false}
  leaf_bag: {type: boolean, default: false}
constraints:
  - id: leaf-bag
    when: extendable
    set: {leaf_bag: true}
    message: "An extendable table comes with its leaf bag."
  - id: white-on-ash
    severity: warning
    rule: oil == white -> wood == ash
    message: "White oil shows best on ash; on darker woods it can look patchy."
recommendations:
  - when: wood == walnut
    recommend: {oil: hardwax}
    message: "Hardwax oil brings out the grain of walnut."
  - recommend: {wood: oak}
    message: "Oak is our most hard-wearing wood."
"""


def product(tmp_path: Path, text: str = TABLE) -> Product:
    (tmp_path / "brand.yaml").write_text(BRAND, encoding="utf-8")
    (tmp_path / "table.yaml").write_text(text, encoding="utf-8")
    return load_product(tmp_path / "table.yaml")


def test_a_set_rule_gives_its_values_and_says_so(tmp_path: Path) -> None:
    table = product(tmp_path)
    # 3 woods x 3 oils x (not extendable, with or without the bag; extendable with it)
    assert table.count() == 27
    design = table.complete({"extendable": True})
    assert design["leaf_bag"] is True
    (rule,) = table.set_by(design).values()
    assert rule.id == "leaf-bag"
    # the other value is greyed with the rule's own words
    no_bag = next(
        o for o in table.domains({"extendable": True}).attributes["leaf_bag"].options if o.key is False
    )
    assert no_bag.available is False
    assert no_bag.reason is not None
    assert [r.id for r in no_bag.reason.rules] == ["leaf-bag"]
    # without its condition, nothing is set by it
    assert table.set_by(table.complete({})) == {}


def test_a_warning_alerts_but_allows(tmp_path: Path) -> None:
    table = product(tmp_path)
    walnut_white = table.complete({"wood": "walnut", "oil": "white"})
    assert table.validate(walnut_white) == []
    (warning,) = table.advice(walnut_white)
    assert (warning.kind, warning.rule.id if warning.rule else None) == ("warning", "white-on-ash")
    assert warning.attributes == ("wood", "oil")
    assert table.advice(table.complete({"wood": "ash", "oil": "white"})) == ()


def test_recommendations_follow_their_condition(tmp_path: Path) -> None:
    table = product(tmp_path)
    assert [(r.attribute, r.option) for r in table.recommended(table.complete({}))] == [("wood", "oak")]
    walnut = table.complete({"wood": "walnut"})
    assert [(r.attribute, r.option) for r in table.recommended(walnut)] == [
        ("oil", "hardwax"),
        ("wood", "oak"),
    ]


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (
            "{id: x, when: extendable, rule: leaf_bag, message: m}",
            "`when` of constraint 'x' only goes with `set`",
        ),
        (
            "{id: x, severity: warning, set: {leaf_bag: true}, message: m}",
            "constraint 'x' cannot be a warning: a `set` always holds",
        ),
        ("{id: x, set: {wood: teak}, message: m}", "`teak` is not an option of `wood`"),
        ("{id: x, set: {wod: oak}, message: m}", "unknown attribute `wod`"),
        ("{id: x, severity: advice, rule: leaf_bag, message: m}", "must be one of error, warning"),
    ],
)
def test_mistakes_in_the_new_rule_kinds_are_located(tmp_path: Path, rule: str, expected: str) -> None:
    text = TABLE.split("constraints:")[0] + f"constraints:\n  - {rule}\n"
    with pytest.raises(CatalogError) as caught:
        product(tmp_path, text)
    assert expected in str(caught.value)
    assert "table.yaml:" in str(caught.value)


def test_a_recommendation_of_an_option_the_attribute_lacks_is_located(tmp_path: Path) -> None:
    text = TABLE.split("recommendations:")[0] + "recommendations:\n  - {recommend: {oil: teak}, message: m}\n"
    with pytest.raises(CatalogError, match="`teak` is not an option of `oil`"):
        product(tmp_path, text)


PERSONAL = """\
product: mug
label: Mug
price: {GBP: "10.00"}
attributes:
  engraving: {type: text, max_length: 10, required: false}
  font: {type: choice, options: [serif, script], default: serif, when: engraving.present, personalised: false}
  size: {type: choice, options: [small, large], default: small}
  initials: {type: choice, options: [none, ab, cd], default: none, personalised: true}
"""


def test_a_design_is_the_shoppers_own_when_a_personal_value_is_in_it(tmp_path: Path) -> None:
    mug = product(tmp_path, PERSONAL)
    assert mug.personalisation(mug.complete({})) == ("initials",)  # a choice the merchant marked
    assert mug.personalisation(mug.complete({"engraving": "Sam"})) == ("engraving", "initials")
    whole = product(tmp_path, PERSONAL.replace("price:", "personalised: true\nprice:", 1))
    assert whole.personalisation(whole.complete({})) == ("engraving", "font", "size", "initials")


def test_an_empty_text_makes_no_design_personal(tmp_path: Path) -> None:
    text = PERSONAL.replace(
        "  initials: {type: choice, options: [none, ab, cd], default: none, personalised: true}\n", ""
    )
    mug = product(tmp_path, text)
    assert mug.personalisation(mug.complete({})) == ()
    assert mug.personalisation(mug.complete({"engraving": "Sam", "size": "large"})) == ("engraving",)
