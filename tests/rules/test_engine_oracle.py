"""The compiled engine against brute force on random small products.

The oracle enumerates every complete design and keeps those `Product.validate` accepts — a separate
path that evaluates the rules' expressions directly — then answers domains, counts and repairs by
looking at that list.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rules import load_catalog, load_product
from rules.errors import CatalogError
from rules.model import AttributeKind, NumberValue, Value, number_value
from rules.pricing import PricingError
from rules.product import Product
from tests.support.designs import every_design

BRAND = """\
brand: test-brand
label: Test
currencies: [EUR]
palette: {red: "#FF0000", blue: "#0000FF", green: "#00FF00"}
"""


@st.composite
def products(draw: st.DrawFn) -> str:
    """YAML of a random product: a few small attributes and random rules between them."""
    count = draw(st.integers(2, 4))
    attributes: dict[str, list[str]] = {}
    lines = ["product: random", "label: Random", 'price: {EUR: "1.00"}', "attributes:"]
    for index in range(count):
        key = f"a{index}"
        size = draw(st.integers(2, 3))
        options = [f"o{index}{j}" for j in range(size)]
        attributes[key] = options
        lines.append(f"  {key}: {{type: choice, options: [{', '.join(options)}], default: {options[0]}}}")
    has_multi = draw(st.booleans())
    if has_multi:
        most = draw(st.integers(1, 3))
        lines.append(f"  extras: {{type: multi, options: [x, y, z], min: 0, max: {most}, default: []}}")
    conditional = draw(st.booleans())
    if conditional:
        first = next(iter(attributes))
        lines.append(f"  flag: {{type: boolean, default: false, when: {first} == {attributes[first][0]}}}")
    rules: list[str] = []
    keys = list(attributes)
    for number in range(draw(st.integers(1, 4))):
        a, b = draw(st.sampled_from(keys)), draw(st.sampled_from(keys))
        if a == b:
            continue
        x, y = draw(st.sampled_from(attributes[a])), draw(st.sampled_from(attributes[b]))
        form = draw(st.integers(0, 3))
        if form == 0:
            rule = f"{a} == {x} -> {b} != {y}"
        elif form == 1:
            rule = f"{a} == {x} or {b} == {y}"
        elif form == 2 and has_multi:
            rule = f"{a} == {x} -> not (y in extras)"
        else:
            rule = f"not ({a} == {x} and {b} == {y})"
        rules.append(f"  - rule: {rule}\n    message: Rule {number}")
    if conditional and draw(st.booleans()):
        rules.append(f"  - rule: flag -> {keys[1]} != {attributes[keys[1]][0]}\n    message: Flag rule")
    if len(keys) >= 2 and draw(st.booleans()):
        a, b = keys[0], keys[1]
        rows = draw(
            st.lists(
                st.tuples(st.sampled_from(attributes[a]), st.sampled_from(attributes[b])),
                min_size=1,
                max_size=5,
            )
        )
        mode = draw(st.sampled_from(["allowed", "forbidden"]))
        body = ", ".join(f"[{r[0]}, {r[1]}]" for r in rows)
        rules.append(f"  - table: {{attributes: [{a}, {b}], {mode}: [{body}]}}\n    message: Table rule")
    lines.extend(["constraints:", *rules] if rules else ["constraints: []"])
    return "\n".join(lines) + "\n"


def load(tmp: Path, source: str) -> Product:
    (tmp / "brand.yaml").write_text(BRAND)
    (tmp / "random.yaml").write_text(source)
    return load_product(tmp / "random.yaml")


def valid_designs(product: Product) -> list[dict[str, Value]]:
    return [d for d in every_design(product) if not product.validate(d)]


CONDITIONAL = {"flag"}  # the only attribute `products()` gives a `when`, and it is single-valued


def holds(design: dict[str, Value], key: str, value: Value) -> bool:
    """A design keeps a pick: the same value, or, for an attribute with a `when`, no value at all
    (a pick on an attribute that does not apply is set aside, docs/session.md)."""
    return design[key] == value or (key in CONDITIONAL and design[key] is None)


def agrees(design: dict[str, Value], picks: dict[str, Value], ignore: str | None = None) -> bool:
    return all(holds(design, k, v) for k, v in picks.items() if k != ignore)


settings.register_profile("engine", max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))


@settings(settings.get_profile("engine"))
@given(source=products(), data=st.data())
def test_domains_count_and_repair_match_brute_force(
    tmp_path_factory, source: str, data: st.DataObject
) -> None:
    product = load(tmp_path_factory.mktemp("p"), source)
    valid = valid_designs(product)
    # given: random picks taken from some design (valid or not)
    designs = every_design(product)
    base = data.draw(st.sampled_from(designs))
    picked = data.draw(st.lists(st.sampled_from(list(base)), unique=True, max_size=len(base)))
    picks = {k: base[k] for k in picked if base[k] is not None}  # None is no pick at all

    # then: the count is exact
    assert product.count(picks) == sum(agrees(d, picks) for d in valid)

    domains = product.domains(picks)
    assert domains.consistent == any(agrees(d, picks) for d in valid)
    clash = set(domains.clash)
    if domains.consistent or not valid:
        assert not clash  # nothing to blame on the picks when no design at all is valid
    else:  # smallest sets of picks that clash, until the rest holds
        groups = product.clashes(picks)
        assert clash == {key for group in groups for key in group}
        for group in groups:
            assert not any(agrees(d, {k: picks[k] for k in group}) for d in valid)
            for key in group:
                assert any(agrees(d, {k: picks[k] for k in set(group) - {key}}) for d in valid)
        assert any(agrees(d, {k: v for k, v in picks.items() if k not in clash}) for d in valid)
    for attribute in product.model.attributes:
        state = domains.attributes[attribute.key]
        # A clashing attribute is answered against every other pick, any other one as if the clashing
        # picks were not made.
        kept = {k: v for k, v in picks.items() if attribute.key in clash or k not in clash}
        for option in state.options:
            if attribute.kind is AttributeKind.MULTI:
                holders = [d for d in valid if option.key in d[attribute.key]]
                others = {k: v for k, v in kept.items() if k != attribute.key}
                if attribute.key in picks:
                    # available = can be included while the other options of this multi stay as picked
                    current = picks[attribute.key]
                    assert isinstance(current, frozenset)
                    holders = [
                        d for d in holders if d[attribute.key] - {option.key} == current - {option.key}
                    ]
                expected = any(agrees(d, others) for d in holders)
            else:
                expected = any(
                    d[attribute.key] == option.key and agrees(d, kept, attribute.key) for d in valid
                )
            assert option.available == expected, (attribute.key, option.key, picks)
            if not option.available:
                assert option.reason is not None
                assert set(option.reason.picks) <= set(picks)

    # and: a repair changes the fewest picks (checked where no multi attribute is picked)
    if any(a.kind is AttributeKind.MULTI for a in product.model.attributes if a.key in picks):
        return
    for attribute in product.model.attributes:
        if attribute.kind is AttributeKind.MULTI:
            continue
        for option in domains.attributes[attribute.key].options:
            if option.available:
                continue
            repair = product.repair(picks, attribute.key, option.key)
            holders = [d for d in valid if d[attribute.key] == option.key]
            if not holders:
                assert repair is None
                continue
            assert repair is not None
            fewest = min(
                sum(not holds(d, k, v) for k, v in picks.items() if k != attribute.key) for d in holders
            )
            assert len(repair.changes) == fewest
            repaired = {**picks, **{c.attribute: c.new for c in repair.changes}, attribute.key: option.key}
            assert any(agrees(d, repaired) for d in valid)


# --------------------------------------------------------------------------------------------------
# The meaning of expressions, against an oracle of its own
#
# Rules are drawn as small trees, written out as the language's text and evaluated here by a brute
# force that knows nothing of `rules.expr`: it reads docs/rules.md (numbers exact, an attribute that
# does not apply has no value, a comparison with no value is false except `!=`, a rule over no
# attribute holds or fails for every design alike). Its valid designs are then compared with what the
# engine counts, offers and validates.

Tree = tuple[object, ...]
Design = dict[str, Value]
NUMBER_KEYS = ("n", "m")
C_OPTIONS = ("c0", "c1", "c2")  # the ordered choice `c`, smallest first


@dataclass(frozen=True)
class Semantic:
    """A random product: its YAML, its attributes' values, and the rules as trees."""

    source: str
    values: dict[str, list[Value]]  # every value of each attribute (None: does not apply)
    rules: list[tuple[int, Tree]]  # (line of the rule in the file, its tree)
    when: Tree | None  # the condition of `flag`, if any
    text_limit: int
    formula: Tree | None = None  # a price line's EUR formula
    rounding: str = "half_up"


