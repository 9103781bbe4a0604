"""Rules over two attributes are explained from each value's partners: the explainer keeps no row
sets for them (a bit per row per value, 1.2 GB for a rule over 1.9 million millimetre pairs) until a
conflict's trace asks, and checking a partial assignment against them agrees with their rows."""

from __future__ import annotations

import itertools
from pathlib import Path

from rules import load_product
from rules.engine.explain import Explainer

BRAND = 'brand: b\nlabel: B\ncurrencies: [EUR]\npalette: {red: "#FF0000"}\n'
SHELF = """product: shelf
label: Shelf
price: {EUR: "1.00"}
attributes:
  w: {type: number, min: 30, max: 60, default: 30}
  d: {type: number, min: 20, max: 40, default: 20}
  finish: {type: choice, options: [oil, wax, lacquer], default: oil}
constraints:
  - {id: proportion, rule: w <= 2 * d - 10, message: Too wide for its depth.}
  - {id: lacquer, rule: finish == lacquer -> d >= 30, message: Lacquer needs depth.}
"""


def test_two_attribute_rules_keep_no_row_sets_and_check_assignments_like_their_rows(tmp_path: Path) -> None:
    (tmp_path / "brand.yaml").write_text(BRAND, encoding="utf-8")
    (tmp_path / "shelf.yaml").write_text(SHELF, encoding="utf-8")
    finite = load_product(tmp_path / "shelf.yaml")._finite
    explainer = Explainer(finite)
    binary = [i for i, t in enumerate(finite.tables) if len(t.scope) == 2 and not t.trivial]
    assert {finite.tables[i].rule.id for i in binary} == {"proportion", "lacquer"}
    assert all(not explainer._masks[i] for i in binary)  # none made up front
    for index in binary:
        table = finite.tables[index]
        first, second = (len(finite.variables[v].values) for v in table.scope)
        allowed = set(table.rows)
        for a, b in itertools.product([None, *range(first)], [None, *range(second)]):
            assignment = {v: x for v, x in zip(table.scope, (a, b), strict=True) if x is not None}
            expected = any(
                all(assignment.get(v, row[c]) == row[c] for c, v in enumerate(table.scope)) for row in allowed
            )
            assert explainer._matches(index, assignment) is expected, (table.rule.id, assignment)
    # A reason for an option a two-attribute rule rules out names that rule, still without row sets
    product = load_product(tmp_path / "shelf.yaml")
    domains = product.domains({"d": 20}, explain=True)
    (w60,) = [o for o in domains.attributes["w"].options if o.key == 60]
    assert not w60.available
    assert w60.reason is not None
    assert [r.id for r in w60.reason.rules] == ["proportion"]
