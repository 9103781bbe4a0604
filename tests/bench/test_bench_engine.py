"""The engine answers what the SAT baseline answers on the Renault small instance (once the engine lands)."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from bench import data
from bench.baseline import SatConfigurator
from bench.convert import convert_xcsp
from bench.timing import available_sets, engine_facade
from bench.xcsp import read_xcsp
from tests.bench.benchdata import require

SMALL = data.renault_model("small")


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, SatConfigurator]:
    folder: Path = tmp_path_factory.mktemp("small")
    convert_xcsp(require(SMALL), folder)
    rules = engine_facade()
    assert rules is not None, "the engine facade rules.load_catalog is missing"
    product = rules.load_catalog(folder).products["renault-small"]
    baseline = SatConfigurator.from_table_csp(read_xcsp(SMALL))
    return product, baseline


def test_the_engine_counts_the_small_instance(small: tuple[Any, SatConfigurator]) -> None:
    product, _ = small
    assert product.count({}) == 172_056


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_domains_equal_the_baselines_along_a_shopper_walk(
    small: tuple[Any, SatConfigurator], seed: int
) -> None:
    # given a shopper who picks, in a random order, a random value still available
    product, baseline = small
    rng = random.Random(seed)
    keys = list(baseline.literals)
    rng.shuffle(keys)
    picks: dict[str, Any] = {}
    for key in keys[:40]:
        expected = baseline.domains(picks)
        answer = product.domains(picks, explain=False)
        # then after every pick the engine offers exactly the values some valid car still has
        assert answer.consistent == expected.consistent
        assert available_sets(answer) == expected.available, f"after picks {picks}"
        picks[key] = rng.choice(sorted(map(str, expected.available[key])))
