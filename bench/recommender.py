"""Value recommendation on real Renault sales (BR4CP medium and big), replayed with the engine.

    python -m bench.recommender [--instances medium,big] [--folds shuffled|grouped] [--fold-count 10]
                                [--cars N] [--rows N] [--advise-cars N] [--seed 0]

The protocol of Fargier, Gimenez & Mengin (J. Universal Computer Science 26(3), 2020): k-fold
cross-validation over the sales rows (one sold car each); `rules.recommend.Recommender` learns from
the training rows as orders; each test car is replayed in a random order of its recorded variables.
Folds are either shuffled (a seeded shuffle of the rows, as in the paper: most test cars then have an
identical twin in training) or grouped (every copy of one configuration in the same fold, so every
test car is a configuration never sold in training: on medium the fold index of toulbar2/CFN-learn,
`index_csv_medium.txt`, one fold number per sales row; elsewhere the distinct configurations shuffled
with the seed and dealt to the fold with the fewest rows so far). At each step:

- with constraints: the engine (`Product.domains`) gives the values the picks so far still allow;
  a step where one value is left is skipped; otherwise the recommender ranks the allowed values and
  the step succeeds when its first is the car's value;
- without constraints: the recommender ranks every value of the variable, the engine is not asked,
  and every step counts;

then the car's value is picked. The most popular value and a Laplace-smoothed naive Bayes, both
learned from the same training rows, are scored on the same steps as baselines. The oracle is the
ceiling a recommender could reach knowing the test fold: the most frequent value (among the
candidates) of the test-fold cars that agree with the picks, the replayed car included. "In-sample"
is the same recommender having learned every sales row, the replayed car included: what the method
reaches with the counts of the whole history. Replaying with the engine costs one `domains` call per
step (about 1-3 ms on medium, 10 ms on big), so by default only the first `--cars` test cars of every
fold (a seeded random sample) are replayed with constraints; `--cars 0` replays them all. Without
constraints every test car is replayed unless `--rows` says otherwise. The output says which subset
was run. Success rates carry 95% Wilson intervals over the scored steps (a car's steps are not
independent, so the truth is somewhat wider).

`advise()` is timed as the configurator calls it (`configurator.recommendations.services.advise`: one
engine `domains` call, then a ranking of every attribute not picked yet), at every step of the first
`--advise-cars` test cars of the first fold.
"""

from __future__ import annotations

import argparse
import gc
import math
import random
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bench import data
from bench.catalog import write_table_catalog
from bench.renault import load_instance
from bench.timing import engine_facade, format_ms, load_average, percentiles_ms, say
from bench.xcsp import read_sales, sales_picks
from configurator.recommendations.services import Learned, advise
from rules.recommend import REPEAT, SIMILARITY, Recommender

# Fargier, Gimenez & Mengin 2020, Renault medium: the best with constraints in the authors' own result
# file (PFGimenez/PhD, experiments/exp11/results.R: a Bayesian network) and naive Bayes; without
# constraints, the best method and their oracle.
PUBLISHED = {
    "medium": "with constraints: Bayesian network 81.72% at best, naive Bayes 77.48%; "
    "without: 93.4%, oracle 94.3%",
}
# Success rates (%) to reach per fold scheme: medium with constraints over every car (the default run
# replays a sample of cars per fold, whose rate estimates it).
TARGETS = {
    ("shuffled", "medium", "with"): 82.3,
    ("shuffled", "big", "without"): 94.6,
    ("grouped", "medium", "with"): 80.0,
    ("grouped", "big", "with"): 80.0,
}
RANK_P95_TARGET_MS = 1.0
ADVISE_P95_TARGET_MS = {"medium": 2.0, "big": 15.0}  # engine included
DEFAULT_ADVISE_CARS = {"medium": 10, "big": 3}
LEARN_ORDERS = 10_000
LEARN_TARGET_S = 10.0
DEFAULT_CARS = {"medium": 150, "big": 20}  # test cars per fold replayed with the engine

Car = dict[str, str]


