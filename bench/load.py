"""Load on loopback against the production shape: a bare Flask endpoint, `/configure` alone, then a mix.

Starts what `scripts/run-prod` starts (PostgreSQL, Redis, `atelier db upgrade`, `atelier rules publish
catalog/`, gunicorn with `gunicorn.conf.py`, a Celery worker and beat; offline payments) in a temporary
state folder, plus `bench/bare_app.py` under the same gunicorn settings. Then:

1. the bare endpoint's requests/s with `--clients` concurrent clients for `--phase-seconds`;
2. `/configure` alone (pick sequences on the demo products): requests/s and latency, and its ratio to
   the bare endpoint's (target at least 0.6); beside it, as references, the app's `/healthz` (what
   any request costs in the app) and one configure answer repeated (what a cached answer costs);
3. after `--warmup` seconds of the mix, the mix itself for `--duration` seconds: browse 20%, configure
   50%, previews 20% (mostly URLs already fetched), saves 5%, checkouts 5% (design, cart, lines,
   contact, checkout, complete); per kind requests/s, p50/p95/p99 and errors, and the memory (RSS) of
   gunicorn (master and workers) and of the Celery worker before and after (target: no error, growth at
   most 10%).

Each client is a process of its own (one connection, one request at a time), so the clients' Python
does not serialise on one GIL. Everything stops by itself, and on Ctrl-C. Run from the repository root:
`python -m bench.load [--duration 600] [--clients 8]`.
"""

from __future__ import annotations

import argparse
import http.client
import json
import logging
import multiprocessing
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.pool import Pool
from pathlib import Path
from typing import Any

from bench.timing import load_average, percentiles_ms, say
from configurator.devservices import ServiceUnavailable, free_ports_below_ephemeral_range
from scripts.run_prod import Ports, RefusedToStart, Supervisor, _signal_group, _tool, production_environment

REPO = Path(__file__).resolve().parents[1]
PRODUCTS = ("engraved-mug", "celebration-cake", "custom-sneaker")
RATIO_TARGET = 0.6
GROWTH_TARGET = 0.10
SHOP_BUCKETS = ("configure", "designs", "carts", "checkout")
WEIGHTS = {"browse": 20, "configure": 50, "previews": 20, "saves": 5, "checkouts": 5}
# The app lets one client address draw 120 uncached previews a minute and every client here is
# 127.0.0.1: new designs are fetched at half that, so a 429 means the limiter misbehaves, not the bench.
NEW_RENDERS_PER_SECOND = 1.0
# How long to wait for the production shape to answer (a wait, not a target): about 15 s on a quiet
# 2-core machine, two minutes or more on a busy one, where every process first imports the app.
READY_TIMEOUT = 300.0
# The references beside phase 2: every answer the same first step, always served from the cache.
FIRST_STEP = f"/api/v1/products/{PRODUCTS[0]}/configure"
FIRST_STEP_BODY = {"picks": {}, "currency": "EUR", "quantity": 1}
TEXTS = ("For Sam", "Chloé", "Happy 40th!", "Léa & Tom", "Merci", "Best dad", "Joyeux anniversaire")
CONTACT = {
    "email": "load@example.org",
    "name": "Load Test",
    "address": {"country": "FR", "postal_code": "75011", "city": "Paris", "line1": "1 rue de la Roquette"},
}


# --- the clients (each runs in a process of its own) ------------------------------------------------


@dataclass
class Tally:
    """One client's figures: latencies of the answers that were right, and the wrong ones."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    samples: list[str] = field(default_factory=list)
    flows: int = 0

    def add(self, kind: str, seconds: float) -> None:
        self.latencies.setdefault(kind, []).append(seconds)

    def fail(self, kind: str, what: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1
        if len(self.samples) < 5:
            self.samples.append(f"{kind}: {what}")

    def merge(self, other: Tally) -> None:
        for kind, values in other.latencies.items():
            self.latencies.setdefault(kind, []).extend(values)
        for kind, count in other.errors.items():
            self.errors[kind] = self.errors.get(kind, 0) + count
        self.samples.extend(other.samples[: max(0, 10 - len(self.samples))])
        self.flows += other.flows


class Failed(Exception):
    """An answer the shop should not have given (or none): counted, and the current flow is dropped."""


@dataclass
class Client:
    """One shopper's connection; `call` times a request and checks its status."""

    port: int
    tally: Tally
    connection: http.client.HTTPConnection | None = None

    def call(
        self,
        kind: str,
        method: str,
        path: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
        ok: Sequence[int] = (200, 201, 304),
    ) -> tuple[int, Any, http.client.HTTPMessage]:
        sent = dict(headers or {})
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        started = time.perf_counter()
        try:
            self.connection.request(method, path, body=data, headers=sent)
            response = self.connection.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException) as error:
            # sync workers close after each answer; a failure here is a refused or dropped connection
            self.connection.close()
            self.connection = None
            self.tally.fail(kind, f"{method} {path[:60]}: {type(error).__name__} {error}")
            raise Failed from error
        elapsed = time.perf_counter() - started
        if response.status not in ok:
            self.tally.fail(kind, f"{method} {path[:60]}: {response.status} {raw[:160]!r}")
            raise Failed
        self.tally.add(kind, elapsed)
        parsed = json.loads(raw) if raw and response.headers.get_content_type().endswith("json") else raw
        return response.status, parsed, response.headers

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()


