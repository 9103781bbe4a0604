"""A straightforward SAT configurator: the baseline the engine's `domains` is measured against.

Encoding (direct encoding, built once; the solver is incremental and reused for every query):
- one boolean x(v, a) per variable v and value a; exactly one per variable (one at-least-one
  clause; at-most-one pairwise for up to 8 values, else a sequential counter);
- each binary table: the support encoding, x(v, a) -> OR of x(w, b) over the allowed (a, b), both ways;
- each wider positive table: one selector t_i per allowed tuple (the "support" encoding with auxiliary
  tuple variables): t_i -> x(v, tuple_i[v]) for every v in the scope, x(v, a) -> OR of the t_i whose
  tuple has v = a, and OR of all t_i. Unit propagation on this encoding enforces generalised arc
  consistency on every table, as a table propagator in a CP solver would;
- a DIMACS CNF is used as it is: boolean v_i is the SAT variable i (x(v_i, True) = i, x(v_i, False) = -i).

`domains(picks)` asks, for each candidate value, one SAT call under the assumptions picks + x(v, a).
Two standard savings keep it from being a strawman: every model found marks all the values it contains
as available (so most values need no call of their own), and, where the solver offers it, one unit
propagation under the picks first rules out the values it already refutes.
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from pysat.card import CardEnc, EncType
from pysat.formula import IDPool
from pysat.solvers import Solver

from bench.csp import Cnf, Table, TableCSP

PAIRWISE_MAX = 8


@dataclass(frozen=True)
class BaselineDomains:
    """Which values each attribute may still take; `consistent` is False when the picks have no solution."""

    consistent: bool
    available: dict[str, frozenset[Hashable]]
    sat_calls: int


class SatConfigurator:
    """Answers domains(picks) with SAT calls under assumptions on one incremental solver.

    picked="others": a picked attribute's available values are those compatible with the OTHER picks
    (what a shopper may switch to); picked="fixed": only the picked value.
    """

    def __init__(
        self,
        clauses: list[list[int]],
        literals: dict[str, dict[Hashable, int]],
        *,
        solver: str = "glucose4",
        picked: str = "others",
        propagate: bool = True,
    ) -> None:
        if picked not in ("others", "fixed"):
            raise ValueError("picked is 'others' or 'fixed'")
        self.literals = literals
        self.picked = picked
        top = max((abs(lit) for lits in literals.values() for lit in lits.values()), default=0)
        if top and all(abs(lit) < top for clause in clauses for lit in clause):
            # a variable in no clause: this tautology makes the solver size its models to cover it
            clauses = [*clauses, [top, -top]]
        self.solver = Solver(name=solver, bootstrap_with=clauses)
        self.sat_calls = 0
        self._propagate = propagate and self._can_propagate()
        self.num_clauses = len(clauses)
        self.num_vars = max((abs(lit) for clause in clauses for lit in clause), default=0)
        # all values side by side, so that a model is checked against them in one numpy pass
        self._values = {key: list(lits) for key, lits in literals.items()}
        self._slices: dict[str, slice] = {}
        self._index: dict[str, dict[Hashable, int]] = {}
        flat: list[int] = []
        for key, lits in literals.items():
            self._slices[key] = slice(len(flat), len(flat) + len(lits))
            self._index[key] = {value: len(flat) + i for i, value in enumerate(lits)}
            flat.extend(lits.values())
        self._value_lits = np.asarray(flat, dtype=np.int64)
        self._value_vars = np.abs(self._value_lits)
        self._max_value_var = int(self._value_vars.max(initial=0))

    @classmethod
    def from_table_csp(cls, csp: TableCSP, **options: object) -> SatConfigurator:
        """Direct encoding of a table CSP (see the module docstring)."""
        pool = IDPool()
        literals: dict[str, dict[Hashable, int]] = {}
        clauses: list[list[int]] = []
        # value variables first: ids 1..N, so a model's prefix holds every value
        for var in csp.variables:
            literals[var.key] = {value: pool.id(("x", var.key, value)) for value in var.values}
        for var in csp.variables:
            ids = list(literals[var.key].values())
            clauses.append(ids)
            if len(ids) <= PAIRWISE_MAX:
                clauses.extend([-a, -b] for a, b in itertools.combinations(ids, 2))
            else:
                clauses.extend(CardEnc.atmost(ids, 1, vpool=pool, encoding=EncType.seqcounter).clauses)
        for table in csp.tables:
            if len(table.scope) == 2:
                clauses.extend(_binary_support(table, literals))
                continue
            selectors = [pool.id(("t", table.name, i)) for i in range(len(table.rows))]
            clauses.append(selectors)
            for position, key in enumerate(table.scope):
                supports: dict[Hashable, list[int]] = {value: [] for value in literals[key]}
                for t, row in zip(selectors, table.rows, strict=True):
                    supports[row[position]].append(t)
                    clauses.append([-t, literals[key][row[position]]])
                for value, ts in supports.items():
                    clauses.append([-literals[key][value], *ts])
        return cls(clauses, literals, **options)  # type: ignore[arg-type]

    @classmethod
    def from_cnf(cls, cnf: Cnf, **options: object) -> SatConfigurator:
        """A DIMACS formula as it is; boolean attribute v<i> has values False and True."""
        literals: dict[str, dict[Hashable, int]] = {
            cnf.key(i): {False: -i, True: i} for i in range(1, cnf.num_vars + 1)
        }
        return cls([list(c) for c in cnf.clauses], literals, **options)  # type: ignore[arg-type]

    def _can_propagate(self) -> bool:
        try:
            self.solver.propagate(assumptions=[])
        except NotImplementedError:
            return False
        return True

    def _assumptions(self, picks: Mapping[str, Hashable]) -> list[int]:
        return [self.literals[key][value] for key, value in picks.items()]

    def solve(self, picks: Mapping[str, Hashable] | None = None) -> dict[str, Hashable] | None:
        """One solution extending the picks, or None."""
        self.sat_calls += 1
        if not self.solver.solve(assumptions=self._assumptions(picks or {})):
            return None
        true = {lit for lit in self.solver.get_model() or () if lit > 0}
        return {
            key: next(value for value, lit in lits.items() if (lit > 0) == (abs(lit) in true))
            for key, lits in self.literals.items()
        }

    def _supported(
        self, assumptions: list[int], keys: list[str], known: int | None = None
    ) -> npt.NDArray[np.bool_] | None:
        """Mask over all values: those of `keys` that some solution under `assumptions` has; None if none.

        `known`: the index of a value already known to be supported (needs no call of its own).
        """
        self.sat_calls += 1
        if not self.solver.solve(assumptions=assumptions):
            return None
        found = self._model_mask()
        if known is not None:
            found[known] = True
        candidates = np.zeros(len(self._value_lits), dtype=bool)
        for key in keys:
            candidates[self._slices[key]] = True
        open_ = candidates & ~found
        if self._propagate and open_.any():
            _, implied = self.solver.propagate(assumptions=assumptions)
            state = np.zeros(self.num_vars + 1, dtype=np.int64)
            if implied:
                lits = np.asarray(implied, dtype=np.int64)
                state[np.abs(lits)] = lits
            open_ &= state[self._value_vars] != -self._value_lits
        for i in np.flatnonzero(open_):
            if found[i]:
                continue
            self.sat_calls += 1
            if self.solver.solve(assumptions=[*assumptions, int(self._value_lits[i])]):
                found |= self._model_mask()
        supported: npt.NDArray[np.bool_] = found & candidates
        return supported

    def _model_mask(self) -> npt.NDArray[np.bool_]:
        """Which values the solver's last model contains."""
        model = self.solver.get_model() or []
        # model[i - 1] is +i or -i: the value of SAT variable i; value variables come first
        prefix = np.asarray(model[: self._max_value_var], dtype=np.int64)
        mask: npt.NDArray[np.bool_] = prefix[self._value_vars - 1] == self._value_lits
        return mask

    def domains(self, picks: Mapping[str, Hashable]) -> BaselineDomains:
        """Every attribute's available values given the picks (see `picked` for picked attributes)."""
        calls = self.sat_calls
        assumptions = self._assumptions(picks)
        free = [key for key in self.literals if key not in picks]
        found = self._supported(assumptions, free)
        if found is None:
            empty = {key: frozenset[Hashable]() for key in self.literals}
            return BaselineDomains(False, empty, self.sat_calls - calls)
        for key, value in picks.items():
            if self.picked == "fixed":
                found[self._index[key][value]] = True
                continue
            others = [lit for k, lit in zip(picks, assumptions, strict=True) if k != key]
            alternatives = self._supported(others, [key], known=self._index[key][value])
            assert alternatives is not None  # a model of all the picks is one of the others
            found |= alternatives
        available = {
            key: frozenset(v for v, ok in zip(self._values[key], found[self._slices[key]], strict=True) if ok)
            for key in self.literals
        }
        return BaselineDomains(True, available, self.sat_calls - calls)

    def close(self) -> None:
        """Free the solver."""
        self.solver.delete()


def _binary_support(table: Table, literals: dict[str, dict[Hashable, int]]) -> list[list[int]]:
    """x(v, a) -> OR of the x(w, b) allowed with it, and the same from w's side; GAC under propagation."""
    v, w = table.scope
    clauses: list[list[int]] = []
    for position, (key, other) in enumerate(((v, w), (w, v))):
        supports: dict[Hashable, list[int]] = {value: [] for value in literals[key]}
        for row in table.rows:
            supports[row[position]].append(literals[other][row[1 - position]])
        clauses.extend([-literals[key][value], *lits] for value, lits in supports.items())
    return clauses
