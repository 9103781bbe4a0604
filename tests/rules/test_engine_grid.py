"""A rule evaluated over all its combinations at once allows exactly the rows the tree walk allows,
in the same order, on random rules over numbers (whole and decimal, divisions by zero included),
booleans and choices, with attributes that do not apply; and a made-to-measure rule over millions of
combinations lowers without walking the tree once per combination."""

from __future__ import annotations

import random
from decimal import Decimal
from pathlib import Path

import pytest

from rules.engine import finite as lowering
from rules.engine.build import Rows
from rules.engine.finite import FiniteModel, lower
from rules.expr import Arith, Compare, Const, Expr, ListExpr, Logic, Name, Neg, Not, OptionKey
from rules.language import load_brand
from rules.language import load_product as load_model
from rules.model import Localized, ProductModel
from rules.results import RuleRef

BRAND = 'brand: b\nlabel: B\ncurrencies: [EUR]\npalette: {red: "#FF0000"}\n'
PRODUCT = """product: grid
label: Grid
price: {EUR: "1.00"}
attributes:
  a: {type: number, min: 0, max: 4, default: 0}
  b: {type: number, min: -1, max: 1.5, step: 0.5, default: 0, when: f}
  f: {type: boolean, default: true}
  c: {type: choice, options: [x, y, z], default: x, when: a > 0}
"""


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> ProductModel:
    folder = tmp_path_factory.mktemp("grid")
    (folder / "brand.yaml").write_text(BRAND, encoding="utf-8")
    (folder / "grid.yaml").write_text(PRODUCT, encoding="utf-8")
    return load_model(folder / "grid.yaml", load_brand(folder / "brand.yaml"))


def number(chooser: random.Random, depth: int) -> Expr:
    roll = chooser.random()
    if depth <= 0 or roll < 0.35:
        return chooser.choice(
            [
                Name("a"),
                Name("b"),
                Const(chooser.randint(-2, 3)),
                Const(Decimal(chooser.choice(["0.5", "1.5"]))),
            ]
        )
    if roll < 0.45:
        return Neg(number(chooser, depth - 1))
    return Arith(chooser.choice("+-*/"), number(chooser, depth - 1), number(chooser, depth - 1))


def condition(chooser: random.Random, depth: int) -> Expr:
    roll = chooser.random()
    if depth <= 0 or roll < 0.5:
        kind = chooser.randrange(5)
        if kind == 0:
            op = chooser.choice(["<", "<=", ">", ">=", "==", "!="])
            return Compare(op, number(chooser, 2), number(chooser, 2))
        if kind == 1:
            return Name("f") if chooser.random() < 0.7 else Const(chooser.random() < 0.5)
        if kind == 2:
            return Compare(chooser.choice(["==", "!="]), Name("c"), OptionKey(chooser.choice("xyz")))
        if kind == 3:
            options = ListExpr(tuple(OptionKey(o) for o in chooser.sample("xyz", chooser.randint(1, 2))))
            return Compare(chooser.choice(["in", "not in"]), Name("c"), options)
        return Compare("in", Name("a"), ListExpr((Const(1), Const(3))))
    if roll < 0.6:
        return Not(condition(chooser, depth - 1))
    op = chooser.choice(["and", "or", "->", "<->"])
    return Logic(op, condition(chooser, depth - 1), condition(chooser, depth - 1))


def tables(model: ProductModel, finite: FiniteModel, expr: Expr) -> tuple[Rows, Rows]:
    rule = RuleRef("r", Localized.plain("R"))
    walked = lowering.predicate_table(
        model, finite, rule, expr.references(), lambda env: bool(expr.evaluate(env))
    )
    at_once = lowering.expression_table(model, finite, rule, expr)
    return walked.rows, at_once.rows


def test_random_rules_allow_the_same_rows_either_way(model: ProductModel) -> None:
    finite = lower(model)
    chooser = random.Random(7)
    taken = 0
    for _ in range(400):
        expr = condition(chooser, 3)
        keys = [a.key for a in model.attributes if a.key in expr.references()]
        sizes = [len(finite.variables[finite.by_attribute[key][0]].values) for key in keys]
        taken += lowering.grid_of(model, finite, keys, expr, sizes) is not None
        walked, at_once = tables(model, finite, expr)
        assert walked == at_once, str(expr)
    assert taken >= 350  # the evaluation at once takes nearly every such rule


def test_a_division_by_zero_reads_as_no_value(model: ProductModel) -> None:
    finite = lower(model)
    # a / (b * 2) <= 1: no value where b is 0 or does not apply (f false), so the rule is false there
    expr = Compare("<=", Arith("/", Name("a"), Arith("*", Name("b"), Const(2))), Const(1))
    walked, at_once = tables(model, finite, expr)
    assert walked == at_once
    b_values = finite.variables[finite.by_attribute["b"][0]].values
    assert all(b_values[row[1]] not in (0, None) for row in at_once)


def test_a_made_to_measure_rule_lowers_without_walking_each_combination(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "brand.yaml").write_text(BRAND, encoding="utf-8")
    (tmp_path / "shelf.yaml").write_text(
        'product: shelf\nlabel: Shelf\nprice: {EUR: "1.00"}\nattributes:\n'
        "  w: {type: number, min: 300, max: 1500, unit: mm, default: 600}\n"
        "  d: {type: number, min: 300, max: 1200, unit: mm, default: 400}\n"
        "constraints:\n  - {rule: w <= 2 * d, message: At most twice as wide as deep.}\n",
        encoding="utf-8",
    )
    walks = 0
    evaluate = Compare.evaluate

    def counted(self: Compare, env: object) -> object:
        nonlocal walks
        walks += 1
        return evaluate(self, env)  # type: ignore[arg-type]

    monkeypatch.setattr(Compare, "evaluate", counted)
    model = load_model(tmp_path / "shelf.yaml", load_brand(tmp_path / "brand.yaml"))
    (rule,) = model.constraints
    finite = lower(model)
    assert walks < 1_000  # 1,201 x 901 combinations, not one tree walk each
    (table,) = [t for t in finite.tables if t.rule.id == rule.id]
    assert len(table.rows) == sum(1 for w in range(300, 1501) for d in range(300, 1201) if w <= 2 * d)