@dataclass
class Tally:
    """Successes of one setting: overall, per step (picks so far) and per number of candidates."""

    hits: int = 0
    steps: int = 0
    oracle: int = 0
    popular: int = 0
    bayes: int = 0
    in_sample: int = 0
    by_step: dict[int, list[int]] = field(default_factory=dict)
    by_candidates: dict[int, list[int]] = field(default_factory=dict)

    def add(
        self,
        step: int,
        candidates: int,
        hit: bool,
        oracle: bool,
        popular: bool,
        bayes: bool,
        in_sample: bool = False,
    ) -> None:
        """Count one recommendation."""
        self.hits += hit
        self.steps += 1
        self.oracle += oracle
        self.popular += popular
        self.bayes += bayes
        self.in_sample += in_sample
        for table, key in ((self.by_step, step), (self.by_candidates, candidates)):
            cell = table.setdefault(key, [0, 0])
            cell[0] += hit
            cell[1] += 1

    def rate(self, hits: int | None = None) -> float:
        """A success rate in percent (of the recommender unless other hits are given)."""
        return 100.0 * (self.hits if hits is None else hits) / max(1, self.steps)

    def interval(self, hits: int | None = None) -> str:
        """A success rate with its 95% Wilson interval, e.g. `82.49% (81.9-83.0)`."""
        hits = self.hits if hits is None else hits
        low, high = wilson(hits, self.steps)
        return f"{self.rate(hits):.2f}% ({low:.1f}-{high:.1f})"


def wilson(hits: int, steps: int, z: float = 1.96) -> tuple[float, float]:
    """The 95% Wilson score interval of a binomial proportion, in percent."""
    if not steps:
        return 0.0, 100.0
    p = hits / steps
    scale = 1 + z * z / steps
    centre = (p + z * z / (2 * steps)) / scale
    half = z * math.sqrt(p * (1 - p) / steps + z * z / (4 * steps * steps)) / scale
    return 100 * (centre - half), 100 * (centre + half)


class NaiveBayes:
    """Laplace-smoothed naive Bayes over the recorded variables: the baseline of the paper."""

    def __init__(self, cars: list[Car], variables: list[str]) -> None:
        self.values = {key: sorted({car[key] for car in cars}) for key in variables}
        codes = {key: {v: i for i, v in enumerate(values)} for key, values in self.values.items()}
        self.codes = codes
        matrix = np.array([[codes[key][car[key]] for key in variables] for car in cars], dtype=np.int64)
        self.column = {key: i for i, key in enumerate(variables)}
        sizes = [len(self.values[key]) for key in variables]
        self.prior = [np.bincount(matrix[:, i], minlength=sizes[i]).astype(float) for i in range(len(sizes))]
        # log P(other = u | key = v), smoothed, per (key, other): rows v, columns u
        self.log_given: dict[tuple[int, int], np.ndarray[Any, np.dtype[np.float64]]] = {}
        for i in range(len(sizes)):
            for j in range(len(sizes)):
                if i != j:
                    joint = np.bincount(matrix[:, i] * sizes[j] + matrix[:, j], minlength=sizes[i] * sizes[j])
                    table = joint.reshape(sizes[i], sizes[j]) + 1.0
                    self.log_given[i, j] = np.log(table / (self.prior[i][:, None] + sizes[j]))

    def best(self, picks: dict[str, str], key: str, candidates: Sequence[str] | None) -> str | None:
        """The candidate (any value when None) with the highest posterior given the picks."""
        i = self.column[key]
        score = np.log(self.prior[i] + 1.0)
        for other, value in picks.items():
            j = self.column[other]
            code = self.codes[other].get(value)
            if j != i and code is not None:
                score = score + self.log_given[i, j][:, code]
        listed = self.values[key] if candidates is None else candidates
        known = [v for v in listed if v in self.codes[key]]
        if not known:
            return None
        return max(known, key=lambda v: float(score[self.codes[key][v]]))


