"""What a greyed-out option's reason says: the picks to change and the rules in the way."""

from __future__ import annotations

from pathlib import Path

import pytest

from rules import load_product
from rules.engine.explain import Explainer
from rules.product import Product
from rules.results import Reason

BRAND = """\
brand: test-brand
label: Test
currencies: [EUR]
palette: {red: "#FF0000", blue: "#0000FF", green: "#00FF00"}
"""

# frame -> size -> wheels is a chain: no single rule ties frame to wheels. The basket rule is direct.
# At most two extras: a cardinality rule that only bites with every extra picked.
BIKE = """\
product: bike
label: Bike
price: {EUR: "100.00"}
attributes:
  frame: {type: choice, options: [steel, carbon, alu], default: steel}
  size: {type: choice, options: [small, large], default: small}
  wheels: {type: choice, options: [w20, w29], default: w20}
  basket: {type: choice, options: [none, wicker], default: none}
  extras: {type: multi, options: [bell, light, rack], min: 0, max: 2, default: []}
constraints:
  - id: carbon-is-large
    rule: frame == carbon -> size == large
    message: Carbon frames come in large only.
  - id: large-has-29
    rule: size == large -> wheels == w29
    message: Large bikes have 29-inch wheels.
  - id: no-basket-on-carbon
    rule: not (frame == carbon and basket == wicker)
    message: No basket on carbon.
  - id: steel-not-29
    rule: frame == steel -> wheels != w29
    message: Steel frames take 20-inch wheels.
  - id: alu-never
    rule: frame != alu
    message: Aluminium is not sold.
"""


@pytest.fixture(scope="module")
def bike(tmp_path_factory: pytest.TempPathFactory) -> Product:
    folder: Path = tmp_path_factory.mktemp("bike")
    (folder / "brand.yaml").write_text(BRAND)
    (folder / "bike.yaml").write_text(BIKE)
    return load_product(folder / "bike.yaml")


def reason(product: Product, raw: dict[str, object], attribute: str, option: object) -> Reason | None:
    picks, problems = product.normalize(raw)
    assert problems == []
    state = product.domains(picks, explain=True).attributes[attribute]
    found = next(o for o in state.options if o.key == option)
    assert not found.available
    return found.reason


def rule_ids(found: Reason | None) -> set[str]:
    assert found is not None
    return {rule.id for rule in found.rules}


def test_a_single_rule_is_named_directly(bike: Product) -> None:
    # given a wicker basket, when the shopper looks at frames, then carbon is out because of one rule
    found = reason(bike, {"basket": "wicker"}, "frame", "carbon")
    assert found is not None
    assert found.picks == ("basket",)
    assert rule_ids(found) == {"no-basket-on-carbon"}


def test_a_chain_of_two_rules_is_named_whole(bike: Product) -> None:
    # given 20-inch wheels, carbon needs a large frame size, which needs 29-inch wheels
    found = reason(bike, {"wheels": "w20"}, "frame", "carbon")
    assert found is not None
    assert found.picks == ("wheels",)
    assert rule_ids(found) == {"carbon-is-large", "large-has-29"}


def test_a_chain_the_solver_must_find(bike: Product) -> None:
    # given the same chain, the explainer's SAT step (not propagation) finds the same two rules
    explainer = Explainer(bike.finite)
    finite = bike.finite
    frame, wheels = finite.by_attribute["frame"][0], finite.by_attribute["wheels"][0]
    carbon = finite.variables[frame].index("carbon")
    w20 = finite.variables[wheels].index("w20")
    assert carbon is not None
    assert w20 is not None
    found = explainer._sat({frame: carbon, wheels: w20})
    assert found is not None
    assert {finite.tables[i].rule.id for i in found} == {"carbon-is-large", "large-has-29"}


def test_a_picked_attribute_shows_what_stops_switching(bike: Product) -> None:
    # given steel and 20-inch wheels picked, switching wheels to 29 clashes with the steel frame
    found = reason(bike, {"frame": "steel", "wheels": "w20"}, "wheels", "w29")
    assert found is not None
    assert found.picks == ("frame",)
    assert rule_ids(found) == {"steel-not-29"}


def test_a_cardinality_rule_names_the_count(bike: Product) -> None:
    # given two extras, a third is out because of the option count, and either pick could go
    found = reason(bike, {"extras": ["bell", "light"]}, "extras", "rack")
    assert found is not None
    assert found.picks == ("extras",)
    assert len(found.rules) == 1
    assert found.rules[0].id.startswith("count:")


def test_a_dead_option_names_its_rule_and_no_pick(bike: Product) -> None:
    found = reason(bike, {"basket": "wicker"}, "frame", "alu")
    assert found is not None
    assert found.picks == ()
    assert rule_ids(found) == {"alu-never"}


@pytest.mark.parametrize(
    "picks",
    [
        {},
        {"wheels": "w20"},
        {"frame": "steel", "wheels": "w20"},
        {"basket": "wicker", "extras": ["bell", "rack"]},
    ],
)
def test_lazy_explain_agrees_with_domains(bike: Product, picks: dict[str, object]) -> None:
    typed, problems = bike.normalize(picks)
    assert problems == []
    domains = bike.domains(typed, explain=True)
    for key, state in domains.attributes.items():
        for option in state.options:
            lazy = bike.explain(typed, key, option.key)
            assert lazy == option.reason, (key, option.key)


def test_domains_can_carry_the_count(bike: Product) -> None:
    picks, _ = bike.normalize({"frame": "steel"})
    assert bike.domains(picks, explain=False, count=True).remaining == bike.count(picks)
    assert bike.domains(picks, explain=False).remaining is None


def test_a_repair_counts_a_multi_as_one_pick(tmp_path: Path) -> None:
    # Wanting "w" needs either no extras at all, or both a and b changed: emptying the multi (one pick,
    # three options) beats changing two attributes.
    (tmp_path / "brand.yaml").write_text(
        'brand: b\nlabel: B\ncurrencies: [EUR]\npalette: {red: "#FF0000"}\n', encoding="utf-8"
    )
    (tmp_path / "p.yaml").write_text(
        """\
product: p
label: P
price: {EUR: "1.00"}
attributes:
  a: {type: choice, options: [a1, a2], default: a1}
  b: {type: choice, options: [b1, b2], default: b1}
  extras: {type: multi, options: [x, y, z], default: []}
  w: {type: boolean, default: false}
constraints:
  - rule: w -> (extras.count == 0 or (a == a2 and b == b2))
    message: W needs no extras, or a2 with b2.
""",
        encoding="utf-8",
    )
    product = load_product(tmp_path / "p.yaml")
    picks = {"a": "a1", "b": "b1", "extras": frozenset({"x", "y", "z"})}
    first, *others = product.repairs(picks, "w", True)
    assert [(c.attribute, c.new) for c in first.changes] == [("extras", frozenset())]
    # and keeping the extras is offered next: both a and b change
    assert [sorted(c.attribute for c in r.changes) for r in others] == [["a", "b"]]
