"""An exact solution counter for table CSPs, independent of the engine: to check its counts.

Recursive conditioning with components and caching (in the spirit of #SAT solvers such as sharpSAT):
enforce generalised arc consistency on the tables, drop the tables every remaining combination
satisfies, count each connected component on its own, and branch on the most constrained variable.
Python integers keep the count exact however large it grows.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

from bench.csp import TableCSP

Mask = npt.NDArray[np.bool_]


class ExactCounter:
    """Counts the solutions of a positive table CSP."""

    def __init__(self, csp: TableCSP) -> None:
        self.keys = [v.key for v in csp.variables]
        index = {key: i for i, key in enumerate(self.keys)}
        self.sizes = [len(v.values) for v in csp.variables]
        self.scopes: list[tuple[int, ...]] = []
        self.rows: list[npt.NDArray[np.int64]] = []
        for table in csp.tables:
            positions = [{value: i for i, value in enumerate(csp.variable(k).values)} for k in table.scope]
            rows = np.array(
                [[p[value] for p, value in zip(positions, row, strict=True)] for row in table.rows],
                dtype=np.int64,
            ).reshape(len(table.rows), len(table.scope))
            self.scopes.append(tuple(index[k] for k in table.scope))
            self.rows.append(np.unique(rows, axis=0))
        self.tables_of: list[list[int]] = [[] for _ in self.keys]
        for t, scope in enumerate(self.scopes):
            for var in scope:
                self.tables_of[var].append(t)
        self.cache: dict[bytes, int] = {}
        self.branches = 0

    def count(self) -> int:
        """The exact number of solutions."""
        domains = [np.ones(size, dtype=bool) for size in self.sizes]
        if not self._propagate(domains, range(len(self.scopes))):
            return 0
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(limit, 10_000))
        try:
            return self._count_all(domains, set(range(len(self.keys))))
        finally:
            sys.setrecursionlimit(limit)

    def _propagate(self, domains: list[Mask], tables: Iterable[int]) -> bool:
        """GAC on the tables, to a fixpoint; False on a wipe-out."""
        queue = list(dict.fromkeys(tables))
        queued = set(queue)
        while queue:
            t = queue.pop()
            queued.discard(t)
            scope, rows = self.scopes[t], self.rows[t]
            alive = np.ones(len(rows), dtype=bool)
            for j, var in enumerate(scope):
                alive &= domains[var][rows[:, j]]
            if not alive.any():
                return False
            live = rows[alive]
            for j, var in enumerate(scope):
                supported = np.zeros(self.sizes[var], dtype=bool)
                supported[live[:, j]] = True
                narrowed = domains[var] & supported
                if narrowed.sum() < domains[var].sum():
                    domains[var] = narrowed
                    for other in self.tables_of[var]:
                        if other != t and other not in queued:
                            queue.append(other)
                            queued.add(other)
        return True

    def _binding(self, t: int, domains: list[Mask]) -> bool:
        """Whether table t still excludes some combination of its variables' current values."""
        scope, rows = self.scopes[t], self.rows[t]
        alive = np.ones(len(rows), dtype=bool)
        for j, var in enumerate(scope):
            alive &= domains[var][rows[:, j]]
        combinations = 1
        for var in scope:
            combinations *= int(domains[var].sum())
        return int(alive.sum()) < combinations

    def _count_all(self, domains: list[Mask], variables: set[int]) -> int:
        """Product over the components of `variables` (domains already arc consistent)."""
        open_vars = {v for v in variables if domains[v].sum() > 1}
        binding = {t for v in open_vars for t in self.tables_of[v] if self._binding(t, domains)}
        total = 1
        seen: set[int] = set()
        for start in open_vars:
            if start in seen:
                continue
            component, tables = self._component(start, open_vars, binding)
            seen |= component
            if not tables:
                for var in component:
                    total *= int(domains[var].sum())
                continue
            total *= self._count_component(domains, component, tables)
            if total == 0:
                return 0
        return total

    def _component(self, start: int, open_vars: set[int], binding: set[int]) -> tuple[set[int], set[int]]:
        component, tables, stack = {start}, set(), [start]
        while stack:
            var = stack.pop()
            for t in self.tables_of[var]:
                if t in binding and t not in tables:
                    tables.add(t)
                    for other in self.scopes[t]:
                        if other in open_vars and other not in component:
                            component.add(other)
                            stack.append(other)
        return component, tables

    def _count_component(self, domains: list[Mask], component: set[int], tables: set[int]) -> int:
        touched = sorted({v for t in tables for v in self.scopes[t]} | component)
        key = b"".join(np.packbits(domains[v]).tobytes() + v.to_bytes(2, "little") for v in touched)
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        degree = {v: sum(1 for t in self.tables_of[v] if t in tables) for v in component}
        var = max(component, key=lambda v: (degree[v], -int(domains[v].sum())))
        total = 0
        for value in np.flatnonzero(domains[var]):
            self.branches += 1
            branch = [d.copy() if i in component or i == var else d for i, d in enumerate(domains)]
            branch[var] = np.zeros(self.sizes[var], dtype=bool)
            branch[var][value] = True
            if self._propagate(branch, self.tables_of[var]):
                total += self._count_all(branch, component)
        self.cache[key] = total
        return total


def count_solutions(csp: TableCSP) -> int:
    """The exact number of solutions of a table CSP."""
    return ExactCounter(csp).count()