def _text(tree: Tree) -> str:
    kind = tree[0]
    if kind == "num":
        value = tree[1]
        assert isinstance(value, Fraction)
        return (
            str(value.numerator)
            if value.denominator == 1
            else str(Decimal(value.numerator) / value.denominator)
        )
    if kind == "attr":
        return str(tree[1])
    if kind == "length":
        return f"{tree[1]}.length"
    if kind == "bool":
        return "true" if tree[1] else "false"
    if kind == "arith":
        return f"({_text(tree[2])} {tree[1]} {_text(tree[3])})"  # type: ignore[arg-type]
    if kind == "compare":
        return f"{_text(tree[2])} {tree[1]} {_text(tree[3])}"  # type: ignore[arg-type]
    if kind == "is":
        return f"{tree[1]} == {tree[2]}"
    if kind == "rank":  # the ordered choice `c` against one of its options, either side first
        op, option, flipped = tree[1], tree[2], tree[3]
        mirrored = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}[str(op)]
        return f"{option} {mirrored} c" if flipped else f"c {op} {option}"
    if kind == "not":
        return f"not ({_text(tree[1])})"  # type: ignore[arg-type]
    if kind in ("and", "or", "->"):
        return f"({_text(tree[1])}) {kind} ({_text(tree[2])})"  # type: ignore[arg-type]
    if kind == "distinct":
        return f"distinct({', '.join(tree[1])})"  # type: ignore[arg-type]
    raise AssertionError(kind)


