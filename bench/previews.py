"""Preview rendering on the demo catalog: the renderer against a raw Pillow composite of the same layers.

For each demo product, view and size: the median time of `rules.preview.render` on distinct valid
designs (assets already prepared, rendered bytes not cached), against the same layers composited and
encoded by hand with Pillow (assets resized beforehand, no caches, no checks: the floor); the cached
path (render key + lookup in an in-memory dict); then many distinct designs in a row, with the growth
of the process's peak memory.

Then a flood: N distinct previews stored through `PreviewCache` into a fresh folder, the store's size
every tenth of the way, first without a budget (the baseline: it only grows), then with a budget of a
quarter of what the baseline stored, in one process and in several processes at once (the store's
size sampled while they write). The bytes are those of real renders of the demo catalog, reused under
distinct keys (what the store holds depends on their sizes, not on their pixels). Run from the
repository root: `python -m bench.previews`.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import multiprocessing
import random
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from bench.timing import load_average, peak_rss_mb, say
from configurator.previews.cache import Budget, PreviewCache
from configurator.storage import FileBlobStore
from rules import Product, load_catalog
from rules.model import AttributeKind, ImageLayer, OverlayLayer, TextLayer, TintLayer, Value, View
from rules.preview import content_hash, render, render_key
from rules.preview import renderer as rendering
from rules.preview.assets import font as cached_font
from rules.preview.assets import open_png
from rules.preview.text import fit_size

CATALOG = Path(__file__).resolve().parents[1] / "catalog"
PRODUCTS = ("engraved-mug", "celebration-cake", "custom-sneaker", "name-bottle")
RATIO_TARGET = 1.3  # uncached render / raw composite
CACHED_TARGET_MS = 1.0
MEMORY_TARGET_MB = 50.0
FLOOD_BUDGET_SHARE = 0.25  # the budget, as a share of what the flood stores without one
SWEEP_TARGET = 0.10  # what the budget adds per stored preview, as a share of one render
RENDERS_PER_DAY = 120 * 60 * 24  # one client at the `previews` rate limit, all day
MB = 1024 * 1024


def random_designs(product: Product, count: int, seed: int) -> list[dict[str, Value]]:
    """`count` distinct valid designs: random picks of every attribute, completed by the product."""
    rng = random.Random(seed)
    found: dict[str, dict[str, Value]] = {}
    for _ in range(count * 20):
        picks: dict[str, Value] = {}
        for attribute in product.model.attributes:
            if rng.random() < 0.4:
                continue
            if attribute.kind in (AttributeKind.CHOICE, AttributeKind.COLOUR):
                picks[attribute.key] = rng.choice(attribute.options).key
            elif attribute.kind is AttributeKind.MULTI:
                keys = [o.key for o in attribute.options]
                picks[attribute.key] = frozenset(
                    rng.sample(keys, rng.randint(0, attribute.max_count or len(keys)))
                )
            elif attribute.kind is AttributeKind.NUMBER:
                picks[attribute.key] = rng.choice(list(attribute.number_values()))
            elif attribute.kind is AttributeKind.BOOLEAN:
                picks[attribute.key] = rng.random() < 0.5
            elif attribute.text is not None:
                length = rng.randint(0, attribute.text.max_length)
                picks[attribute.key] = "".join(rng.choice("abcdefghij KLMNOP") for _ in range(length)).strip()
        design = product.complete(picks)
        if product.validate(design):
            continue
        found.setdefault(render_key("", design, "", 0, ""), design)
        if len(found) == count:
            break
    return list(found.values())


class RawComposite:
    """The same layers composited by hand: assets decoded and resized up front, whole-canvas composites."""

    def __init__(self, product: Product, view: View, size: int) -> None:
        self.model = product.model
        self.view = view
        self.target = rendering.output_size(view, size)
        self.scale = self.target[0] / view.size[0]
        self.images: dict[str, Image.Image] = {}
        for layer in view.layers:
            paths = layer.assets() if not isinstance(layer, TextLayer) else ()
            for path in paths:
                image = open_png((CATALOG / path).read_bytes(), path)
                image = image.convert("L" if isinstance(layer, TintLayer) else "RGBA")
                self.images[path] = image.resize(self.target, Image.Resampling.LANCZOS)

    def draw(self, design: dict[str, Value], fmt: str) -> bytes:
        env = rendering._env(self.model, design)
        canvas = Image.new("RGBA", self.target, (0, 0, 0, 0))
        for layer in self.view.layers:
            when = getattr(layer, "when", None)
            if when is not None and not when.evaluate(env):
                continue
            if isinstance(layer, ImageLayer):
                canvas.alpha_composite(self.images[layer.path])
            elif isinstance(layer, OverlayLayer):
                picked = design.get(layer.attribute) if layer.attribute else ""
                for key, path in layer.images.items():
                    if key == picked or (isinstance(picked, frozenset) and key in picked):
                        canvas.alpha_composite(self.images[path])
            elif isinstance(layer, TintLayer):
                hex_colour = rendering.colour_of(self.model, layer.colour, design) or "#808080"
                grey = canvas.convert("L").convert("RGB")
                tinted = grey.point(rendering.tint_lut(hex_colour, layer.neutral)).convert("RGBA")
                canvas = Image.composite(tinted, canvas, self.images[layer.mask])
            elif isinstance(layer, TextLayer):
                text = design.get(layer.attribute)
                if not isinstance(text, str) or not text:
                    continue
                _, path = rendering.chosen_font(layer, self.model, design)
                x, y, width, height = layer.box
                size, _ = fit_size(
                    lambda s, p=path: cached_font(rendering.default_assets(self.model), p, s),  # type: ignore[misc]
                    text.split("\n"),
                    (width, height),
                    layer.min_size,
                    layer.max_size,
                    0,
                )
                face = cached_font(
                    rendering.default_assets(self.model), path, max(1, round(size * self.scale))
                )
                ImageDraw.Draw(canvas).text(
                    (round((x + width / 2) * self.scale), round((y + height / 2) * self.scale)),
                    text,
                    font=face,
                    fill=layer.colour,
                    anchor="mm",
                )
        buffer = io.BytesIO()
        if fmt == "png":
            canvas.save(buffer, "PNG", compress_level=rendering.PNG_COMPRESS_LEVEL)
        else:
            canvas.save(buffer, "WEBP", quality=rendering.WEBP_QUALITY, method=rendering.WEBP_METHOD)
        return buffer.getvalue()


def median_ms(samples: Sequence[float]) -> float:
    return statistics.median(samples) * 1000


def measure(
    product: Product, view: View, size: int, designs: list[dict[str, Value]], fmt: str
) -> dict[str, float]:
    """Median ms of the renderer, of the raw composite, and of a cached hit, on the same designs."""
    raw = RawComposite(product, view, size)
    render(product, designs[0], view.key, size, fmt)  # prepares the assets, as a running process has
    raw.draw(designs[0], fmt)
    ours: list[float] = []
    floor: list[float] = []
    for design in designs:
        # Alternate so that a busy moment on the machine weighs on both sides alike.
        start = time.perf_counter()
        render(product, design, view.key, size, fmt)
        middle = time.perf_counter()
        raw.draw(design, fmt)
        floor.append(time.perf_counter() - middle)
        ours.append(middle - start)
    version = content_hash(product)
    cache: dict[str, bytes] = {}
    for design in designs:
        cache[render_key(version, design, view.key, size, fmt)] = b"..."
    hits: list[float] = []
    for design in designs:
        start = time.perf_counter()
        found = cache.get(render_key(version, design, view.key, size, fmt))
        hits.append(time.perf_counter() - start)
        assert found is not None
    return {"render": median_ms(ours), "raw": median_ms(floor), "cached": median_ms(hits)}


def in_a_row(products: list[Product], count: int, size: int, fmt: str, seed: int) -> dict[str, float]:
    """Peak memory growth over `count` distinct designs, round robin over the products and their views."""
    plans = [(p, v, d) for p in products for v in p.model.views for d in random_designs(p, count, seed + 1)]
    rng = random.Random(seed)
    rng.shuffle(plans)
    for product in products:  # the first render of each view prepares its base assets
        for view in product.model.views:
            render(product, product.defaults(), view.key, size, fmt)
    before = peak_rss_mb()
    start = time.perf_counter()
    for product, view, design in plans[:count]:
        render(product, design, view.key, size, fmt)
    elapsed = time.perf_counter() - start
    return {"designs": float(min(count, len(plans))), "growth_mb": peak_rss_mb() - before, "seconds": elapsed}


# --- the flood ---------------------------------------------------------------------------------------


def flood_key(writer: int, index: int) -> str:
    return hashlib.sha256(f"flood {writer} {index}".encode()).hexdigest()


def flood_pool(
    products: list[Product], designs: int, size: int, fmt: str, seed: int
) -> tuple[list[bytes], float]:
    """The bytes of real renders (distinct designs, round robin over the products and their views), and
    the median time of one render."""
    plans = [(p, v, d) for p in products for v in p.model.views for d in random_designs(p, designs, seed + 2)]
    random.Random(seed).shuffle(plans)
    pool: list[bytes] = []
    times: list[float] = []
    for product, view, design in plans[: max(designs, 1)]:
        start = time.perf_counter()
        pool.append(render(product, design, view.key, size, fmt))
        times.append(time.perf_counter() - start)
    return pool, median_ms(times)


def write_flood(root: str, max_bytes: int | None, writer: int, count: int, pool: list[bytes]) -> None:
    """One writer of the flood: `count` distinct previews into the folder, through a cache of its own."""
    cache = PreviewCache(FileBlobStore(root), budget=Budget(max_bytes) if max_bytes is not None else None)
    for index in range(count):
        cache.get_or_render(flood_key(writer, index), "png", lambda i=index: pool[i % len(pool)])  # type: ignore[misc]
    cache.wait_idle(600)


def flood_in_one_process(root: str, max_bytes: int | None, count: int, pool: list[bytes]) -> dict[str, Any]:
    """The store's size after every tenth of the writes (measured outside the timed part), the wall
    and CPU time per stored preview (the CPU of this process's sweep threads included), and the final
    size once the last sweep is done."""
    cache = PreviewCache(FileBlobStore(root), budget=Budget(max_bytes) if max_bytes is not None else None)
    checkpoints = sorted({max(1, count * step // 10) for step in range(1, 11)})
    sizes: list[tuple[int, int]] = []
    wall = cpu = 0.0
    written = 0
    for checkpoint in checkpoints:
        start, start_cpu = time.perf_counter(), time.process_time()
        for index in range(written, checkpoint):
            cache.get_or_render(flood_key(0, index), "png", lambda i=index: pool[i % len(pool)])  # type: ignore[misc]
        if checkpoint == checkpoints[-1]:
            cache.wait_idle(600)  # the last sweep is part of the cost
        wall += time.perf_counter() - start
        cpu += time.process_time() - start_cpu
        written = checkpoint
        sizes.append((written, cache.usage()[1]))
    return {
        "sizes": sizes,
        "ms_per_write": wall * 1000 / max(count, 1),
        "cpu_ms_per_write": cpu * 1000 / max(count, 1),
        "final": cache.usage()[1],
    }


def flood_in_processes(
    root: str, max_bytes: int, count: int, processes: int, pool: list[bytes]
) -> dict[str, Any]:
    """`processes` writers at once, `count` previews in all; the store's size sampled while they write."""
    # Forked from a server that imported the app and the renderer once and runs no thread (forking
    # this process, whose sweeps run in threads, is not safe); a fresh import per writer takes seconds.
    # Not this module itself: run as __main__, each writer imports it afresh under another name.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["configurator.previews.cache", "rules.preview"])
    share = -(-count // processes)
    writers = [
        context.Process(target=write_flood, args=(root, max_bytes, writer, share, pool))
        for writer in range(processes)
    ]
    cache = PreviewCache(FileBlobStore(root))
    for writer in writers:
        writer.start()
    peak = samples = 0
    while any(writer.is_alive() for writer in writers):
        peak = max(peak, cache.usage()[1])
        samples += 1
        time.sleep(0.02)
    for writer in writers:
        writer.join()
    final = cache.usage()[1]
    return {"peak": max(peak, final), "final": final, "samples": samples, "written": share * processes}


def flood(products: list[Product], count: int, size: int, processes: int, seed: int) -> dict[str, Any]:
    """The store without a budget (the baseline), then with a quarter of it as the budget: in one
    process, then in `processes` at once."""
    pool, render_ms = flood_pool(products, min(count, 40), size, "png", seed)
    with tempfile.TemporaryDirectory(prefix="atelier-flood-") as folder:
        root = Path(folder)
        baseline = flood_in_one_process(str(root / "baseline"), None, count, pool)
        max_bytes = max(1, int(baseline["final"] * FLOOD_BUDGET_SHARE))
        budgeted = flood_in_one_process(str(root / "budget"), max_bytes, count, pool)
        together = flood_in_processes(str(root / "processes"), max_bytes, count, processes, pool)
    return {
        "count": count,
        "size": size,
        "mean_bytes": statistics.mean(len(data) for data in pool),
        "render_ms": render_ms,
        "budget": max_bytes,
        "processes": processes,
        "baseline": baseline,
        "budgeted": budgeted,
        "together": together,
    }


def report_flood(result: dict[str, Any]) -> None:
    """The flood's figures: store sizes over time side by side, then ratios."""
    mean = result["mean_bytes"]
    per_day = mean * RENDERS_PER_DAY / MB
    say(
        f"flood: {result['count']} distinct previews at {result['size']} png, {mean / 1024:.1f} KB each on "
        f"average; at the render limit (120 a minute) one client stores {per_day:.0f} MB a day"
    )
    budget = result["budget"]
    say(f"budget: {budget / MB:.2f} MB ({FLOOD_BUDGET_SHARE:.0%} of what the flood stores without one)")
    say(f"{'written':>8} {'no budget MB':>13} {'budget MB':>10} {'budget/no budget':>17} {'budget used':>12}")
    baseline, budgeted, together = result["baseline"], result["budgeted"], result["together"]
    for (written, without), (_, within) in zip(baseline["sizes"], budgeted["sizes"], strict=True):
        ratio = within / without if without else 0.0
        say(
            f"{written:>8} {without / MB:>13.2f} {within / MB:>10.2f} {ratio:>17.2f} {within / budget:>12.2f}"
        )
    final, unbounded = budgeted["final"], baseline["final"]
    say(
        f"after the flood: {final / MB:.2f} MB with the budget, {unbounded / MB:.2f} MB without "
        f"({final / unbounded:.2f}×); final/budget {final / budget:.2f}"
    )
    say(
        f"{result['processes']} processes at once, {together['written']} previews: peak/budget "
        f"{together['peak'] / budget:.2f} ({together['samples']} samples while they wrote), final/budget "
        f"{together['final'] / budget:.2f}"
    )
    without_ms, with_ms, render_ms = baseline["ms_per_write"], budgeted["ms_per_write"], result["render_ms"]
    without_cpu, with_cpu = baseline["cpu_ms_per_write"], budgeted["cpu_ms_per_write"]
    say(
        f"per stored preview: {without_ms:.2f} ms without the budget, {with_ms:.2f} ms with it "
        f"({with_ms / without_ms:.2f}×); CPU {without_cpu:.2f} ms and {with_cpu:.2f} ms "
        f"({with_cpu / without_cpu:.2f}×): the budget costs {(with_cpu - without_cpu) / render_ms:.3f} of "
        f"one render's {render_ms:.1f} ms"
    )


def flood_verdicts(result: dict[str, Any]) -> list[tuple[str, bool]]:
    """The flood's targets: the budget holds in one process and in several, at a small cost per write."""
    budget = result["budget"]
    one = result["budgeted"]
    together = result["together"]
    peak_one = max([size for _, size in one["sizes"]] + [one["final"]])
    extra = (one["cpu_ms_per_write"] - result["baseline"]["cpu_ms_per_write"]) / result["render_ms"]
    return [
        (f"one process: peak/budget {peak_one / budget:.2f} (≤ 1)", peak_one <= budget),
        (
            f"{result['processes']} processes: peak/budget {together['peak'] / budget:.2f} (≤ 1)",
            together["peak"] <= budget,
        ),
        (
            f"the budget's CPU per stored preview: {extra:.3f} of a render (≤ {SWEEP_TARGET})",
            extra <= SWEEP_TARGET,
        ),
    ]


def verdicts(result: dict[str, Any]) -> list[tuple[str, bool]]:
    """Each target with whether the figures meet it."""
    found: list[tuple[str, bool]] = []
    for row in result["timings"]:
        name = f"{row['product']}/{row['view']} @{row['size']} {row['format']}"
        ratio = row["render"] / row["raw"] if row["raw"] else float("inf")
        found.append(
            (f"{name}: uncached {ratio:.2f}× the raw composite (≤ {RATIO_TARGET}×)", ratio <= RATIO_TARGET)
        )
        found.append(
            (
                f"{name}: cached hit {row['cached']:.4f} ms (≤ {CACHED_TARGET_MS} ms)",
                row["cached"] <= CACHED_TARGET_MS,
            )
        )
    memory = result["memory"]
    found.append(
        (
            f"{int(memory['designs'])} designs in a row: peak memory +{memory['growth_mb']:.1f} MB "
            f"(< {MEMORY_TARGET_MB} MB)",
            memory["growth_mb"] < MEMORY_TARGET_MB,
        )
    )
    return found


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point; exit status 1 when a target fails."""
    parser = argparse.ArgumentParser(prog="python -m bench.previews", description=__doc__.splitlines()[0])
    parser.add_argument("--designs", type=int, default=30, help="distinct designs timed per view and size")
    parser.add_argument("--row", type=int, default=200, help="distinct designs rendered in a row for memory")
    parser.add_argument("--sizes", default="512,1024")
    parser.add_argument("--formats", default="png")
    parser.add_argument("--products", default=",".join(PRODUCTS))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--flood", type=int, default=2000, help="distinct previews stored in the flood (0: none)"
    )
    parser.add_argument("--flood-processes", type=int, default=4, help="processes writing the flood at once")
    args = parser.parse_args(argv)
    say(f"{load_average()} at the start")
    catalog = load_catalog(CATALOG)
    products = [catalog.products[key.strip()] for key in args.products.split(",") if key.strip()]
    sizes = [int(s) for s in args.sizes.split(",")]
    formats = [f.strip() for f in args.formats.split(",")]
    # First, while the process's peak memory is still that of loading the catalog.
    memory = in_a_row(products, args.row, sizes[0], formats[0], args.seed)
    say(
        f"{int(memory['designs'])} distinct designs in a row at {sizes[0]}: {memory['seconds']:.1f} s, "
        f"peak memory +{memory['growth_mb']:.1f} MB"
    )
    timings = []
    say(
        f"{'product/view':32} {'size':>5} {'fmt':>4} {'render ms':>10} {'raw ms':>8} {'ratio':>6} "
        f"{'cached ms':>10}"
    )
    for product in products:
        designs = random_designs(product, args.designs, args.seed)
        for view in product.model.views:
            for size in sizes:
                for fmt in formats:
                    row = measure(product, view, size, designs, fmt)
                    row_info = {"product": product.key, "view": view.key, "size": size, "format": fmt, **row}
                    timings.append(row_info)
                    say(
                        f"{product.key + '/' + view.key:32} {size:>5} {fmt:>4} {row['render']:>10.2f} "
                        f"{row['raw']:>8.2f} {row['render'] / row['raw']:>6.2f} {row['cached']:>10.4f}"
                    )
    found = verdicts({"timings": timings, "memory": memory})
    if args.flood > 0:
        result = flood(products, args.flood, sizes[0], args.flood_processes, args.seed)
        report_flood(result)
        found += flood_verdicts(result)
    failed = False
    for label, ok in found:
        say(f"{'PASS' if ok else 'FAIL'}  {label}")
        failed = failed or not ok
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
