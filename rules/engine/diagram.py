"""A compiled decision diagram as flat numpy arrays, and the queries a configurator asks of it.

Layout: levels 0..n-1 (one variable each, see `order`), nodes numbered level by level with the root
first and one terminal last; every edge goes from a node at level L to a node at level L+1. Edges that
share source and target are one *group* carrying several values.

Every interactive question is one or two sweeps over the groups, vectorised per level:
a pick costs 1 on every group that does not carry the picked value, `forward[node]` is the fewest
picks broken from the root to a node and `backward[node]` from a node to the terminal. A value is
available iff some group carrying it has forward + backward == 0 *not counting its own level* — so a
picked attribute still shows which other values it could switch to — and otherwise that sum is the
fewest other picks to change (the repair distance).
"""

from __future__ import annotations

from array import array
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from rules.engine.build import FALSE, TRUE, Builder, Ref

# Unreachable. Large enough that weighted costs (see `Product.complete`) never reach it, small enough
# that a few of them add up without overflowing int64.
INF = 1 << 60
IntArray = npt.NDArray[np.int64]

Picks = Mapping[int, int]  # level -> value index
_TERMINAL = -1  # in `dst` while exporting, until the terminal's id is known


@dataclass
class Sweep:
    """The result of one forward/backward sweep for a set of picks."""

    forward: IntArray
    backward: IntArray
    best: IntArray  # per slot (level offset + value): fewest other picks to change; INF = never
    cost: dict[int, IntArray]  # per picked level: cost of each of its groups
    soft: Mapping[int, IntArray] = field(default_factory=dict)  # per level: cost of each value

    @property
    def consistent(self) -> bool:
        return bool(self.forward[-1] == 0)


