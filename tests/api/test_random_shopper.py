"""The random shopper: walks through the HTTP API from no picks, taking the steps a shopper takes, and
checks at every step what the session promises (docs/session.md, tests/api/test_api_session.py).

A walk picks available options, clicks greyed ones and accepts or declines a repair, insists on a
greyed option, clears picks (null or left out), types, edits and deletes texts, ticks boxes that drive
conditions, and undoes. After each step:

- whatever an answer offered (options, clears, repair alternatives) is accepted: never a 4xx or 5xx;
- each domain's `value` is `design[key]`, and every value shown of an attribute that applies is an
  available option unless its pick is one of those that clash;
- `price` prices `design`: configuring `design` itself costs the same, and saving the picks stores
  `design`;
- an invalid design has a way out the API accepts: a repair alternative, or clearing the picks that
  clash (or break a rule), gives a valid design within a few steps;
- a conditional attribute that applies and was not picked shows its default when the default is
  available;
- no text a shopper reads looks like an engineer's (code points, JSON paths, Python values...).

The number of steps is bounded: ATELIER_SHOPPER_STEPS in all (default 600, shared by the demo catalog
and a merchant's own catalog), ATELIER_SHOPPER_WALK per walk (default 20). A long run:

    ATELIER_SHOPPER_STEPS=5000 .venv/bin/python -m pytest tests/api/test_random_shopper.py -q -s \
        -p no:cacheprovider

With ATELIER_SHOPPER_KEEP_GOING=1 a break ends its walk but not the run: the next walk starts, and
the summary line counts every break of the run (the test still fails if there is any). A failing
walk is reported as it happened, with its log; ATELIER_SHOPPER_SHRINK=1 lets Hypothesis shrink it
first (minutes over HTTP).
"""

from __future__ import annotations

import math
import os
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from configurator import create_app
from tests.support.wording import WORDS, engineer_pattern, shopper_texts

ROOT = Path(__file__).resolve().parents[2]
CATALOGS = {"demo": ROOT / "catalog", "merchant": ROOT / "tests" / "fixtures" / "merchant"}

TOTAL_STEPS = int(os.environ.get("ATELIER_SHOPPER_STEPS", "600"))
STEPS_PER_WALK = int(os.environ.get("ATELIER_SHOPPER_WALK", "20"))
KEEP_GOING = os.environ.get("ATELIER_SHOPPER_KEEP_GOING", "") not in ("", "0")
SHRINK = os.environ.get("ATELIER_SHOPPER_SHRINK", "") not in ("", "0")
# Each catalog gets half of the steps.
WALKS_PER_CATALOG = max(1, math.ceil(TOTAL_STEPS / len(CATALOGS) / STEPS_PER_WALK))
# Ways out are followed for at most this many rounds of clearing or repairing.
WAY_OUT_ROUNDS = 4


class Break(AssertionError):
    """A promise of the session that a step broke."""

    def __init__(self, invariant: str, detail: str) -> None:
        super().__init__(f"{invariant}: {detail}")
        self.invariant = invariant


# Breaks the engine is known to make, each pinned by an xfail(strict=True) test in
# tests/api/test_session_regressions.py: counted, not failed, so the walks go on looking for new ones.
# When the engine is fixed, the regression test passes, strict xfail fails it, and its entry goes.
KNOWN: list[tuple[str, re.Pattern[str], str]] = []  # breaks the engine is known to have (none)


def broken(invariant: str, detail: str) -> None:
    """Raise `Break`, unless the engine is known to break this way (then it is only counted)."""
    for known, pattern, test in KNOWN:
        if known == invariant and pattern.search(detail):
            TALLY.known[test] += 1
            return
    raise Break(invariant, detail)


