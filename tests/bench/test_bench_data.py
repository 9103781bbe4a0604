"""The benchmark data is where CI keeps it, and a missing file fails loudly instead of skipping."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import data
from tests.bench.benchdata import require


def test_the_benchmark_data_is_beside_the_repository() -> None:
    assert require(data.renault_model("small")).is_file()


def test_a_missing_benchmark_file_fails_and_says_where_it_was_looked_for(tmp_path: Path) -> None:
    missing = tmp_path / "small.xml"
    with pytest.raises(pytest.fail.Exception, match="benchmark data missing") as failed:
        require(missing)
    assert str(missing) in str(failed.value)
    assert "BENCH_DATA" in str(failed.value)