def _value(tree: Tree, design: Design) -> object:
    """The tree's value for a design, by the docs' rules (None: no value)."""
    kind = tree[0]
    if kind in ("num", "bool"):
        return tree[1]
    if kind == "attr":
        value = design[str(tree[1])]
        return Fraction(value) if isinstance(value, Decimal) else value  # a half size is exactly 1/2
    if kind == "length":
        text = design[str(tree[1])]
        return len(text) if isinstance(text, str) else None
    if kind == "arith":
        a, b = _value(tree[2], design), _value(tree[3], design)  # type: ignore[arg-type]
        if a is None or b is None:
            return None
        assert isinstance(a, int | Fraction)
        assert isinstance(b, int | Fraction)
        if tree[1] == "+":
            return Fraction(a) + b
        if tree[1] == "-":
            return Fraction(a) - b
        if tree[1] == "*":
            return Fraction(a) * b
        return None if b == 0 else Fraction(a) / b  # a division by zero has no value
    if kind == "compare":
        a, b = _value(tree[2], design), _value(tree[3], design)  # type: ignore[arg-type]
        op = tree[1]
        if op in ("==", "!="):
            same = a is not None and b is not None and isinstance(a, bool) == isinstance(b, bool) and a == b
            return same if op == "==" else not same
        if a is None or b is None:
            return False
        assert isinstance(a, int | Fraction)
        assert isinstance(b, int | Fraction)
        return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[str(op)]
    if kind == "is":
        return design[str(tree[1])] == tree[2]
    if kind == "rank":  # options of `c` compare by where they are listed: c0 < c1 < c2
        chosen = design["c"]
        if chosen is None:
            return False
        here, there = C_OPTIONS.index(str(chosen)), C_OPTIONS.index(str(tree[2]))
        return {"<": here < there, "<=": here <= there, ">": here > there, ">=": here >= there}[str(tree[1])]
    if kind == "not":
        return not _value(tree[1], design)  # type: ignore[arg-type]
    if kind == "and":
        return bool(_value(tree[1], design)) and bool(_value(tree[2], design))  # type: ignore[arg-type]
    if kind == "or":
        return bool(_value(tree[1], design)) or bool(_value(tree[2], design))  # type: ignore[arg-type]
    if kind == "->":
        return not _value(tree[1], design) or bool(_value(tree[2], design))  # type: ignore[arg-type]
    if kind == "table":
        # A cell matches exactly its value; None (`null`) exactly "does not apply".
        _, keys, rows, allowed = tree
        matched = any(all(_same(design[k], cell) for k, cell in zip(keys, row, strict=True)) for row in rows)  # type: ignore[call-overload]
        return matched == allowed
    if kind == "distinct":
        # Values of different kinds are different: true is not 1.
        seen = {repr(design[k]) for k in tree[1] if design[k] is not None}  # type: ignore[union-attr]
        return len(seen)
    raise AssertionError(kind)


