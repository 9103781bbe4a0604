"""The recommendation benchmark runs on a slice of the medium sales and prints every figure it promises."""

from __future__ import annotations

import pytest

from bench import data
from bench.recommender import Tally, distinct_orders, main, verdicts
from tests.bench.benchdata import require


def test_the_benchmark_runs_on_a_slice(capsys: pytest.CaptureFixture[str]) -> None:
    require(data.renault_sales("medium"))
    # given two folds, two cars per fold replayed with the engine and four without
    status = main(["--instances", "medium", "--folds", "2", "--cars", "2", "--rows", "4"])
    out = capsys.readouterr().out
    # then it reports both settings with their oracle, the curves, the timings and the verdicts
    assert status in (0, 1)  # a slice this small may miss the success target
    for expected in (
        "fold 2/2",
        "with constraints: ",
        "without constraints: ",
        "(the first 2 of each fold, steps with 2+ allowed values)",
        "(the first 4 of each fold, every step)",
        "by picks so far",
        "by candidates",
        "rank(): p50",
        "learning 10,000 distinct orders",
        "most popular design: valid",
        "success with constraints >= 82.3%",
        "rank() p95 <= 1 ms",
    ):
        assert expected in out, expected
    without = next(line for line in out.splitlines() if "without constraints: " in line)
    assert "of 352 recommendations" in without  # 2 folds x 4 cars x 44 variables
    # and the in-sample reference (it learned the replayed cars too) beside the oracle, for both
    assert "in-sample " in without
    assert "in-sample " in next(line for line in out.splitlines() if "with constraints: " in line)


def test_verdicts_and_tallies() -> None:
    tally = Tally()
    tally.add(0, 2, hit=True, oracle=True, popular=False)
    tally.add(1, 3, hit=False, oracle=True, popular=False, in_sample=True)
    assert tally.rate() == 50.0
    assert tally.rate(tally.oracle) == 100.0
    assert tally.rate(tally.in_sample) == 50.0
    assert tally.by_step == {0: [1, 1], 1: [0, 1]}
    result = {"with": tally, "rank": {"p95": 0.5}, "learn_orders_s": 2.0}
    assert [ok for _, ok in verdicts("medium", result)] == [False, True, True]
    assert [ok for _, ok in verdicts("big", {})] == [None, None, None]


def test_distinct_orders() -> None:
    cars = [{"a": "x", "b": "y"}, {"a": "z", "b": "w"}]
    orders = distinct_orders(cars, 4, seed=0)
    assert len({tuple(sorted(o.items())) for o in orders}) == 4
