"""Compiling stays within a stated budget: a product whose diagram would need more nodes than allowed,
or whose compile would outlast its deadline, is refused with a located error (for `rules check` and
publishing alike), never a worker's memory or a merchant kept waiting."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from rules import load_product
from rules.engine.build import (
    FALSE,
    MAX_NODES,
    Builder,
    CompileTimeoutError,
    Deadline,
    DiagramTooLargeError,
    compile_problem,
)
from rules.engine.finite import lower
from rules.errors import CatalogError
from rules.model import ProductModel
from rules.product import compile_model

BRAND = 'brand: b\nlabel: B\ncurrencies: [EUR]\npalette: {red: "#FF0000"}\n'
# Eight independent choices of five options, and a rule tying the first to the last: a few dozen nodes.
PRODUCT = (
    'product: wide\nlabel: Wide\nprice: {EUR: "1.00"}\nattributes:\n'
    + "".join(f"  a{i}: {{type: choice, options: [v0, v1, v2, v3, v4], default: v0}}\n" for i in range(8))
    + "constraints:\n  - {rule: a0 != a7, message: Not the same.}\n"
)


def test_the_builder_stops_at_its_node_budget() -> None:
    sizes = [5] * 8
    rows = [(i, j) for i in range(5) for j in range(5) if i != j]
    builder, _, _ = compile_problem(sizes, [((0, 7), rows)])
    needed = builder.count
    assert 0 < needed < MAX_NODES
    with pytest.raises(DiagramTooLargeError):
        compile_problem(sizes, [((0, 7), rows)], max_nodes=needed - 1)
    compile_problem(sizes, [((0, 7), rows)], max_nodes=needed)  # exactly enough is enough


def test_a_product_past_the_budget_is_a_located_error(tmp_path: Path) -> None:
    (tmp_path / "brand.yaml").write_text(BRAND, encoding="utf-8")
    (tmp_path / "wide.yaml").write_text(PRODUCT, encoding="utf-8")
    # (a source of its own: compiled products are kept by their sources' hash)
    model = replace(load_product(tmp_path / "wide.yaml").model, source_hash="wide-within-3-nodes")
    with pytest.raises(CatalogError) as caught:
        compile_model(model, max_nodes=3)
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code == "product-too-large"
    assert diagnostic.source is not None
    assert diagnostic.source.file.endswith("wide.yaml")
    assert "more than 3 decision nodes" in diagnostic.message
    assert compile_model(model).diagram is not None  # within the default budget


# Two numbers of 0..199 and a rule between them: 40,000 combinations to lower, 20,000 rows to build.
RANGES = (
    'product: ranges\nlabel: Ranges\nprice: {EUR: "1.00"}\nattributes:\n'
    "  w: {type: number, min: 0, max: 199, default: 0}\n"
    "  d: {type: number, min: 0, max: 199, default: 1}\n"
    "constraints:\n  - {rule: w < d, message: Deeper than wide.}\n"
)


def ranges(tmp_path: Path, source_hash: str, rule: str = "w < d") -> ProductModel:
    (tmp_path / "brand.yaml").write_text(BRAND, encoding="utf-8")
    (tmp_path / "ranges.yaml").write_text(RANGES.replace("rule: w < d", f"rule: {rule}"), encoding="utf-8")
    return replace(load_product(tmp_path / "ranges.yaml").model, source_hash=source_hash)


def test_building_stops_at_its_deadline() -> None:
    sizes = [200, 200]
    rows = [(i, j) for i in range(200) for j in range(200) if i < j]
    with pytest.raises(CompileTimeoutError):
        compile_problem(sizes, [((0, 1), rows)], deadline=Deadline(0))
    compile_problem(sizes, [((0, 1), rows)], deadline=Deadline(3600))


def test_conjoining_stops_at_its_deadline() -> None:
    # x2 == x0 and x2 == x1 over 200 values: the walk meets every pair of "x2 == i" and "x2 == j".
    builder = Builder([200, 200, 200], deadline=Deadline(3600))
    first = builder.table([0, 2], [(i, i) for i in range(200)])
    second = builder.table([1, 2], [(j, j) for j in range(200)])
    builder.deadline = Deadline(0)
    with pytest.raises(CompileTimeoutError):
        builder.conjoin(first, second, {})
    builder.deadline = Deadline(3600)
    assert builder.conjoin(first, second, {}) != FALSE


@pytest.mark.parametrize("rule", ["w < d", "'distinct(w, d) == 2 and w < d'"])
def test_lowering_stops_at_its_deadline(tmp_path: Path, rule: str) -> None:
    # (evaluated over every combination at once, then one combination at a time: `distinct` is not
    # taken at once)
    model = ranges(tmp_path, f"ranges-lowered-{rule}", rule)
    with pytest.raises(CompileTimeoutError):
        lower(model, Deadline(0))
    assert len(lower(model, Deadline(3600)).tables[-1].rows) == 200 * 199 // 2


def test_a_product_past_its_deadline_is_a_located_error(tmp_path: Path) -> None:
    model = ranges(tmp_path, "ranges-out-of-time")
    with pytest.raises(CatalogError) as caught:
        compile_model(model, deadline=Deadline(0))
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code == "product-too-large"
    assert diagnostic.source is not None
    assert diagnostic.source.file.endswith("ranges.yaml")
    assert "longer than 0 s to compile" in diagnostic.message
    assert compile_model(model).diagram is not None


def test_a_conjunction_holds_its_memo_to_the_node_budget() -> None:
    # x0 == x1 and x0 != x1: nothing survives, so no node is made, yet the walk remembers every pair.
    builder = Builder([50, 50])
    same = builder.table([0, 1], [(i, i) for i in range(50)])
    other = builder.table([0, 1], [(i, j) for i in range(50) for j in range(50) if i != j])
    memo: dict[tuple[int, int], int] = {}
    assert builder.conjoin(same, other, memo) == FALSE
    walked = len(memo)
    builder.max_nodes = walked - 1
    with pytest.raises(DiagramTooLargeError):
        builder.conjoin(same, other, {})


def test_a_rule_too_wide_by_its_steps_says_which_step_to_coarsen(tmp_path: Path) -> None:
    (tmp_path / "brand.yaml").write_text(BRAND, encoding="utf-8")
    wide = RANGES.replace("max: 199", "max: 1999").replace(
        "{type: number, min: 0, max: 1999, default: 1}", "{type: number, min: 0, max: 2999, default: 1}"
    )
    (tmp_path / "ranges.yaml").write_text(wide, encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        load_product(tmp_path / "ranges.yaml")
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code == "rule-too-wide"
    assert "6,000,000 value combinations" in diagnostic.message
    assert diagnostic.hint == (
        "use a coarser step (d has 3,000 values, w has 2,000 values), "
        "or split it into rules over fewer attributes"
    )
