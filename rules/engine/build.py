"""Compiling table and clause constraints into a multi-valued decision diagram (MDD).

Nodes are built bottom-up per constraint and conjoined with a memoised apply. A node's children are
kept grouped by child, each with a bit mask of the values leading to it: wide domains where most
values lead to the same place cost one entry instead of hundreds. While compiling, the diagram is
fully reduced (a node whose values all lead to one child is that child, so an edge may skip levels),
which keeps equal sub-diagrams equal references. Only the finished diagram is turned into flat
arrays with every level present (see `diagram.py`).

A constraint is given as allowed rows, or as `ClauseRows`: the negative form of a clause, which
forbids a single box of combinations and becomes a chain of one node per variable instead of a
table of all the combinations it allows.
"""

from __future__ import annotations

import itertools
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from math import prod
from typing import overload

from rules.engine.order import variable_order

TRUE = -1  # everything below is accepted
FALSE = -2  # nothing below is accepted

Ref = int  # level << 32 | index, or TRUE / FALSE
Groups = tuple[tuple[Ref, int], ...]  # (child, value mask), sorted by child


class ClauseRows(Sequence[tuple[int, ...]]):
    """The rows allowed by a clause: every combination in which some column takes an allowed value.

    `allowed[i]` is the bit mask of the values of column i that satisfy the clause (its literals on
    that variable, joined); the one box it forbids is every column taking a value outside its mask.
    `compile_problem` reads the masks and never lists the rows. Listing them (len, indexing,
    iterating, `numpy.array`) is for code that only knows positive tables; it is refused with
    `too_wide(combinations)` beyond `limit` combinations, since a clause over 60 booleans allows
    2**60 - 1 rows.
    """

    def __init__(
        self,
        sizes: Sequence[int],
        allowed: Sequence[int],
        limit: int,
        too_wide: Callable[[int], Exception],
    ) -> None:
        self.sizes = tuple(sizes)
        self.allowed = tuple(mask & ((1 << size) - 1) for mask, size in zip(allowed, sizes, strict=True))
        self.limit = limit
        self.too_wide = too_wide
        self._listed: tuple[tuple[int, ...], ...] | None = None

    @property
    def combinations(self) -> int:
        return prod(self.sizes)

    @property
    def trivial(self) -> bool:
        """True when some column allows every value: the clause never excludes anything."""
        return any(mask == (1 << size) - 1 for mask, size in zip(self.allowed, self.sizes, strict=True))

    def forbidden_count(self) -> int:
        return prod(size - mask.bit_count() for mask, size in zip(self.allowed, self.sizes, strict=True))

    def without(self, column: int, value: int) -> ClauseRows | bool:
        """The clause once column `column` takes `value`: True if satisfied, False if nothing is left."""
        if self.allowed[column] >> value & 1:
            return True
        if len(self.sizes) == 1:
            return False
        keep = [i for i in range(len(self.sizes)) if i != column]
        return ClauseRows(
            [self.sizes[i] for i in keep], [self.allowed[i] for i in keep], self.limit, self.too_wide
        )

    def rows(self) -> tuple[tuple[int, ...], ...]:
        """Every allowed row, in lexicographic order (refused beyond `limit` combinations)."""
        if self._listed is None:
            if self.combinations > self.limit:
                raise self.too_wide(self.combinations)
            self._listed = tuple(
                row
                for row in itertools.product(*(range(size) for size in self.sizes))
                if any(mask >> value & 1 for mask, value in zip(self.allowed, row, strict=True))
            )
        return self._listed

    def __len__(self) -> int:
        if self.combinations > self.limit:
            raise self.too_wide(self.combinations)
        return self.combinations - self.forbidden_count()

    @overload
    def __getitem__(self, index: int) -> tuple[int, ...]: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[tuple[int, ...]]: ...

    def __getitem__(self, index: int | slice) -> tuple[int, ...] | Sequence[tuple[int, ...]]:
        return self.rows()[index]

    def __iter__(self) -> Iterator[tuple[int, ...]]:
        return iter(self.rows())

    def __repr__(self) -> str:
        return f"ClauseRows(sizes={self.sizes}, allowed={self.allowed})"


Rows = Sequence[tuple[int, ...]]  # allowed value indices in scope order, or ClauseRows