@dataclass
class Shopper:
    """The state of one shopper: the product being configured, its picks, previews already seen."""

    client: Client
    rng: random.Random
    clients: int
    kinds: dict[str, dict[str, str]] = field(default_factory=dict)
    product: str = ""
    picks: dict[str, Any] = field(default_factory=dict)
    steps_left: int = 0
    # the picks of the last answer that was consistent and valid: what a shopper can save and buy
    saved_picks: dict[str, Any] = field(default_factory=dict)
    fresh_preview: str | None = None
    seen_previews: list[str] = field(default_factory=list)
    etags: dict[str, str] = field(default_factory=dict)
    next_render: float = 0.0
    design: str | None = None

    def attribute_kinds(self, product: str, kind: str = "browse") -> dict[str, str]:
        if product not in self.kinds:
            _, detail, _ = self.client.call(kind, "GET", f"/api/v1/products/{product}")
            self.kinds[product] = {a["key"]: a["kind"] for a in detail["attributes"]}
        return self.kinds[product]

    def start_sequence(self) -> None:
        self.product = self.rng.choice(PRODUCTS)
        self.picks = {}
        self.saved_picks = {}
        self.steps_left = self.rng.randint(3, 6)

    def configure(self, kind: str = "configure") -> None:
        """One step of a sequence: the answer to the picks so far, then one more pick among what it allows."""
        if self.steps_left <= 0:
            self.start_sequence()
        kinds = self.attribute_kinds(self.product)
        body = {"picks": self.picks, "currency": "EUR", "quantity": 1}
        language = self.rng.choice(("en", "fr"))
        path = f"/api/v1/products/{self.product}/configure"
        _, answer, _ = self.client.call(kind, "POST", path, body, {"Accept-Language": language})
        if answer.get("consistent") and answer.get("valid"):
            self.saved_picks = dict(self.picks)
        self.fresh_preview = (answer.get("preview") or {}).get("url")
        self.steps_left -= 1
        self.pick(answer["domains"], kinds)

    def pick(self, domains: list[dict[str, Any]], kinds: dict[str, str]) -> None:
        choices: list[tuple[str, Any]] = []
        for domain in domains:
            if domain.get("applies") is False or domain["key"] in self.picks:
                continue
            kind = kinds.get(domain["key"], "")
            available = [o["key"] for o in domain["options"] if o["available"]]
            if kind == "multi" and available:
                choices.append((domain["key"], [self.rng.choice(available)]))
            elif kind != "image" and available:
                choices.append((domain["key"], self.rng.choice(available)))
            elif kind == "text" and domain.get("text") and domain["text"].get("may_be_present"):
                limit = int(domain["text"].get("max_length") or 20)
                choices.append((domain["key"], self.rng.choice(TEXTS)[:limit].strip()))
        if choices:
            key, value = self.rng.choice(choices)
            self.picks[key] = value
        else:
            self.steps_left = 0

    def browse(self) -> None:
        product = self.rng.choice(PRODUCTS)
        path = self.rng.choice(
            ("/", "/api/v1/products", f"/api/v1/products/{product}", f"/products/{product}")
        )
        self.client.call("browse", "GET", path)

    def preview(self) -> None:
        """A new design's preview now and then (paced under the render limit), else one seen before."""
        now = time.monotonic()
        url = self.fresh_preview
        if url is None or url in self.etags or now < self.next_render:
            url = self.rng.choice(self.seen_previews) if self.seen_previews else None
        if url is None:
            self.configure()
            return
        headers = {"Accept": "image/avif,image/webp,*/*"}
        if url in self.etags and self.rng.random() < 0.5:
            headers["If-None-Match"] = self.etags[url]  # a browser revalidating its copy: 304
        if url not in self.etags:
            self.next_render = now + self.clients / NEW_RENDERS_PER_SECOND
        _, _, answer_headers = self.client.call("previews", "GET", url, headers=headers)
        if url not in self.etags:
            self.etags[url] = answer_headers.get("ETag", "")
            self.seen_previews.append(url)
            if len(self.seen_previews) > 60:
                self.etags.pop(self.seen_previews.pop(0), None)

    def save(self, kind: str = "saves") -> str:
        if not self.product:
            self.start_sequence()
        body = {"product": self.product, "picks": self.saved_picks}
        _, answer, _ = self.client.call(kind, "POST", "/api/v1/designs", body)
        self.design = answer["id"]
        return str(answer["id"])

    def checkout(self) -> None:
        """The whole purchase of the README's walkthrough, ending with a paid order."""
        call = self.client.call
        design = self.save("checkouts")
        _, cart, _ = call("checkouts", "POST", "/api/v1/carts", {"currency": "EUR"})
        lines = f"/api/v1/carts/{cart['id']}/lines"
        call("checkouts", "POST", lines, {"design": design, "quantity": self.rng.randint(1, 3)})
        call("checkouts", "PUT", f"/api/v1/carts/{cart['id']}/contact", CONTACT)
        headers = {"Idempotency-Key": str(uuid.uuid4())}
        _, done, _ = call("checkouts", "POST", f"/api/v1/carts/{cart['id']}/checkout", {}, headers)
        token = done["order"]["token"]
        _, order, _ = call("checkouts", "POST", f"/api/v1/orders/{token}/complete")
        if order.get("status") != "paid":
            self.client.tally.fail("checkouts", f"order {order.get('number')} is {order.get('status')}")
            raise Failed
        self.client.tally.flows += 1


