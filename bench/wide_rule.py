"""A made-to-measure rule between two number attributes: what each step of loading it costs.

    python -m bench.wide_rule [--width-max 1000] [--depth-max 3000] [--step 1]

The product is a shelf: width `w` and depth `d` in millimetres from 300 by `--step`, and the rule
`w <= 2 * d`. Lowering the rule lists the combinations it allows; it is timed twice in this process,
evaluated over all combinations at once (`rules/engine/grid.py`, the engine's path) and one
combination at a time (the tree walk, the baseline), and the rows must be equal. Then, each step of
a compile in turn, with the peak memory after it: the diagram, its layout and the explainer.
Target: the evaluation at once at least 5 times faster than the walk.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from bench.timing import load_average, peak_rss_mb, say
from rules.engine import finite
from rules.engine.build import Deadline, compile_problem
from rules.engine.diagram import Diagram
from rules.engine.explain import Explainer
from rules.language import load_brand
from rules.language import load_product as load_model

BRAND = 'brand: bench\nlabel: Bench\ncurrencies: [EUR]\npalette: {oak: "#C8A165"}\n'
SHELF = """product: shelf
label: Shelf
price: {{EUR: "100.00"}}
attributes:
  w: {{type: number, label: Width, min: 300, max: {width}, step: {step}, unit: mm, default: 300}}
  d: {{type: number, label: Depth, min: 300, max: {depth}, step: {step}, unit: mm, default: 300}}
constraints:
  - {{rule: w <= 2 * d, message: A shelf is at most twice as wide as it is deep.}}
"""
TARGET_RATIO = 5.0
NO_LIMIT = 3600.0  # seconds: this benchmark measures, the compile budget is not what it tests


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--width-max", type=int, default=1000)
    parser.add_argument("--depth-max", type=int, default=3000)
    parser.add_argument("--step", type=int, default=1)
    args = parser.parse_args(argv)
    say(f"{load_average()} at the start")
    with tempfile.TemporaryDirectory(prefix="bench-wide-") as tmp:
        folder = Path(tmp)
        (folder / "brand.yaml").write_text(BRAND, encoding="utf-8")
        text = SHELF.format(width=args.width_max, depth=args.depth_max, step=args.step)
        (folder / "shelf.yaml").write_text(text, encoding="utf-8")
        model = load_model(folder / "shelf.yaml", load_brand(folder / "brand.yaml"))

    start = time.perf_counter()
    lowered = finite.lower(model, Deadline(NO_LIMIT))
    at_once = time.perf_counter() - start
    (rule,) = model.constraints
    (table,) = [t for t in lowered.tables if t.rule.id == rule.id]
    sizes = [len(lowered.variables[v].values) for v in table.scope]
    combinations = sizes[0] * sizes[1]
    say(f"w x d: {sizes[0]:,} x {sizes[1]:,} = {combinations:,} combinations, {len(table.rows):,} allowed")
    say(f"lowering, all combinations at once: {at_once:.2f} s (peak {peak_rss_mb():.0f} MiB)")

    grid_of = finite.grid_of
    finite.grid_of = lambda *_: None
    try:
        start = time.perf_counter()
        walked = finite.lower(model, Deadline(NO_LIMIT))
        one_by_one = time.perf_counter() - start
    finally:
        finite.grid_of = grid_of
    (walked_table,) = [t for t in walked.tables if t.rule.id == rule.id]
    same = walked_table.rows == table.rows
    del walked, walked_table
    say(f"lowering, one combination at a time (baseline): {one_by_one:.2f} s; same rows: {same}")
    ratio = one_by_one / at_once
    passed = same and ratio >= TARGET_RATIO
    say(f"ratio walk / at once: {ratio:.1f}x (target >= {TARGET_RATIO:.0f}x): {'PASS' if passed else 'FAIL'}")

    start = time.perf_counter()
    builder, root, order = compile_problem(
        [len(v.values) for v in lowered.variables],
        [(t.scope, t.rows) for t in lowered.tables],
        deadline=Deadline(NO_LIMIT),
    )
    took = time.perf_counter() - start
    say(f"diagram: {took:.2f} s, {builder.count:,} nodes (peak {peak_rss_mb():.0f} MiB)")
    start = time.perf_counter()
    Diagram(builder, root, order)
    say(f"layout: {time.perf_counter() - start:.2f} s (peak {peak_rss_mb():.0f} MiB)")
    start = time.perf_counter()
    Explainer(lowered)
    say(f"explainer: {time.perf_counter() - start:.2f} s (peak {peak_rss_mb():.0f} MiB)")
    say(f"{load_average()} at the end")
    return 0 if passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
