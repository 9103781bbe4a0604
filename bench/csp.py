"""Neutral in-memory forms of the benchmark models, between the file readers and the writers."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

KEY_RE = re.compile(r"[a-z][a-z0-9_]*")

# Words the expression grammar or YAML 1.1 would read as something other than a name.
_RESERVED = frozenset({"and", "or", "not", "in", "true", "false", "yes", "no", "on", "off", "null"})


def to_key(text: str, prefix: str = "k") -> str:
    """A key matching `[a-z][a-z0-9_]*` that reads like `text` (lower-cased, other characters -> _)."""
    key = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    if not key or not key[0].isalpha():
        key = f"{prefix}{key}" if key[:1].isdigit() else f"{prefix}_{key}".rstrip("_")
    if key in _RESERVED:
        key += "_"
    return key


def unique_keys(texts: Iterable[str], prefix: str = "k") -> list[str]:
    """`to_key` of each text, with `_2`, `_3`... appended where two texts fold to the same key."""
    seen: set[str] = set()
    keys = []
    for text in texts:
        key = base = to_key(text, prefix)
        n = 1
        while key in seen:
            n += 1
            key = f"{base}_{n}"
        seen.add(key)
        keys.append(key)
    return keys


@dataclass(frozen=True)
class Variable:
    """A finite-domain variable: `values` are option keys; `labels` the original names, same order."""

    key: str
    label: str
    values: tuple[str, ...]
    labels: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """A positive table constraint: the allowed rows over `scope` (attribute keys)."""

    name: str
    scope: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass
class TableCSP:
    """Finite-domain variables and positive table constraints (the Renault models)."""

    name: str
    label: str
    variables: list[Variable]
    tables: list[Table]
    raw_values: dict[str, dict[int | str, str]] = field(default_factory=dict)  # var -> raw -> key
    _by_key: dict[str, Variable] = field(default_factory=dict, init=False, repr=False, compare=False)

    def variable(self, key: str) -> Variable:
        """The variable with this key."""
        if len(self._by_key) != len(self.variables):
            self._by_key = {v.key: v for v in self.variables}
        return self._by_key[key]

    def check(self) -> None:
        """Raise ValueError if a table names an unknown variable or value, or repeats a variable."""
        for table in self.tables:
            if len(set(table.scope)) != len(table.scope):
                raise ValueError(f"{table.name}: a variable occurs twice in its scope")
            domains = [frozenset(self.variable(key).values) for key in table.scope]
            for row in table.rows:
                if len(row) != len(domains) or any(v not in d for v, d in zip(row, domains, strict=True)):
                    raise ValueError(f"{table.name}: row {row} outside the domains")


@dataclass
class Cnf:
    """A propositional formula in CNF (DIMACS numbering, 1-based) with feature names."""

    name: str
    label: str
    num_vars: int
    clauses: list[tuple[int, ...]]
    names: dict[int, str] = field(default_factory=dict)

    def key(self, var: int) -> str:
        """The attribute key of DIMACS variable `var`."""
        return f"v{var}"


def brute_force_solutions(csp: TableCSP) -> list[dict[str, str]]:
    """Every solution, by enumeration with forward checking on the tables; for tiny CSPs in tests."""
    order = [v.key for v in csp.variables]
    tables: list[tuple[Sequence[str], frozenset[tuple[str, ...]]]] = [
        (t.scope, frozenset(t.rows)) for t in csp.tables
    ]
    solutions: list[dict[str, str]] = []
    assignment: dict[str, str] = {}

    def ok() -> bool:
        for scope, rows in tables:
            if all(k in assignment for k in scope) and tuple(assignment[k] for k in scope) not in rows:
                return False
        return True

    def extend(i: int) -> None:
        if i == len(order):
            solutions.append(dict(assignment))
            return
        key = order[i]
        for value in csp.variable(key).values:
            assignment[key] = value
            if ok():
                extend(i + 1)
            del assignment[key]

    extend(0)
    return solutions
