"""The previews benchmark runs on a tiny setting and reads its own figures right."""

from __future__ import annotations

import pytest

from bench.previews import flood_verdicts, main, verdicts


def test_the_benchmark_runs_on_a_tiny_setting(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(
        [
            *("--designs", "2", "--row", "6", "--sizes", "256", "--products", "name-bottle"),
            *("--flood", "40", "--flood-processes", "2"),
        ]
    )
    out = capsys.readouterr().out
    assert "name-bottle/front" in out
    assert "6 distinct designs in a row at 256" in out
    # The flood: the store's size every tenth of the way, with and without the budget, then ratios
    assert "flood: 40 distinct previews at 256 png" in out
    assert out.count("\n      40 ") == 1  # the last of the ten rows of sizes
    assert "2 processes at once, 40 previews: peak/budget" in out
    assert "the budget costs" in out
    assert out.count("PASS") + out.count("FAIL") == 6
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


def test_flood_verdicts() -> None:
    held = {
        "budget": 1000,
        "render_ms": 30.0,
        "processes": 4,
        "baseline": {"cpu_ms_per_write": 1.0},
        "budgeted": {"sizes": [(10, 500), (20, 950)], "final": 900, "cpu_ms_per_write": 2.5},
        "together": {"peak": 990, "final": 900},
    }
    assert [ok for _, ok in flood_verdicts(held)] == [True, True, True]
    broken = {
        **held,
        "budgeted": {"sizes": [(10, 500), (20, 1200)], "final": 900, "cpu_ms_per_write": 5.0},
        "together": {"peak": 1100, "final": 900},
    }
    assert [ok for _, ok in flood_verdicts(broken)] == [False, False, False]
