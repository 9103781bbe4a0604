"""The recommendation benchmark runs on a slice of the medium sales and prints every figure it promises."""

from __future__ import annotations

import pytest

from bench import data
from bench.recommender import NaiveBayes, Tally, distinct_orders, fold_parts, main, verdicts, wilson
from tests.bench.benchdata import require


def test_the_benchmark_runs_on_a_slice(capsys: pytest.CaptureFixture[str]) -> None:
    require(data.renault_sales("medium"))
    # given two folds, two cars per fold replayed with the engine and four without
    status = main(
        ["--instances", "medium", "--fold-count", "2", "--cars", "2", "--rows", "4", "--advise-cars", "1"]
    )
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
        "success with constraints >= 82.3% (shuffled folds)",
        "rank() p95 <= 1 ms",
        "advise() as the configurator calls it (44 calls)",
        "advise() p95 <= 2 ms, engine included",
        "have an identical twin in their training folds",
    ):
        assert expected in out, expected
    without = next(line for line in out.splitlines() if "without constraints: " in line)
    assert "of 352 recommendations" in without  # 2 folds x 4 cars x 44 variables
    # and the baselines on the same steps, and the in-sample reference (it learned the replayed cars
    # too) beside the oracle, for both settings
    lines = out.splitlines()
    for setting in ("with constraints: ", "without constraints: "):
        baselines = lines[next(i for i, line in enumerate(lines) if setting in line) + 1]
        for expected in ("most popular value ", "naive Bayes ", "oracle ", "in-sample "):
            assert expected in baselines, (setting, expected)


def test_grouped_folds_keep_every_copy_of_a_configuration_together() -> None:
    cars = [{"a": str(i % 7), "b": str(i % 3)} for i in range(200)]  # 21 configurations, repeated
    parts = fold_parts("synthetic", cars, "grouped", 5, seed=1)
    assert sorted(row for part in parts for row in part) == list(range(200))
    fold_of = {tuple(sorted(cars[row].items())): f for f, part in enumerate(parts) for row in part}
    assert all(fold_of[tuple(sorted(cars[row].items()))] == f for f, part in enumerate(parts) for row in part)
    # while shuffled folds split them (200 rows, 21 configurations: some copies share no fold)
    shuffled = fold_parts("synthetic", cars, "shuffled", 5, seed=1)
    assert [len(part) for part in shuffled] == [40] * 5
    assert shuffled != parts


def test_grouped_folds_of_medium_are_cfn_learns() -> None:
    require(data.renault_sales("medium"))
    from bench.recommender import read_cars

    _, cars = read_cars("medium")
    parts = fold_parts("medium", cars, "grouped", 10, seed=0)
    index = (data.data_dir() / "renault-br4cp" / "index_csv_medium.txt").read_text().split()
    assert all(int(index[row]) == f for f, part in enumerate(parts) for row in part)
    assert sum(len(part) for part in parts) == len(cars) == len(index)


def test_naive_bayes_and_intervals() -> None:
    cars = [{"size": "l", "colour": "blue"}] * 3 + [{"size": "m", "colour": "red"}] * 4
    bayes = NaiveBayes(cars, ["size", "colour"])
    assert bayes.best({}, "colour", None) == "red"  # the prior alone
    assert bayes.best({"size": "l"}, "colour", None) == "blue"
    assert bayes.best({"size": "l"}, "colour", ["red", "green"]) == "red"
    low, high = wilson(50, 100)
    assert 40 < low < 50 < high < 60


def test_verdicts_and_tallies() -> None:
    tally = Tally()
    tally.add(0, 2, hit=True, oracle=True, popular=False, bayes=True)
    tally.add(1, 3, hit=False, oracle=True, popular=False, bayes=False, in_sample=True)
    assert tally.rate() == 50.0
    assert tally.rate(tally.oracle) == 100.0
    assert tally.rate(tally.in_sample) == 50.0
    assert tally.by_step == {0: [1, 1], 1: [0, 1]}
    result = {"with": tally, "rank": {"p95": 0.5}, "learn_orders_s": 2.0}
    assert tally.rate(tally.bayes) == 50.0
    assert [ok for _, ok in verdicts("medium", "shuffled", result)] == [False, True, None, True]
    result["advise"] = {"p95": 2.5}
    assert [ok for _, ok in verdicts("medium", "grouped", result)] == [False, True, False, True]
    assert [ok for _, ok in verdicts("big", "shuffled", {})] == [None, None, None, None]


def test_distinct_orders() -> None:
    cars = [{"a": "x", "b": "y"}, {"a": "z", "b": "w"}]
    orders = distinct_orders(cars, 4, seed=0)
    assert len({tuple(sorted(o.items())) for o in orders}) == 4
