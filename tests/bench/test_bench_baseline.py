"""The SAT baseline and the exact counter answer what brute force answers, on small random models."""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Mapping

from hypothesis import given, settings
from hypothesis import strategies as st

from bench import data
from bench.baseline import SatConfigurator
from bench.count import count_solutions
from bench.csp import Cnf, Table, TableCSP, Variable, brute_force_solutions
from bench.xcsp import read_xcsp
from tests.bench.benchdata import require


@st.composite
def table_csps(draw: st.DrawFn) -> TableCSP:
    """3-5 variables of 1-5 values, 1-4 positive tables of arity 1-3 (binary ones have their own encoding)."""
    variables = []
    for i in range(draw(st.integers(3, 5))):
        values = tuple(f"o{j}" for j in range(draw(st.integers(1, 5))))
        variables.append(Variable(f"v{i}", f"v{i}", values, values))
    tables = []
    for n in range(draw(st.integers(1, 4))):
        scope = draw(st.lists(st.sampled_from(variables), min_size=1, max_size=3, unique=True))
        product = list(itertools.product(*(v.values for v in scope)))
        rows = draw(st.lists(st.sampled_from(product), min_size=1, max_size=len(product), unique=True))
        tables.append(Table(f"t{n}", tuple(v.key for v in scope), tuple(rows)))
    return TableCSP("random", "Random", variables, tables)


def oracle(
    solutions: list[dict[str, Hashable]], keys: list[str], picks: Mapping[str, Hashable], picked: str
) -> dict[str, frozenset[Hashable]]:
    def matching(p: Mapping[str, Hashable]) -> list[dict[str, Hashable]]:
        return [s for s in solutions if all(s[k] == v for k, v in p.items())]

    under = matching(picks)
    answer = {k: frozenset(s[k] for s in under) for k in keys}
    for key, value in picks.items():
        if picked == "fixed":
            answer[key] = frozenset({value}) if under else frozenset()
        elif under:
            others = {k: v for k, v in picks.items() if k != key}
            answer[key] = frozenset(s[key] for s in matching(others))
    return answer


@settings(max_examples=150, deadline=None)
@given(csp=table_csps(), data=st.data())
def test_table_domains_match_brute_force(csp: TableCSP, data: st.DataObject) -> None:
    solutions: list[dict[str, Hashable]] = list(brute_force_solutions(csp))
    keys = [v.key for v in csp.variables]
    picked_keys = data.draw(st.lists(st.sampled_from(keys), unique=True, max_size=3))
    picks = {k: data.draw(st.sampled_from(csp.variable(k).values)) for k in picked_keys}
    for picked in ("others", "fixed"):
        baseline = SatConfigurator.from_table_csp(csp, picked=picked)
        answer = baseline.domains(picks)
        expected = oracle(solutions, keys, picks, picked)
        assert answer.consistent == bool(oracle(solutions, keys, picks, "fixed")[keys[0]])
        if answer.consistent:
            assert answer.available == expected
        else:
            assert all(not values for values in answer.available.values())
        assert (baseline.solve(picks) is not None) == answer.consistent
        baseline.close()


@st.composite
def cnfs(draw: st.DrawFn) -> Cnf:
    n = draw(st.integers(1, 6))
    literal = st.integers(1, n).flatmap(lambda v: st.sampled_from([v, -v]))
    clauses = draw(st.lists(st.lists(literal, min_size=1, max_size=3).map(tuple), max_size=8))
    return Cnf("random", "Random", n, clauses)


@settings(max_examples=150, deadline=None)
@given(cnf=cnfs(), data=st.data())
def test_cnf_domains_match_brute_force(cnf: Cnf, data: st.DataObject) -> None:
    keys = [cnf.key(v) for v in range(1, cnf.num_vars + 1)]
    solutions: list[dict[str, Hashable]] = []
    for bits in itertools.product([False, True], repeat=cnf.num_vars):
        if all(any(bits[abs(lit) - 1] == (lit > 0) for lit in c) for c in cnf.clauses):
            solutions.append(dict(zip(keys, bits, strict=True)))
    picked_keys = data.draw(st.lists(st.sampled_from(keys), unique=True, max_size=2))
    picks = {k: data.draw(st.booleans()) for k in picked_keys}
    baseline = SatConfigurator.from_cnf(cnf)
    answer = baseline.domains(picks)
    expected = oracle(solutions, keys, picks, "others")
    if answer.consistent:
        assert answer.available == expected
    else:
        assert not any(s for s in solutions if all(s[k] == v for k, v in picks.items()))
    baseline.close()


def test_every_model_found_counts_as_a_witness() -> None:
    # given a free variable with many values, when nothing is picked
    values = tuple(f"o{j}" for j in range(10))
    csp = TableCSP("free", "Free", [Variable("v", "v", values, values)], [])
    baseline = SatConfigurator.from_table_csp(csp, propagate=False)
    answer = baseline.domains({})
    # then every value is available, with one call for the first model and one per other value at most
    assert answer.available == {"v": frozenset(values)}
    assert answer.sat_calls <= len(values)


@settings(max_examples=200, deadline=None)
@given(csp=table_csps())
def test_exact_counter_matches_brute_force(csp: TableCSP) -> None:
    assert count_solutions(csp) == len(brute_force_solutions(csp))


def test_exact_counter_reproduces_the_small_and_medium_counts() -> None:
    assert count_solutions(read_xcsp(require(data.renault_model("small")))) == 172_056
    assert count_solutions(read_xcsp(require(data.renault_model("medium")))) == 278_744