# Nodes a compile may create: about 300 bytes each with their unique table, so about 2 GB at the limit
# (BusyBox's 1.2 GB compile stays under it). A shop's products need far fewer (the demo's: thousands);
# a model past it is refused with a located answer instead of holding a worker's memory. One conjunction's
# memo (about 170 bytes an entry, freed when it ends) is held to the same count.
MAX_NODES = 6_000_000
# Seconds a compile may take, lowering included: a merchant's `rules check` and a worker's publish answer
# within it, with a located refusal past it. Every public model that compiles at all does so in well
# under it (bench/README.md), and the demo catalog's products in milliseconds.
COMPILE_SECONDS = 30.0
_STEPS_BETWEEN_CLOCK_READS = 1 << 14
_CLOCK_READ_MASK = _STEPS_BETWEEN_CLOCK_READS - 1  # hot loops read the clock when a count hits it


class CompileBudgetError(Exception):
    """Compiling would pass its budget: too many nodes (memory) or too many seconds."""


class DiagramTooLargeError(CompileBudgetError):
    """Compiling needed more nodes than allowed (`MAX_NODES`, or the builder's own limit)."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the diagram needs more than {limit:,} nodes")
        self.limit = limit


class CompileTimeoutError(CompileBudgetError):
    """Compiling took longer than its deadline allowed."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"compiling takes longer than {seconds:g} s")
        self.seconds = seconds


class Deadline:
    """The moment a compile must have ended by; `tick` reads the clock once in many calls, so hot loops
    can call it for every step."""

    def __init__(self, seconds: float = COMPILE_SECONDS) -> None:
        self.seconds = seconds
        self._at = time.monotonic() + seconds
        self._steps = 0

    def check(self) -> None:
        if time.monotonic() > self._at:
            raise CompileTimeoutError(self.seconds)

    def tick(self) -> None:
        self._steps += 1
        if not self._steps % _STEPS_BETWEEN_CLOCK_READS:
            self.check()