def _ignore_interrupts() -> None:
    # Ctrl-C reaches the whole terminal group: the parent stops the clients itself (SIGTERM, as
    # forked clients would otherwise inherit the parent's handler and outlive `Pool.terminate`).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def run_client(task: tuple[str, int, float, int, int]) -> Tally:
    """One client until the deadline (a `time.time()`, shared by every process) for a phase."""
    phase, port, deadline, seed, clients = task
    tally = Tally()
    client = Client(port, tally)
    shopper = Shopper(client, random.Random(seed), clients)
    actions: dict[str, Callable[[], object]] = {
        "browse": shopper.browse,
        "configure": shopper.configure,
        "previews": shopper.preview,
        "saves": shopper.save,
        "checkouts": shopper.checkout,
    }
    names, weights = list(WEIGHTS), list(WEIGHTS.values())
    try:
        for product in PRODUCTS if phase != "bare" else ():  # pages loaded before configuring
            shopper.attribute_kinds(product, "setup")
    except Failed:
        pass
    tally.latencies.pop("setup", None)
    while time.time() < deadline:
        try:
            if phase == "bare":
                client.call("bare", "GET", "/ping", ok=(200,))
            elif phase == "healthz":
                client.call("healthz", "GET", "/healthz", ok=(200,))
            elif phase == "cached":
                client.call("cached", "POST", FIRST_STEP, FIRST_STEP_BODY, ok=(200,))
            elif phase == "configure":
                shopper.configure()
            else:
                actions[shopper.rng.choices(names, weights)[0]]()
        except Failed:
            shopper.start_sequence()
            time.sleep(0.05)  # a refused connection must not turn into a busy loop
    client.close()
    return tally


# --- the server side -------------------------------------------------------------------------------


