"""Renault car configurators (BR4CP medium and big): compile, count, and replay real sales pick by pick.

    python -m bench.renault [--rows 1000] [--instances medium,big] [--seed 0]

Also `--instances small` and `megane` (the CLib rules), replayed on random valid cars since they have
no sales history; their p95 target is the big instance's.

For each instance: convert the XCSP file into a catalog folder (a temp dir), then, in a fresh Python
process (so its peak memory is the compile's): compile it with `rules.load_catalog`, check the exact
count, replay the first N sales rows pick by pick in a seeded shuffled order of the recorded variables,
timing `product.domains(picks, explain=False)` after every pick; answer the same queries with the SAT
baseline (`bench.baseline`, in the same process); time `explain=True` and the per-option `explain` on a
sample (target: p95 100 ms, a reason for every greyed option and every reason naming its rules). Every
phase has a time budget so the whole run stays bounded; when a budget cuts a replay short the report
says so.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench import data
from bench.baseline import SatConfigurator
from bench.catalog import write_table_catalog
from bench.clib import read_clib
from bench.count import count_solutions
from bench.csp import TableCSP
from bench.timing import (
    available_sets,
    engine_facade,
    format_ms,
    load_average,
    peak_rss_mb,
    percentiles_ms,
    say,
)
from bench.xcsp import read_sales, read_xcsp, sales_picks

# The figures in shared/benchmarks/configuration/README.md. The engine's count is checked against an
# exact count computed here by bench.count; the published figure is shown next to it. For big, the
# published (toulbar2) figure is a float64 value: a multiple of 2**22, the spacing of doubles there.
PUBLISHED_COUNTS = {
    "small": 172_056,  # computed by the data set's curators, no published figure
    "medium": 278_744,
    "big": 24_566_537_954_855_758_069_760,
    "megane": 7_445_949_334_016,  # CLib with 111 of its 113 rules, computed by the curators
}
P95_TARGET_MS = {"small": 2.0, "medium": 2.0, "big": 10.0, "megane": 10.0}
EXPLAIN_P95_TARGET_MS = {"small": 100.0, "medium": 100.0, "big": 100.0, "megane": 100.0}
SPEEDUP_TARGET = 20.0
COMPILE_TARGET_S = 60.0


def load_instance(instance: str) -> TableCSP:
    """The model of an instance: the BR4CP XCSP files, or `megane` for the CLib rules."""
    if instance == "megane":
        archive = data.clib_rules()
        return read_clib(archive, archive.parent / "renault_domains.txt")
    return read_xcsp(data.renault_model(instance))


def random_solutions(csp: TableCSP, rows: int, seed: int) -> list[dict[str, str]]:
    """Valid cars drawn by the SAT baseline with random phases: stand-ins where no sales history exists."""
    rng = random.Random(seed)
    baseline = SatConfigurator.from_table_csp(csp)
    lits = [lit for values in baseline.literals.values() for lit in values.values()]
    cars = []
    for _ in range(rows):
        baseline.solver.set_phases([lit if rng.random() < 0.5 else -lit for lit in lits])
        car = baseline.solve()
        assert car is not None
        cars.append({key: str(value) for key, value in car.items()})
    baseline.close()
    return cars


def replay_queries(instance: str, rows: int, seed: int) -> tuple[list[list[tuple[str, str]]], int, str]:
    """The picks of the first `rows` sales rows, each in a seeded shuffled order of the recorded variables.

    Returns the pick sequences, the number of recorded variables and where the rows come from.
    """
    csp = load_instance(instance)
    sales = data.renault_sales(instance)
    rng = random.Random(seed)
    if sales.exists():
        header, lines = read_sales(sales)
        cars = [sales_picks(csp, header, line) for _, line in zip(range(rows), lines, strict=False)]
        origin = f"sales history {sales.name}"
    else:
        header = [v.key for v in csp.variables]
        cars = random_solutions(csp, rows, seed)
        origin = "random valid cars (no sales history exists)"
    sequences = []
    for car in cars:
        order = list(header)
        rng.shuffle(order)
        sequences.append([(key, car[key]) for key in order])
    return sequences, len(header), origin


class _Cutoff(Exception):
    """Raised by the timer inside a query that outlived the explain budget."""


def _cutoff(signum: int, frame: object) -> None:
    raise _Cutoff


MANY_PICKS = 20  # reasons after more picks than this are counted apart: they used to name no rule


def explain_sample(
    product: Any, sample: list[dict[str, str]], budget: float
) -> tuple[list[float], int | None, dict[str, int]]:
    """Time domains(explain=True) until the budget runs out, interrupting a query that outlives it.

    Returns the times of the answered queries, when one was cut off its number of picks, and the
    counts of greyed options, of reasons naming no rule, and of both after more than MANY_PICKS picks.
    """
    times: list[float] = []
    counts = {"greyed": 0, "no_rule": 0, "greyed_many": 0, "no_rule_many": 0}
    previous = signal.signal(signal.SIGALRM, _cutoff)
    signal.setitimer(signal.ITIMER_REAL, budget)
    try:
        for picks in sample:
            start = time.perf_counter()
            try:
                answer = product.domains(picks, explain=True)
            except _Cutoff:
                return times, len(picks), counts
            times.append(time.perf_counter() - start)
            many = len(picks) > MANY_PICKS
            for state in answer.attributes.values():
                for option in state.options:
                    if option.available:
                        continue
                    unnamed = option.reason is None or not option.reason.rules
                    counts["greyed"] += 1
                    counts["no_rule"] += unnamed
                    counts["greyed_many"] += many
                    counts["no_rule_many"] += unnamed and many
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    return times, None, counts


def share(part: int, whole: int) -> str:
    """`part` of `whole` as a percentage, or a dash when there is nothing to share."""
    return f"{100 * part / whole:.1f}%" if whole else "-"


def lazy_explain_sample(product: Any, sample: list[dict[str, str]]) -> list[float]:
    """Time the per-option `explain` (a shopper hovering a greyed option): the first greyed option of
    each sampled query."""
    times: list[float] = []
    for picks in sample:
        domains = product.domains(picks, explain=False)
        greyed = next(
            (
                (key, o.key)
                for key, state in domains.attributes.items()
                for o in state.options
                if not o.available
            ),
            None,
        )
        if greyed is None:
            continue
        start = time.perf_counter()
        product.explain(picks, *greyed)
        times.append(time.perf_counter() - start)
    return times


def worker(instance: str, folder: Path, options: dict[str, Any]) -> dict[str, Any]:
    """Everything measured in the fresh process; returns the figures (also printed as it goes)."""
    result: dict[str, Any] = {"instance": instance}
    rss_start = peak_rss_mb()
    rules = engine_facade()
    rss_imports = peak_rss_mb()
    sequences, recorded, origin = replay_queries(instance, options["rows"], options["seed"])
    # query i: the first picks[i] picks of row row_of[i] (built when asked: 87,000 dicts would weigh)
    row_of = [r for r, seq in enumerate(sequences) for _ in seq]
    picks_of = [k + 1 for seq in sequences for k in range(len(seq))]

    def query(i: int) -> dict[str, str]:
        return dict(sequences[row_of[i]][: picks_of[i]])

    total = len(row_of)
    say(f"  replay: {len(sequences)} rows x {recorded} variables = {total} queries; {origin}")

    product = None
    if rules is None:
        say("  engine: NOT AVAILABLE (rules.load_catalog missing); baseline only")
    else:
        rss_before = peak_rss_mb()
        start = time.perf_counter()
        catalog = rules.load_catalog(folder)
        loaded = time.perf_counter() - start
        product = next(iter(catalog.products.values()))
        first = product.domains({}, explain=False)
        compiled = time.perf_counter() - start
        rss_after = peak_rss_mb()
        result.update(
            load_s=loaded, compile_s=compiled, rss_mb=rss_after, rss_delta_mb=rss_after - rss_before
        )
        say(f"  compile: load_catalog {loaded:.2f} s, to the first domains() answer {compiled:.2f} s")
        say(
            f"  peak memory (VmHWM): {rss_after:.0f} MiB after compiling "
            f"(+{rss_after - rss_before:.0f} MiB for the compile; "
            f"{rss_start:.0f} MiB at start, {rss_imports:.0f} MiB after imports)"
        )
        assert first.consistent
        start = time.perf_counter()
        count = product.count({})
        result.update(count=count, count_s=time.perf_counter() - start)
        say(f"  engine count: {count:,} in {result['count_s']:.2f} s")

        # engine replay
        engine_times: list[float] = []
        inconsistent = 0
        deadline = time.perf_counter() + options["engine_budget"]
        for i in range(total):
            picks = query(i)
            start = time.perf_counter()
            answer = product.domains(picks, explain=False)
            engine_times.append(time.perf_counter() - start)
            inconsistent += not answer.consistent
            if time.perf_counter() > deadline:
                break
        rows_done = row_of[len(engine_times) - 1] + 1
        cut = "" if len(engine_times) == total else f" (budget {options['engine_budget']:.0f} s reached)"
        result.update(
            engine=percentiles_ms(engine_times), engine_queries=len(engine_times), engine_rows=rows_done
        )
        say(f"  engine  : {len(engine_times)} queries, {rows_done} rows{cut}; {inconsistent} inconsistent")
        say(f"            {format_ms(result['engine'])}")

    # baseline: the same queries (every `stride`-th if it cannot do them all in its budget)
    csp = load_instance(instance)
    start = time.perf_counter()
    baseline = SatConfigurator.from_table_csp(csp, solver=options["solver"], picked=options["picked"])
    encode_s = time.perf_counter() - start
    say(
        f"  baseline: {options['solver']}, {baseline.num_vars} SAT variables, "
        f"{baseline.num_clauses} clauses, encoded in {encode_s:.2f} s; picked attributes: {options['picked']}"
    )
    pool = result.get("engine_queries", total)  # the queries the engine answered
    start = time.perf_counter()
    for i in range(min(3, pool)):
        baseline.domains(query(i))
    per_query = (time.perf_counter() - start) / max(1, min(3, pool))
    stride = max(1, math.ceil(pool * per_query / options["baseline_budget"]))
    chosen = list(range(0, pool, stride))
    base_times: list[float] = []
    engine_same: list[float] = []
    calls = mismatches = compared = 0
    deadline = time.perf_counter() + options["baseline_budget"]
    for i in chosen:
        picks = query(i)
        start = time.perf_counter()
        answer = baseline.domains(picks)
        base_times.append(time.perf_counter() - start)
        calls += answer.sat_calls
        if product is not None:
            start = time.perf_counter()
            mine = product.domains(picks, explain=False)
            engine_same.append(time.perf_counter() - start)
            if compared < options["check"]:
                compared += 1
                if mine.consistent != answer.consistent or (
                    answer.consistent and available_sets(mine) != answer.available
                ):
                    mismatches += 1
                    if mismatches <= 3:
                        diff = {
                            k: (sorted(map(str, v)), sorted(map(str, answer.available[k])))
                            for k, v in available_sets(mine).items()
                            if v != answer.available.get(k)
                        }
                        say(f"  MISMATCH at query {i}: engine vs baseline {dict(list(diff.items())[:3])}")
        if time.perf_counter() > deadline:
            break
    baseline.close()
    last_row = row_of[chosen[len(base_times) - 1]] + 1 if base_times else 0
    how = "every query" if stride == 1 else f"one query in {stride}"
    result.update(
        baseline=percentiles_ms(base_times), baseline_queries=len(base_times), baseline_rows=last_row
    )
    say(
        f"  baseline: {len(base_times)} queries ({how} of the engine's, up to row {last_row}), "
        f"{calls / max(1, len(base_times)):.1f} SAT calls per query"
    )
    say(f"            {format_ms(result['baseline'])}")
    if product is not None and base_times:
        same = percentiles_ms(engine_same)
        ratio = {k: result["baseline"][k] / same[k] for k in ("p50", "mean", "p95") if same[k] > 0}
        result.update(ratio=ratio, agreement=(compared, mismatches))
        say(f"  engine on the same queries: {format_ms(same)}")
        say("  ratio baseline/engine: " + "  ".join(f"{k} {v:.1f}x" for k, v in ratio.items()))
        say(f"  agreement: {compared} queries compared, {mismatches} mismatches")

        # explain=True on a sample of the replayed queries, cut off by a timer: one query can be slow.
        # Drawn at random: every k-th query would always hit the same number of picks whenever k is
        # a multiple of the row's length (44 000 queries / 200 on medium: 1 pick each time).
        drawn = random.Random(options["seed"]).sample(range(pool), min(pool, options["explain_queries"]))
        sample = [query(i) for i in sorted(drawn)]
        explain_times, unfinished, counts = explain_sample(product, sample, options["explain_budget"])
        result["explain"] = percentiles_ms(explain_times)
        result["reasons"] = counts
        say(f"  explain=True on {len(explain_times)} sampled queries: {format_ms(result['explain'])}")
        say(
            f"    {counts['greyed']} greyed options, {counts['no_rule']} reasons naming no rule "
            f"({share(counts['no_rule'], counts['greyed'])}); after more than {MANY_PICKS} picks: "
            f"{counts['greyed_many']} greyed, {counts['no_rule_many']} naming no rule "
            f"({share(counts['no_rule_many'], counts['greyed_many'])})"
        )
        if unfinished is not None:
            budget = options["explain_budget"]
            say(f"    budget {budget:.0f} s reached: the next query ({unfinished} picks) was cut off")
            result["explain_cut"] = unfinished
        lazy = lazy_explain_sample(product, sample[: len(explain_times)])
        result["lazy_explain"] = percentiles_ms(lazy)
        figures = format_ms(result["lazy_explain"])
        say(f"  explain(picks, attribute, option), {len(lazy)} greyed options: {figures}")
    return result


def published_relation(exact: int, published: int) -> str:
    """How a published figure relates to the exact count: equal, or a float64 rounding of it."""
    if exact == published:
        return "equal"
    spacing = 2 ** max(0, exact.bit_length() - 53)  # the distance between doubles of this size
    if spacing > 1 and float(published) == published and abs(exact - published) <= spacing:
        return (
            f"a float64 value, within one double spacing (2**{spacing.bit_length() - 1}) of the exact "
            f"count: the published solver printed a floating-point count"
        )
    return f"DIFFERS by {exact - published:,}"


def verdicts(result: dict[str, Any]) -> list[tuple[str, bool | None]]:
    """Each target and whether it is met (None: not measured)."""
    instance = result["instance"]
    p95 = result.get("engine", {}).get("p95")
    ratio = result.get("ratio", {})
    speedup = min(ratio["p50"], ratio["mean"]) if "p50" in ratio and "mean" in ratio else None
    agreement = result.get("agreement")
    count, exact = result.get("count"), result.get("exact")
    return [
        (
            f"count == {exact:,} (exact, bench.count)" if exact is not None else "count == exact count",
            None if count is None or exact is None else count == exact,
        ),
        (
            f"compile <= {COMPILE_TARGET_S:.0f} s",
            None if "compile_s" not in result else result["compile_s"] <= 60,
        ),
        (f"p95 <= {P95_TARGET_MS[instance]:.0f} ms", None if p95 is None else p95 <= P95_TARGET_MS[instance]),
        (
            f">= {SPEEDUP_TARGET:.0f}x faster than the baseline (min of p50 and mean ratios)",
            None if speedup is None else speedup >= SPEEDUP_TARGET,
        ),
        ("engine == baseline on the compared queries", None if not agreement else agreement[1] == 0),
    ]


def explain_verdicts(result: dict[str, Any]) -> list[tuple[str, bool | None]]:
    """The reasons' targets: explain=True p95 on the sample, every sampled query answered, and every
    greyed option's reason naming its rules."""
    target = EXPLAIN_P95_TARGET_MS[result["instance"]]
    p95 = result.get("explain", {}).get("p95")
    label = f"explain=True p95 <= {target:.0f} ms (every sampled query answered)"
    counts = result.get("reasons")
    return [
        (label, None if p95 is None else p95 <= target and "explain_cut" not in result),
        (
            "every greyed option's reason names a rule",
            None if not counts or not counts["greyed"] else counts["no_rule"] == 0,
        ),
    ]


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point; exit status 1 when a target fails."""
    parser = argparse.ArgumentParser(prog="python -m bench.renault", description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1000, help="sales rows to replay (default 1000)")
    parser.add_argument(
        "--instances", default="medium,big", help="comma-separated: medium, big, small, megane"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--engine-budget", type=float, default=90.0, help="seconds of engine replay per instance"
    )
    parser.add_argument(
        "--baseline-budget", type=float, default=45.0, help="seconds of baseline per instance"
    )
    parser.add_argument(
        "--explain-budget", type=float, default=30.0, help="seconds of explain=True per instance"
    )
    parser.add_argument("--explain-queries", type=int, default=200)
    parser.add_argument(
        "--check", type=int, default=300, help="queries on which engine and baseline are compared"
    )
    parser.add_argument("--solver", default="glucose4", help="python-sat solver of the baseline")
    parser.add_argument("--picked", choices=["others", "fixed"], default="others")
    parser.add_argument("--worker", nargs=3, metavar=("INSTANCE", "FOLDER", "RESULT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    options = {k: v for k, v in vars(args).items() if k not in ("worker", "instances")}

    if args.worker:
        instance, folder, result_file = args.worker
        result = worker(instance, Path(folder), options)
        Path(result_file).write_text(json.dumps(result), encoding="utf-8")
        return 0

    instances = [name.strip() for name in args.instances.split(",") if name.strip()]
    failed = False
    started = time.perf_counter()
    say(f"{load_average()} at the start")
    for instance in instances:
        if instance not in PUBLISHED_COUNTS:
            parser.error(f"unknown instance {instance!r} (small, medium, big or megane)")
        say(f"== Renault {instance} ==")
        with tempfile.TemporaryDirectory(prefix=f"bench-renault-{instance}-") as tmp:
            start = time.perf_counter()
            csp = load_instance(instance)
            write_table_catalog(csp, tmp, product="renault-" + instance, source=csp.label)
            tuples = sum(len(t.rows) for t in csp.tables)
            say(
                f"  converted: {len(csp.variables)} attributes, {len(csp.tables)} tables, {tuples:,} rows "
                f"in {time.perf_counter() - start:.2f} s"
            )
            start = time.perf_counter()
            exact = count_solutions(csp)
            took = time.perf_counter() - start
            published = PUBLISHED_COUNTS[instance]
            say(f"  exact count (bench.count, independent of the engine): {exact:,} in {took:.1f} s")
            say(f"  published count: {published:,} ({published_relation(exact, published)})")
            del csp
            result_file = Path(tmp) / "result.json"
            command = [sys.executable, "-m", "bench.renault", *(argv or sys.argv[1:])]
            command += ["--worker", instance, tmp, str(result_file)]
            done = subprocess.run(command, check=False, cwd=data.REPO)
            if done.returncode != 0 or not result_file.exists():
                say(f"  worker failed (exit {done.returncode})")
                failed = True
                continue
            result = json.loads(result_file.read_text(encoding="utf-8"))
            result["exact"] = exact
        say(f"  targets ({instance}):")
        for label, ok in [*verdicts(result), *explain_verdicts(result)]:
            say(f"    {'PASS   ' if ok else 'BLOCKED' if ok is None else 'FAIL   '} {label}")
            failed |= ok is False
    say(f"total run time {time.perf_counter() - started:.0f} s; {load_average()} at the end")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
