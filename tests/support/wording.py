"""What a shopper reads, and the engineer's wording they must never read (the random shoppers' checks)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

WORDS = [
    "Sam", "Love", "always", "Happy", "birthday", "Charlotte", "forever", "yours", "Team", "Léa",
    "Zoë", "and", "42", "O'Neil", "Jean-Paul", "Bartholomew-Maximilian", "Hi!", "stupid",
]  # fmt: skip

# What an engineer writes and a shopper should never read.
ENGINEER_PATTERNS = [
    re.compile(r"U\+[0-9A-F]{4}"),
    re.compile(r"from character", re.IGNORECASE),
    re.compile(r"possible designs", re.IGNORECASE),
    re.compile(r"Not valid:"),
    re.compile(r"Length must"),
    re.compile(r"\b[a-z_][a-z0-9_]+(?:\.[a-z_][a-z0-9_]+)+\b"),  # picks.engraving, engraving.present
    re.compile(r"\bNone\b"),
    re.compile(r"frozenset"),
    re.compile(r"[\[{(]'"),  # ['a'], {'a': 1}
]


def engineer_pattern(text: str) -> str | None:
    """The first pattern of an engineer's wording that `text` matches, or None."""
    return next((p.pattern for p in ENGINEER_PATTERNS if p.search(text)), None)


def shopper_texts(answer: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """Every text of a configure or repair answer that a shopper reads, with where it is."""
    for v in answer.get("violations", []):
        yield "violation", v["message"]
        if v.get("rule"):
            yield "violation rule", v["rule"]["message"]
    for d in answer.get("domains", []):
        reasons = [o["reason"] for o in d["options"]] + [(d.get("text") or {}).get("reason")]
        for reason in reasons:
            if reason:
                yield f"reason of {d['key']}", reason["text"]
                for rule in reason["rules"]:
                    yield f"reason rule of {d['key']}", rule["message"]
    if answer.get("conflict"):
        yield "conflict", answer["conflict"]["message"]
        for rule in answer["conflict"]["rules"]:
            yield "conflict rule", rule["message"]
    for line in (answer.get("price") or {}).get("lines", []):
        yield "price line", line["label"]
    for alternative in answer.get("alternatives", []):
        for change in alternative["changes"]:
            for name in ("label", "old_label", "new_label"):
                if change[name] is not None:
                    yield f"repair {name}", change[name]
        for needed in alternative["needs_input"]:
            yield "repair input label", needed["label"]
            yield "repair input message", needed["message"]
