"""Which rules stand between a pick and the option a shopper wants.

Three steps, cheapest first:

1. the direct check: every table with no row compatible with the assignment;
2. propagation: arc consistency over the tables from the assignment, recording which table removed
   each value and when. When a table runs out of rows, the tables on the chain of removals that led
   there forbid the assignment together. Each removal is traced back to the removals it needed only
   (a cover of the rows it ruled out), so the chain stays short;
3. when propagation cannot see the conflict (it needs search), a SAT solver finds an unsatisfiable
   core over one selector literal per rule, shrunk towards a minimal set. Rules are encoded lazily,
   only those a candidate model breaks, and every solver call has a conflict budget: past it the
   answer is the rules found so far (possibly none) rather than a shopper kept waiting.

Propagation from no assignment at all runs once per product; every later propagation starts from its
fixpoint, and the reasons of options that no design can have are cached.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from pysat.card import CardEnc, EncType
from pysat.solvers import Solver

from rules.engine.diagram import Diagram, Sweep
from rules.engine.finite import FiniteModel, Table

MAX_SHRINK_STEPS = 12
SAT_CONFLICT_BUDGET = 20_000  # per solver call: beyond it an option's reason keeps its picks only
PICKED = -1  # `removed_by` of a value removed by the assignment itself
CLAUSE = -1  # in place of a row bitset: the table is a clause, revisited whenever the value goes

IntArray = npt.NDArray[np.int64]


@dataclass
class _State:
    """Domains after propagation, with the provenance of every removal.

    Plain lists and integers rather than numpy: a propagation step touches a handful of values, and
    each table's remaining rows are one integer bitset, cut by a single `&` per removed value.
    """

    alive: bytearray  # per slot (variable offset + value index)
    stamp: list[int]  # when a dead slot was removed (a counter, not a time)
    removed_by: list[int]  # the table that removed it, or PICKED
    rows: list[int]  # per table: its rows still compatible with the alive values, as a bitset
    clock: int = 0
    conflict: int = -1  # a table left without rows, or -1
    conflict_at: int = 0
    clash: int = -1  # an assigned slot that was already removed, or -1

    def copy(self) -> _State:
        return _State(
            bytearray(self.alive), self.stamp.copy(), self.removed_by.copy(), self.rows.copy(), self.clock
        )

    @property
    def failed(self) -> bool:
        return self.conflict >= 0 or self.clash >= 0


class Explainer:
    """Finds the rules that make a partial assignment (variable -> value index) impossible."""

    def __init__(self, finite: FiniteModel) -> None:
        self.finite = finite
        sizes = np.array([len(v.values) for v in finite.variables], dtype=np.int64)
        self._offset = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
        self._slot_count = int(self._offset[-1])
        self._slot_variable = np.repeat(np.arange(len(sizes), dtype=np.int64), sizes)
        self._rows: list[IntArray] = []
        self._slots: list[IntArray] = []  # rows as slots, for one gather per table
        self._scope_slots: list[IntArray] = []
        self._by_variable: dict[int, list[int]] = {}
        self._masks: list[dict[int, int]] = []  # table -> slot -> its rows with that value (bitset)
        self._full: list[int] = []
        # slot -> (table, its rows with that value, the others): what a removal cuts, in place
        self._slot_tables: dict[int, list[tuple[int, int, int]]] = {}
        # Clause tables (rules kept in their negative form) per table: column -> slots satisfying it.
        self._clause: list[list[list[int]] | None] = []
        for index, table in enumerate(finite.tables):
            for variable in table.scope:
                self._by_variable.setdefault(variable, []).append(index)
            self._scope_slots.append(
                np.concatenate([np.arange(self._offset[v], self._offset[v + 1]) for v in table.scope])
                if len(table.scope)
                else np.zeros(0, dtype=np.int64)
            )
            # `clause` is absent from finite models that only know positive tables.
            clause = getattr(table, "clause", None)
            if clause is not None:
                satisfying = [
                    [int(self._offset[v]) + value for value in range(int(sizes[v])) if mask >> value & 1]
                    for v, mask in zip(table.scope, clause.allowed, strict=True)
                ]
                self._clause.append(satisfying)
                for slot in (s for column in satisfying for s in column):
                    self._slot_tables.setdefault(slot, []).append((index, CLAUSE, 0))
                self._rows.append(np.zeros((0, len(table.scope)), dtype=np.int64))
                self._slots.append(self._rows[-1])
                self._masks.append({})
                self._full.append(0)
                continue
            self._clause.append(None)
            rows = np.array(table.rows, dtype=np.int64).reshape(len(table.rows), len(table.scope))
            scope = np.array(table.scope, dtype=np.int64)
            self._rows.append(rows)
            self._slots.append(rows + self._offset[scope])
            masks: dict[int, int] = {}
            for column, variable in enumerate(table.scope):
                first = int(self._offset[variable])
                order = np.argsort(rows[:, column], kind="stable")
                bounds = np.searchsorted(rows[order, column], np.arange(int(sizes[variable]) + 1)).tolist()
                for value in range(int(sizes[variable])):
                    mask = _bitset(order[bounds[value] : bounds[value + 1]])
                    masks[first + value] = mask
                    if not table.trivial:  # never revisited, so never cut
                        self._slot_tables.setdefault(first + value, []).append((index, mask, ~mask))
            self._masks.append(masks)
            self._full.append((1 << len(table.rows)) - 1)
        # A trivial table never removes anything: propagation skips it.
        self._offset_list = self._offset.tolist()
        self._slot_variable_list = self._slot_variable.tolist()
        self._scope_list = [self._scope_slots[i].tolist() for i in range(len(finite.tables))]
        self._active = [i for i, t in enumerate(finite.tables) if not t.trivial]
        self._active_set = frozenset(self._active)
        self._lock = threading.RLock()
        self._root: _State | None = None
        self._dead: dict[tuple[int, int], list[Table]] = {}
        self._solver: Solver | None = None
        self._selector: dict[int, int] = {}
        self._codes: dict[int, tuple[IntArray, IntArray]] = {}
        self._top = 0

    # -- public ------------------------------------------------------------------------------------

    def rules(self, assignment: Mapping[int, int]) -> list[Table]:
        """A small set of rules that together forbid `assignment` (empty if none do)."""
        direct = self._direct(assignment)
        if direct:
            return [self.finite.tables[i] for i in direct]
        found = self._propagated(self.root(), assignment)
        if found is not None:
            found = self._shrink(assignment, found)
        if found is None:
            found = self._sat(assignment) or []
        return [self.finite.tables[i] for i in found]

    def dead(self, variable: int, value: int) -> list[Table]:
        """The rules that rule out `variable = value` in every design (cached: picks play no part)."""
        key = (variable, value)
        with self._lock:
            found = self._dead.get(key)
        if found is None:
            found = self.rules({variable: value})
            with self._lock:
                self._dead[key] = found
        return found

    def root(self) -> _State:
        """The fixpoint of propagation without any assignment, computed once."""
        with self._lock:
            if self._root is None:
                state = self._empty()
                self._run(state, self._active, self._active_set)
                self._root = state
            return self._root

    def _empty(self) -> _State:
        count = self._slot_count
        return _State(bytearray(b"\x01" * count), [0] * count, [PICKED] * count, list(self._full))

    def close(self) -> None:
        """Free the SAT solver (it is rebuilt if needed)."""
        with self._lock:
            if self._solver is not None:
                self._solver.delete()
                self._solver = None
                self._selector = {}

    # -- direct check ------------------------------------------------------------------------------

    def _direct(self, assignment: Mapping[int, int], tables: Iterable[int] | None = None) -> list[int]:
        if tables is None:
            tables = sorted({t for v in assignment for t in self._by_variable.get(v, ())})
        return [t for t in tables if not self._matches(t, assignment)]

    def _matches(self, table: int, assignment: Mapping[int, int]) -> bool:
        """Whether some row of `table` agrees with the assignment on the table's scope."""
        clause = self._clause[table]
        if clause is not None:
            offset = self._offset_list
            return any(
                (offset[v] + assignment[v] in column) if v in assignment else bool(column)
                for v, column in zip(self.finite.tables[table].scope, clause, strict=True)
            )
        rows = self._full[table]
        masks = self._masks[table]
        offset = self._offset_list
        for variable in self.finite.tables[table].scope:
            value = assignment.get(variable)
            if value is not None:
                rows &= masks[offset[variable] + value]
                if not rows:
                    return False
        return rows != 0

    # -- propagation -------------------------------------------------------------------------------

    def _propagate(
        self, base: _State, assignment: Mapping[int, int], only: Collection[int] | None = None
    ) -> _State:
        """Propagation from `base` with the assignment added (over the `only` tables if given)."""
        offset = self._offset_list
        for variable, value in assignment.items():
            if not base.alive[offset[variable] + value]:
                # Already ruled out: no need to copy the state to say so.
                state = _State(base.alive, base.stamp, base.removed_by, base.rows, base.clock)
                state.clash = offset[variable] + value
                return state
        state = base.copy()
        state.clock += 1
        allowed = self._active_set if only is None else self._active_set.intersection(only)
        touched: list[int] = []
        for variable, value in assignment.items():
            keep = offset[variable] + value
            lost = [slot for slot in range(offset[variable], offset[variable + 1]) if slot != keep]
            touched.extend(self._remove(state, lost, PICKED, allowed))
        # Over some tables only, start from all of them: the shared fixpoint is not there to lean on.
        self._run(state, sorted(set(touched)) if only is None else sorted(allowed), allowed)
        return state

    def _remove(self, state: _State, slots: Iterable[int], by: int, allowed: Collection[int]) -> list[int]:
        """Remove the alive slots among `slots`; the tables to revisit."""
        alive, clock, rows = state.alive, state.clock, state.rows
        stamp, removed_by = state.stamp, state.removed_by
        everywhere = allowed is self._active_set
        touched: list[int] = []
        for slot in slots:
            if not alive[slot]:
                continue
            alive[slot] = 0
            stamp[slot] = clock
            removed_by[slot] = by
            for table, mask, others in self._slot_tables.get(slot, ()):
                if not everywhere and table not in allowed:
                    continue
                if mask == CLAUSE:
                    touched.append(table)
                    continue
                current = rows[table]
                if current & mask:
                    rows[table] = current & others
                    touched.append(table)
        return touched

    def _run(self, state: _State, queue: Sequence[int], allowed: Collection[int]) -> None:
        pending = deque(t for t in queue if t in allowed)
        waiting = set(pending)
        alive, rows = state.alive, state.rows
        while pending:
            table = pending.popleft()
            waiting.discard(table)
            state.clock += 1
            clause = self._clause[table]
            if clause is not None:
                open_columns = [c for c, column in enumerate(clause) if any(alive[s] for s in column)]
                if not open_columns:
                    state.conflict, state.conflict_at = table, state.clock
                    return
                if len(open_columns) > 1:
                    continue
                # One column left to satisfy the clause: it must take a satisfying value.
                variable = self.finite.tables[table].scope[open_columns[0]]
                keep = clause[open_columns[0]]
                lost = [
                    s
                    for s in range(self._offset_list[variable], self._offset_list[variable + 1])
                    if s not in keep
                ]
            else:
                current = rows[table]
                if not current:
                    state.conflict, state.conflict_at = table, state.clock
                    return
                masks = self._masks[table]
                lost = [slot for slot in self._scope_list[table] if alive[slot] and not masks[slot] & current]
            lost = [slot for slot in lost if alive[slot]]
            if not lost:
                continue
            for other in self._remove(state, lost, table, allowed):
                if other != table and other not in waiting:
                    waiting.add(other)
                    pending.append(other)

    def _propagated(
        self, base: _State, assignment: Mapping[int, int], only: Collection[int] | None = None
    ) -> list[int] | None:
        """The tables of a conflict propagation finds for the assignment, or None if it finds none."""
        state = self._propagate(base, assignment, only)
        return self._chain(state) if state.failed else None

    def _chain(self, state: _State) -> list[int]:
        """The tables on the removals that led to the state's conflict."""
        tables: set[int] = set()
        seen: set[int] = set()
        stack: list[int] = []
        if state.clash >= 0:
            stack.append(state.clash)
        else:
            tables.add(state.conflict)
            stack.extend(self._premises(state, state.conflict, None, state.conflict_at))
        while stack:
            slot = stack.pop()
            if slot in seen:
                continue
            seen.add(slot)
            table = state.removed_by[slot]
            if table == PICKED:
                continue
            tables.add(table)
            stack.extend(self._premises(state, table, slot, state.stamp[slot]))
        return sorted(tables)

    def _premises(self, state: _State, table: int, slot: int | None, before: int) -> list[int]:
        """Earlier removals that suffice to rule out the rows of `table` holding `slot` (all its
        rows when None): a greedy cover, column by column, so unrelated removals stay out."""
        clause = self._clause[table]
        if clause is not None:
            # Every satisfying value of the other columns had gone.
            own_column = (
                -1 if slot is None else self.finite.tables[table].scope.index(self._slot_variable_list[slot])
            )
            return [s for c, column in enumerate(clause) if c != own_column for s in column]
        masks = self._masks[table]
        target = self._full[table] if slot is None else masks[slot]
        own = -1 if slot is None else self._slot_variable_list[slot]
        offset = self._offset_list
        columns: list[list[tuple[int, int]]] = []
        for variable in self.finite.tables[table].scope:
            if variable == own:
                continue
            dead = [
                (s, masks[s] & target)
                for s in range(offset[variable], offset[variable + 1])
                if not state.alive[s] and state.stamp[s] < before and masks[s] & target
            ]
            if dead:
                columns.append(dead)
        uncovered = target
        found: list[int] = []
        while uncovered and columns:
            covers = [(_union(c) & uncovered).bit_count() for c in columns]
            best = max(range(len(columns)), key=covers.__getitem__)
            if not covers[best]:
                break  # cannot happen for a sound removal; never loop forever
            chosen = columns.pop(best)
            found.extend(s for s, rows in chosen if rows & uncovered)
            uncovered &= ~_union(chosen)
        return found

    def _shrink(self, assignment: Mapping[int, int], tables: list[int]) -> list[int]:
        """Drop the tables the conflict does not need (propagating over the rest only, from scratch:
        the shared fixpoint holds removals made by every table)."""
        for table in list(tables)[:MAX_SHRINK_STEPS]:
            if len(tables) == 1:
                break
            rest = [t for t in tables if t != table]
            scope = {v for t in rest for v in self.finite.tables[t].scope}
            relevant = {v: a for v, a in assignment.items() if v in scope}
            if self._propagate(self._empty(), relevant, rest).failed:
                tables = rest
        return tables

    # -- SAT ---------------------------------------------------------------------------------------

    def _sat(self, assignment: Mapping[int, int]) -> list[int] | None:
        """A core of rules by SAT, or None when the conflict budget ran out first."""
        with self._lock:
            solver = self._sat_solver()
            picks = [int(self._offset[v]) + a + 1 for v, a in assignment.items()]
            for variable in assignment:
                for table in self._by_variable.get(variable, ()):
                    self._encode(solver, table)
            while True:
                selectors = list(self._selector.values())
                solver.conf_budget(SAT_CONFLICT_BUDGET)
                status = solver.solve_limited(assumptions=picks + selectors)
                if status is None:
                    return None
                if status is False:
                    break
                model = np.array(solver.get_model()[: self._slot_count]) > 0
                values = np.zeros(len(self.finite.variables), dtype=np.int64)
                chosen = np.flatnonzero(model)
                values[self._slot_variable[chosen]] = chosen - self._offset[self._slot_variable[chosen]]
                broken = [t for t in self._active if t not in self._selector and not self._allows(t, values)]
                if not broken:
                    return []
                for table in broken:
                    self._encode(solver, table)
            core = set(solver.get_core() or ())
            chosen_selectors = [s for s in self._selector.values() if s in core]
            for _ in range(MAX_SHRINK_STEPS):
                shrunk = _drop_one(solver, picks, chosen_selectors)
                if shrunk is None:
                    break
                chosen_selectors = shrunk
            table_of = {s: t for t, s in self._selector.items()}
            return sorted(table_of[s] for s in chosen_selectors)

    def _sat_solver(self) -> Solver:
        if self._solver is not None:
            return self._solver
        clauses: list[list[int]] = []
        top = self._slot_count
        for variable in range(len(self.finite.variables)):
            literals = list(range(int(self._offset[variable]) + 1, int(self._offset[variable + 1]) + 1))
            encoded = CardEnc.equals(lits=literals, bound=1, top_id=top, encoding=EncType.seqcounter)
            top = max(top, encoded.nv)
            clauses.extend(encoded.clauses)
        self._solver = Solver(name="cadical153", bootstrap_with=clauses)
        self._top = top
        return self._solver

    def _encode(self, solver: Solver, table: int) -> None:
        if table in self._selector or self.finite.tables[table].trivial:
            return
        top = self._top + 1
        selector = top
        clause = self._clause[table]
        if clause is not None:
            solver.add_clause([-selector, *(s + 1 for column in clause for s in column)])
            self._top = top
            self._selector[table] = selector
            return
        supports = []
        slots = self._slots[table]
        clauses: list[list[int]] = []
        for row in slots.tolist():
            top += 1
            supports.append(top)
            clauses.extend([-top, slot + 1] for slot in row)
        clauses.append([-selector, *supports])
        solver.append_formula(clauses)
        self._top = top
        self._selector[table] = selector

    def _allows(self, table: int, values: IntArray) -> bool:
        clause = self._clause[table]
        if clause is not None:
            scope = self.finite.tables[table].scope
            offset = self._offset_list
            return any(offset[v] + int(values[v]) in column for v, column in zip(scope, clause, strict=True))
        if not self.finite.tables[table].scope:
            return len(self._rows[table]) > 0  # a constant: its one empty row, or none
        codes = self._codes.get(table)
        if codes is None:
            columns = np.array(self.finite.tables[table].scope, dtype=np.int64)
            sizes = self._offset[columns + 1] - self._offset[columns]
            radix = np.concatenate(([1], np.cumprod(sizes[:-1]))).astype(np.int64)
            codes = (np.sort(self._rows[table] @ radix), radix)
            self._codes[table] = codes
        sorted_codes, radix = codes
        code = int(values[list(self.finite.tables[table].scope)] @ radix)
        at = int(np.searchsorted(sorted_codes, code))
        return at < len(sorted_codes) and int(sorted_codes[at]) == code


