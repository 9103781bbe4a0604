"""Small helpers shared by the benchmark scripts: percentiles, peak memory, engine access, output."""

from __future__ import annotations

import os
import resource
import sys
from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np


def say(text: str = "") -> None:
    """Print a report line (benchmarks talk to a terminal; flushed so progress shows)."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def peak_rss_mb() -> float:
    """This process's peak resident set size so far, in MiB.

    Linux's VmHWM starts afresh at exec; ru_maxrss does not (a child started by a big parent inherits
    the parent's peak), so it is only the fallback.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def load_average() -> str:
    """The 1-minute load average and the CPU count: timings on a busy machine read differently."""
    try:
        return f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"
    except OSError:
        return "load average unknown"


def percentiles_ms(seconds: Sequence[float]) -> dict[str, float]:
    """p50/p95/p99/max/mean in milliseconds."""
    if not seconds:
        return {}
    ms = np.asarray(seconds) * 1000
    return {
        "p50": float(np.percentile(ms, 50)),
        "p95": float(np.percentile(ms, 95)),
        "p99": float(np.percentile(ms, 99)),
        "max": float(ms.max()),
        "mean": float(ms.mean()),
    }


def format_ms(stats: dict[str, float]) -> str:
    """`p50 1.23 ms  p95 ...` or a dash when nothing was measured."""
    if not stats:
        return "-"
    return "  ".join(f"{k} {v:8.3f}" for k, v in stats.items()) + "  (ms)"


def engine_facade() -> Any | None:
    """The `rules` package once its engine facade (`rules.load_catalog`) exists, else None."""
    try:
        import rules

        if not hasattr(rules, "load_catalog"):
            return None
    except ImportError:
        return None
    return rules


def available_sets(domains: Any) -> dict[str, frozenset[Hashable]]:
    """The engine's `Domains` as attribute -> the option keys marked available."""
    return {
        key: frozenset(o.key for o in state.options if o.available)
        for key, state in domains.attributes.items()
    }
