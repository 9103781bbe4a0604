"""The wide-rule benchmark runs on a tiny shelf and compares the two lowerings row for row."""

from __future__ import annotations

import pytest

from bench.wide_rule import main


def test_the_benchmark_runs_on_a_tiny_shelf(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["--width-max", "400", "--depth-max", "350", "--step", "1"])
    out = capsys.readouterr().out
    assert "w x d: 101 x 51 = 5,151 combinations" in out
    assert "same rows: True" in out
    assert "nodes" in out
    assert "explainer:" in out
    assert status in (0, 1)  # the ratio on a shared machine is the benchmark's business, not the test's
