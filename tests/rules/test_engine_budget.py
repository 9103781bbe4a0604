"""Compiling stays within a stated budget: a product whose diagram would need more nodes than allowed
is refused with a located error (for `rules check` and publishing alike), never a worker's memory."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from rules import load_product
from rules.engine.build import MAX_NODES, DiagramTooLargeError, compile_problem
from rules.errors import CatalogError
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
