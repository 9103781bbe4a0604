"""The load benchmark runs on a tiny setting, prints its verdicts and leaves nothing running."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bench.load import main, verdicts


def _processes_using(folder: str) -> list[str]:
    """Live processes whose environment names the run's state folder (every server it started does)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if folder.encode() in (entry / "environ").read_bytes():
                found.append(entry.name)
        except OSError:
            continue  # gone, or not ours to read
    return found


@pytest.mark.slow
def test_the_benchmark_runs_on_a_tiny_setting_and_cleans_up(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a tiny run: 2 clients, 2 gunicorn workers (not 2 × cores + 1, each importing the app), a
    # second or two per phase (hundreds of requests each, on a busy machine too)
    monkeypatch.setenv("ATELIER_WEB_WORKERS", "2")
    status = main(["--duration", "2", "--phase-seconds", "2", "--warmup", "1", "--clients", "2"])

    # then every phase reported, with its verdicts
    out = capsys.readouterr().out
    for heading in ("1. bare Flask JSON endpoint", "2. /configure alone", "3. the mix", "verdicts"):
        assert heading in out
    assert re.search(r"^\s+configure\s+\d+", out, re.MULTILINE)
    # with the references that place the gap: the app's own floor and a cached answer, both answered
    for reference in ("GET /healthz: every request's own cost", "an answer from the cache"):
        assert re.search(re.escape(reference) + r": [1-9]\d* req/s, \d+\.\d\dx bare", out)
    assert out.count("PASS: ") + out.count("FAIL: ") == 3
    assert "gunicorn: 2 sync workers" in out
    assert "everything stopped" in out
    assert status in (0, 1)  # the targets are the benchmark's business on a shared machine, not the test's

    # and nothing of the run is left: neither its folder nor a process started in it
    state = re.search(r"production shape in (\S+),", out)
    assert state is not None
    assert not Path(state.group(1)).exists()
    assert _processes_using(state.group(1)) == []


def test_verdicts() -> None:
    memory = {"web": 500.0, "worker": 400.0}
    good = {"bare_rps": 1000.0, "configure_rps": 700.0, "mix_errors": 0}
    assert [ok for _, ok in verdicts({**good, "memory_before": memory, "memory_after": memory})] == [
        True,
        True,
        True,
    ]
    bad = {"bare_rps": 1000.0, "configure_rps": 100.0, "mix_errors": 3}
    grown = {"web": 500.0, "worker": 460.0}
    assert [ok for _, ok in verdicts({**bad, "memory_before": memory, "memory_after": grown})] == [
        False,
        False,
        False,
    ]
