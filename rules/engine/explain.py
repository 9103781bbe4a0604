"""Which rules stand between a pick and the option a shopper wants.

First the direct check: a table with no row compatible with the option and the conflicting picks.
When the conflict only shows through a chain of rules, a SAT solver finds an unsatisfiable core over
one selector literal per rule, which is then shrunk to a minimal set.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from pysat.card import CardEnc, EncType
from pysat.solvers import Solver

from rules.engine.finite import FiniteModel, Table

MAX_SHRINK_STEPS = 12


class Explainer:
    """Finds the rules that make a partial assignment (variable -> value index) impossible."""

    def __init__(self, finite: FiniteModel) -> None:
        self.finite = finite
        self._rows = [
            np.array(t.rows, dtype=np.int64).reshape(len(t.rows), len(t.scope)) for t in finite.tables
        ]
        self._by_variable: dict[int, list[int]] = {}
        for index, table in enumerate(finite.tables):
            for variable in table.scope:
                self._by_variable.setdefault(variable, []).append(index)
        self._solver: Solver | None = None
        self._literal: list[list[int]] = []
        self._selector: list[int] = []

    def rules(self, assignment: Mapping[int, int]) -> list[Table]:
        """A small set of rules that together forbid `assignment` (empty if none do)."""
        direct = [self.finite.tables[i] for i in self._direct(assignment)]
        if direct:
            return direct
        return self._core(assignment)

    def _direct(self, assignment: Mapping[int, int]) -> list[int]:
        found = []
        candidates = sorted({t for v in assignment for t in self._by_variable.get(v, ())})
        for index in candidates:
            table = self.finite.tables[index]
            rows = self._rows[index]
            keep = np.ones(len(rows), dtype=bool)
            for column, variable in enumerate(table.scope):
                if variable in assignment:
                    keep &= rows[:, column] == assignment[variable]
            if not keep.any():
                found.append(index)
        return found

    def _encode(self) -> Solver:
        if self._solver is not None:
            return self._solver
        top = 0
        clauses: list[list[int]] = []
        for variable in self.finite.variables:
            literals = list(range(top + 1, top + 1 + len(variable.values)))
            top += len(literals)
            self._literal.append(literals)
        for literals in self._literal:
            encoded = CardEnc.equals(lits=literals, bound=1, top_id=top, encoding=EncType.seqcounter)
            top = max(top, encoded.nv)
            clauses.extend(encoded.clauses)
        for table in self.finite.tables:
            top += 1
            selector = top
            self._selector.append(selector)
            supports = []
            for row in table.rows:
                top += 1
                supports.append(top)
                clauses.extend(
                    [-top, self._literal[v][value]] for v, value in zip(table.scope, row, strict=True)
                )
            clauses.append([-selector, *supports])
        self._solver = Solver(name="cadical153", bootstrap_with=clauses)
        return self._solver

    def _core(self, assignment: Mapping[int, int]) -> list[Table]:
        solver = self._encode()
        picks = [self._literal[v][value] for v, value in assignment.items()]
        selectors = list(self._selector)
        if solver.solve(assumptions=picks + selectors):
            return []
        core = set(solver.get_core() or ())
        chosen = [s for s in selectors if s in core]
        for _ in range(MAX_SHRINK_STEPS):
            shrunk = _drop_one(solver, picks, chosen)
            if shrunk is None:
                break
            chosen = shrunk
        index_of = {s: i for i, s in enumerate(self._selector)}
        return [self.finite.tables[index_of[s]] for s in chosen]

    def close(self) -> None:
        if self._solver is not None:
            self._solver.delete()
            self._solver = None


def _drop_one(solver: Solver, picks: Sequence[int], chosen: Sequence[int]) -> list[int] | None:
    for selector in chosen:
        rest = [s for s in chosen if s != selector]
        if not solver.solve(assumptions=[*picks, *rest]):
            core = set(solver.get_core() or ())
            return [s for s in rest if s in core]
    return None
