"""Hostile input against ordinary input of the same size: what the defences cost, as ratios.

The tests prove each defence bounds the work (the YAML loader stops at the first alias or the level
past its limit, a megabyte of text is refused before it is segmented, a banned word's pattern repeats
a letter a bounded number of times); how long that takes is measured here, never in a test. Each
hostile input is timed beside an ordinary one of about the same size, in the same run, and the ratio
is held against a target: a defence that stopped working shows up as a ratio in the tens or hundreds.

Run from the repository root: `python -m bench.hostile [--repeat 5]`.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Sequence
from functools import partial

from bench.timing import load_average, say
from rules.language.yamlsafe import load_yaml
from rules.model import Brand, Localized, TextLimits
from rules.text import check_text

# Hostile / ordinary time. Most hostile inputs cost less than ordinary ones of their size (they are
# refused early); lookalike-dense texts ("1l1l…") give banned-word patterns more ways to match and
# cost several times more. A defence that stops working costs tens to hundreds of times more (a
# banned word's letter allowed 60 repeats instead of 6: 200x).
RATIO_TARGET = 20.0

ALIAS_BOMB = (
    "a: &a ["
    + ", ".join(["lol"] * 9)
    + "]\n"
    + "".join(f"{chr(98 + n)}: &{chr(98 + n)} [{', '.join([f'*{chr(97 + n)}'] * 9)}]\n" for n in range(8))
)
BANNED = ("stupid", "ass", "illicit", "lilli", "competitorco")


def ordinary_yaml(size: int) -> bytes:
    """A flat product-like mapping of about `size` bytes: what a merchant's file looks like."""
    lines: list[str] = []
    total = 0
    while total < size:
        line = f"option_{len(lines)}: {{label: Option {len(lines)}, price: '1.50'}}\n"
        lines.append(line)
        total += len(line)
    return "".join(lines).encode()


def ordinary_text(size: int) -> str:
    words = "the quick brown fox jumps over a lazy dog and sings".split()
    text = ""
    index = 0
    while len(text) < size:
        text += words[index % len(words)] + " "
        index += 1
    return text[:size]


def brand() -> Brand:
    return Brand(
        key="bench",
        label=Localized.plain("Bench"),
        currencies=("EUR",),
        palette={},
        banned_words=BANNED,
        scripts=(),
        max_text_length=None,
    )


def median_seconds(work: Callable[[], object], repeat: int) -> float:
    work()  # warm: compiled patterns and caches are the steady state a shop runs in
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        work()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def cases() -> list[tuple[str, Callable[[], object], Callable[[], object]]]:
    """(name, hostile work, ordinary work of about the same size)."""
    policy = brand()
    engraving = TextLimits(max_length=40)
    long_text = TextLimits(max_length=600)
    deep = b"[" * 100_000
    found: list[tuple[str, Callable[[], object], Callable[[], object]]] = [
        (
            f"YAML alias bomb ({len(ALIAS_BOMB)} bytes)",
            lambda: load_yaml(ALIAS_BOMB.encode(), "bomb.yaml"),
            lambda: load_yaml(ordinary_yaml(len(ALIAS_BOMB)), "ordinary.yaml"),
        ),
        (
            "YAML nested 100,000 deep",
            lambda: load_yaml(deep, "deep.yaml"),
            lambda: load_yaml(ordinary_yaml(len(deep)), "ordinary.yaml"),
        ),
        (
            "a megabyte of text, 40-character engraving",
            lambda: check_text("a" * 1_000_000, engraving, policy),
            lambda: check_text(ordinary_text(40), engraving, policy),
        ),
    ]
    for hostile in ("1l" * 300 + "x", "a" + "5" * 599, "s." * 300, "iI1l|" * 120):
        found.append(
            (
                f"banned words in {hostile[:10]!r}… ({len(hostile)} characters)",
                partial(check_text, hostile, long_text, policy),
                partial(check_text, ordinary_text(len(hostile)), long_text, policy),
            )
        )
    return found


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.hostile", description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each input (the median)")
    args = parser.parse_args(argv)
    say(f"bench.hostile: median of {args.repeat} runs each, {load_average()}")
    say(f"  {'input':<58} {'hostile ms':>11} {'ordinary ms':>12} {'ratio':>7}")
    status = 0
    for name, hostile, ordinary in cases():
        hostile_s = median_seconds(hostile, args.repeat)
        ordinary_s = median_seconds(ordinary, args.repeat)
        ratio = hostile_s / max(ordinary_s, 1e-6)
        ok = ratio <= RATIO_TARGET
        status = status if ok else 1
        say(
            f"  {name:<58} {hostile_s * 1000:>11.2f} {ordinary_s * 1000:>12.2f} {ratio:>6.2f}x"
            f"  {'PASS' if ok else 'FAIL'} (target <= {RATIO_TARGET}x)"
        )
    return status


if __name__ == "__main__":
    raise SystemExit(main())