def fold_parts(instance: str, cars: list[Car], scheme: str, count: int, seed: int) -> list[list[int]]:
    """The test rows of every fold, each fold in a seeded random order (so its first cars are a sample)."""
    rng = random.Random(seed)
    if scheme == "shuffled":
        order = list(range(len(cars)))
        rng.shuffle(order)
        return [order[f::count] for f in range(count)]
    index_file = data.data_dir() / "renault-br4cp" / f"index_csv_{instance}.txt"
    if index_file.exists() and count == 10:
        # toulbar2/CFN-learn's fold index: one fold number (0-9) per sales row, in the file's order
        fold_of = [int(line) for line in index_file.read_text().split()]
        if len(fold_of) != len(cars):
            raise ValueError(f"{index_file}: {len(fold_of)} folds for {len(cars)} sales rows")
    else:
        copies: dict[tuple[str, ...], list[int]] = {}
        for row, car in enumerate(cars):
            copies.setdefault(tuple(car[key] for key in sorted(car)), []).append(row)
        groups = list(copies.values())
        rng.shuffle(groups)
        sizes = [0] * count
        fold_of = [0] * len(cars)
        for rows in groups:
            fold = min(range(count), key=lambda f: (sizes[f], f))
            sizes[fold] += len(rows)
            for row in rows:
                fold_of[row] = fold
    parts = [[row for row in range(len(cars)) if fold_of[row] == f] for f in range(count)]
    for part in parts:
        rng.shuffle(part)
    return parts


class Oracle:
    """The most frequent value among the test-fold cars that agree with the picks so far."""

    def __init__(self, cars: list[Car], variables: list[str]) -> None:
        self.columns = {key: np.array([car[key] for car in cars]) for key in variables}
        self.size = len(cars)

    def start(self) -> np.ndarray[Any, np.dtype[np.bool_]]:
        """Every test car agrees with no picks."""
        return np.ones(self.size, dtype=bool)

    def pick(self, agreeing: np.ndarray[Any, np.dtype[np.bool_]], key: str, value: str) -> None:
        """Keep the cars that also agree with `key = value`."""
        agreeing &= self.columns[key] == value

    def best(
        self, agreeing: np.ndarray[Any, np.dtype[np.bool_]], key: str, candidates: Sequence[str] | None
    ) -> str:
        """The candidate (any value when None) most frequent among the agreeing cars; ties go to the
        most frequent in the fold."""
        values = self.columns[key]
        chosen = values[agreeing]
        listed = sorted(set(values.tolist())) if candidates is None else candidates
        return max(listed, key=lambda v: (int((chosen == v).sum()), int((values == v).sum())))


def read_cars(instance: str) -> tuple[list[str], list[Car]]:
    """The recorded variables and the sold cars of an instance, as picks."""
    csp = load_instance(instance)
    header, lines = read_sales(data.renault_sales(instance))
    return header, [sales_picks(csp, header, line) for line in lines]


def compile_product(instance: str, folder: str) -> Any:
    """The instance compiled by the engine from a catalog folder written into `folder`."""
    rules = engine_facade()
    assert rules is not None, "the engine facade rules.load_catalog is missing"
    csp = load_instance(instance)
    write_table_catalog(csp, folder, product=f"renault-{instance}", source=csp.label)
    return rules.load_catalog(folder).products[f"renault-{instance}"]


def distinct_orders(cars: list[Car], count: int, seed: int) -> list[Car]:
    """`count` orders, all distinct: the cars, topped up with crossovers of two cars (learning cost
    does not depend on validity, and distinct orders are its worst case)."""
    rng = random.Random(seed)
    orders = list(cars[:count])
    seen = {tuple(sorted(car.items())) for car in orders}
    while len(orders) < count:
        first, second = rng.choice(cars), rng.choice(cars)
        mixed = {key: (first if rng.random() < 0.5 else second)[key] for key in first}
        signature = tuple(sorted(mixed.items()))
        if signature not in seen:
            seen.add(signature)
            orders.append(mixed)
    return orders


