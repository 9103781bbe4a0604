"""Feature models (DIMACS CNF) as boolean products: compile time and exact counts against the references.

    python -m bench.feature_models [--models berkeleydb__Hierons2020,printer__Mendonca2009,...]

Each model is converted (one flat `rule:` per clause, however long), compiled with `rules.load_catalog`
in a fresh process (killed after --timeout), and counted with `product.count({})`; the count must equal
the reference figure in the data set's README. The domains() answer with nothing picked is timed with
the engine and the SAT baseline, then domains() after a few random picks (seeded; each pick drawn from
the values still available, as a shopper would).
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench import data
from bench.baseline import SatConfigurator
from bench.catalog import write_cnf_catalog
from bench.dimacs import read_dimacs
from bench.timing import engine_facade, load_average, peak_rss_mb, say

# Exact model counts from shared/benchmarks/configuration/README.md ("computed here").
EXPECTED_COUNTS = {
    "berkeleydb__Hierons2020": 32,
    "printer__Mendonca2009": 2_278_241_108_363_321_839_974_600_000,
    "pc-richmond__Sprey2020": 3_326_549_945_784_326_553_600,
    "axTLS__Berger2013": 428_726_493_299_198_656_512,
    "FinancialServices01__Nieke2018-2018-05-09": 97_451_212_554_676,
}
# Only approximate figures are published for these: compared on the leading digits.
APPROXIMATE_COUNTS = {
    "ToyBox__Oh2020-0_7_5": 1.438e81,
    "BusyBox__Oh2020-1_28_0": 1.310e248,
    "uCLinux__Berger2013": 1.630e91,
}
NO_REFERENCE = ("automotive01__Kowal2016",)  # the README's counter did not finish
ALL_MODELS = (*EXPECTED_COUNTS, *APPROXIMATE_COUNTS, *NO_REFERENCE)
RANDOM_PICKS = 5  # picks per random walk
WALKS = 40


def count_matches(stem: str, count: int) -> bool | None:
    """Exact equality where the README gives the integer; four significant digits where it gives an
    approximation; None where it gives nothing (automotive01)."""
    if stem in EXPECTED_COUNTS:
        return count == EXPECTED_COUNTS[stem]
    if stem in APPROXIMATE_COUNTS:
        return f"{count:.3e}" == f"{APPROXIMATE_COUNTS[stem]:.3e}"
    return None


def measure(stem: str) -> dict[str, Any]:
    """Convert, compile, time and count one model in this process; errors are returned, not raised."""
    cnf = read_dimacs(data.feature_model(stem))
    result: dict[str, Any] = {
        "vars": cnf.num_vars,
        "clauses": len(cnf.clauses),
        "longest": max((len(c) for c in cnf.clauses), default=0),
    }
    baseline = SatConfigurator.from_cnf(cnf)
    start = time.perf_counter()
    baseline.domains({})
    result["sat_ms"] = (time.perf_counter() - start) * 1000
    baseline.close()
    rules = engine_facade()
    if rules is None:
        return result
    with tempfile.TemporaryDirectory(prefix="bench-fm-") as tmp:
        write_cnf_catalog(cnf, tmp, source=f"{stem}.dimacs")
        start = time.perf_counter()
        try:
            product = next(iter(rules.load_catalog(tmp).products.values()))
            product.domains({}, explain=False)
        except Exception as error:  # the engine's refusal is a figure of this benchmark
            result["error"] = f"{type(error).__name__}: {error}"
            return result
        result["compile_s"] = time.perf_counter() - start
        result["rss_mb"] = peak_rss_mb()
        start = time.perf_counter()
        product.domains({}, explain=False)
        result["domains_ms"] = (time.perf_counter() - start) * 1000
        start = time.perf_counter()
        result["count"] = str(product.count({}))
        result["count_s"] = time.perf_counter() - start
        result["walk_ms"] = random_walks(product, cnf.num_vars)
    return result


def random_walks(product: Any, num_vars: int) -> list[float]:
    """Milliseconds of each domains() call along seeded random walks of RANDOM_PICKS picks."""
    chooser = random.Random(f"{num_vars}")
    timings: list[float] = []
    keys = [f"v{v}" for v in range(1, num_vars + 1)]
    for _ in range(WALKS):
        picks: dict[str, object] = {}
        for key in chooser.sample(keys, RANDOM_PICKS):
            start = time.perf_counter()
            domains = product.domains(picks, explain=False)
            timings.append((time.perf_counter() - start) * 1000)
            available = [value for value in (False, True) if _available(domains, key, value)]
            if available:
                picks[key] = chooser.choice(available)
    return timings


def _available(domains: Any, key: str, value: bool) -> bool:
    return any(o.key == value and o.available for o in domains.attributes[key].options)


def run_isolated(stem: str, timeout: float) -> dict[str, Any]:
    """`measure` in a fresh process, killed after `timeout` seconds."""
    with tempfile.TemporaryDirectory(prefix="bench-fm-result-") as tmp:
        out = Path(tmp) / "result.json"
        command = [sys.executable, "-m", "bench.feature_models", "--worker", stem, str(out)]
        try:
            subprocess.run(command, check=False, cwd=data.REPO, timeout=timeout)
        except subprocess.TimeoutExpired:
            return {"error": f"no answer within {timeout:.0f} s"}
        if not out.exists():
            return {"error": "the worker died (see above)"}
        result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
        return result


def percentile(values: Sequence[float], share: float) -> float:
    """The value at `share` (0..1) of the sorted values (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))] if ordered else 0.0


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point; exit status 1 when a model fails to compile or a count is wrong."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.feature_models", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--models", default=",".join(ALL_MODELS), help="comma-separated file stems")
    parser.add_argument("--timeout", type=float, default=240.0, help="seconds per model")
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        stem, out = args.worker
        Path(out).write_text(json.dumps(measure(stem)), encoding="utf-8")
        return 0

    if engine_facade() is None:
        say("engine not available (rules.load_catalog missing): converting and timing the baseline only")
    failed = False
    say(f"{load_average()} at the start")
    say(
        f"{'model':42} {'vars':>5} {'clauses':>7} {'long':>4} {'compile s':>9} {'MiB':>5} {'count s':>7} "
        f"{'dom ms':>7} {'p50 ms':>7} {'p95 ms':>7} {'SAT ms':>7}  count"
    )
    for stem in [m.strip() for m in args.models.split(",") if m.strip()]:
        result = run_isolated(stem, args.timeout)
        sizes = " ".join(
            f"{result.get(key, '-'):>{width}}" for key, width in (("vars", 5), ("clauses", 7), ("longest", 4))
        )
        if "error" in result:
            say(f"{stem:42} {sizes} FAILED {result['error'][:300]}")
            failed = True
            continue
        if "count" not in result:
            say(f"{stem:42} {sizes} {'':61} {result['sat_ms']:7.2f}")
            continue
        count = int(result["count"])
        ok = count_matches(stem, count)
        failed |= ok is False
        verdict = "no reference" if ok is None else "PASS" if ok else "FAIL"
        walks = result["walk_ms"]
        timings = (
            f"{result['compile_s']:9.2f} {result['rss_mb']:5.0f} {result['count_s']:7.2f} "
            f"{result['domains_ms']:7.2f} {percentile(walks, 0.5):7.2f} {percentile(walks, 0.95):7.2f} "
            f"{result['sat_ms']:7.2f}"
        )
        say(f"{stem:42} {sizes} {timings}  {count:.6e} {verdict}")
    say(f"{load_average()} at the end")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