@dataclass
class Tally:
    """What the walks did, for the summary line."""

    walks: int = 0
    steps: int = 0
    requests: int = 0
    invalid: int = 0
    conflicts: int = 0
    actions: Counter[str] = field(default_factory=Counter)
    breaks: Counter[tuple[str, str]] = field(default_factory=Counter)
    known: Counter[str] = field(default_factory=Counter)
    examples: dict[tuple[str, str], str] = field(default_factory=dict)

    def line(self) -> str:
        broken = sum(self.breaks.values())
        kinds = ", ".join(f"{inv} on {product} x{n}" for (inv, product), n in sorted(self.breaks.items()))
        actions = ", ".join(f"{name} {n}" for name, n in sorted(self.actions.items()))
        return (
            f"random shopper: {self.walks} walks, {self.steps} steps, {self.requests} requests, "
            f"{self.invalid} invalid states ({self.conflicts} with clashing picks), {broken} breaks"
            + (f" [{kinds}]" if kinds else "")
            + f", {sum(self.known.values())} known engine breaks"
            + f"; steps: {actions}"
        )


TALLY = Tally()


@pytest.fixture(scope="module", autouse=True)
def _summary() -> Iterator[None]:
    yield
    sys.stdout.write(f"\n{TALLY.line()}\n")
    for (invariant, product), example in sorted(TALLY.examples.items()):
        sys.stdout.write(f"  first {invariant} on {product}: {example}\n")
    for test, count in sorted(TALLY.known.items()):
        sys.stdout.write(f"  known, {count} times: {test}\n")


@pytest.fixture(params=sorted(CATALOGS))
def shop(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Shop]:
    """A catalog's shop: the demo catalog, or a merchant's own."""
    app: Flask = create_app(
        {
            "TESTING": True,
            "ATELIER_CATALOG": str(CATALOGS[request.param]),
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "SECRET_KEY": "test-secret",
            "ATELIER_MEDIA_ROOT": str(tmp_path / "media"),
            # A walk saves a design at every step: far more than a shopper.
            "ATELIER_RATELIMITS": "configure=0,designs=0",
        }
    )
    with app.app_context():
        yield Shop(request.param, app.test_client())


class Shop:
    """One catalog behind the HTTP API, as a shopper's browser talks to it."""

    def __init__(self, name: str, client: FlaskClient) -> None:
        self.name, self.client = name, client
        listing = self.get("/api/v1/products")
        self.specs = {p["key"]: self.get(f"/api/v1/products/{p['key']}") for p in listing["products"]}

    def get(self, url: str) -> dict[str, Any]:
        TALLY.requests += 1
        response = self.client.get(url)
        if response.status_code != 200:
            raise Break("refused", f"GET {url} -> {response.status_code} {response.get_json()}")
        answer: dict[str, Any] = response.get_json()
        return answer

    def post(self, url: str, body: dict[str, Any], status: int = 200) -> dict[str, Any]:
        TALLY.requests += 1
        response = self.client.post(url, json=body)
        if response.status_code != status:
            raise Break("refused", f"POST {url} {body} -> {response.status_code} {response.get_json()}")
        answer: dict[str, Any] = response.get_json()
        return answer

    def configure(self, product: str, picks: dict[str, Any]) -> dict[str, Any]:
        return self.post(f"/api/v1/products/{product}/configure", {"picks": picks})

    def repair(self, product: str, picks: dict[str, Any], attribute: str, value: Any) -> dict[str, Any]:
        body = {"picks": picks, "attribute": attribute, "value": value}
        return self.post(f"/api/v1/products/{product}/repair", body)


# --- invariants -------------------------------------------------------------------------------------


def check_wording(answer: dict[str, Any], typed: set[str]) -> None:
    for where, text in shopper_texts(answer):
        # A refusal may quote what the shopper typed: their words are theirs.
        ours = text
        for word in sorted(typed, key=len, reverse=True):
            ours = ours.replace(word, "")
        pattern = engineer_pattern(ours)
        if pattern:
            broken("engineer wording", f"{where}: {text!r} matches {pattern!r}")