def _references(tree: Tree) -> set[str]:
    if tree[0] in ("attr", "length", "is"):
        return {str(tree[1])}
    if tree[0] in ("distinct", "table"):
        return set(tree[1])  # type: ignore[arg-type]
    if tree[0] == "rank":
        return {"c"}
    return {name for part in tree[1:] if isinstance(part, tuple) for name in _references(part)}


ATOMS = st.sampled_from(
    [
        ("attr", "n"),
        ("attr", "m"),
        ("length", "t"),
        ("num", Fraction(0)),
        ("num", Fraction(1)),
        ("num", Fraction(2)),
        ("num", Fraction(3)),
        ("num", Fraction(1, 2)),
        ("num", Fraction(5, 1000)),
    ]
)


@st.composite
def _numeric(draw: st.DrawFn, depth: int = 0) -> Tree:
    if depth >= 2 or draw(st.integers(0, 2)) == 0:
        return draw(ATOMS)
    op = draw(st.sampled_from(["+", "-", "*", "/", "/"]))
    return ("arith", op, draw(_numeric(depth + 1)), draw(_numeric(depth + 1)))


@st.composite
def _table(draw: st.DrawFn, conditional: bool, numbers: list[NumberValue | None]) -> Tree:
    """A combination table over two attributes, `null` among the cells of `flag` when it has a `when`."""
    columns: dict[str, list[Value]] = {
        "c": ["c0", "c1", "c2"],
        "n": list(numbers),
        "flag": [None, False, True] if conditional else [False, True],
    }
    keys = draw(st.sampled_from([("c", "flag"), ("n", "flag"), ("c", "n")]))
    row = st.tuples(*(st.sampled_from(columns[k]) for k in keys))
    rows = draw(st.lists(row, min_size=1, max_size=5, unique=True))
    return ("table", keys, tuple(rows), draw(st.booleans()))


