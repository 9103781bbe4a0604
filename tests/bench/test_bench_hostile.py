"""The hostile-input benchmark runs once through and prints a verdict for every input."""

from __future__ import annotations

import pytest

from bench.hostile import cases, main


def test_the_benchmark_prints_a_verdict_per_input(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["--repeat", "1"])
    out = capsys.readouterr().out
    assert "YAML alias bomb" in out
    assert "a megabyte of text" in out
    assert out.count("PASS") + out.count("FAIL") == len(cases())
    assert status in (0, 1)  # the ratios are the benchmark's business on a shared machine, not the test's