class LoadSupervisor(Supervisor):
    """run-prod's supervisor with each process's output in a log file: one log line per request would
    drown the report."""

    def spawn(self, name: str, command: Sequence[str], env: dict[str, str] | None = None) -> None:
        with (self.state / f"{name}.log").open("ab") as log:
            self.processes[name] = subprocess.Popen(
                command,
                cwd=REPO,
                env=env or self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def prepare(self, catalog: str) -> None:
        """Migrate, then publish, as run-prod does; their output goes to the state folder."""
        atelier = _tool("atelier")
        with (self.state / "prepare.log").open("ab") as log:
            for command in ([atelier, "db", "upgrade"], [atelier, "rules", "publish", catalog]):
                subprocess.run(
                    command, cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT, check=True
                )

    def stop_one(self, name: str) -> None:
        process = self.processes.pop(name)
        _signal_group(process, signal.SIGTERM)
        try:
            process.wait(25)
        except subprocess.TimeoutExpired:
            _signal_group(process, signal.SIGKILL)
            process.wait(5)


def wait_ready(port: int, path: str, supervisor: Supervisor) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        for name, process in supervisor.processes.items():
            if process.poll() is not None:
                raise ServiceUnavailable(f"{name} exited with {process.returncode} (see {supervisor.state})")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            connection.request("GET", path)
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            connection.close()
        time.sleep(0.3)
    raise ServiceUnavailable(f"127.0.0.1:{port}{path} did not answer 200 within {READY_TIMEOUT:.0f} s")


def group_rss_mb(leader: int) -> float:
    """Resident memory of every live process in `leader`'s process group (a master and its workers)."""
    total_kb = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as stat:
                # the command name may hold spaces: fields are counted after its closing parenthesis
                fields = stat.read().rpartition(")")[2].split()
            if int(fields[2]) != leader:
                continue
            with open(f"/proc/{entry}/status", encoding="ascii", errors="replace") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total_kb += int(line.split()[1])
        except (OSError, ValueError, IndexError):
            continue  # the process ended while we read it
    return total_kb / 1024


def answer_cache_counts(port: int) -> dict[str, float]:
    """Configure answers served from the cache or computed so far, summed over the workers (/metrics)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", "/metrics")
        text = connection.getresponse().read().decode()
    finally:
        connection.close()
    counts: dict[str, float] = {}
    for line in text.splitlines():
        if line.startswith("atelier_answer_cache_total{"):
            labels, value = line.rsplit(" ", 1)
            outcome = labels.split('outcome="', 1)[1].split('"', 1)[0]
            counts[outcome] = counts.get(outcome, 0.0) + float(value)
    return counts


def memory(supervisor: Supervisor) -> dict[str, float]:
    return {name: group_rss_mb(supervisor.processes[name].pid) for name in ("web", "worker")}


# --- phases and report -----------------------------------------------------------------------------


def run_phase(
    pool: Pool,
    phase: str,
    port: int,
    seconds: float,
    clients: int,
    seed: int,
    tick: Callable[[], None] | None = None,
) -> tuple[Tally, float]:
    """`clients` processes for `seconds`; the merged tally and the wall time actually spent."""
    started = time.time()
    tasks = [(phase, port, started + seconds, seed * 1000 + i, clients) for i in range(clients)]
    pending = pool.map_async(run_client, tasks)
    while not pending.ready():
        pending.wait(1.0)
        if tick is not None:
            tick()
    merged = Tally()
    for tally in pending.get():
        merged.merge(tally)
    return merged, time.time() - started


def rows(tally: Tally, seconds: float) -> list[dict[str, Any]]:
    kinds = sorted(set(tally.latencies) | set(tally.errors), key=lambda k: [*WEIGHTS, k].index(k))
    table = []
    for kind in kinds:
        values = tally.latencies.get(kind, [])
        stats = percentiles_ms(values)
        table.append(
            {
                "kind": kind,
                "requests": len(values),
                "rps": len(values) / seconds,
                "p50": stats.get("p50", float("nan")),
                "p95": stats.get("p95", float("nan")),
                "p99": stats.get("p99", float("nan")),
                "errors": tally.errors.get(kind, 0),
            }
        )
    return table


def print_table(table: list[dict[str, Any]]) -> None:
    say(
        f"  {'kind':<10} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}"
    )
    for row in table:
        say(
            f"  {row['kind']:<10} {row['requests']:>9} {row['rps']:>8.1f} {row['p50']:>8.1f} "
            f"{row['p95']:>8.1f} {row['p99']:>8.1f} {row['errors']:>7}"
        )


def to_bare(rps: float, results: dict[str, Any]) -> float:
    """Requests/s as a multiple of the bare endpoint's (0 when the bare phase answered nothing)."""
    return rps / results["bare_rps"] if results["bare_rps"] else 0.0


def verdicts(results: dict[str, Any]) -> list[tuple[str, bool]]:
    """The targets' lines: the configure/bare ratio, then errors and memory growth over the mix."""
    ratio = to_bare(results["configure_rps"], results)
    lines = [
        (
            f"/configure at {ratio:.2f}x the bare endpoint's req/s (target >= {RATIO_TARGET})",
            ratio >= RATIO_TARGET,
        )
    ]
    errors = results["mix_errors"]
    lines.append((f"mix errors: {errors} (target 0)", errors == 0))
    before, after = results["memory_before"], results["memory_after"]
    growth = {name: (after[name] - before[name]) / before[name] if before[name] else 0.0 for name in before}
    worst = max(growth.values(), default=0.0)
    detail = ", ".join(
        f"{name} {before[name]:.0f} -> {after[name]:.0f} MiB ({growth[name]:+.1%})" for name in before
    )
    lines.append(
        (f"memory growth over the mix: {detail} (target <= {GROWTH_TARGET:.0%})", worst <= GROWTH_TARGET)
    )
    halfway = results.get("memory_halfway")
    if halfway:
        # Bounded caches fill early; a leak keeps growing in the second half too.
        late = ", ".join(
            f"{name} {(after[name] - middle) / middle:+.1%}" for name, middle in halfway.items() if middle
        )
        say(f"(memory over the second half of the mix: {late})")
    return lines


def measure(args: argparse.Namespace, supervisor: LoadSupervisor, ports: Ports, pool: Pool) -> dict[str, Any]:
    results: dict[str, Any] = {}
    [bare_port] = free_ports_below_ephemeral_range(1)
    bare_env = {**supervisor.env, "ATELIER_BIND": f"127.0.0.1:{bare_port}"}
    bare_env.pop("PROMETHEUS_MULTIPROC_DIR", None)  # not an Atelier process: it writes no counts
    supervisor.spawn(
        "bare", [_tool("gunicorn"), "-c", str(REPO / "gunicorn.conf.py"), "bench.bare_app:app"], bare_env
    )
    wait_ready(bare_port, "/ping", supervisor)

    say(f"\n1. bare Flask JSON endpoint (GET /ping), {args.clients} clients, {args.phase_seconds:.0f} s")
    tally, seconds = run_phase(pool, "bare", bare_port, args.phase_seconds, args.clients, 1)
    table = rows(tally, seconds)
    print_table(table)
    results["bare_rps"] = table[0]["rps"] if table else 0.0
    supervisor.stop_one("bare")

    say(f"\n2. /configure alone (pick sequences on {', '.join(PRODUCTS)}), {args.clients} clients")
    cached_before = answer_cache_counts(ports.web)
    tally, seconds = run_phase(pool, "configure", ports.web, args.phase_seconds, args.clients, 2)
    table = rows(tally, seconds)
    print_table(table)
    cached = {k: v - cached_before.get(k, 0) for k, v in answer_cache_counts(ports.web).items()}
    answered = sum(cached.values())
    if answered:
        say(f"  answers from the per-worker cache: {cached.get('hit', 0) / answered:.0%} of {answered:.0f}")
    configure = [row for row in table if row["kind"] == "configure"]
    results["configure_rps"] = configure[0]["rps"] if configure else 0.0
    for sample in tally.samples:
        say(f"  error: {sample}")

    say("\n   references (not targets): where the gap to the bare endpoint lies")
    for phase, what in (
        ("healthz", "the app's cheapest endpoint, GET /healthz: every request's own cost"),
        ("cached", "the same first configure step again and again: an answer from the cache"),
    ):
        tally, seconds = run_phase(pool, phase, ports.web, args.phase_seconds, args.clients, 5)
        row = (rows(tally, seconds) or [{"rps": 0.0, "p50": 0.0}])[0]
        results[f"{phase}_rps"] = row["rps"]
        ratio = to_bare(row["rps"], results)
        say(f"  {what}: {row['rps']:.0f} req/s, {ratio:.2f}x bare, p50 {row['p50']:.1f} ms")

    say(f"\n3. the mix ({', '.join(f'{k} {v}%' for k, v in WEIGHTS.items())}), {args.clients} clients")
    say(f"  warm-up: {args.warmup:.0f} s of the mix, not counted")
    run_phase(pool, "mix", ports.web, args.warmup, args.clients, 3)
    results["memory_before"] = memory(supervisor)
    say(f"  memory after warm-up: {_mib(results['memory_before'])}; mix for {args.duration:.0f} s")
    next_report = time.monotonic() + 60
    halfway = time.monotonic() + args.duration / 2

    def tick() -> None:
        nonlocal next_report
        if "memory_halfway" not in results and time.monotonic() >= halfway:
            results["memory_halfway"] = memory(supervisor)
        if time.monotonic() >= next_report:
            next_report += 60
            say(f"  ... {_mib(memory(supervisor))}, {load_average()}")

    tally, seconds = run_phase(pool, "mix", ports.web, args.duration, args.clients, 4, tick)
    results["memory_after"] = memory(supervisor)
    table = rows(tally, seconds)
    total = sum(row["requests"] for row in table)
    print_table(table)
    say(f"  all        {total:>9} {total / seconds:>8.1f}   ({tally.flows} paid orders, {seconds:.0f} s)")
    for sample in tally.samples:
        say(f"  error: {sample}")
    results["mix_errors"] = sum(tally.errors.values())
    results["mix"] = table
    return results


def _mib(figures: dict[str, float]) -> str:
    return ", ".join(f"{name} {value:.0f} MiB" for name, value in figures.items())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.load", description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=600.0, help="seconds of the mix (default 600)")
    parser.add_argument("--phase-seconds", type=float, default=30.0, help="seconds of phases 1 and 2")
    parser.add_argument(
        "--warmup", type=float, default=120.0, help="seconds of the mix before the memory baseline"
    )
    parser.add_argument(
        "--clients", type=int, default=8, help="concurrent clients (2 shared cores: keep it modest)"
    )
    parser.add_argument("--catalog", default="catalog/")
    parser.add_argument(
        "--keep", action="store_true", help="keep the state folder (logs, database) afterwards"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="load: %(message)s")

    # The state folder sits in /tmp: PostgreSQL's own account must be able to reach its data in it.
    state = Path(tempfile.mkdtemp(prefix="atelier-load-"))
    state.chmod(0o755)
    # Below the ephemeral range: the ports are bound a minute later on a busy machine, and meanwhile
    # any outgoing connection here could take one of that range.
    ports = Ports(*free_ports_below_ephemeral_range(3))
    environ = {
        **os.environ,
        "ATELIER_ALLOW_OFFLINE_PAYMENTS": "1",
        # Every client here is 127.0.0.1: the shop's limits stay counted (in Redis, as in production)
        # but far above what the clients send, so the figures include the limiter's cost.
        "ATELIER_RATELIMITS": ",".join(f"{bucket}=1000000" for bucket in SHOP_BUCKETS),
    }
    for key in (
        "ATELIER_PAYMENTS",
        "ATELIER_STRIPE_SECRET_KEY",
        "ATELIER_DATABASE_URL",
        "ATELIER_BROKER_URL",
    ):
        environ.pop(key, None)
    say(f"bench.load: production shape in {state}, {args.clients} clients, {load_average()}")
    pool: Pool | None = None
    supervisor: LoadSupervisor | None = None
    status = 1
    previous = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        supervisor = LoadSupervisor(state, production_environment(environ, state, ports))
        supervisor.start_services(ports)
        supervisor.prepare(args.catalog)
        supervisor.start_app()
        wait_ready(ports.web, "/readyz", supervisor)
        workers = _gunicorn_workers(supervisor.env)
        say(f"  gunicorn: {workers} sync workers on 127.0.0.1:{ports.web}; Celery worker and beat running")
        pool = multiprocessing.get_context("fork").Pool(args.clients, initializer=_ignore_interrupts)
        results = measure(args, supervisor, ports, pool)
        say("\nverdicts")
        status = 0
        for text, ok in verdicts(results):
            say(f"{'PASS' if ok else 'FAIL'}: {text}")
            status = status if ok else 1
    except KeyboardInterrupt:
        say("\ninterrupted: stopping everything")
        status = 130
    except (RefusedToStart, ServiceUnavailable, subprocess.CalledProcessError) as error:
        say(f"could not start: {error}")
    finally:
        # A second Ctrl-C must not cut the clean-up short and leave servers behind.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if pool is not None:
            pool.terminate()
            pool.join()
        if supervisor is not None:
            supervisor.stop()
        if args.keep:
            say(f"state kept in {state}")
        else:
            shutil.rmtree(state, ignore_errors=True)
        say("everything stopped")
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return status


def _interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt  # SIGTERM cleans up as Ctrl-C does


def _gunicorn_workers(env: dict[str, str]) -> int:
    probe = "import runpy; print(runpy.run_path('gunicorn.conf.py')['workers'])"
    answer = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, env=env, capture_output=True, text=True, check=False
    )
    return int(answer.stdout.strip() or 0)


if __name__ == "__main__":
    sys.exit(main())