class Builder:
    """A unique table of grouped MDD nodes over levels with the given domain sizes."""

    def __init__(
        self, sizes: Sequence[int], max_nodes: int = MAX_NODES, deadline: Deadline | None = None
    ) -> None:
        self.sizes = list(sizes)
        self.full = [(1 << size) - 1 for size in sizes]
        self.nodes: list[list[Groups]] = [[] for _ in sizes]
        self._unique: list[dict[Groups, Ref]] = [{} for _ in sizes]
        self.max_nodes = max_nodes
        self.deadline = deadline or Deadline()
        self.count = 0

    def node(self, level: int, groups: dict[Ref, int]) -> Ref:
        """The node at `level` with these children (FALSE when there are none, the child itself when
        every value leads to it)."""
        if not groups:
            return FALSE
        if len(groups) == 1:
            ((child, mask),) = groups.items()
            if mask == self.full[level]:
                return child
        return self._keep(level, groups)

    def _keep(self, level: int, groups: dict[Ref, int]) -> Ref:
        """The node at `level` with these children, even one that every value leaves the same way."""
        key = tuple(sorted(groups.items()))
        unique = self._unique[level]
        ref = unique.get(key)
        if ref is None:
            self.count += 1
            if self.count > self.max_nodes:
                raise DiagramTooLargeError(self.max_nodes)
            if not self.count & _CLOCK_READ_MASK:
                self.deadline.check()
            ref = (level << 32) | len(self.nodes[level])
            self.nodes[level].append(key)
            unique[key] = ref
        return ref

    def children(self, ref: Ref) -> Groups:
        return self.nodes[ref >> 32][ref & 0xFFFFFFFF]

    def release(self, level: int) -> None:
        """Let the nodes of `level` go: the builder is spent, for an export that has passed `level`
        and never looks above it again."""
        self.nodes[level] = []
        self._unique[level] = {}

    def table(self, levels: Sequence[int], rows: Sequence[tuple[int, ...]]) -> Ref:
        """The diagram of "the variables at `levels` (ascending) take one of `rows`"."""
        if not rows:
            return FALSE
        last = levels[-1]
        index_at = {level: i for i, level in enumerate(levels)}

        def build(level: int, subset: Sequence[tuple[int, ...]]) -> Ref:
            self.deadline.tick()
            if level > last:
                return TRUE
            if level not in index_at:
                child = build(level + 1, subset)
                return FALSE if child == FALSE else self.node(level, {child: self.full[level]})
            column = index_at[level]
            by_value: dict[int, list[tuple[int, ...]]] = {}
            for row in subset:
                by_value.setdefault(row[column], []).append(row)
            groups: dict[Ref, int] = {}
            for value, matching in by_value.items():
                child = build(level + 1, matching)
                if child != FALSE:
                    groups[child] = groups.get(child, 0) | (1 << value)
            return self.node(level, groups)

        return build(levels[0], rows)

    def clause(self, levels: Sequence[int], allowed: Sequence[int]) -> Ref:
        """The diagram of "some variable at `levels` (ascending) takes a value in its `allowed` mask":
        one node per variable, its allowed values to TRUE and the others on to the next variable."""
        ref = FALSE
        for level, mask in zip(reversed(levels), reversed(allowed), strict=True):
            groups: dict[Ref, int] = {}
            if mask:
                groups[TRUE] = mask
            rest = self.full[level] & ~mask
            if rest and ref != FALSE:
                groups[ref] = groups.get(ref, 0) | rest
            ref = self.node(level, groups)
        return ref

    def conjoin(self, a: Ref, b: Ref, memo: dict[tuple[Ref, Ref], Ref]) -> Ref:
        """The diagram accepting what both `a` and `b` accept."""
        if a == FALSE or b == FALSE:
            return FALSE
        if a == TRUE:
            return b
        if b == TRUE or a == b:
            return a
        if a > b:
            a, b = b, a
        key = (a, b)
        found = memo.get(key)
        if found is not None:
            return found
        level_a, level_b = a >> 32, b >> 32
        groups: dict[Ref, int] = {}
        if level_a == level_b:
            for child_a, mask_a in self.children(a):
                for child_b, mask_b in self.children(b):
                    mask = mask_a & mask_b
                    if mask:
                        child = self.conjoin(child_a, child_b, memo)
                        if child != FALSE:
                            groups[child] = groups.get(child, 0) | mask
            level = level_a
        elif level_a < level_b:
            for child_a, mask_a in self.children(a):
                child = self.conjoin(child_a, b, memo)
                if child != FALSE:
                    groups[child] = groups.get(child, 0) | mask_a
            level = level_a
        else:
            for child_b, mask_b in self.children(b):
                child = self.conjoin(a, child_b, memo)
                if child != FALSE:
                    groups[child] = groups.get(child, 0) | mask_b
            level = level_b
        result = self.node(level, groups)
        memo[key] = result
        remembered = len(memo)
        if remembered > self.max_nodes:
            raise DiagramTooLargeError(self.max_nodes)
        if not remembered & _CLOCK_READ_MASK:
            self.deadline.check()
        return result

    def conjoin_all(self, parts: Sequence[tuple[Sequence[int], Ref]]) -> Ref:
        """Conjoin constraint diagrams bottom-up (deepest first), which keeps intermediates narrow.

        Each step then only walks the part of the diagram between the new constraint's first and
        last levels. (Measured on feature models: ordering by last level, top-down, or a balanced
        tree of conjunctions all built larger intermediate diagrams.)
        """
        ordered = sorted(parts, key=lambda p: (-p[0][0], -(p[0][1] if len(p[0]) > 1 else p[0][0])))
        root: Ref = TRUE
        for _, part in ordered:
            root = self.conjoin(root, part, {})
            if root == FALSE:
                break
        return root

    def lift(self, ref: Ref, level: int, memo: dict[tuple[Ref, int], Ref]) -> Ref:
        """`ref` seen from `level`: don't-care nodes are inserted for any levels it skips."""
        own = len(self.sizes) if ref == TRUE else ref >> 32
        if own == level or ref == FALSE:
            return ref
        key = (ref, level)
        found = memo.get(key)
        if found is None:
            found = self._keep(level, {self.lift(ref, level + 1, memo): self.full[level]})
            memo[key] = found
        return found


Constraint = tuple[Sequence[int], Rows]  # scope (variable indices), rows in scope order
Part = tuple[list[int], Ref]  # the levels of one constraint (ascending) and its diagram
ClausePart = tuple[list[int], list[int]]  # the levels of one clause (ascending) and their masks


