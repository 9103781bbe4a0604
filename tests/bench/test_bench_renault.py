"""Sales histories map onto the converted models, and the benchmark's verdicts read its figures right."""

from __future__ import annotations

from bench import data
from bench.baseline import SatConfigurator
from bench.renault import published_relation, replay_queries, verdicts
from bench.xcsp import read_sales, read_xcsp, sales_picks
from tests.bench.benchdata import require

MEDIUM = data.renault_model("medium")


def test_sales_rows_are_valid_partial_cars() -> None:
    csp = read_xcsp(require(MEDIUM))
    header, rows = read_sales(data.renault_sales("medium"))
    assert len(header) == 44
    assert header[-3:] == ["v118", "v53", "v54"]
    baseline = SatConfigurator.from_table_csp(csp)
    for _, row in zip(range(5), rows, strict=False):
        picks = sales_picks(csp, header, row)
        assert baseline.solve(picks) is not None
    sequences, recorded, _ = replay_queries("medium", 3, seed=0)
    assert recorded == 44
    assert [len(s) for s in sequences] == [44, 44, 44]
    assert [k for k, _ in sequences[0]] != header  # shuffled
    assert sequences == replay_queries("medium", 3, seed=0)[0]  # seeded


def test_verdicts() -> None:
    result = {
        "instance": "medium",
        "count": 278_744,
        "exact": 278_744,
        "compile_s": 3.0,
        "engine": {"p95": 6.0},
        "ratio": {"p50": 40.0, "mean": 19.0},
        "agreement": [300, 0],
    }
    assert [ok for _, ok in verdicts(result)] == [True, True, False, False, True]
    assert [ok for _, ok in verdicts({"instance": "big"})] == [None] * 5


def test_a_published_float_count_is_recognised() -> None:
    exact = 24_566_537_954_855_761_920_000  # bench.count and the engine agree on it
    published = 24_566_537_954_855_758_069_760  # toulbar2, in README: a multiple of 2**22
    assert published_relation(exact, exact) == "equal"
    assert published_relation(exact, published).startswith(
        "a float64 value, within one double spacing (2**22)"
    )
    assert published_relation(278_744, 278_745).startswith("DIFFERS")