class Explaining:
    """The reasons asked by one query: picks fixed, options asked one by one, work shared between them.

    `deadline` (a `time.perf_counter()` value) bounds the whole query: past it, a reason keeps the
    rules the direct check finds and skips propagation and SAT.
    """

    def __init__(
        self, explainer: Explainer, picks: Mapping[int, int], consistent: bool, deadline: float | None = None
    ) -> None:
        self.explainer = explainer
        self.picks = dict(picks)
        self.consistent = consistent
        self.deadline = deadline
        self._states: dict[frozenset[int], _State] = {}

    def rules(self, variable: int, value: int, excluded: Collection[int]) -> list[Table]:
        """The rules forbidding `variable = value` with the picks outside `excluded` kept."""
        explainer = self.explainer
        tables = explainer.finite.tables
        others = {v: a for v, a in self.picks.items() if v not in excluded}
        assignment = {**others, variable: value}
        if self.consistent:
            # Consistent picks break no table on their own: only tables holding the option can.
            direct = explainer._direct(assignment, explainer._by_variable.get(variable, ()))
        else:
            direct = explainer._direct(assignment)
        if direct:
            return [tables[i] for i in direct]
        if self.deadline is not None and time.perf_counter() > self.deadline:
            return []
        key = frozenset(v for v in excluded if v in self.picks)
        state = self._states.get(key)
        if state is None:
            state = explainer._propagate(explainer.root(), others)
            self._states[key] = state
        found: list[int] | None
        if state.failed:
            found = explainer._chain(state)
        else:
            # The chain is not shrunk further here: each removal is traced to the few removals it
            # needed, and trying to drop its tables one by one cost more than the rest of the query.
            found = explainer._propagated(state, {variable: value})
        if found is None:
            found = explainer._sat(assignment) or []
        return [tables[i] for i in found]