def replay(
    instance: str, product: Any, header: list[str], cars: list[Car], options: dict[str, Any]
) -> dict[str, Any]:
    """Cross-validate; returns the tallies, the timings and what was run."""
    seed, folds = options["seed"], options["fold_count"]
    parts = fold_parts(instance, cars, options["folds"], folds, seed)
    twins = {tuple(sorted(car.items())) for car in cars}
    settings = {"repeat": options["repeat"], "similarity": options["similarity"]}
    cars_per_fold = options["cars"] if options["cars"] is not None else DEFAULT_CARS.get(instance, 20)
    with_c, without = Tally(), Tally()
    rank_times: list[float] = []
    learn_times: list[float] = []
    everything = Recommender(cars, **settings)  # the in-sample reference: it has learned the test cars
    engine_times: list[float] = []
    advise_times: list[float] = []
    with_twin = 0
    for number, test in enumerate(parts):
        held = set(test)
        start = time.perf_counter()
        training = [cars[i] for i in range(len(cars)) if i not in held]
        recommender = Recommender(training, **settings)
        learn_times.append(time.perf_counter() - start)
        seen = {tuple(sorted(car.items())) for car in training}
        with_twin += sum(tuple(sorted(cars[i].items())) in seen for i in test)
        bayes = NaiveBayes(training, header)
        oracle = Oracle([cars[i] for i in test], header)
        popular = {key: recommender.popular(key)[0][0] for key in header}
        if number == 0:
            advise_times = time_advise(product, recommender, [cars[i] for i in test], header, options, seed)
        plain_limit = options["rows"] or len(test)
        engine_limit = cars_per_fold or len(test)
        for index, row in enumerate(test[: max(plain_limit, engine_limit)]):
            car = cars[row]
            variables = list(header)
            random.Random(seed * 1_000_003 + row).shuffle(variables)
            picks: dict[str, str] = {}
            agreeing = oracle.start()
            for step, key in enumerate(variables):
                truth = car[key]
                if index < plain_limit:
                    start = time.perf_counter()
                    ranked = recommender.rank(picks, key)
                    rank_times.append(time.perf_counter() - start)
                    without.add(
                        step,
                        len(ranked),
                        ranked[0][0] == truth,
                        oracle.best(agreeing, key, None) == truth,
                        popular[key] == truth,
                        bayes.best(picks, key, None) == truth,
                        everything.rank(picks, key)[0][0] == truth,
                    )
                if index < engine_limit:
                    start = time.perf_counter()
                    state = product.domains(picks, explain=False).attributes[key]
                    engine_times.append(time.perf_counter() - start)
                    allowed = [o.key for o in state.options if o.available]
                    if len(allowed) > 1:
                        start = time.perf_counter()
                        ranked = recommender.rank(picks, key, allowed)
                        rank_times.append(time.perf_counter() - start)
                        with_c.add(
                            step,
                            len(allowed),
                            ranked[0][0] == truth,
                            oracle.best(agreeing, key, allowed) == truth,
                            recommender.rank({}, key, allowed)[0][0] == truth,
                            bayes.best(picks, key, allowed) == truth,
                            everything.rank(picks, key, allowed)[0][0] == truth,
                        )
                picks[key] = truth
                oracle.pick(agreeing, key, truth)
        say(
            f"  fold {number + 1}/{folds}: learned {recommender.designs} distinct designs in "
            f"{learn_times[-1]:.2f} s; without {without.rate():.2f}% ({without.steps} steps), "
            f"with {with_c.rate():.2f}% ({with_c.steps} steps) so far"
        )
    return {
        "with": with_c,
        "without": without,
        "rank": percentiles_ms(rank_times),
        "engine": percentiles_ms(engine_times),
        "advise": percentiles_ms(advise_times),
        "advise_calls": len(advise_times),
        "with_twin": with_twin,
        "distinct": len(twins),
        "learn": learn_times,
        "cars_per_fold": cars_per_fold,
        "rows": options["rows"],
        "test_rows": sum(len(p) for p in parts),
    }