def _cell(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _round_trip(dividend: Tree, divisor: Tree) -> Tree:
    return ("arith", "*", ("arith", "/", dividend, divisor), divisor)


@st.composite
def _constant(draw: st.DrawFn) -> Tree:
    """A rule over no attribute."""
    if draw(st.booleans()):
        return ("bool", draw(st.booleans()))
    number = st.sampled_from([("num", Fraction(k)) for k in range(4)])
    return ("compare", draw(st.sampled_from(["<", "==", ">="])), draw(number), draw(number))


@st.composite
def _condition(draw: st.DrawFn, conditional: bool) -> Tree:
    form = draw(st.integers(0, 6))
    if form == 6:
        op = draw(st.sampled_from(["<", "<=", ">", ">="]))
        return ("rank", op, draw(st.sampled_from(C_OPTIONS)), draw(st.booleans()))
    if form == 5:  # a quotient multiplied back: exact arithmetic gives the dividend again
        dividend = draw(_numeric(1))
        return ("compare", "==", _round_trip(dividend, draw(ATOMS)), dividend)
    if form == 4:
        names = draw(st.lists(st.sampled_from(["n", "m", "c", "flag"]), min_size=2, max_size=3, unique=True))
        op = draw(st.sampled_from(["==", "<=", ">="]))
        return ("compare", op, ("distinct", tuple(names)), ("num", Fraction(draw(st.integers(1, 3)))))
    if form == 0:
        return (
            "compare",
            draw(st.sampled_from(["==", "!=", "<", "<=", ">", ">="])),
            draw(_numeric()),
            draw(_numeric()),
        )
    if form == 1:
        return ("is", "c", draw(st.sampled_from(["c0", "c1", "c2"])))
    if form == 2:
        return ("compare", "==", ("attr", "flag"), ("bool", draw(st.booleans())))
    return ("attr", "flag") if not conditional else ("compare", "!=", ("attr", "flag"), ("bool", False))


@st.composite
def _rule(draw: st.DrawFn, conditional: bool) -> Tree:
    first = draw(_condition(conditional))
    form = draw(st.integers(0, 3))
    if form == 0:
        return first
    if form == 1:
        return ("not", first)
    return (draw(st.sampled_from(["and", "or", "->"])), first, draw(_condition(conditional)))


@st.composite
def semantic_products(draw: st.DrawFn) -> Semantic:
    """A product with two numbers, a choice, a boolean (perhaps conditional) and a short text, random
    rules between them, and perhaps a price formula."""
    top, step = draw(st.integers(1, 4)), draw(st.sampled_from([1, 2, Decimal("0.5")]))
    grid = [number_value(k * step) for k in range(int(top / step) + 1)]
    limit = draw(st.integers(1, 2))
    lines = [
        "product: random",
        "label: Random",
        'price: {EUR: "1.00"}',
        "attributes:",
        f"  n: {{type: number, min: 0, max: {top}, step: {step}, default: 0}}",
        "  m: {type: number, min: 0, max: 2, default: 1}",
        "  c: {type: choice, ordered: true, options: [c0, c1, c2], default: c0}",
        f"  t: {{type: text, max_length: {limit}, required: false}}",
    ]
    when: Tree | None = None
    if draw(st.booleans()):
        positive = ("compare", ">", ("attr", "n"), ("num", Fraction(0)))
        when = draw(st.sampled_from([("is", "c", "c0"), positive]))
        lines.append(f"  flag: {{type: boolean, default: false, when: '{_text(when)}'}}")
    else:
        lines.append("  flag: {type: boolean, default: false}")
    conditional = when is not None
    trees = [
        draw(_constant()) if draw(st.integers(0, 5)) == 0 else draw(_rule(conditional))
        for _ in range(draw(st.integers(0, 3)))
    ]
    if draw(st.booleans()):
        trees.append(draw(_table(conditional, grid)))
    lines.append("constraints:" if trees else "constraints: []")
    rules: list[tuple[int, Tree]] = []
    for number, tree in enumerate(trees):
        rules.append((len(lines) + 1, tree))
        if tree[0] == "table":
            _, keys, rows, allowed = tree
            written = ", ".join(f"[{', '.join(_cell(cell) for cell in row)}]" for row in rows)  # type: ignore[attr-defined]
            mode = "allowed" if allowed else "forbidden"
            lines.append(f"  - table: {{attributes: [{', '.join(keys)}], {mode}: [{written}]}}")  # type: ignore[arg-type]
        else:
            lines.append(f"  - rule: '{_text(tree)}'")
        lines.append(f"    message: Rule {number}")
    formula: Tree | None = None
    if draw(st.booleans()):
        formula = draw(_numeric())
        if draw(st.booleans()):  # an amount divided and multiplied back, as 11 * 0.005 / 3 * 3
            formula = _round_trip(("arith", "*", formula, ("num", Fraction(5, 1000))), draw(ATOMS))
        lines.extend(["prices:", "  - label: Formula", f"    formula: {{EUR: '{_text(formula)}'}}"])
    flag: list[Value] = [False, True] if when is None else [None, False, True]
    values: dict[str, list[Value]] = {
        "n": list(grid),
        "m": [0, 1, 2],
        "c": ["c0", "c1", "c2"],
        "t": ["x" * length for length in range(limit + 1)],
        "flag": flag,
    }
    rounding = draw(st.sampled_from(["half_up", "half_even"]))
    return Semantic("\n".join(lines) + "\n", values, rules, when, limit, formula, rounding)


def _formula_line(product: Semantic, design: Design) -> Decimal | None:
    """The formula's line in EUR: its exact value rounded to cents, here through decimals far longer
    than any tie could hide in (None when it has no value)."""
    assert product.formula is not None
    value = _value(product.formula, design)
    if value is None:
        return None
    assert isinstance(value, int | Fraction)
    exact = Fraction(value)
    wide = Context(prec=200)
    mode = ROUND_HALF_UP if product.rounding == "half_up" else ROUND_HALF_EVEN
    quotient = wide.divide(Decimal(exact.numerator), Decimal(exact.denominator))
    return quotient.quantize(Decimal("0.01"), rounding=mode, context=wide)


def oracle_designs(product: Semantic) -> list[Design]:
    """Every design the brute force accepts: `flag` has a value exactly when its condition holds, and
    every rule holds."""
    keys = list(product.values)
    found = []
    for combination in itertools.product(*(product.values[k] for k in keys)):
        design = dict(zip(keys, combination, strict=True))
        applies = product.when is None or bool(_value(product.when, design))
        if applies != (design["flag"] is not None):
            continue
        if all(_value(tree, design) for _, tree in product.rules):
            found.append(design)
    return found


def every_value_design(product: Semantic) -> list[Design]:
    keys = list(product.values)
    return [dict(zip(keys, c, strict=True)) for c in itertools.product(*(product.values[k] for k in keys))]


def _grid(product: Semantic, key: str) -> list[Value]:
    return [v for v in product.values[key] if v is not None]


def _off_grid(product: Semantic, key: str) -> list[Value]:
    """Values no design of `key` has: off its range or steps, not an option, of another kind, too long."""
    off: dict[str, list[Value]] = {
        "n": [
            max(_grid(product, "n")) + 1,
            -1,
            1 if 1 not in product.values["n"] else 5,
            True,
            Decimal("0.25"),
        ],  # type: ignore[type-var]
        "m": [3, -1, False],
        "c": ["c9", 0],
        "t": ["x" * (product.text_limit + 1), "y" * 40],
        "flag": ["yes", 1],
    }
    return [v for v in off[key] if not any(_same(v, w) for w in product.values[key])]


def _agrees(design: Design, picks: Design) -> bool:
    """A design keeps the picks: the same values, or no value where `flag` does not apply (for a value
    `flag` can take: one off the grid is kept by no design)."""
    return all(
        _same(design[k], v) or (k == "flag" and design[k] is None and v in (False, True) and type(v) is bool)
        for k, v in picks.items()
    )


def _on_grid(product: Semantic, key: str, value: Value) -> bool:
    return any(_same(value, other) for other in _grid(product, key))


def _same(value: object, other: object) -> bool:
    """Equal and of one kind: `true` is not 1."""
    return value == other and type(value) is type(other)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(semantic=semantic_products(), data=st.data())
def test_the_meaning_of_rules_matches_a_brute_force_of_its_own(
    tmp_path_factory, semantic: Semantic, data: st.DataObject
) -> None:
    folder = tmp_path_factory.mktemp("semantic")
    (folder / "brand.yaml").write_text(f"{BRAND}rounding: {semantic.rounding}\n")
    (folder / "random.yaml").write_text(semantic.source)
    constants = [(line, tree) for line, tree in semantic.rules if not _references(tree)]
    never = [line for line, tree in constants if not _value(tree, {})]
    # A rule over no attribute that never holds is an error where it is written, and loading stops
    if never:
        with pytest.raises(CatalogError) as caught:
            load_catalog(folder)
        assert [(d.code, d.source.line if d.source else 0) for d in caught.value.diagnostics] == [
            ("constant-rule", line) for line in never
        ]
        return
    catalog = load_catalog(folder)
    assert sorted(d.source.line for d in catalog.warnings if d.code == "constant-rule" and d.source) == [
        line for line, _ in constants
    ]
    product = catalog.products["random"]
    valid = oracle_designs(semantic)
    # then the engine counts the brute force's designs (texts by length) and validates them alike
    assert product.count() == len(valid)
    for design in every_value_design(semantic):
        accepted = design in valid
        assert (not product.validate(design)) == accepted, (design, semantic.source)
    # and prices each valid design's formula from its exact value, rounded once
    if semantic.formula is not None:
        for design in valid:
            expected = _formula_line(semantic, design)
            try:
                lines = product.price(design).lines
            except PricingError:
                assert expected is not None
                assert expected < -1, (design, semantic.source)  # below the base price of 1.00
                continue
            found = [line.amount for line in lines if line.kind == "formula"]
            assert found == ([] if not expected else [expected]), (design, semantic.source)

    # and, given random picks (some perhaps off the grid: values no design has), counts and offers what
    # the brute force finds
    base = data.draw(st.sampled_from(every_value_design(semantic)))
    keys = data.draw(st.lists(st.sampled_from(list(base)), unique=True, max_size=3))
    picks = {k: base[k] for k in keys if base[k] is not None}
    for key in data.draw(st.lists(st.sampled_from(list(base)), unique=True, max_size=2)):
        picks[key] = data.draw(st.sampled_from(_off_grid(semantic, key)))
    impossible = [
        a.key
        for a in product.model.attributes
        if a.key in picks and not _on_grid(semantic, a.key, picks[a.key])
    ]
    assert product.count(picks) == sum(_agrees(d, picks) for d in valid), (picks, semantic.source)
    domains = product.domains(picks, explain=False)
    assert domains.consistent == any(_agrees(d, picks) for d in valid)
    # A pick off the grid clashes on its own, says why, and is set aside for every other answer
    assert set(impossible) <= set(domains.clash)
    assert {k for v in domains.violations for k in v.attributes} >= set(impossible)
    design = product.complete(picks)
    # kept as given, or set aside where `flag` does not apply
    assert all(_same(design[k], picks[k]) or (k == "flag" and design[k] is None) for k in impossible)
    assert all(product.validate({**d, k: picks[k]}) for d in valid[:3] for k in impossible)
    placeable = {k: v for k, v in picks.items() if k not in impossible}
    # A text too long stands for a text that is there; any other such pick for no pick at all
    typed = [k for k in impossible if k == "t" and isinstance(picks[k], str)]

    def stands(design: Design, picks: Design) -> bool:
        return _agrees(design, picks) and all(design[k] != "" for k in typed)

    if impossible and any(stands(d, placeable) for d in valid):
        assert domains.clash == tuple(impossible)
        picks = placeable  # what every other attribute is answered against
    elif not domains.consistent:
        return
    for attribute in product.model.attributes:
        if attribute.kind is AttributeKind.TEXT:
            continue
        others = {k: v for k, v in picks.items() if k != attribute.key}
        for option in domains.attributes[attribute.key].options:
            expected = any(_same(d[attribute.key], option.key) and stands(d, others) for d in valid)
            assert option.available == expected, (attribute.key, option.key, picks, semantic.source)