class CheapestPaths:
    """For one sweep: the picked levels a cheapest path through a value breaks.

    Equivalent to `Diagram.path_through` restricted to the broken picks, but every node's cheapest
    parent and child group are found at once, and the walks are shared between values.
    """

    def __init__(self, diagram: Diagram, sweep: Sweep) -> None:
        self.diagram = diagram
        self.sweep = sweep
        groups = len(diagram.src)
        cost = np.zeros(groups, dtype=np.int64)
        for level, level_cost in sweep.cost.items():
            cost[int(diagram.group_start[level]) : int(diagram.group_start[level + 1])] = level_cost
        nodes = diagram.node_count + 1
        # Ties go to the lowest group number, as in the diagram's own walks.
        up = sweep.forward[diagram.src] + cost == sweep.forward[diagram.dst]
        candidates = diagram.in_order[up[diagram.in_order]]
        parent = np.full(nodes, -1, dtype=np.int64)
        targets, first = np.unique(diagram.dst[candidates], return_index=True)
        parent[targets] = candidates[first]
        down = np.flatnonzero(sweep.backward[diagram.dst] + cost == sweep.backward[diagram.src])
        child = np.full(nodes, -1, dtype=np.int64)
        sources, first = np.unique(diagram.src[down], return_index=True)
        child[sources] = down[first]
        self._parent = parent.tolist()
        self._child = child.tolist()
        self._src = diagram.src.tolist()
        self._dst = diagram.dst.tolist()
        self._breaks = (cost > 0).tolist()
        self._level = diagram.group_level.tolist()
        self._up: dict[int, tuple[int, ...]] = {0: ()}
        self._down: dict[int, tuple[int, ...]] = {diagram.terminal: ()}

    def broken(self, level: int, value: int) -> tuple[int, ...]:
        """The picked levels (other than `level`) a cheapest path through `level = value` changes."""
        diagram, sweep = self.diagram, self.sweep
        slot = int(diagram.slot_start[level]) + value
        groups = diagram.edge_group[diagram.edge_slot_start[slot] : diagram.edge_slot_start[slot + 1]]
        if not len(groups):
            return ()
        through = sweep.forward[diagram.src[groups]] + sweep.backward[diagram.dst[groups]]
        group = int(groups[int(np.argmin(through))])
        return self._walk(self._src[group], self._up, self._parent, self._src) + self._walk(
            self._dst[group], self._down, self._child, self._dst
        )

    def _walk(
        self, node: int, memo: dict[int, tuple[int, ...]], step: list[int], towards: list[int]
    ) -> tuple[int, ...]:
        trail: list[tuple[int, int]] = []
        while node not in memo:
            group = step[node]
            if group < 0:
                memo[node] = ()
                break
            trail.append((node, group))
            node = towards[group]
        found = memo[node]
        for at, group in reversed(trail):
            if self._breaks[group]:
                found = (*found, self._level[group])
            memo[at] = found
        return found


def _bitset(indices: IntArray) -> int:
    bits = 0
    for index in indices.tolist():
        bits |= 1 << index
    return bits


def _union(slots: Sequence[tuple[int, int]]) -> int:
    bits = 0
    for _, rows in slots:
        bits |= rows
    return bits


def _drop_one(solver: Solver, picks: Sequence[int], chosen: Sequence[int]) -> list[int] | None:
    for selector in chosen:
        rest = [s for s in chosen if s != selector]
        solver.conf_budget(SAT_CONFLICT_BUDGET)
        if solver.solve_limited(assumptions=[*picks, *rest]) is False:
            core = set(solver.get_core() or ())
            return [s for s in rest if s in core]
    return None
