"""Feature models (DIMACS CNF) as boolean products: compile time and exact counts against the references.

    python -m bench.feature_models [--models berkeleydb__Hierons2020,printer__Mendonca2009,...]

Each model is converted (one `rule:` per clause), compiled with `rules.load_catalog` in a fresh process
(killed after --timeout), and counted with `product.count({})`; the count must equal the reference
figure in the data set's README. When the engine refuses a long clause (it enumerates each rule's
combinations), the model is converted again with long clauses split by auxiliary attributes, which
keeps the count. The domains() answer with nothing picked is timed with the engine and the SAT baseline.
"""

from __future__ import annotations

import argparse
import json
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
from bench.dimacs import read_dimacs, split_long_clauses
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


def count_matches(stem: str, count: int) -> bool | None:
    """Exact equality where the README gives the integer; four significant digits where it gives an
    approximation; None where it gives nothing (automotive01)."""
    if stem in EXPECTED_COUNTS:
        return count == EXPECTED_COUNTS[stem]
    if stem in APPROXIMATE_COUNTS:
        return f"{count:.3e}" == f"{APPROXIMATE_COUNTS[stem]:.3e}"
    return None


def measure(stem: str, max_clause: int | None) -> dict[str, Any]:
    """Convert, compile, time and count one model in this process; errors are returned, not raised."""
    cnf = read_dimacs(data.feature_model(stem))
    if max_clause is not None:
        cnf = split_long_clauses(cnf, max_clause)
    result: dict[str, Any] = {"vars": cnf.num_vars, "clauses": len(cnf.clauses)}
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
    return result


def run_isolated(stem: str, max_clause: int | None, timeout: float) -> dict[str, Any]:
    """`measure` in a fresh process, killed after `timeout` seconds."""
    with tempfile.TemporaryDirectory(prefix="bench-fm-result-") as tmp:
        out = Path(tmp) / "result.json"
        command = [
            sys.executable,
            "-m",
            "bench.feature_models",
            "--worker",
            stem,
            str(max_clause or 0),
            str(out),
        ]
        try:
            subprocess.run(command, check=False, cwd=data.REPO, timeout=timeout)
        except subprocess.TimeoutExpired:
            return {"error": f"no answer within {timeout:.0f} s"}
        if not out.exists():
            return {"error": "the worker died (see above)"}
        result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
        return result


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point; exit status 1 when a count is wrong."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.feature_models", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--models", default=",".join(EXPECTED_COUNTS), help="comma-separated file stems")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per model and form")
    parser.add_argument(
        "--max-clause", type=int, default=12, help="clause length to split to when the engine refuses"
    )
    parser.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        stem, max_clause, out = args.worker
        result = measure(stem, int(max_clause) or None)
        Path(out).write_text(json.dumps(result), encoding="utf-8")
        return 0

    if engine_facade() is None:
        say("engine not available (rules.load_catalog missing): converting and timing the baseline only")
    failed = False
    say(f"{load_average()} at the start")
    say(
        f"{'model':42} {'form':10} {'vars':>5} {'clauses':>7} {'compile s':>9} {'MiB':>5} {'count s':>7} "
        f"{'dom ms':>7} {'SAT ms':>7}  count"
    )
    for stem in [m.strip() for m in args.models.split(",") if m.strip()]:
        forms: list[int | None] = [None, args.max_clause]
        for max_clause in forms:
            result = run_isolated(stem, max_clause, args.timeout)
            form = "as is" if max_clause is None else f"split<={max_clause}"
            sizes = f"{result.get('vars', '-'):>5} {result.get('clauses', '-'):>7}"
            if "error" in result:
                say(f"{stem:42} {form:10} {sizes} REFUSED {result['error'][:300]}")
                if max_clause is None and "TooWide" in result["error"]:
                    continue  # the engine enumerates a rule's combinations: retry with short clauses
                failed |= "compile_s" not in result and engine_facade() is not None
                break
            if "count" not in result:
                say(f"{stem:42} {form:10} {sizes} {'':43} {result['sat_ms']:7.2f}")
                break
            count = int(result["count"])
            ok = count_matches(stem, count)
            failed |= ok is False
            verdict = "no reference" if ok is None else "PASS" if ok else "FAIL"
            timings = (
                f"{result['compile_s']:9.2f} {result['rss_mb']:5.0f} {result['count_s']:7.2f} "
                f"{result['domains_ms']:7.2f} {result['sat_ms']:7.2f}"
            )
            say(f"{stem:42} {form:10} {sizes} {timings}  {count:.6e} {verdict}")
            break
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