def option_keys(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def check_answer(
    spec: dict[str, Any], picks: dict[str, Any], answer: dict[str, Any], *, clashes_left: bool = False
) -> None:
    """What one configure answer promises by itself. With `clashes_left` (picks that clash beyond the
    ones named: a known break), what follows from it is not checked again."""
    design = answer["design"]
    clash = set(answer["conflict"]["picks"]) if answer["conflict"] else set()
    attributes = {a["key"]: a for a in spec["attributes"]}
    for d in answer["domains"]:
        key = d["key"]
        if d["value"] != design.get(key):
            broken("value is design", f"{key}: value {d['value']!r}, design {design.get(key)!r}")
        # A text or an upload that does not apply reads "" (docs/session.md), anything else null.
        empty = design.get(key) is None or (
            attributes[key]["kind"] in ("text", "image") and design[key] == ""
        )
        if not d["applies"] and not empty:
            broken("applies", f"{key}: does not apply, design {design.get(key)!r}")
        mine = picks.get(key)
        while_clash = f" while picks clash: {sorted(clash)}" if clash else ""
        if d["source"] == "picked" and not clashes_left and option_keys(d["value"]) != option_keys(mine):
            broken(
                "picked is the pick",
                f"{key}: picked {mine!r}, shown {d['value']!r}{while_clash}, picks {picks}",
            )
        if d["applies"] and d["value"] is None:
            broken("applies without a value", f"{key} ({d['source']}){while_clash}, picks {picks}")
            continue
        available = {o["key"] for o in d["options"] if o["available"]}
        if d["applies"] and d["options"] and key not in clash and not clashes_left:
            for value in option_keys(d["value"]):
                if value not in available:
                    broken("shown value available", f"{key}={value!r} greyed ({d['source']}), picks {picks}")
        attribute = attributes[key]
        if attribute["when"] is None or not d["applies"] or picks.get(key) is not None:
            continue
        default = attribute["default"]
        if attribute["kind"] in ("text", "image"):
            text = d.get("text") or {}
            fits = isinstance(default, str) and len(default) <= text.get("max_length", 0)
            honoured = not default or not text.get("may_be_present") or not fits or d["value"] == default
        elif attribute["kind"] == "multi":
            honoured = not set(default or []) <= available or sorted(d["value"]) == sorted(default or [])
        else:
            honoured = default not in available or d["value"] == default
        if not honoured:
            broken(
                "conditional default",
                f"{key} applies, not picked, default {default!r} available, shown {d['value']!r} "
                f"({d['source']}), picks {picks}",
            )


def design_as_picks(design: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in design.items() if value is not None}


def clashes_beyond(shop: Shop, product: str, picks: dict[str, Any], answer: dict[str, Any]) -> bool:
    """Whether the picks still clash once the named ones are left out: answered "as if those were not
    made", the rest would still grey everything. Every clash should be named (a known break)."""
    if not answer["conflict"]:
        return False
    rest = {k: v for k, v in picks.items() if k not in answer["conflict"]["picks"]}
    again = shop.configure(product, rest)
    if again["conflict"]:
        broken(
            "every clash named",
            f"picks {picks}: named {answer['conflict']['picks']}, the others still clash: "
            f"{again['conflict']['picks']}",
        )
        return True
    return False


def check_price_and_save(shop: Shop, product: str, picks: dict[str, Any], answer: dict[str, Any]) -> None:
    """The price is the design's, and a saved design stores the design."""
    design = answer["design"]
    again = shop.configure(product, design_as_picks(design))
    if clashes_beyond(shop, product, design_as_picks(design), again):
        return  # the design as picks clashes twice: a known break, counted
    if Decimal(again["price"]["total"]) != Decimal(answer["price"]["total"]):
        broken(
            "price is design's",
            f"picks {picks} cost {answer['price']['total']}; design {design} costs {again['price']['total']}",
        )
    if again["design"] != design:
        broken("design is a fixed point", f"picks {picks}: design {design}, configured {again['design']}")
    saved = shop.post("/api/v1/designs", {"product": product, "picks": picks}, status=201)
    if saved["choices"] != design:
        broken("saved is design", f"picks {picks}: design {design}, saved {saved['choices']}")


def edited_for(alternative: dict[str, Any]) -> dict[str, Any]:
    """The alternative's picks after the shopper writes what it asks for."""
    picks = dict(alternative["picks"])
    for needed in alternative["needs_input"]:
        current = str(picks.get(needed["attribute"]) or "")
        if needed["max_length"] is not None:
            picks[needed["attribute"]] = current[: needed["max_length"]].strip() or None
        else:
            picks[needed["attribute"]] = "A" * max(1, needed["min_length"] or 1)
    return {k: v for k, v in picks.items() if v is not None}


def check_repair(
    shop: Shop, product: str, before: dict[str, Any], repaired: dict[str, Any], attribute: str, value: Any
) -> None:
    """Every alternative is accepted, gives the wanted option, and leaves no problem that `before` (the
    answer the shopper was looking at) did not have; once its input is written, no clash either."""
    check_wording(repaired, set())
    had = {v["message"] for v in before["violations"]}
    for alternative in repaired["alternatives"]:
        if None in alternative["picks"].values():
            broken("repair picks", f"null in {alternative['picks']}")
        follow = shop.configure(product, alternative["picks"])
        got = follow["design"].get(attribute)
        if not (got == value or (isinstance(got, list) and value in got)):
            broken("repair gives the option", f"{attribute}={value!r}: alternative gives {got!r}")
        if alternative["needs_input"]:
            follow = shop.configure(product, edited_for(alternative))
        # A text the alternative leaves as the shopper typed it keeps its own problems (too long...).
        kept_texts = {
            key
            for key, text in alternative["picks"].items()
            if isinstance(text, str) and before_picks(before).get(key) == text
        }
        new = [
            v["message"]
            for v in follow["violations"]
            if v["message"] not in had and not (v["attributes"] and set(v["attributes"]) <= kept_texts)
        ]
        if follow["conflict"] or new:
            broken(
                "repair leaves no new problem",
                f"{attribute}={value!r} from picks {before_picks(before)}: "
                f"alternative {alternative['picks']} "
                f"(input {alternative['needs_input']}) -> conflict {follow['conflict']}, new {new}",
            )


def before_picks(answer: dict[str, Any]) -> dict[str, Any]:
    return {d["key"]: d["picked"] for d in answer["domains"] if d.get("picked") is not None}


def cleared_until_valid(shop: Shop, product: str, picks: dict[str, Any], answer: dict[str, Any]) -> bool:
    """Clearing the picks that clash, or that a violation names, gives a valid design within a few rounds."""
    current, state = dict(picks), answer
    for _ in range(WAY_OUT_ROUNDS):
        if state["valid"]:
            return True
        wrong = set(state["conflict"]["picks"]) if state["conflict"] else set()
        wrong |= {a for v in state["violations"] for a in v["attributes"]}
        cleared = {k: v for k, v in current.items() if k not in wrong}
        if cleared == current:
            return False
        current = cleared
        state = shop.configure(product, current)
    return bool(state["valid"])


def check_way_out(shop: Shop, product: str, picks: dict[str, Any], answer: dict[str, Any]) -> None:
    """An invalid design offers a way out: clearing what is wrong, or repairing a clashing pick (then
    clearing whatever else is wrong, a text the shopper typed, say)."""
    if answer["valid"]:
        return
    TALLY.invalid += 1
    routes = []
    if answer["conflict"]:
        TALLY.conflicts += 1
        # The shopper's last word: the latest clashing pick, kept through a repair.
        key = answer["conflict"]["picks"][-1]
        wanted = picks[key]
        rest = {k: v for k, v in picks.items() if k != key}
        if isinstance(wanted, list):  # a multi's repair adds one option to the others
            *others, wanted = wanted
            rest[key] = others
        repaired = shop.repair(product, rest, key, wanted)
        check_repair(shop, product, answer, repaired, key, wanted)
        routes = [edited_for(alternative) for alternative in repaired["alternatives"][:2]]
    if cleared_until_valid(shop, product, picks, answer):
        return
    for route in routes:
        if cleared_until_valid(shop, product, route, shop.configure(product, route)):
            return
    broken(
        "way out",
        f"picks {picks}: neither clearing nor a repair leads to a valid design: {answer['violations']}",
    )


# --- the walk ---------------------------------------------------------------------------------------


def words(draw: Callable[..., Any], too_long: bool) -> str:
    count = draw(st.integers(8, 14)) if too_long else draw(st.integers(1, 3))
    return " ".join(draw(st.lists(st.sampled_from(WORDS), min_size=count, max_size=count)))


class Walk:
    """One shopper on one product: the picks the browser holds, and the steps before them."""

    def __init__(self, shop: Shop, product: str, draw: Callable[..., Any]) -> None:
        self.shop, self.product, self.draw = shop, product, draw
        self.spec = shop.specs[product]
        self.attributes = {a["key"]: a for a in self.spec["attributes"]}
        self.picks: dict[str, Any] = {}
        self.history: list[dict[str, Any]] = []
        self.typed: set[str] = set()
        self.log: list[str] = []
        self.answer = self.see(self.picks)

    def see(self, picks: dict[str, Any]) -> dict[str, Any]:
        """Configure, and check everything an answer promises."""
        answer = self.shop.configure(self.product, picks)
        clashes_left = clashes_beyond(self.shop, self.product, picks, answer)
        check_answer(self.spec, picks, answer, clashes_left=clashes_left)
        check_wording(answer, self.typed)
        # A design the engine left without a value where an attribute applies (a known break) is not
        # one a configure can reproduce: its price and fixed point follow from that break.
        hollow = answer["conflict"] and any(d["applies"] and d["value"] is None for d in answer["domains"])
        if not hollow:
            check_price_and_save(self.shop, self.product, picks, answer)
        check_way_out(self.shop, self.product, picks, answer)
        return answer

    def domains(self, *, applying: bool = True) -> list[dict[str, Any]]:
        return [
            d
            for d in self.answer["domains"]
            if d["applies"] == applying and self.attributes[d["key"]]["kind"] != "image"
        ]

    def move(self, picks: dict[str, Any], note: str) -> None:
        self.history.append(self.picks)
        self.picks = picks
        self.log.append(f"{note} -> picks {picks}")
        self.answer = self.see(picks)

    def step(self) -> None:
        actions: dict[str, Callable[[], bool]] = {
            "pick": self.pick_available,
            "greyed": self.pick_greyed,
            "insist": self.insist,
            "set aside": self.pick_not_applying,
            "clear": self.clear,
            "text": self.type_text,
            "toggle": self.toggle,
            "undo": self.undo,
        }
        name = self.draw(st.sampled_from(list(actions)))
        if actions[name]():
            TALLY.actions[name] += 1
        else:
            TALLY.actions["pick"] += 1
            self.pick_available()

    def choose_option(self, *, available: bool, applying: bool = True) -> tuple[str, Any] | None:
        choices = [
            (d["key"], o["key"])
            for d in self.domains(applying=applying)
            for o in d["options"]
            if o["available"] is available
        ]
        if not choices:
            return None
        chosen: tuple[str, Any] = self.draw(st.sampled_from(choices))
        return chosen

    def with_option(self, key: str, option: Any) -> dict[str, Any]:
        picks = dict(self.picks)
        if self.attributes[key]["kind"] == "multi":
            members = set(self.answer["design"].get(key) or [])
            picks[key] = sorted(members ^ {option})
        else:
            picks[key] = option
        return picks

    def pick_available(self) -> bool:
        chosen = self.choose_option(available=True)
        if chosen is None:
            return False
        self.move(self.with_option(*chosen), f"pick {chosen[0]}={chosen[1]!r}")
        return True

    def pick_greyed(self) -> bool:
        chosen = self.choose_option(available=False)
        if chosen is None:
            return False
        key, option = chosen
        repaired = self.shop.repair(self.product, self.picks, key, option)
        check_repair(self.shop, self.product, self.answer, repaired, key, option)
        if repaired["alternatives"] and self.draw(st.booleans()):
            index = self.draw(st.integers(0, len(repaired["alternatives"]) - 1))
            alternative = repaired["alternatives"][index]
            self.move(dict(alternative["picks"]), f"greyed {key}={option!r}, accept repair #{index}")
        else:
            self.log.append(f"greyed {key}={option!r}, decline repair")
        return True

    def insist(self) -> bool:
        chosen = self.choose_option(available=False)
        if chosen is None:
            return False
        self.move(self.with_option(*chosen), f"insist {chosen[0]}={chosen[1]!r}")
        return True

    def pick_not_applying(self) -> bool:
        chosen = self.choose_option(available=True, applying=False)
        if chosen is None:
            return False
        self.move(self.with_option(*chosen), f"set aside {chosen[0]}={chosen[1]!r}")
        return True

    def clear(self) -> bool:
        picked = sorted(self.picks)
        if not picked:
            return False
        key = self.draw(st.sampled_from(picked))
        picks = dict(self.picks)
        if self.draw(st.booleans()):
            picks[key] = None
            note = f"clear {key} (null)"
        else:
            del picks[key]
            note = f"clear {key} (left out)"
        self.move(picks, note)
        return True

    def type_text(self) -> bool:
        texts = [k for k, a in self.attributes.items() if a["kind"] == "text"]
        if not texts:
            return False
        key = self.draw(st.sampled_from(texts))
        current = str(self.picks.get(key) or "")
        how = self.draw(st.sampled_from(["type", "too long", "append", "drop a word", "delete", "forget"]))
        picks = dict(self.picks)
        if how == "type":
            picks[key] = words(self.draw, too_long=False)
        elif how == "too long":
            picks[key] = words(self.draw, too_long=True)
        elif how == "append":
            picks[key] = f"{current} {words(self.draw, too_long=False)}".strip()
        elif how == "drop a word":
            picks[key] = " ".join(current.split()[:-1])
        elif how == "delete":
            picks[key] = ""
        else:
            picks.pop(key, None)
        if isinstance(picks.get(key), str):
            self.typed.add(picks[key])
            self.typed.update(picks[key].split())
        self.move(picks, f"{how} {key}={picks.get(key)!r}")
        return True

    def toggle(self) -> bool:
        booleans = [k for k, a in self.attributes.items() if a["kind"] == "boolean"]
        if not booleans:
            return False
        # Ticking boxes that other attributes' conditions read, mostly.
        drivers = [k for k in booleans if any(k in str(a["when"] or "") for a in self.attributes.values())]
        key = self.draw(st.sampled_from(drivers or booleans))
        shown = self.answer["design"].get(key)
        picks = {**self.picks, key: not bool(shown)}
        self.move(picks, f"toggle {key}={picks[key]}")
        return True

    def undo(self) -> bool:
        if not self.history:
            return False
        self.picks = self.history.pop()
        self.log.append(f"undo -> picks {self.picks}")
        self.answer = self.see(self.picks)
        return True


def walk(shop: Shop, draw: Callable[..., Any]) -> None:
    product = draw(st.sampled_from(sorted(shop.specs)))
    TALLY.walks += 1
    shopper: Walk | None = None
    try:
        TALLY.steps += 1
        shopper = Walk(shop, product, draw)
        for _ in range(STEPS_PER_WALK - 1):
            TALLY.steps += 1
            shopper.step()
    except Break as broken:
        TALLY.breaks[(broken.invariant, product)] += 1
        log = "\n  ".join(shopper.log if shopper else [])
        example = f"{broken}\n  walk on {shop.name}/{product}:\n  {log}"
        TALLY.examples.setdefault((broken.invariant, product), example)
        if not KEEP_GOING:
            raise AssertionError(example) from broken


def test_random_shoppers_never_reach_a_dead_end(shop: Shop) -> None:
    # Shrinking a failing walk replays it over HTTP for minutes: the walk's log already tells the
    # story, so a run shrinks only when asked to (ATELIER_SHOPPER_SHRINK=1).
    phases = [Phase.explicit, Phase.generate, *([Phase.shrink] if SHRINK else [])]

    @settings(max_examples=WALKS_PER_CATALOG, database=None, phases=phases)
    @given(st.data())
    def walks(data: st.DataObject) -> None:
        walk(shop, data.draw)

    before = sum(TALLY.breaks.values())
    walks()
    if KEEP_GOING:
        assert sum(TALLY.breaks.values()) == before, TALLY.line()
