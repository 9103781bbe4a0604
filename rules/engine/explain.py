"""Which rules stand between a pick and the option a shopper wants.

Three steps:

1. propagation: arc consistency over the tables from the assignment, recording which table removed
   each value and when. When a table runs out of rows (or the option is removed), the tables on the
   chain of removals that led there forbid the assignment together. Each removal is traced back to
   the removals it needed only (a cover of the rows it ruled out; rows a pick rules out need none),
   so the chain stays short;
2. the direct check: every table with no row compatible with the assignment, alone a reason (first
   for a single assignment; for a query's options only when their chain holds more than two rules);
3. when propagation cannot see the conflict (it needs search), a SAT solver finds an unsatisfiable
   core over one selector literal per rule, shrunk towards a minimal set. Rules are encoded lazily,
   only those a candidate model breaks, and every solver call has a conflict budget: past it the
   answer is the rules found so far (possibly none) rather than a shopper kept waiting.

Propagation from no assignment at all runs once per product; every later propagation starts from its
fixpoint, and the reasons of options that no design can have are cached. For one query (`Explaining`)
the states without each picked attribute are built together by halving the picks, and the trace of a
removal is kept for every state that inherits it.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import compress

import numpy as np
import numpy.typing as npt
from pysat.card import CardEnc, EncType
from pysat.solvers import Solver

from rules.engine.diagram import Diagram, Sweep
from rules.engine.finite import FiniteModel, Table

MAX_SHRINK_STEPS = 12
SAT_CONFLICT_BUDGET = 20_000  # per solver call: beyond it an option's reason keeps its picks only
PICKED = -1  # `removed_by` of a value removed by the assignment itself
ANY = -1  # a table to revisit whole: more than one of its variables lost values

IntArray = npt.NDArray[np.int64]
_DEAD = bytes.maketrans(b"\x00\x01", b"\x01\x00")  # `alive` read the other way round


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
    dom: list[int]  # per variable: its alive values, as a bitset (binary tables read supports off it)
    clock: int = 0
    conflict: int = -1  # a table left without rows, or -1
    conflict_at: int = 0
    clash: int = -1  # an assigned slot that was already removed, or -1
    # Per picked variable: when it was picked, and the slots it keeps. A pick rules out the other
    # values by itself, even those some rule had removed before: a removal that needs them gone
    # leans on the pick, not on that rule.
    picked: dict[int, tuple[int, tuple[int, ...]]] = field(default_factory=dict)

    def copy(self) -> _State:
        return _State(
            bytearray(self.alive),
            self.stamp.copy(),
            self.removed_by.copy(),
            self.rows.copy(),
            self.dom.copy(),
            self.clock,
            picked=dict(self.picked),
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
        self._others: list[dict[int, int]] = []  # the complements of `_masks`, to cut with one `&`
        self._full: list[int] = []
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
                self._rows.append(np.zeros((0, len(table.scope)), dtype=np.int64))
                self._slots.append(self._rows[-1])
                self._masks.append({})
                self._others.append({})
                self._full.append(0)
                continue
            self._clause.append(None)
            rows = np.array(table.rows, dtype=np.int64).reshape(len(table.rows), len(table.scope))
            scope = np.array(table.scope, dtype=np.int64)
            self._rows.append(rows)
            self._slots.append(rows + self._offset[scope])
            self._full.append((1 << len(table.rows)) - 1)
            if len(table.scope) == 2 and not table.trivial:
                # Two attributes: propagation reads `_binary`, and the row sets (a bit per row per
                # value: 1.2 GB for a rule over 1.9 million millimetre pairs) are made only if a
                # conflict's trace asks for them (`_row_masks`).
                self._masks.append({})
                self._others.append({})
                continue
            masks = self._value_rows(rows, table.scope, sizes)
            self._masks.append(masks)
            self._others.append({slot: ~mask for slot, mask in masks.items()})
        # A trivial table never removes anything: propagation skips it.
        # Per variable, its tables that can remove something: (table, the variable's satisfying slots
        # when the table is a clause, else None).
        self._variable_tables: list[list[tuple[int, frozenset[int] | None]]] = [[] for _ in finite.variables]
        for index, table in enumerate(finite.tables):
            if table.trivial:
                continue
            clause_columns = self._clause[index]
            for column, variable in enumerate(table.scope):
                kept_by = None if clause_columns is None else frozenset(clause_columns[column])
                self._variable_tables[variable].append((index, kept_by))
        self._offset_list = self._offset.tolist()
        self._slot_variable_list = self._slot_variable.tolist()
        self._all_values = [(1 << int(size)) - 1 for size in sizes]
        # A table over two variables keeps no rows in a state: a value of one column is supported
        # while the other column's alive values (`_State.dom`) meet its supports, one `&` (a hub with
        # hundreds of values sits in hundreds of such tables; cutting their rows was most of the work).
        # Per table: (column, the other column, per slot of the column its supports as value bits).
        self._binary: list[list[tuple[int, int, dict[int, int]]] | None] = []
        for index, table in enumerate(finite.tables):
            if self._clause[index] is not None or len(table.scope) != 2 or table.trivial:
                self._binary.append(None)
                continue
            rows = self._rows[index]
            sides = []
            for column in (0, 1):
                variable, other = table.scope[column], table.scope[1 - column]
                first = self._offset_list[variable]
                order = np.argsort(rows[:, column], kind="stable")
                bounds = np.searchsorted(rows[order, column], np.arange(int(sizes[variable]) + 1)).tolist()
                partners = rows[order, 1 - column]
                supports = {
                    first + value: _bitset(partners[bounds[value] : bounds[value + 1]])
                    for value in range(int(sizes[variable]))
                }
                sides.append((variable, other, supports))
            self._binary.append(sides)
        self._scope_list = [self._scope_slots[i].tolist() for i in range(len(finite.tables))]
        self._columns = [
            [(v, self._offset_list[v], self._offset_list[v + 1]) for v in table.scope]
            for table in finite.tables
        ]
        self._active = [i for i, t in enumerate(finite.tables) if not t.trivial]
        self._active_set = frozenset(self._active)
        self._lock = threading.RLock()
        self._partners: dict[tuple[int, int], list[int]] = {}  # see `_premises`
        self._root: _State | None = None
        self._dead: dict[tuple[int, int], list[Table]] = {}
        self._solver: Solver | None = None
        self._selector: dict[int, int] = {}
        self._codes: dict[int, tuple[IntArray, IntArray]] = {}
        self._top = 0

    def _value_rows(self, rows: IntArray, scope: Sequence[int], sizes: IntArray) -> dict[int, int]:
        """Per slot of the table's columns, the rows holding that value (a bitset)."""
        masks: dict[int, int] = {}
        for column, variable in enumerate(scope):
            first = int(self._offset[variable])
            order = np.argsort(rows[:, column], kind="stable")
            bounds = np.searchsorted(rows[order, column], np.arange(int(sizes[variable]) + 1)).tolist()
            for value in range(int(sizes[variable])):
                masks[first + value] = _bitset(order[bounds[value] : bounds[value + 1]])
        return masks

    def _row_masks(self, table: int) -> dict[int, int]:
        """`_masks[table]`, made on first use for a table over two attributes."""
        masks = self._masks[table]
        if not masks and self._binary[table] is not None:
            with self._lock:
                if not self._masks[table]:
                    scope = self.finite.tables[table].scope
                    sizes = self._offset[1:] - self._offset[:-1]
                    self._masks[table] = self._value_rows(self._rows[table], scope, sizes)
                masks = self._masks[table]
        return masks

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
                self._run(state, dict.fromkeys(self._active, ANY), self._active_set)
                self._root = state
            return self._root

    def _empty(self) -> _State:
        count = self._slot_count
        return _State(
            bytearray(b"\x01" * count),
            [0] * count,
            [PICKED] * count,
            list(self._full),
            list(self._all_values),
        )

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
        sides = self._binary[table]
        offset = self._offset_list
        if sides is not None:
            (first, second, supports), (_, _, reverse) = sides
            value, partner = assignment.get(first), assignment.get(second)
            if value is None:
                return self._full[table] != 0 if partner is None else reverse[offset[second] + partner] != 0
            found = supports[offset[first] + value]
            return found != 0 if partner is None else bool(found >> partner & 1)
        rows = self._full[table]
        masks = self._masks[table]
        for variable in self.finite.tables[table].scope:
            value = assignment.get(variable)
            if value is not None:
                rows &= masks[offset[variable] + value]
                if not rows:
                    return False
        return rows != 0

    # -- propagation -------------------------------------------------------------------------------

    def _propagate(
        self,
        base: _State,
        assignment: Mapping[int, int],
        only: Collection[int] | None = None,
        after: int = 0,
        within: Mapping[int, Collection[int]] | None = None,
    ) -> _State:
        """Propagation from `base` with the assignment added, and the variables of `within` kept to
        those values (over the `only` tables if given); its removals are stamped after `after`."""
        offset = self._offset_list
        for variable, value in assignment.items():
            if not base.alive[offset[variable] + value]:
                # Already ruled out: no need to copy the state to say so.
                state = _State(
                    base.alive,
                    base.stamp,
                    base.removed_by,
                    base.rows,
                    base.dom,
                    base.clock,
                    picked=base.picked,
                )
                state.clash = offset[variable] + value
                return state
        state = base.copy()
        state.clock = max(state.clock, after) + 1
        allowed = self._active_set if only is None else self._active_set.intersection(only)
        touched: list[tuple[int, int]] = []
        for variable, value in assignment.items():
            keep = offset[variable] + value
            lost = [slot for slot in range(offset[variable], offset[variable + 1]) if slot != keep]
            state.picked[variable] = (state.clock, (keep,))
            touched.extend(self._remove(state, lost, PICKED, allowed))
        for variable, values in (within or {}).items():
            # No shortcut when every value kept is gone already: its tables run out of rows, and
            # the conflict is traced through each of them.
            first, last = offset[variable], offset[variable + 1]
            state.picked[variable] = (state.clock, tuple(first + v for v in sorted(values)))
            lost = [slot for slot in range(first, last) if slot - first not in values]
            touched.extend(self._remove(state, lost, PICKED, allowed))
        # Over some tables only, start from all of them: the shared fixpoint is not there to lean on.
        queue: dict[int, int] = {}
        if only is None:
            for table, variable in sorted(touched):
                queue[table] = variable if queue.get(table, variable) == variable else ANY
        else:
            queue = dict.fromkeys(sorted(allowed), ANY)
        self._run(state, queue, allowed)
        return state

    def _remove(
        self, state: _State, slots: Iterable[int], by: int, allowed: Collection[int]
    ) -> list[tuple[int, int]]:
        """Remove the alive slots among `slots`; the tables to revisit, each with the variable whose
        values it lost.

        A table is cut once per variable rather than once per value: by the values that go when they
        are fewer, else down to the values left (a hub with hundreds of values sits in hundreds of
        tables, and a pick often takes most of its values away at once).
        """
        alive, clock, rows = state.alive, state.clock, state.rows
        stamp, removed_by = state.stamp, state.removed_by
        slot_variable = self._slot_variable_list
        everywhere = allowed is self._active_set
        lost_by_variable: dict[int, list[int]] = {}
        for slot in slots:
            if not alive[slot]:
                continue
            alive[slot] = 0
            stamp[slot] = clock
            removed_by[slot] = by
            lost_by_variable.setdefault(slot_variable[slot], []).append(slot)
        touched: list[tuple[int, int]] = []
        offset = self._offset_list
        dom, binary = state.dom, self._binary
        for variable, lost in lost_by_variable.items():
            first = offset[variable]
            gone = 0
            for slot in lost:
                gone |= 1 << (slot - first)
            dom[variable] &= ~gone
            kept: list[int] | None = None
            for table, satisfying in self._variable_tables[variable]:
                if not everywhere and table not in allowed:
                    continue
                if satisfying is not None:
                    if any(slot in satisfying for slot in lost):
                        touched.append((table, variable))
                    continue
                if binary[table] is not None:
                    touched.append((table, variable))
                    continue
                current = rows[table]
                if not current:
                    continue
                if kept is None:
                    first, last = offset[variable], offset[variable + 1]
                    kept = list(compress(range(first, last), alive[first:last]))
                if len(lost) <= len(kept):
                    cut = current
                    others = self._others[table]
                    for slot in lost:
                        cut &= others[slot]
                else:
                    masks = self._masks[table]
                    keep = 0
                    for slot in kept:
                        keep |= masks[slot]
                    cut = current & keep
                if cut != current:
                    rows[table] = cut
                    touched.append((table, variable))
        return touched

    def _run(self, state: _State, queue: Mapping[int, int], allowed: Collection[int]) -> None:
        """Propagate to the fixpoint from the tables of `queue`, each with the one variable whose
        values it lost since the fixpoint (or ANY): that variable's values that are left keep every
        row they had, so only the other columns can lose a value."""
        waiting = {t: changed for t, changed in queue.items() if t in allowed}
        pending = deque(waiting)
        alive, rows = state.alive, state.rows
        while pending:
            table = pending.popleft()
            changed = waiting.pop(table)
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
            elif (sides := self._binary[table]) is not None:
                lost = []
                for variable, other, supports in sides:
                    if variable == changed:
                        continue
                    first, last = self._offset_list[variable], self._offset_list[variable + 1]
                    values = list(compress(range(first, last), alive[first:last]))
                    partners = state.dom[other]
                    unsupported = [slot for slot in values if not partners & supports[slot]]
                    if len(unsupported) == len(values):
                        # No alive row left (none of the values has a partner alive).
                        state.conflict, state.conflict_at = table, state.clock
                        return
                    lost.extend(unsupported)
            else:
                current = rows[table]
                if not current:
                    state.conflict, state.conflict_at = table, state.clock
                    return
                masks = self._masks[table]
                # Dead values are skipped in C (`compress`): a hub's column is mostly dead ones.
                lost = [
                    slot
                    for variable, first, last in self._columns[table]
                    if variable != changed
                    for slot in compress(range(first, last), alive[first:last])
                    if not masks[slot] & current
                ]
            lost = [slot for slot in lost if alive[slot]]
            if not lost:
                continue
            for other, variable in self._remove(state, lost, table, allowed):
                if other == table:
                    continue
                known = waiting.get(other)
                if known is None:
                    waiting[other] = variable
                    pending.append(other)
                elif known != variable:
                    waiting[other] = ANY

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
        rows when None): a greedy cover, column by column, so unrelated removals stay out. Rows a
        pick made before rules out need none."""
        scope = self.finite.tables[table].scope
        own = -1 if slot is None else self._slot_variable_list[slot]
        picked: dict[int, tuple[int, ...]] = {}
        for variable in scope:
            at_kept = state.picked.get(variable)
            if variable != own and at_kept is not None and at_kept[0] < before:
                picked[variable] = at_kept[1]
        clause = self._clause[table]
        if clause is not None:
            # Every satisfying value of the other columns had gone: by a pick keeping none of them,
            # or removed one by one.
            return [
                s
                for variable, column in zip(scope, clause, strict=True)
                if variable != own
                for s in column
                if variable not in picked or s in picked[variable]
            ]
        sides = self._binary[table]
        if slot is not None and sides is not None:
            variable, other, supports = sides[0] if sides[0][0] == own else sides[1]
            first = self._offset_list[other]
            supported = supports[slot]
            if other in picked:
                # The pick ruled out every other value: only the values it keeps had to go.
                return [s for s in picked[other] if supported >> (s - first) & 1]
            # Every row holding `slot` went with its other value, so the premises are all the values
            # the slot appears with, whatever the state (found once per product).
            partners = self._partners.get((table, slot))
            if partners is None:
                partners = [first + value for value in _bit_indices(supported)]
                self._partners[table, slot] = partners
            return partners
        masks = self._row_masks(table)
        if slot is not None and len(scope) == 2:
            other = scope[1] if scope[0] == own else scope[0]
            target = masks[slot]
            if other in picked:
                # The pick ruled out every other value: only the values it keeps had to go.
                return [s for s in picked[other] if masks[s] & target]
            partners = self._partners.get((table, slot))
            if partners is None:
                first, last = self._offset_list[other], self._offset_list[other + 1]
                partners = [s for s in range(first, last) if masks[s] & target]
                self._partners[table, slot] = partners
            return partners
        target = self._full[table] if slot is None else masks[slot]
        alive, stamp = state.alive, state.stamp
        uncovered = target
        columns: list[tuple[int, list[tuple[int, int]]]] = []  # (their rows together, (slot, rows))
        for variable, first, last in self._columns[table]:
            if variable == own:
                continue
            candidates: Iterable[int] = compress(range(first, last), alive[first:last].translate(_DEAD))
            kept = picked.get(variable)
            if kept is not None:
                keeps = 0
                for s in kept:
                    keeps |= masks[s]
                uncovered &= keeps
                candidates = [s for s in kept if not alive[s]]
            dead: list[tuple[int, int]] = []
            together = 0
            for s in candidates:
                if stamp[s] < before:
                    rows = masks[s] & target
                    if rows:
                        dead.append((s, rows))
                        together |= rows
            if dead:
                columns.append((together, dead))
        if len(columns) == 1:
            return [s for s, rows in columns[0][1] if rows & uncovered]
        found: list[int] = []
        while uncovered and columns:
            covers = [(together & uncovered).bit_count() for together, _ in columns]
            best = max(range(len(columns)), key=covers.__getitem__)
            if not covers[best]:
                break  # cannot happen for a sound removal; never loop forever
            together, chosen = columns.pop(best)
            found.extend(s for s, rows in chosen if rows & uncovered)
            uncovered &= ~together
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

    def _sat(
        self, assignment: Mapping[int, int], within: Mapping[int, Collection[int]] | None = None
    ) -> list[int] | None:
        """A core of rules by SAT (the variables of `within` kept to those values), or None when the
        conflict budget ran out first."""
        within = within or {}
        with self._lock:
            solver = self._sat_solver()
            picks = [int(self._offset[v]) + a + 1 for v, a in assignment.items()]
            picks += [
                -(int(self._offset[v]) + value + 1)
                for v, values in within.items()
                for value in range(int(self._offset[v + 1] - self._offset[v]))
                if value not in values
            ]
            for variable in [*assignment, *within]:
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

    An option of an attribute that is not picked is explained in one state, propagation from every
    pick; an option of a picked attribute in the state from every *other* pick, one per picked
    attribute (`prepare` computes many of them at once). In each state the removals are traced back
    once, and the rules of every option read from that trace.

    `within` holds picks that admit several values (a pick on an attribute that may also not apply):
    each keeps its variable to those values, and is left out like a pick for its own options.
    No clock bounds a query: its work is about 2 propagations per picked attribute with a greyed
    option, and every option is then read off a state; only SAT has a budget (in conflicts).
    """

    def __init__(
        self,
        explainer: Explainer,
        picks: Mapping[int, int],
        consistent: bool,
        within: Mapping[int, Collection[int]] | None = None,
    ) -> None:
        self.explainer = explainer
        self.picks = dict(picks)
        self.within = {v: frozenset(values) for v, values in (within or {}).items() if v not in self.picks}
        self.consistent = consistent
        self._states: dict[frozenset[int], _State] = {}
        self._others: dict[frozenset[int], dict[int, int]] = {}  # the picks kept, per key of `_states`
        self._plan: list[int] = []  # see `prepare`
        self._plan_index: dict[int, int] = {}
        self._nodes: dict[tuple[int, int], _State] = {}
        # Every propagation of the query stamps its removals after all earlier ones, so a removal is
        # known by (slot, stamp) in every state that inherits it, with the same premises: what it
        # needed (the tables, as bits) is traced once for all of them.
        self._clock = 0
        self._traces: dict[tuple[int, int], int] = {}
        self.propagations = 0  # how many propagations the query ran: work, counted for tests

    def prepare(self, variables: Collection[int]) -> None:
        """Plan the states without each of these picked variables, to share their work: the picks are
        split in halves, each half propagated on top of the other, recursively (about log2(n)
        propagations' worth of removals for all n states instead of n). A state is computed when first
        asked, with the part of the plan it needs: a reason is the same whether its state was reached
        alone or with all the others. The state with every pick is one pick on top of the last one."""
        wanted = [v for v in dict.fromkeys(variables) if v in self.picks or v in self.within]
        if len(wanted) >= 2:
            self._plan = wanted
            self._plan_index = {v: i for i, v in enumerate(wanted)}

    def _state(self, key: frozenset[int]) -> _State:
        """The state of every pick but those of `key`."""
        state = self._states.get(key)
        if state is not None:
            return state
        plan = self._plan
        if plan and not key:
            last = self._node(len(plan) - 1, len(plan))
            state = last if last.failed else self._with(last, plan[-1:])
        elif plan and len(key) == 1 and next(iter(key)) in self._plan_index:
            at = self._plan_index[next(iter(key))]
            state = self._node(at, at + 1)
        else:
            state = self._without(self.explainer.root(), key)
        self._states[key] = state
        return state

    def _node(self, low: int, high: int) -> _State:
        """The state of every pick but the plan's `low:high`, from the plan's halving."""
        plan = self._plan
        nodes = self._nodes
        bounds = (0, len(plan))
        if bounds not in nodes:
            nodes[bounds] = self._without(self.explainer.root(), set(plan))
        while bounds != (low, high):
            first, last = bounds
            middle = first + (last - first) // 2
            parent = nodes[bounds]
            if low < middle:
                bounds, added = (first, middle), plan[middle:last]
            else:
                bounds, added = (middle, last), plan[first:middle]
            if bounds not in nodes:
                # A conflict without some picks is one without every subset of them too.
                nodes[bounds] = parent if parent.failed else self._with(parent, added)
        return nodes[bounds]

    def _without(self, base: _State, left_out: Collection[int]) -> _State:
        """Propagation from `base` of every pick but those of `left_out`."""
        return self._with(base, [v for v in [*self.picks, *self.within] if v not in left_out])

    def _with(self, base: _State, variables: Collection[int]) -> _State:
        """Propagation from `base` of the picks of `variables`."""
        self.propagations += 1
        assignment = {v: self.picks[v] for v in variables if v in self.picks}
        within = {v: self.within[v] for v in variables if v in self.within}
        state = self.explainer._propagate(base, assignment, after=self._clock, within=within)
        self._clock = max(self._clock, state.clock)
        return state

    def rules(self, variable: int, value: int, excluded: Collection[int]) -> list[Table]:
        """The rules forbidding `variable = value` with the picks outside `excluded` kept."""
        explainer = self.explainer
        tables = explainer.finite.tables
        key = frozenset(v for v in excluded if v in self.picks or v in self.within)
        others = self._others.get(key)
        if others is None:
            others = self._others[key] = {v: a for v, a in self.picks.items() if v not in key}
        assignment = {**others, variable: value}
        if not self.consistent:
            # Picks that clash may break a table on their own: that alone is a reason.
            direct = explainer._direct(assignment)
            if direct:
                return [tables[i] for i in direct]
        state = self._state(key)
        slot = explainer._offset_list[variable] + value
        found: list[int] | None
        if state.failed or not state.alive[slot]:
            found = self._traced(state, None if state.failed else slot)
        else:
            # Propagation keeps the option: add it and look for a conflict. The chain is not shrunk
            # further here: each removal is traced to the few removals it needed, and trying to drop
            # its tables one by one cost more than the rest of the query.
            found = explainer._propagated(state, {variable: value})
        if found is not None and len(found) > 2:
            # A rule broken by the option and the picks alone is the shortest reason there is (looked
            # for past two rules only: on Renault it shortened 4% of the shorter ones, at a fifth of
            # the query's time).
            direct = explainer._direct(assignment, explainer._by_variable.get(variable, ()))
            if direct:
                found = direct
        if found is None:
            within = {v: values for v, values in self.within.items() if v not in excluded}
            found = explainer._sat(assignment, within) or []
        return [tables[i] for i in found]

    def _traced(self, state: _State, slot: int | None) -> list[int]:
        """The tables on the removals that led to `slot`'s removal (to the state's conflict when None),
        as `Explainer._chain` finds them, with every removal's own trace kept for the next option."""
        if slot is None:
            if state.clash >= 0:
                bits = self._trace(state, state.clash)
            else:
                bits = 1 << state.conflict
                for premise in self.explainer._premises(state, state.conflict, None, state.conflict_at):
                    bits |= self._trace(state, premise)
        else:
            bits = self._trace(state, slot)
        return _bit_indices(bits)

    def _trace(self, state: _State, slot: int) -> int:
        """The tables (as bits) of the removals `slot`'s removal rests on, its own table included."""
        explainer = self.explainer
        removed_by, stamp = state.removed_by, state.stamp
        memo = self._traces
        found = memo.get((slot, stamp[slot]))
        if found is not None:
            return found
        premises_of: dict[int, list[int]] = {}
        stack = [slot]
        while stack:
            current = stack[-1]
            key = (current, stamp[current])
            if key in memo:
                stack.pop()
                continue
            table = removed_by[current]
            if table == PICKED:
                memo[key] = 0
                stack.pop()
                continue
            premises = premises_of.get(current)
            if premises is None:
                # Premises were removed strictly earlier: the walk never comes back to `current`.
                premises = explainer._premises(state, table, current, stamp[current])
                premises_of[current] = premises
                missing = [p for p in premises if (p, stamp[p]) not in memo]
                if missing:
                    stack.extend(missing)
                    continue
            bits = 1 << table
            for premise in premises:
                bits |= memo[premise, stamp[premise]]
            memo[key] = bits
            stack.pop()
        return memo[slot, stamp[slot]]