def time_advise(
    product: Any,
    recommender: Recommender,
    cars: list[Car],
    header: list[str],
    options: dict[str, Any],
    seed: int,
) -> list[float]:
    """Seconds per `advise()` call, as the configurator makes it, at every step of a few test cars.

    The benchmark's own heap (the sales history as thousands of dicts, the tallies) is frozen out of
    the garbage collector meanwhile: a configurator process holds no such heap, and its passes over
    it put 4-6 ms into one call in a few (medium: p95 5.9 ms as is, 1.8 ms frozen)."""
    limit = options["advise_cars"]
    learned = Learned(stamp=(), built_at=0.0, recommender=recommender, orders=0, start_from=None)
    times: list[float] = []
    gc.collect()
    gc.freeze()
    try:
        for index, car in enumerate(cars[:limit]):
            variables = list(header)
            random.Random(seed * 1_000_003 + index).shuffle(variables)
            picks: dict[str, str] = {}
            for key in variables:
                start = time.perf_counter()
                advise(product, picks, learned)
                times.append(time.perf_counter() - start)
                picks[key] = car[key]
    finally:
        gc.unfreeze()
    return times


def curve(tally: Tally, variables: int) -> list[str]:
    """The per-step success rates, steps grouped in about ten bands, and per number of candidates."""
    width = max(1, math.ceil(variables / 10))
    bands: list[str] = []
    for low in range(0, variables, width):
        hits = sum(tally.by_step.get(s, [0, 0])[0] for s in range(low, low + width))
        steps = sum(tally.by_step.get(s, [0, 0])[1] for s in range(low, low + width))
        if steps:
            bands.append(f"{low}-{low + width - 1}: {100 * hits / steps:5.1f}% ({steps})")
    sizes: dict[str, list[int]] = {}
    for count, (hits, steps) in sorted(tally.by_candidates.items()):
        label = str(count) if count < 5 else "5-9" if count < 10 else "10+"
        cell = sizes.setdefault(label, [0, 0])
        cell[0] += hits
        cell[1] += steps
    per_size = "  ".join(f"{k}: {100 * h / s:5.1f}% ({s})" for k, (h, s) in sizes.items())
    return ["      by picks so far   " + "  ".join(bands), "      by candidates     " + per_size]


def report(instance: str, result: dict[str, Any], header: list[str]) -> None:
    """Print the success rates, the curves and the timings."""
    subset = "every test car" if result["cars_per_fold"] == 0 else f"the first {result['cars_per_fold']}"
    rows = "every test car" if not result["rows"] else f"the first {result['rows']}"
    for name, tally, which in (
        ("with constraints", result["with"], f"{subset} of each fold, steps with 2+ allowed values"),
        ("without constraints", result["without"], f"{rows} of each fold, every step"),
    ):
        say(f"  {name}: {tally.interval()} of {tally.steps} recommendations ({which})")
        say(
            f"      most popular value {tally.interval(tally.popular)}, naive Bayes "
            f"{tally.interval(tally.bayes)}; oracle {tally.rate(tally.oracle):.2f}%, "
            f"in-sample {tally.rate(tally.in_sample):.2f}%"
        )
        for line in curve(tally, len(header)):
            say(line)
    say(f"  rank(): {format_ms(result['rank'])}")
    say(f"  engine domains() per step: {format_ms(result['engine'])}")
    calls = result["advise_calls"]
    say(f"  advise() as the configurator calls it ({calls} calls): {format_ms(result['advise'])}")
    learn = result["learn"]
    say(f"  learning per fold: mean {np.mean(learn):.2f} s, max {max(learn):.2f} s")
    if instance in PUBLISHED:
        say(f"  published (Fargier, Gimenez & Mengin 2020): {PUBLISHED[instance]}")


