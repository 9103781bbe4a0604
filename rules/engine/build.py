"""Compiling table constraints into a multi-valued decision diagram (MDD).

Nodes are built bottom-up per constraint and conjoined with a memoised apply. A node's children are
kept grouped by child, each with a bit mask of the values leading to it: wide domains where most
values lead to the same place (a don't-care level, say) then cost one entry instead of hundreds.
Only the finished diagram is turned into flat arrays (see `diagram.py`).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from rules.engine.order import find_hub, force_order

TRUE = -1  # everything below is accepted
FALSE = -2  # nothing below is accepted

Ref = int  # level << 32 | index, or TRUE / FALSE
Groups = tuple[tuple[Ref, int], ...]  # (child, value mask), sorted by child


class Builder:
    """A unique table of grouped MDD nodes over levels with the given domain sizes."""

    def __init__(self, sizes: Sequence[int]) -> None:
        self.sizes = list(sizes)
        self.full = [(1 << size) - 1 for size in sizes]
        self.nodes: list[list[Groups]] = [[] for _ in sizes]
        self._unique: list[dict[Groups, Ref]] = [{} for _ in sizes]

    def node(self, level: int, groups: dict[Ref, int]) -> Ref:
        """The node at `level` with these children (FALSE when there are none)."""
        if not groups:
            return FALSE
        key = tuple(sorted(groups.items()))
        unique = self._unique[level]
        ref = unique.get(key)
        if ref is None:
            ref = (level << 32) | len(self.nodes[level])
            self.nodes[level].append(key)
            unique[key] = ref
        return ref

    def children(self, ref: Ref) -> Groups:
        return self.nodes[ref >> 32][ref & 0xFFFFFFFF]

    def table(self, levels: Sequence[int], rows: Sequence[tuple[int, ...]]) -> Ref:
        """The diagram of "the variables at `levels` (ascending) take one of `rows`"."""
        if not rows:
            return FALSE
        last = levels[-1]
        index_at = {level: i for i, level in enumerate(levels)}

        def build(level: int, subset: Sequence[tuple[int, ...]]) -> Ref:
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
        return result

    def conjoin_all(self, parts: Sequence[tuple[Sequence[int], Ref]]) -> Ref:
        """Conjoin constraint diagrams bottom-up (deepest first), which keeps intermediates narrow."""
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
            found = self.node(level, {self.lift(ref, level + 1, memo): self.full[level]})
            memo[key] = found
        return found


Problem = tuple[Sequence[int], Sequence[tuple[Sequence[int], Sequence[tuple[int, ...]]]]]


def compile_problem(
    sizes: Sequence[int], tables: Sequence[tuple[Sequence[int], Sequence[tuple[int, ...]]]]
) -> tuple[Builder, Ref, list[int]]:
    """Compile variables (domain sizes) and positive tables (scope, rows of value indices).

    Returns the builder, the root and the variable order (variable index per level).
    """
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 4 * len(sizes) + 1000))
    scopes = [list(scope) for scope, _ in tables]
    hub = find_hub(len(sizes), scopes)
    if hub is None:
        order = force_order(len(sizes), scopes)
    else:
        rest = [v for v in range(len(sizes)) if v != hub]
        local = {v: i for i, v in enumerate(rest)}
        inner = force_order(len(rest), [[local[v] for v in s if v != hub] for s in scopes])
        order = [hub] + [rest[i] for i in inner]
    level_of = {variable: level for level, variable in enumerate(order)}
    builder = Builder([sizes[v] for v in order])

    def encode(
        scope: Sequence[int], rows: Sequence[tuple[int, ...]]
    ) -> tuple[list[int], list[tuple[int, ...]]]:
        columns = sorted(range(len(scope)), key=lambda i: level_of[scope[i]])
        return [level_of[scope[i]] for i in columns], [tuple(row[i] for i in columns) for row in rows]

    if hub is None:
        parts = []
        for scope, rows in tables:
            levels, encoded = encode(scope, rows)
            parts.append((levels, builder.table(levels, encoded)))
        root = builder.conjoin_all(parts)
    else:
        root = _compile_conditioned(builder, hub, sizes[hub], tables, encode)
    lifted = builder.lift(root, 0, {}) if root != FALSE else FALSE
    return builder, lifted, order


def _compile_conditioned(
    builder: Builder,
    hub: int,
    hub_size: int,
    tables: Sequence[tuple[Sequence[int], Sequence[tuple[int, ...]]]],
    encode: object,
) -> Ref:
    """Shannon-expand on the hub (level 0): one sub-diagram per hub value, sharing every node."""
    assert callable(encode)
    fixed: list[tuple[list[int], Ref]] = []
    split: list[tuple[list[int], dict[int, list[tuple[int, ...]]]]] = []
    for scope, rows in tables:
        if hub not in scope:
            levels, encoded = encode(scope, rows)
            fixed.append((levels, builder.table(levels, encoded)))
            continue
        column = list(scope).index(hub)
        rest = [v for i, v in enumerate(scope) if i != column]
        by_value: dict[int, list[tuple[int, ...]]] = {}
        for row in rows:
            by_value.setdefault(row[column], []).append(row[:column] + row[column + 1 :])
        split.append((rest, by_value))
    groups: dict[Ref, int] = {}
    lift_memo: dict[tuple[Ref, int], Ref] = {}
    for value in range(hub_size):
        parts = list(fixed)
        possible = True
        for rest, by_value in split:
            matching = by_value.get(value)
            if not matching:
                possible = False
                break
            if rest:
                levels, encoded = encode(rest, matching)
                parts.append((levels, builder.table(levels, encoded)))
        if not possible:
            continue
        sub = builder.conjoin_all(parts)
        if sub != FALSE:
            child = builder.lift(sub, 1, lift_memo)
            groups[child] = groups.get(child, 0) | (1 << value)
    return builder.node(0, groups)