class CheapestPaths:
    """For one sweep: the picked levels a cheapest path through a value breaks.

    Equivalent to `Diagram.path_through` restricted to the broken picks, but every node's cheapest
    parent and child group, every value's cheapest group, and every node's nearest group that breaks
    a pick above and below it are found at once, level by level; a value's walk then only steps from
    one broken pick to the next.
    """

    def __init__(self, diagram: Diagram, sweep: Sweep) -> None:
        groups = len(diagram.src)
        cost = np.zeros(groups, dtype=np.int64)
        for level, level_cost in sweep.cost.items():
            cost[int(diagram.group_start[level]) : int(diagram.group_start[level + 1])] = level_cost
        nodes = diagram.node_count + 1
        forward, backward = sweep.forward, sweep.backward
        # Ties go to the lowest group number, as in the diagram's own walks.
        up = forward[diagram.src] + cost == forward[diagram.dst]
        # `in_order` lists groups by target, and groups come by source: the first of each run is
        # the lowest-numbered group.
        candidates = diagram.in_order[up[diagram.in_order]]
        parent = np.full(nodes, -1, dtype=np.int64)
        targets = diagram.dst[candidates]
        first = np.flatnonzero(np.diff(targets, prepend=-1))
        parent[targets[first]] = candidates[first]
        down = np.flatnonzero(backward[diagram.dst] + cost == backward[diagram.src])
        child = np.full(nodes, -1, dtype=np.int64)
        sources = diagram.src[down]
        first = np.flatnonzero(np.diff(sources, prepend=-1))
        child[sources[first]] = down[first]
        breaks = cost > 0
        # Per node: the nearest node at or above it entered by a group that breaks a pick (-1: none up
        # to the root), and the nearest at or below it left by one (-1: none down to the terminal).
        # Index `nodes` stands for "no node" (-1 read there), so each level is one gather and a where.
        above = np.full(nodes + 1, -1, dtype=np.int64)
        below = np.full(nodes + 1, -1, dtype=np.int64)
        every = np.arange(nodes, dtype=np.int64)
        known = parent >= 0
        up_breaks = known & breaks[np.where(known, parent, 0)]
        up_next = np.where(known, diagram.src[np.where(known, parent, 0)], nodes)
        known = child >= 0
        down_breaks = known & breaks[np.where(known, child, 0)]
        down_next = np.where(known, diagram.dst[np.where(known, child, 0)], nodes)
        bounds = [int(b) for b in diagram.node_start]
        spans = [(bounds[level], bounds[level + 1]) for level in range(diagram.levels)]
        spans.append((diagram.terminal, diagram.terminal + 1))
        for low, high in spans[1:]:
            above[low:high] = np.where(up_breaks[low:high], every[low:high], above[up_next[low:high]])
        for low, high in reversed(spans[:-1]):
            below[low:high] = np.where(down_breaks[low:high], every[low:high], below[down_next[low:high]])
        # Per value: its cheapest group (the first of the value's groups at the fewest broken picks).
        slots = len(diagram.edge_slot_start) - 1
        cheapest = np.full(slots, -1, dtype=np.int64)
        if len(diagram.live_slots):
            through = (forward[diagram.src] + backward[diagram.dst])[diagram.edge_group]
            least = np.minimum.reduceat(through, diagram.live_slot_start)
            counts = np.diff(diagram.edge_slot_start)[diagram.live_slots]
            position = np.where(through == np.repeat(least, counts), np.arange(len(through)), len(through))
            cheapest[diagram.live_slots] = diagram.edge_group[
                np.minimum.reduceat(position, diagram.live_slot_start)
            ]
        self._slot_start = diagram.slot_start
        self._cheapest = cheapest
        self._parent, self._child = parent, child
        self._above, self._below = above, below
        self._src, self._dst = diagram.src, diagram.dst
        self._level = diagram.group_level
        self._ups: dict[int, tuple[int, ...]] = {}
        self._downs: dict[int, tuple[int, ...]] = {}

    def broken(self, level: int, value: int) -> tuple[int, ...]:
        """The picked levels (other than `level`) a cheapest path through `level = value` changes."""
        group = int(self._cheapest[int(self._slot_start[level]) + value])
        if group < 0:
            return ()
        return self._up(int(self._above[int(self._src[group])])) + self._down(
            int(self._below[int(self._dst[group])])
        )

    def _up(self, node: int) -> tuple[int, ...]:
        """The broken levels from `node` (one entered by a breaking group, or -1) up to the root."""
        return self._trail(node, self._ups, self._parent, self._src, self._above)

    def _down(self, node: int) -> tuple[int, ...]:
        """The broken levels from `node` (one left by a breaking group, or -1) down to the terminal."""
        return self._trail(node, self._downs, self._child, self._dst, self._below)

    def _trail(
        self,
        node: int,
        known: dict[int, tuple[int, ...]],
        step: IntArray,
        far: IntArray,
        nearest: IntArray,
    ) -> tuple[int, ...]:
        """The levels of the breaking groups on the way from `node`: its cheapest group (`step`), that
        group's other end (`far`) and the next node there entered by a breaking group (`nearest`), on
        until -1. Kept per node in `known`, since the paths of most values share their ends."""
        if node < 0:
            return ()
        found = known.get(node)
        if found is None:
            trail = []
            while node >= 0 and node not in known:
                trail.append(node)
                node = int(nearest[int(far[int(step[node])])])
            found = known[node] if node >= 0 else ()
            for at in reversed(trail):
                found = (int(self._level[int(step[at])]), *found)
                known[at] = found
        return found


def _bit_indices(bits: int) -> list[int]:
    """The positions of the set bits, ascending."""
    found = []
    while bits:
        low = bits & -bits
        found.append(low.bit_length() - 1)
        bits ^= low
    return found


def _bitset(indices: IntArray) -> int:
    """The int with bit `i` set for each `i` of `indices`, built in one pass: or-ing `1 << i` one by
    one copies the growing int each time (36 s for a table of 1.85 million rows)."""
    if not len(indices):
        return 0
    flags = np.zeros(int(indices.max()) + 1, dtype=np.uint8)
    flags[indices] = 1
    return int.from_bytes(np.packbits(flags, bitorder="little").tobytes(), "little")


def _drop_one(solver: Solver, picks: Sequence[int], chosen: Sequence[int]) -> list[int] | None:
    for selector in chosen:
        rest = [s for s in chosen if s != selector]
        solver.conf_budget(SAT_CONFLICT_BUDGET)
        if solver.solve_limited(assumptions=[*picks, *rest]) is False:
            core = set(solver.get_core() or ())
            return [s for s in rest if s in core]
    return None
