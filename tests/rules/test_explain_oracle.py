"""Every reason `domains` gives names rules, and those rules really exclude the option.

A reason is checked on its own: the named rules' tables, the other picks (as the engine reads them)
and the option admit no assignment at all, found by enumerating the variables those tables read.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rules import load_product
from rules.engine.explain import Explaining
from rules.engine.finite import FiniteModel, Table
from rules.product import Product
from rules.results import Domains, RuleRef
from tests.rules.test_engine_oracle import BRAND, load, products
from tests.support.designs import every_design


def _allows(table: Table, values: Mapping[int, int]) -> bool:
    clause = table.clause
    if clause is not None:
        return any(mask >> values[v] & 1 for v, mask in zip(table.scope, clause.allowed, strict=True))
    return tuple(values[v] for v in table.scope) in set(table.rows)


def excluded(finite: FiniteModel, rules: Sequence[RuleRef], within: Mapping[int, Sequence[int]]) -> bool:
    """No assignment keeping each variable of `within` to its values satisfies every table of `rules`
    (brute force)."""
    tables = [t for t in finite.tables if t.rule in rules]
    free = sorted({v for t in tables for v in t.scope} | within.keys())
    domains = [within.get(v, range(len(finite.variables[v].values))) for v in free]
    for combination in itertools.product(*domains):
        values = dict(zip(free, combination, strict=True))
        if all(_allows(t, values) for t in tables):
            return False
    return True


def check_reasons(product: Product, picks: Mapping[str, object], domains: Domains) -> int:
    """Every greyed option names a rule, and its rules with the other picks exclude it; the count."""
    clash = set(domains.clash)
    checked = 0
    for attribute in product.model.attributes:
        # As `domains` answers: a clashing attribute against every pick, others without the clash.
        kept = {k: v for k, v in picks.items() if attribute.key in clash or k not in clash}
        levels, soft = product._engine_picks(kept, 1)
        # A pick on a conditional attribute admits its value or "does not apply": both are kept.
        engine_picks: dict[int, Sequence[int]] = {
            product._layout.variable_at(level): [value] for level, value in levels.items()
        }
        for level, cost in soft.items():
            engine_picks[product._layout.variable_at(level)] = [i for i, c in enumerate(cost) if c == 0]
        for option in domains.attributes[attribute.key].options:
            if option.available:
                continue
            reason = option.reason
            assert reason is not None
            assert reason.rules, (attribute.key, option.key, picks)
            target = product._target(attribute.key, option.key)
            assert target is not None
            variable, value = target
            assignment = {v: a for v, a in engine_picks.items() if v != variable}
            assignment[variable] = [value]
            assert excluded(product.finite, reason.rules, assignment), (attribute.key, option.key, picks)
            checked += 1
    return checked


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(source=products(), data=st.data())
def test_every_reason_names_rules_that_exclude_the_option(
    tmp_path_factory: pytest.TempPathFactory, source: str, data: st.DataObject
) -> None:
    product = load(tmp_path_factory.mktemp("p"), source)
    # given: random picks taken from some design (valid or not)
    base = data.draw(st.sampled_from(every_design(product)))
    picked = data.draw(st.lists(st.sampled_from(list(base)), unique=True, max_size=len(base)))
    picks = {k: base[k] for k in picked if base[k] is not None}
    # then: every greyed option's reason names rules, and they exclude it with the other picks
    check_reasons(product, picks, product.domains(picks))


def hub_product(seed: int) -> str:
    """A model with a wide hub attribute tied to every other attribute by a table, and chains of
    rules between the others: the shape of a car configurator, small enough to check by hand."""
    rng = random.Random(seed)
    hub = [f"m{i}" for i in range(40)]
    others = {f"f{i}": [f"f{i}o{j}" for j in range(3)] for i in range(16)}
    lines = ["product: hub", "label: Hub", 'price: {EUR: "1.00"}', "attributes:"]
    lines.append(f"  model: {{type: choice, options: [{', '.join(hub)}], default: m0}}")
    for key, options in others.items():
        lines.append(f"  {key}: {{type: choice, options: [{', '.join(options)}], default: {options[0]}}}")
    lines.append("constraints:")
    for key, options in others.items():
        # Every model allows the defaults' option, and a random one or two more.
        rows = [[model, options[0]] for model in hub]
        rows += [[model, option] for model in hub for option in rng.sample(options[1:], rng.randint(0, 2))]
        body = ", ".join(f"[{m}, {o}]" for m, o in rows)
        lines.append(f"  - table: {{attributes: [model, {key}], allowed: [{body}]}}")
        lines.append(f"    message: Models and {key}")
    keys = list(others)
    for number in range(12):
        a, b = rng.sample(keys, 2)
        x, y = rng.choice(others[a][1:]), rng.choice(others[b][1:])
        lines.append(f"  - rule: {a} == {x} -> {b} != {y}")
        lines.append(f"    message: Rule {number}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("seed", [1, 2])
def test_every_reason_names_its_rules_with_many_picks(tmp_path: Path, seed: int) -> None:
    # given a hub product and a shopper who picks one attribute after the other, each time among the
    # options still available
    (tmp_path / "brand.yaml").write_text(BRAND)
    (tmp_path / "hub.yaml").write_text(hub_product(seed))
    product = load_product(tmp_path / "hub.yaml")
    rng = random.Random(seed)
    picks: dict[str, object] = {}
    keys = [a.key for a in product.model.attributes]
    rng.shuffle(keys)
    checked = 0
    for key in keys:
        domains = product.domains(picks)
        # then every greyed option, picked attributes' included, names rules that exclude it
        checked += check_reasons(product, picks, domains)
        available = [o.key for o in domains.attributes[key].options if o.available]
        picks[key] = rng.choice(available)
    assert checked > 200  # the check saw many greyed options, of picked attributes too


def test_the_states_without_each_pick_are_found_together(tmp_path: Path) -> None:
    # given a hub product with every attribute picked
    (tmp_path / "brand.yaml").write_text(BRAND)
    (tmp_path / "hub.yaml").write_text(hub_product(3))
    product = load_product(tmp_path / "hub.yaml")
    explainer = product._compiled.explainer
    design = product.complete({"model": "m7"})
    picks = product._layout.variables(product._levels(design))
    # when the states without each pick are planned together
    explaining = Explaining(explainer, picks, consistent=True)
    explaining.prepare(list(picks))
    # then each is the propagation of every other pick, and all of them took two propagations per
    # pick, each on top of a state that holds about half of the picks that remain to add
    for variable in picks:
        alone = explainer._propagate(explainer.root(), {v: a for v, a in picks.items() if v != variable})
        assert explaining._state(frozenset((variable,))).alive == alone.alive
    assert explaining._state(frozenset()).alive == explainer._propagate(explainer.root(), picks).alive
    assert explaining.propagations <= 2 * len(picks)


def test_an_option_alone_gets_the_reason_domains_gives(tmp_path: Path) -> None:
    # given a hub product with half of its attributes picked
    (tmp_path / "brand.yaml").write_text(BRAND)
    (tmp_path / "hub.yaml").write_text(hub_product(4))
    product = load_product(tmp_path / "hub.yaml")
    design = product.complete({"model": "m3"})
    picks = {key: design[key] for key in list(design)[::2]}
    # when each greyed option is explained on its own, then the reason is the one domains gives
    asked = 0
    for key, state in product.domains(picks).attributes.items():
        for option in state.options:
            if not option.available:
                assert product.explain(picks, key, option.key) == option.reason, (key, option.key)
                asked += 1
    assert asked > 10