class Diagram:
    """An immutable compiled diagram over variables with the given domain sizes."""

    def __init__(self, builder: Builder, root: Ref, order: Sequence[int]) -> None:
        self.order = list(order)  # variable index at each level
        self.level_of = {variable: level for level, variable in enumerate(self.order)}
        self.sizes = np.array(builder.sizes, dtype=np.int64)
        self.levels = len(builder.sizes)
        self.slot_start = np.concatenate(([0], np.cumsum(self.sizes))).astype(np.int64)
        self.empty = root == FALSE
        # First slot of each variable's values (indexed by variable, not level), for quick lookups.
        self.slot_of_variable = [0] * len(self.order)
        for level, variable in enumerate(self.order):
            self.slot_of_variable[variable] = int(self.slot_start[level])
        self._export(builder, root)

    # -- construction -------------------------------------------------------------------------

    @property
    def nbytes(self) -> int:
        """The bytes its arrays hold: what keeping the diagram costs, for caches' budgets."""
        return sum(value.nbytes for value in vars(self).values() if isinstance(value, np.ndarray))

    def _export(self, builder: Builder, root: Ref) -> None:
        # One pass, level by level, spending the builder as it goes: a node gets its id when first
        # reached, so ids run level by level, its groups go straight into typed arrays, and a level's
        # builder nodes are let go once passed. (Per-node lists of Python ints, and don't-care nodes
        # made in the builder, held several times the finished arrays: 1.2 GB for BusyBox's 130 MB.)
        n = self.levels
        node_start = [0] * (n + 1)
        group_start = [0] * (n + 1)
        src, dst, group_size, values = array("q"), array("q"), array("q"), array("q")
        next_id = 0
        if not self.empty and n:
            # A node is its builder ref, or (ref, level) for a don't-care node standing at `level` for
            # an edge that skips it (a constraint ended): every value leads on to the same place.
            ids: dict[Ref | tuple[Ref, int], int] = {root: 0}  # this level's nodes, in id order
            next_id = 1
            bits: dict[int, list[int]] = {}
            for level in range(n):
                node_start[level + 1] = next_id  # level's nodes all have ids; the next level's none yet
                following: dict[Ref | tuple[Ref, int], int] = {}
                for node, source in ids.items():
                    groups = (
                        ((node[0], builder.full[level]),)
                        if isinstance(node, tuple)
                        else builder.children(node)
                    )
                    for child, mask in groups:
                        below: Ref | tuple[Ref, int] = (
                            child
                            if (n if child == TRUE else child >> 32) == level + 1
                            else (child, level + 1)
                        )
                        if below == TRUE:
                            target = _TERMINAL
                        else:
                            found = following.get(below)
                            if found is None:
                                found = following[below] = next_id
                                next_id += 1
                            target = found
                        carried = bits.get(mask)
                        if carried is None:
                            carried = bits[mask] = _bits(mask)
                        src.append(source)
                        dst.append(target)
                        group_size.append(len(carried))
                        values.extend(carried)
                group_start[level + 1] = len(src)
                builder.release(level)
                ids = following  # edges only go one level down: the ids above are never asked again
        self.node_count = next_id
        # One terminal after the last level; with no variables at all, the root is the terminal.
        self.terminal = next_id
        self.node_start = np.array(node_start, dtype=np.int64)
        self.src = np.frombuffer(src, dtype=np.int64).copy()
        self.dst = np.frombuffer(dst, dtype=np.int64).copy()
        self.dst[self.dst == _TERMINAL] = self.terminal
        self.group_start = np.array(group_start, dtype=np.int64)
        self.group_size = np.frombuffer(group_size, dtype=np.int64).copy()
        self.group_level = np.repeat(np.arange(n, dtype=np.int64), np.diff(self.group_start))

        # Values of each group (for paths) and groups of each value (for domains), both flat.
        self.values_start = np.concatenate(([0], np.cumsum(self.group_size))).astype(np.int64)
        flat_values = np.frombuffer(values, dtype=np.int64).copy()
        self.values = flat_values
        edge_group = np.repeat(np.arange(len(src), dtype=np.int64), self.group_size)
        edge_slot = self.slot_start[self.group_level[edge_group]] + flat_values if len(src) else flat_values
        by_slot = np.argsort(edge_slot, kind="stable")
        self.edge_group = edge_group[by_slot]
        slot_count = int(self.slot_start[-1])
        self.edge_slot_start = np.searchsorted(edge_slot[by_slot], np.arange(slot_count + 1)).astype(np.int64)
        counts = np.diff(self.edge_slot_start)
        self.live_slots = np.flatnonzero(counts > 0)
        self.live_slot_start = self.edge_slot_start[self.live_slots]

        # Incoming groups per node, for walking a path upwards.
        self.in_order = np.argsort(self.dst, kind="stable")
        self.in_start = np.searchsorted(self.dst[self.in_order], np.arange(self.node_count + 2))
        self.out_start = np.searchsorted(self.src, np.arange(self.node_count + 2))

    # -- queries --------------------------------------------------------------------------------

    def _group_cost(self, level: int, value: int) -> IntArray:
        """1 for each group of `level` that does not carry `value`, else 0."""
        first, last = int(self.group_start[level]), int(self.group_start[level + 1])
        cost = np.ones(last - first, dtype=np.int64)
        slot = int(self.slot_start[level]) + value
        carrying = self.edge_group[self.edge_slot_start[slot] : self.edge_slot_start[slot + 1]]
        cost[carrying - first] = 0
        return cost

    def soft_group_costs(self, soft: Mapping[int, IntArray]) -> dict[int, IntArray]:
        """The group costs `sweep` derives from per-value costs, computed once to be reused."""
        return {level: self._soft_group_cost(level, value_cost) for level, value_cost in soft.items()}

    def _soft_group_cost(self, level: int, value_cost: IntArray) -> IntArray:
        """Each group of `level` costs its cheapest value."""
        return self._per_group(level, value_cost, np.minimum)

    def _per_group(self, level: int, per_value: IntArray, reduce: np.ufunc) -> IntArray:
        """`per_value` (indexed by value) reduced over the values each group of `level` carries."""
        first, last = int(self.group_start[level]), int(self.group_start[level + 1])
        if first == last:
            return np.zeros(0, dtype=np.int64)
        start, end = int(self.values_start[first]), int(self.values_start[last])
        offsets = self.values_start[first:last] - start
        return np.asarray(reduce.reduceat(per_value[self.values[start:end]], offsets), dtype=np.int64)

    def sweep(
        self,
        picks: Picks,
        weights: Mapping[int, int] | None = None,
        soft: Mapping[int, IntArray] | None = None,
        soft_groups: Mapping[int, IntArray] | None = None,
    ) -> Sweep:
        """Forward and backward fewest-broken-picks sweeps and the per-value best through-cost.

        `weights` makes breaking some picks dearer than others (each pick costs 1 by default).
        `soft` gives levels that are not picked a cost per value (a value costing 0 is as good as a
        pick): preferences such as "a value near the default", or a pick that admits two values.
        `soft_groups` may hold the group costs of some of them, as `soft_group_costs` gives them, for
        preferences that do not change between queries.
        """
        size = self.node_count + 1
        forward = np.full(size, INF, dtype=np.int64)
        backward = np.full(size, INF, dtype=np.int64)
        best = np.full(int(self.slot_start[-1]), INF, dtype=np.int64)
        cost = {level: self._group_cost(level, value) for level, value in picks.items()}
        if weights:
            cost = {level: c * weights.get(level, 1) for level, c in cost.items()}
        soft = {level: values for level, values in (soft or {}).items() if level not in picks}
        known = soft_groups or {}
        for level, value_cost in soft.items():
            found = known.get(level)
            cost[level] = found if found is not None else self._soft_group_cost(level, value_cost)
        if self.empty:
            return Sweep(forward, backward, best, cost, soft)
        # Every node lies on a path from the root to the terminal, and only levels with a cost add to
        # one: above the first such level every node is reached for nothing, and below the last one
        # every node reaches the terminal for nothing. Only the levels between are swept.
        costly = sorted(cost)
        top = costly[0] if costly else self.levels
        bottom = costly[-1] if costly else -1
        forward[: int(self.node_start[top + 1]) if top < self.levels else size] = 0
        backward[int(self.node_start[bottom + 1]) :] = 0
        bounds = self.group_start
        for level in range(top, self.levels):
            first, last = bounds[level], bounds[level + 1]
            reach = forward[self.src[first:last]]
            if level in cost:
                reach = reach + cost[level]
            np.minimum.at(forward, self.dst[first:last], reach)
        for level in range(bottom, -1, -1):
            first, last = bounds[level], bounds[level + 1]
            rest = backward[self.dst[first:last]]
            if level in cost:
                rest = rest + cost[level]
            np.minimum.at(backward, self.src[first:last], rest)
        through = forward[self.src] + backward[self.dst]
        if len(self.live_slots):
            best[self.live_slots] = np.minimum.reduceat(through[self.edge_group], self.live_slot_start)
        return Sweep(forward, backward, np.minimum(best, INF), cost, soft)

    def count(self, picks: Picks, allowed: Mapping[int, IntArray] | None = None) -> int:
        """Exact number of complete assignments accepted that agree with `picks`, and that give each
        level of `allowed` one of its values costing 0 (a `soft` cost array, as in `sweep`)."""
        if self.empty:
            return 0
        if not self.levels:
            return 1
        weight = {
            level: 1 - cost for level, cost in ((lv, self._group_cost(lv, v)) for lv, v in picks.items())
        }
        for level, value_cost in (allowed or {}).items():
            if level not in picks:
                weight[level] = self._per_group(level, (value_cost == 0).astype(np.int64), np.add)
        approx = self._count_with(weight, np.float64)
        if float(np.max(approx)) < 2.0**62:
            return int(self._count_with(weight, np.int64)[0])
        return int(self._count_with(weight, object)[0])

    def _count_with(self, weight: dict[int, IntArray], dtype: object) -> npt.NDArray[np.generic]:
        paths = np.zeros(self.node_count + 1, dtype=dtype)  # type: ignore[call-overload]
        paths[self.terminal] = 1
        bounds = self.group_start
        for level in range(self.levels - 1, -1, -1):
            first, last = bounds[level], bounds[level + 1]
            factor = weight[level] if level in weight else self.group_size[first:last]
            contribution = factor.astype(dtype) * paths[self.dst[first:last]]  # type: ignore[call-overload]
            np.add.at(paths, self.src[first:last], contribution)
        result: npt.NDArray[np.generic] = paths
        return result

    def path_through(self, sweep: Sweep, level: int, value: int, picks: Picks) -> dict[int, int] | None:
        """A cheapest complete path using `level = value`: the value it takes at every picked level."""
        slot = int(self.slot_start[level]) + value
        groups = self.edge_group[self.edge_slot_start[slot] : self.edge_slot_start[slot + 1]]
        if not len(groups) or sweep.best[slot] >= INF:
            return None
        through = sweep.forward[self.src[groups]] + sweep.backward[self.dst[groups]]
        group = int(groups[int(np.argmin(through))])
        chosen: dict[int, int] = {level: value}
        node = int(self.src[group])
        for up in range(level - 1, -1, -1):
            incoming = self.in_order[self.in_start[node] : self.in_start[node + 1]]
            step = self._step(incoming, up, sweep, upwards=True, target=int(sweep.forward[node]))
            self._choose(step, up, picks, chosen, sweep)
            node = int(self.src[step])
        self._descend(sweep, int(self.dst[group]), level + 1, picks, chosen, every_level=False)
        return chosen

    def cheapest_path(self, sweep: Sweep, picks: Picks) -> dict[int, int] | None:
        """A complete path breaking as little as possible: the value index at every level."""
        if self.empty or not sweep.forward[-1] < INF:
            return None
        chosen: dict[int, int] = {}
        self._descend(sweep, 0, 0, picks, chosen, every_level=True)
        return chosen

    def _descend(
        self, sweep: Sweep, node: int, level: int, picks: Picks, chosen: dict[int, int], *, every_level: bool
    ) -> None:
        """Follow cheapest groups from `node` (at `level`) to the terminal, recording values."""
        for down in range(level, self.levels):
            outgoing = np.arange(self.out_start[node], self.out_start[node + 1])
            step = self._step(outgoing, down, sweep, upwards=False, target=int(sweep.backward[node]))
            self._choose(step, down, picks, chosen, sweep, every_level=every_level)
            node = int(self.dst[step])

    def _step(self, groups: IntArray, level: int, sweep: Sweep, *, upwards: bool, target: int) -> int:
        first = int(self.group_start[level])
        extra = sweep.cost[level][groups - first] if level in sweep.cost else 0
        if upwards:
            total = sweep.forward[self.src[groups]] + extra
        else:
            total = sweep.backward[self.dst[groups]] + extra
        matches = groups[total == target]
        return int(matches[0]) if len(matches) else int(groups[int(np.argmin(total))])

    def _choose(
        self,
        group: int,
        level: int,
        picks: Picks,
        chosen: dict[int, int],
        sweep: Sweep,
        *,
        every_level: bool = False,
    ) -> None:
        """Record the picked value if the group carries it, else its cheapest soft value, else its
        first (unpicked levels too, when `every_level`)."""
        soft = sweep.soft.get(level)
        if level not in picks and soft is None and not every_level:
            return
        values = self.values[self.values_start[group] : self.values_start[group + 1]]
        wanted = picks.get(level)
        if wanted is not None and wanted in values:
            chosen[level] = wanted
        elif soft is not None:
            chosen[level] = int(values[int(np.argmin(soft[values]))])
        else:
            chosen[level] = int(values[0])

    def edge_count(self) -> int:
        return int(len(self.values))


def _bits(mask: int) -> list[int]:
    values = []
    index = 0
    while mask:
        if mask & 1:
            values.append(index)
        mask >>= 1
        index += 1
    return values