def compile_problem(
    sizes: Sequence[int],
    tables: Sequence[Constraint],
    max_nodes: int = MAX_NODES,
    deadline: Deadline | None = None,
) -> tuple[Builder, Ref, list[int]]:
    """Compile variables (domain sizes) and constraints (scope, allowed rows or `ClauseRows`).

    Returns the builder, the root and the variable order (variable index per level). A constraint over
    no variable is a constant: one that allows its empty row constrains nothing, one that allows none
    leaves no assignment at all. Raises `DiagramTooLargeError` past `max_nodes` nodes and
    `CompileTimeoutError` past the deadline (`COMPILE_SECONDS` from now when none is given).
    """
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 4 * len(sizes) + 1000))
    impossible = any(not scope and not rows for scope, rows in tables)
    tables = [(scope, rows) for scope, rows in tables if scope]
    scopes = [list(scope) for scope, _ in tables]
    hub, order = variable_order(len(sizes), scopes)
    level_of = {variable: level for level, variable in enumerate(order)}
    builder = Builder([sizes[v] for v in order], max_nodes, deadline)

    def encode(scope: Sequence[int], rows: Rows, parts: list[Part], clauses: list[ClausePart]) -> None:
        columns = sorted(range(len(scope)), key=lambda i: level_of[scope[i]])
        levels = [level_of[scope[i]] for i in columns]
        if isinstance(rows, ClauseRows):
            clauses.append((levels, [rows.allowed[i] for i in columns]))
        else:
            parts.append((levels, builder.table(levels, [tuple(row[i] for i in columns) for row in rows])))

    if impossible:
        root: Ref = FALSE
    elif hub is None:
        parts: list[Part] = []
        clauses: list[ClausePart] = []
        for scope, rows in tables:
            encode(scope, rows, parts, clauses)
        root = _conjoin(builder, parts, clauses)
    else:
        root = _compile_conditioned(builder, hub, sizes[hub], tables, encode)
    lifted = builder.lift(root, 0, {}) if root != FALSE else FALSE
    return builder, lifted, order


def _conjoin(builder: Builder, parts: list[Part], clauses: list[ClausePart]) -> Ref:
    """The conjunction of table diagrams and clauses, each clause a chain of one node per literal."""
    chains = [(levels, builder.clause(levels, masks)) for levels, masks in clauses]
    return builder.conjoin_all([*parts, *chains])


def _compile_conditioned(
    builder: Builder,
    hub: int,
    hub_size: int,
    tables: Sequence[Constraint],
    encode: Callable[[Sequence[int], Rows, list[Part], list[ClausePart]], None],
) -> Ref:
    """Shannon-expand on the hub (level 0): one sub-diagram per hub value, sharing every node."""
    fixed: list[Part] = []
    fixed_clauses: list[ClausePart] = []
    split: list[tuple[list[int], dict[int, Rows | bool]]] = []
    for scope, rows in tables:
        if hub not in scope:
            encode(scope, rows, fixed, fixed_clauses)
            continue
        column = list(scope).index(hub)
        rest = [v for i, v in enumerate(scope) if i != column]
        by_value: dict[int, Rows | bool] = {}
        if isinstance(rows, ClauseRows):
            by_value = {value: rows.without(column, value) for value in range(hub_size)}
        else:
            listed: dict[int, list[tuple[int, ...]]] = {}
            for row in rows:
                listed.setdefault(row[column], []).append(row[:column] + row[column + 1 :])
            by_value.update(listed)
        split.append((rest, by_value))
    groups: dict[Ref, int] = {}
    lift_memo: dict[tuple[Ref, int], Ref] = {}
    for value in range(hub_size):
        parts = list(fixed)
        clauses = list(fixed_clauses)
        possible = True
        for rest, by_value in split:
            matching = by_value.get(value, False)
            if matching is False:
                possible = False
                break
            if matching is True or not rest:
                continue
            encode(rest, matching, parts, clauses)
        if not possible:
            continue
        sub = _conjoin(builder, parts, clauses)
        if sub != FALSE:
            child = builder.lift(sub, 1, lift_memo)
            groups[child] = groups.get(child, 0) | (1 << value)
    return builder.node(0, groups)
