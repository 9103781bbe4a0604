"""The previews benchmark runs on a tiny setting and reads its own figures right."""

from __future__ import annotations

import pytest

from bench.previews import main, verdicts


def test_the_benchmark_runs_on_a_tiny_setting(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["--designs", "2", "--row", "6", "--sizes", "256", "--products", "name-bottle"])
    out = capsys.readouterr().out
    assert "name-bottle/front" in out
    assert "6 distinct designs in a row at 256" in out
    assert out.count("PASS") + out.count("FAIL") == 3
    assert status in (0, 1)  # timings on a shared machine are the benchmark's business, not the test's


def test_verdicts() -> None:
    row = {
        "product": "p",
        "view": "v",
        "size": 512,
        "format": "png",
        "render": 12.0,
        "raw": 10.0,
        "cached": 0.01,
    }
    slow = {**row, "render": 14.0, "cached": 2.0}
    memory = {"designs": 200.0, "growth_mb": 12.0, "seconds": 3.0}
    assert [ok for _, ok in verdicts({"timings": [row], "memory": memory})] == [True, True, True]
    assert [ok for _, ok in verdicts({"timings": [slow], "memory": {**memory, "growth_mb": 60.0}})] == [
        False,
        False,
        False,
    ]
