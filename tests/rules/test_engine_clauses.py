"""Rules that are clauses: kept in their negative form, compiled as chains, counted exactly."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rules import load_product
from rules.engine.build import ClauseRows, compile_problem
from rules.engine.diagram import Diagram
from rules.engine.finite import MAX_COMBINATIONS, RuleTooWideError
from rules.engine.order import components, variable_order
from rules.product import Product

BRAND = 'brand: test-brand\nlabel: Test\ncurrencies: [EUR]\npalette: {red: "#FF0000"}\n'


def boolean_product(
    tmp: Path, count: int, rules: list[str], defaults: dict[int, bool] | None = None
) -> Product:
    chosen = defaults or {}
    lines = ["product: clauses", "label: Clauses", 'price: {EUR: "1.00"}', "attributes:"]
    for index in range(count):
        default = "true" if chosen.get(index, True) else "false"
        lines.append(f"  f{index}: {{type: boolean, default: {default}}}")
    lines.append("constraints:")
    lines.extend(f"  - rule: {rule}\n    message: Rule {n}" for n, rule in enumerate(rules))
    (tmp / "brand.yaml").write_text(BRAND)
    (tmp / "clauses.yaml").write_text("\n".join(lines) + "\n")
    return load_product(tmp / "clauses.yaml")


def test_a_60_literal_clause_compiles_and_counts_exactly(tmp_path: Path) -> None:
    # Given one clause over 60 booleans, written flat (2**60 combinations: far beyond enumeration)
    clause = " or ".join(f"f{i}" if i % 2 else f"not f{i}" for i in range(60))
    product = boolean_product(tmp_path, 60, [clause])
    # Then it forbids exactly one design: every odd feature off, every even one on
    assert product.count({}) == 2**60 - 1
    forbidden = {f"f{i}": i % 2 == 0 for i in range(60)}
    assert product.count(forbidden) == 0
    assert product.count({k: v for k, v in forbidden.items() if k != "f59"}) == 1
    assert product.validate(forbidden)
    # and the last open literal is forced once the others are falsified
    domains = product.domains({k: v for k, v in forbidden.items() if k != "f59"}, explain=False)
    assert [o.key for o in domains.attributes["f59"].options if o.available] == [True]


def test_a_clause_is_kept_in_its_negative_form(tmp_path: Path) -> None:
    product = boolean_product(tmp_path, 30, [" or ".join(f"f{i}" for i in range(30)), "f0 -> not f1"])
    tables = [t for t in product._compiled.finite.tables if not t.rule.id.startswith(("when:", "count:"))]
    wide, implication = tables
    assert wide.clause is not None
    assert wide.clause.allowed == (0b10,) * 30  # value index 1 (true) satisfies each column
    assert not wide.trivial
    assert implication.clause is not None
    assert implication.clause.allowed == (0b01, 0b01)  # `not f0 or not f1`


def test_listing_a_clause_agrees_with_enumeration_and_is_bounded() -> None:
    # `x0 in {1, 2} or x1 == 0` over domains of 3 and 2 values
    rows = ClauseRows([3, 2], [0b110, 0b01], MAX_COMBINATIONS, ValueError)
    expected = [(a, b) for a in range(3) for b in range(2) if a in (1, 2) or b == 0]
    assert list(rows) == expected
    assert len(rows) == len(expected) == 5
    assert rows[0] == (0, 0)
    assert rows.without(0, 1) is True
    remainder = rows.without(0, 0)
    assert isinstance(remainder, ClauseRows)
    assert remainder.allowed == (0b01,)
    assert ClauseRows([2], [0], MAX_COMBINATIONS, ValueError).without(0, 1) is False
    wide = ClauseRows([2] * 40, [0b10] * 40, MAX_COMBINATIONS, lambda n: OverflowError(n))
    with pytest.raises(OverflowError):
        len(wide)
    with pytest.raises(OverflowError):
        next(iter(wide))


def test_wide_clauses_raise_the_rule_error_when_listed(tmp_path: Path) -> None:
    product = boolean_product(tmp_path, 25, [" or ".join(f"f{i}" for i in range(25))])
    (table,) = [t for t in product._compiled.finite.tables if t.clause is not None]
    with pytest.raises(RuleTooWideError, match="33,554,432 value combinations"):
        list(table.rows)


def test_a_wide_rule_that_is_not_a_clause_is_still_refused(tmp_path: Path) -> None:
    # (f0 and f1) or (f2 and f3) or ... reads two variables per disjunct: only enumeration knows it
    rule = " or ".join(f"(f{2 * i} and f{2 * i + 1})" for i in range(11))
    with pytest.raises(RuleTooWideError, match="4,194,304 value combinations"):
        boolean_product(tmp_path, 22, [rule])


def test_choice_literals_in_lists_and_exclusions(tmp_path: Path) -> None:
    (tmp_path / "brand.yaml").write_text(BRAND)
    (tmp_path / "mug.yaml").write_text(
        'product: mug\nlabel: Mug\nprice: {EUR: "1.00"}\nattributes:\n'
        "  size: {type: choice, options: [s, m, l, xl], default: m}\n"
        "  glaze: {type: choice, options: [matt, gloss, satin], default: matt}\n"
        "  extras: {type: multi, options: [lid, box], default: []}\n"
        "  flag: {type: boolean, default: false, when: size == s}\n"
        "constraints:\n"
        "  - rule: size in [s, m] or glaze != gloss or lid in extras or flag\n"
        "    message: One of them\n"
    )
    product = load_product(tmp_path / "mug.yaml")
    finite = product._compiled.finite
    (table,) = [t for t in finite.tables if t.clause is not None]
    assert [finite.variables[v].name for v in table.scope] == ["size", "glaze", "extras[lid]", "flag"]
    # brute force over the finite variables, through the rule's own expression
    expected = 0
    for size, glaze, lid, _box, flag in itertools.product(
        ["s", "m", "l", "xl"], ["matt", "gloss", "satin"], [False, True], [False, True], [None, False, True]
    ):
        if (size == "s") != (flag is not None):
            continue
        if size in ("s", "m") or glaze != "gloss" or lid or flag is True:
            expected += 1
    assert product.count({}) == expected


@st.composite
def cnfs(draw: st.DrawFn) -> tuple[int, list[list[int]]]:
    count = draw(st.integers(3, 9))
    literal = st.integers(1, count).flatmap(lambda v: st.sampled_from([v, -v]))
    clauses = draw(st.lists(st.lists(literal, min_size=1, max_size=count), min_size=1, max_size=8))
    return count, clauses


def brute_force(count: int, clauses: list[list[int]]) -> list[tuple[bool, ...]]:
    return [
        design
        for design in itertools.product([False, True], repeat=count)
        if all(any(design[abs(lit) - 1] == (lit > 0) for lit in clause) for clause in clauses)
    ]


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(problem=cnfs(), data=st.data())
def test_random_cnfs_match_brute_force(tmp_path_factory, problem: tuple[int, list[list[int]]], data) -> None:
    count, clauses = problem
    models = brute_force(count, clauses)
    if not models:
        return  # the language wants defaults that form a valid design
    defaults = dict(enumerate(models[0]))
    rules = [" or ".join(f"f{lit - 1}" if lit > 0 else f"not f{-lit - 1}" for lit in c) for c in clauses]
    product = boolean_product(tmp_path_factory.mktemp("cnf"), count, rules, defaults)
    picks = data.draw(st.dictionaries(st.sampled_from([f"f{i}" for i in range(count)]), st.booleans()))
    agreeing = [m for m in models if all(m[int(k[1:])] == v for k, v in picks.items())]
    assert product.count(picks) == len(agreeing)
    domains = product.domains(picks, explain=False)
    assert domains.consistent == bool(agreeing)

    def satisfiable(chosen: dict[str, bool]) -> bool:
        return any(all(m[int(k[1:])] == v for k, v in chosen.items()) for m in models)

    clash = set(domains.clash)
    if agreeing:
        assert not clash
    else:  # smallest sets: each clashes alone, none of its picks can be left out, the rest holds
        groups = product.clashes(picks)
        assert clash == {key for group in groups for key in group}
        for group in groups:
            assert not satisfiable({k: picks[k] for k in group})
            for key in group:
                assert satisfiable({k: picks[k] for k in set(group) - {key}})
        assert satisfiable({k: v for k, v in picks.items() if k not in clash})
    for index in range(count):
        key = f"f{index}"
        # A clashing attribute is answered against every other pick, any other one as if the clashing
        # picks were not made.
        others = {k: v for k, v in picks.items() if k != key and (key in clash or k not in clash)}
        for option in domains.attributes[key].options:
            expected = any(
                m[index] == option.key and all(m[int(k[1:])] == v for k, v in others.items()) for m in models
            )
            assert option.available == expected, (key, option.key, picks)


def test_clauses_through_a_hub_are_conditioned(tmp_path: Path) -> None:
    # Given f0 in every one of 24 clauses, so the compiler conditions on it
    rules = [f"f0 or f{i} or not f{i + 1}" for i in range(1, 25)]
    product = boolean_product(tmp_path, 26, rules)
    scopes = [list(t.scope) for t in product._compiled.finite.tables]
    assert variable_order(26, scopes)[0] == 0
    # Then f0 = true allows everything, f0 = false leaves the chain f1 <- f2 <- ... <- f25
    assert product.count({"f0": True}) == 2**25
    assert product.count({"f0": False}) == 26
    assert product.count({}) == 2**25 + 26


def test_independent_parts_get_contiguous_levels() -> None:
    scopes = [[0, 2], [2, 4], [1, 3], [5]]
    assert components(6, scopes) == [[0, 2, 4], [1, 3], [5]]
    _, order = variable_order(6, scopes)
    assert sorted(order[:3]) == [0, 2, 4]
    assert sorted(order[3:5]) == [1, 3]


def test_compile_problem_mixes_tables_and_clauses() -> None:
    # x0 in 0..2, x1 and x2 booleans: table "x0 != 2 or x1", clause "x0 == 2 or x2"
    table = [(a, b) for a in range(3) for b in range(2) if a != 2 or b == 1]
    clause = ClauseRows([3, 2], [0b100, 0b10], MAX_COMBINATIONS, ValueError)
    builder, root, order = compile_problem([3, 2, 2], [((0, 1), table), ((0, 2), clause)])
    diagram = Diagram(builder, root, order)
    expected = sum(
        1
        for a, b, c in itertools.product(range(3), range(2), range(2))
        if (a != 2 or b == 1) and (a == 2 or c == 1)
    )
    assert diagram.count({}) == expected
