"""The compiled engine against brute force on random small products.

The oracle enumerates every complete design and keeps those `Product.validate` accepts — a separate
path that evaluates the rules' expressions directly — then answers domains, counts and repairs by
looking at that list.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rules import load_product
from rules.model import AttributeKind, Value
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