def verdicts(instance: str, scheme: str, result: dict[str, Any]) -> list[tuple[str, bool | None]]:
    """Each target of the instance on the fold scheme and whether it is met (None: not measured)."""
    found: list[tuple[str, bool | None]] = []
    for (folds, name, setting), target in TARGETS.items():
        if name == instance and folds == scheme:
            tally = result.get(setting)
            ok = None if tally is None or not tally.steps else tally.rate() >= target
            found.append((f"success {setting} constraints >= {target}% ({folds} folds)", ok))
    p95 = result.get("rank", {}).get("p95")
    found.append(
        (f"rank() p95 <= {RANK_P95_TARGET_MS:.0f} ms", None if p95 is None else p95 <= RANK_P95_TARGET_MS)
    )
    advised = result.get("advise", {}).get("p95")
    limit = ADVISE_P95_TARGET_MS.get(instance)
    if limit is not None:
        found.append(
            (
                f"advise() p95 <= {limit:.0f} ms, engine included",
                None if advised is None else advised <= limit,
            )
        )
    learned = result.get("learn_orders_s")
    found.append(
        (
            f"learning {LEARN_ORDERS:,} orders <= {LEARN_TARGET_S:.0f} s",
            None if learned is None else learned <= LEARN_TARGET_S,
        )
    )
    return found


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point; exit status 1 when a target fails."""
    parser = argparse.ArgumentParser(prog="python -m bench.recommender", description=__doc__.splitlines()[0])
    parser.add_argument("--instances", default="medium,big", help="comma-separated: medium, big")
    parser.add_argument(
        "--folds",
        choices=("shuffled", "grouped"),
        default="shuffled",
        help="shuffled rows (the paper's), or every copy of a configuration in one fold",
    )
    parser.add_argument("--fold-count", type=int, default=10)
    parser.add_argument(
        "--cars",
        type=int,
        default=None,
        help="test cars per fold replayed with the engine (default: medium 150, big 20; 0 = all)",
    )
    parser.add_argument(
        "--rows", type=int, default=0, help="test cars per fold replayed without constraints (0 = all)"
    )
    parser.add_argument(
        "--advise-cars",
        type=int,
        default=None,
        help="test cars of the first fold whose every step times advise() (default: medium 10, big 3)",
    )
    parser.add_argument("--repeat", type=float, default=REPEAT, help="the recommender's REPEAT")
    parser.add_argument("--similarity", type=float, default=SIMILARITY, help="the recommender's SIMILARITY")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    options = vars(args)
    failed = False
    started = time.perf_counter()
    say(f"{load_average()} at the start")
    for instance in [name.strip() for name in args.instances.split(",") if name.strip()]:
        if instance not in DEFAULT_CARS:
            parser.error(f"unknown instance {instance!r} (medium or big: the ones with sales)")
        options["advise_cars"] = (
            args.advise_cars if args.advise_cars is not None else DEFAULT_ADVISE_CARS[instance]
        )
        say(
            f"== Renault {instance}: recommendations, {args.fold_count} {args.folds} folds, "
            f"seed {args.seed}, REPEAT {args.repeat:g}, SIMILARITY {args.similarity:g} =="
        )
        header, cars = read_cars(instance)
        with tempfile.TemporaryDirectory(prefix=f"bench-recommender-{instance}-") as tmp:
            start = time.perf_counter()
            product = compile_product(instance, tmp)
            say(
                f"  {len(cars)} sales rows x {len(header)} variables; engine compiled in "
                f"{time.perf_counter() - start:.1f} s"
            )
            result = replay(instance, product, header, cars, options)
            say(
                f"  {result['distinct']} distinct configurations; {result['with_twin']} of "
                f"{result['test_rows']} test cars ({100 * result['with_twin'] / result['test_rows']:.1f}%) "
                "have an identical twin in their training folds"
            )
            orders = distinct_orders(cars, LEARN_ORDERS, args.seed)
            start = time.perf_counter()
            Recommender(orders)
            result["learn_orders_s"] = time.perf_counter() - start
            say(
                f"  learning {len(orders):,} distinct orders ({len(cars)} sales rows and crossovers of "
                f"two): {result['learn_orders_s']:.2f} s"
            )
            report(instance, result, header)
            start = time.perf_counter()
            sales = Recommender(cars)
            design = sales.most_popular_design(product)
            problems = product.validate(design)
            say(
                f"  most popular design: {'valid' if not problems else f'INVALID {problems[:2]}'}, "
                f"{sum(design.get(k) == sales.popular(k)[0][0] for k in header)}/{len(header)} "
                f"recorded variables at their most popular value, {time.perf_counter() - start:.2f} s"
            )
            failed |= bool(problems)
        say(f"  targets ({instance}):")
        for label, ok in verdicts(instance, args.folds, result):
            say(f"    {'PASS   ' if ok else 'BLOCKED' if ok is None else 'FAIL   '} {label}")
            failed |= ok is False
    say(f"total run time {time.perf_counter() - started:.0f} s; {load_average()} at the end")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
