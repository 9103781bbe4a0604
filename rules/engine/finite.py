"""Lowering a product into finite variables and positive tables, the engine's only input.

One variable per choice, colour, boolean and number attribute (values: its options or numbers, plus
None when the attribute has a `when`), one boolean variable per option of a multi attribute, one
length variable per text attribute (0..max_length graphemes; the text itself is checked by
`rules.text`) and one presence variable per image attribute (0 or 1).
Every rule becomes a table of the value combinations it allows, found by evaluating
its expression over the variables it mentions; visibility, option counts and required texts become
tables too, so they explain themselves like merchants' rules.

A rule that is a clause — literals joined by `or`, each on one variable (`a`, `not a`, `colour ==
red`, `size in [s, m]`, `nuts in toppings`, `n > 3`), including `A -> B` and `not (A and B)` forms
that amount to one — keeps its negative form instead: its table's rows are `ClauseRows`, the one box
of combinations it forbids, so a clause over hundreds of booleans costs one node per literal, not
2**n rows. Such a table still lists its rows on demand when narrow; `Table.clause` gives the form to
code that can use it directly (an explainer encodes it as one SAT clause).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from math import prod

import numpy as np
import numpy.typing as npt

from rules.engine.build import ClauseRows, Deadline
from rules.engine.grid import Axis, Kind, allowed_grid
from rules.errors import CatalogError, Code, Diagnostic, EvaluationError
from rules.expr import Compare, Const, Expr, Logic, Name, Not, OptionKey
from rules.i18n import RULES
from rules.model import Attribute, AttributeKind, ProductModel
from rules.results import RuleRef

MAX_COMBINATIONS = 2_000_000  # value combinations one rule may span before it must be split
# Ids of the rules the engine adds itself (visibility, option counts, required texts).
BUILT_IN_RULE_PREFIXES = ("when:", "count:", "required:")

FiniteValue = str | int | Decimal | bool | None


class RuleTooWideError(CatalogError):
    """A rule mentions so many attributes that its combinations cannot be enumerated: a catalog error
    located at the rule, so loading, `rules check` and publishing all report it."""

    def __init__(self, rule: RuleRef, combinations: int, numbers: Sequence[tuple[str, int]] = ()) -> None:
        self.rule = rule
        hint = "split it into rules over fewer attributes"
        if numbers:
            # A made-to-measure rule (`width <= 2 * depth` in millimetres) is wide by its steps, not by
            # its attributes: the step is what the merchant can change.
            counts = ", ".join(f"{key} has {count:,} values" for key, count in numbers)
            hint = f"use a coarser step ({counts}), or {hint}"
        super().__init__(
            [
                Diagnostic(
                    "error",
                    Code.RULE_TOO_WIDE,
                    f"rule {rule.id!r} spans {combinations:,} value combinations "
                    f"(limit {MAX_COMBINATIONS:,})",
                    rule.source,
                    hint,
                )
            ]
        )


@dataclass(frozen=True)
class Variable:
    name: str  # "colour", "toppings[nuts]", "engraving.length"
    attribute: str
    values: tuple[FiniteValue, ...]
    option: str | None = None  # multi: the option this boolean stands for

    def index(self, value: FiniteValue) -> int | None:
        return self._indices.get((type(value), value))

    @cached_property
    def _indices(self) -> dict[tuple[type, FiniteValue], int]:
        # Keyed by type too: Python's True == 1 (and 1 == Decimal(1)) is not the language's.
        return {(type(value), value): i for i, value in reversed(list(enumerate(self.values)))}


@dataclass(frozen=True)
class Table:
    """The value combinations one rule allows over its scope."""

    rule: RuleRef
    scope: tuple[int, ...]  # variable indices
    # Allowed value indices in scope order: a tuple, or ClauseRows for a clause (see the module doc).
    rows: Sequence[tuple[int, ...]]
    trivial: bool  # allows every combination: the rule never excludes anything

    @property
    def clause(self) -> ClauseRows | None:
        """The negative form when the rule is a clause: `clause.allowed[i]` is the bit mask of the
        values of `scope[i]` that satisfy it; the rule excludes exactly the combinations where no
        column takes an allowed value. Listing `rows` of a wide clause raises RuleTooWideError."""
        return self.rows if isinstance(self.rows, ClauseRows) else None


@dataclass
class FiniteModel:
    variables: list[Variable]
    tables: list[Table]
    by_attribute: dict[str, tuple[int, ...]]  # attribute key -> its variables
    deadline: Deadline | None = None  # while lowering: enumerating combinations is held to it

    def env(self, model: ProductModel, assignment: Mapping[int, int]) -> dict[str, object]:
        """The expression env of a (partial) assignment of variable -> value index."""
        env: dict[str, object] = {}
        for attribute in model.attributes:
            indices = self.by_attribute[attribute.key]
            if attribute.kind is AttributeKind.MULTI:
                if all(i in assignment for i in indices):
                    env[attribute.key] = frozenset(
                        str(self.variables[i].option)
                        for i in indices
                        if self.variables[i].values[assignment[i]]
                    )
            elif indices[0] in assignment:
                env[attribute.key] = self.variables[indices[0]].values[assignment[indices[0]]]
        return env


def lower(model: ProductModel, deadline: Deadline | None = None) -> FiniteModel:
    """The finite model of a product: variables and the tables of every rule, built-in ones included.
    Raises `CompileTimeoutError` when enumerating the rules' combinations outlasts `deadline`."""
    deadline = deadline or Deadline()
    variables: list[Variable] = []
    by_attribute: dict[str, tuple[int, ...]] = {}
    for attribute in model.attributes:
        start = len(variables)
        variables.extend(_variables(attribute))
        by_attribute[attribute.key] = tuple(range(start, len(variables)))
    finite = FiniteModel(variables, [], by_attribute, deadline)
    for attribute in model.attributes:
        finite.tables.extend(_built_in(model, finite, attribute))
    for constraint in model.constraints:
        rule = RuleRef(constraint.id, constraint.message, constraint.origin, constraint.source)
        clause = clause_table(model, finite, rule, constraint.expr)
        finite.tables.append(clause or expression_table(model, finite, rule, constraint.expr))
    for table in model.tables:
        rule = RuleRef(table.id, table.message, table.origin, table.source)
        finite.tables.append(_combination_table(finite, rule, table.attributes, table.rows, table.allowed))
    finite.deadline = None  # lowering is over: the model no longer counts against a compile's clock
    return finite


def _variables(attribute: Attribute) -> list[Variable]:
    optional: tuple[FiniteValue, ...] = (None,) if attribute.when is not None else ()
    key = attribute.key
    match attribute.kind:
        case AttributeKind.CHOICE | AttributeKind.COLOUR:
            return [Variable(key, key, optional + tuple(o.key for o in attribute.options))]
        case AttributeKind.BOOLEAN:
            return [Variable(key, key, (*optional, False, True))]
        case AttributeKind.NUMBER:
            return [Variable(key, key, optional + tuple(attribute.number_values()))]
        case AttributeKind.MULTI:
            return [Variable(f"{key}[{o.key}]", key, (False, True), o.key) for o in attribute.options]
        case AttributeKind.TEXT:
            assert attribute.text is not None
            return [Variable(f"{key}.length", key, tuple(range(attribute.text.max_length + 1)))]
        case AttributeKind.IMAGE:
            # Present or absent, read like a text of at most one character so `.present` holds for 1.
            # A required image is no rule here: no default can hold an upload, so the defaults would
            # never be valid; `Product.validate` asks for it instead.
            return [Variable(f"{key}.present", key, (0, 1))]
    raise AssertionError(attribute.kind)


def _built_in(model: ProductModel, finite: FiniteModel, attribute: Attribute) -> Iterator[Table]:
    label = attribute.label
    key = attribute.key
    when = attribute.when
    if when is not None:
        # The merchant's own words when they wrote some: the expression is theirs, not the shopper's.
        message = attribute.when_message or RULES.localized(
            "“{label}” does not apply with your other choices.",
            label=label,
        )
        rule = RuleRef(f"when:{key}", message, "product", attribute.source)
        yield _predicate_table(
            model, finite, rule, when.references() | {key}, lambda env: _visible(attribute, when, env)
        )
    if attribute.kind is AttributeKind.MULTI and (attribute.min_count > 0 or attribute.max_count is not None):
        low, high = (
            attribute.min_count,
            attribute.max_count if attribute.max_count is not None else len(attribute.options),
        )
        rule = RuleRef(
            f"count:{key}",
            RULES.localized(
                "Choose {low} to {high} for {label}.",
                label=label,
                low=low,
                high=high,
            ),
            "product",
            attribute.source,
        )
        scope = when.references() | {key} if when is not None and low > 0 else frozenset({key})

        def within(env: Mapping[str, object]) -> bool:
            chosen = env[key]
            assert isinstance(chosen, frozenset)
            if when is not None and low > 0 and not when.evaluate(env):
                return len(chosen) == 0
            return low <= len(chosen) <= high

        yield _predicate_table(model, finite, rule, scope, within)
    if attribute.kind is AttributeKind.TEXT and attribute.required:
        rule = RuleRef(
            f"required:{key}",
            RULES.localized(
                "{label} is required.",
                label=label,
            ),
            "product",
            attribute.source,
        )
        scope = (when.references() | {key}) if when is not None else frozenset({key})
        yield _predicate_table(
            model,
            finite,
            rule,
            scope,
            lambda env: (when is not None and not when.evaluate(env)) or _int(env[key]) > 0,
        )


def _visible(attribute: Attribute, when: Expr, env: Mapping[str, object]) -> bool:
    """A single-valued attribute has a value iff it applies; an inactive multi or text is empty."""
    applies = bool(when.evaluate(env))
    value = env[attribute.key]
    if attribute.kind in (AttributeKind.MULTI, AttributeKind.TEXT, AttributeKind.IMAGE):
        return applies or not value
    return applies == (value is not None)


def _int(value: object) -> int:
    assert isinstance(value, int)
    return value


def expression_table(model: ProductModel, finite: FiniteModel, rule: RuleRef, expr: Expr) -> Table:
    """The table of value combinations for which `expr` holds."""
    return _predicate_table(
        model, finite, rule, expr.references(), lambda env: bool(expr.evaluate(env)), expr
    )


def predicate_table(
    model: ProductModel,
    finite: FiniteModel,
    rule: RuleRef,
    attributes: frozenset[str],
    holds: Callable[[Mapping[str, object]], bool],
) -> Table:
    """The table of value combinations of `attributes` for which `holds(env)` is true (raises
    RuleTooWideError beyond MAX_COMBINATIONS)."""
    return _predicate_table(model, finite, rule, attributes, holds)


def clause_table(model: ProductModel, finite: FiniteModel, rule: RuleRef, expr: Expr) -> Table | None:
    """The table of `expr` in its negative form if it is a clause over single variables, else None."""
    literals: list[tuple[Expr, bool]] = []
    _disjuncts(expr, False, literals)
    allowed: dict[int, int] = {}
    for literal, negated in literals:
        found = _literal(model, finite, literal)
        if found is None:
            return None
        if isinstance(found, bool):
            if found != negated:
                return None  # a literal that always holds: the enumerated table says so plainly
            continue
        variable, mask = found
        if negated:
            mask = ~mask & ((1 << len(finite.variables[variable].values)) - 1)
        allowed[variable] = allowed.get(variable, 0) | mask
    if not allowed:
        return None
    scope = tuple(sorted(allowed))
    rows = ClauseRows(
        [len(finite.variables[v].values) for v in scope],
        [allowed[v] for v in scope],
        MAX_COMBINATIONS,
        lambda combinations: RuleTooWideError(rule, combinations),
    )
    return Table(rule, scope, rows, rows.trivial)


def _disjuncts(expr: Expr, negated: bool, out: list[tuple[Expr, bool]]) -> None:
    """Collect (literal, negated) pairs whose disjunction is `expr` (its negation when `negated`)."""
    if isinstance(expr, Not):
        _disjuncts(expr.operand, not negated, out)
    elif isinstance(expr, Logic) and expr.op == ("and" if negated else "or"):
        for operand in expr.operands:
            _disjuncts(operand, negated, out)
    elif isinstance(expr, Logic) and expr.op == "->" and not negated:
        condition, consequence = expr.operands
        _disjuncts(condition, True, out)
        _disjuncts(consequence, False, out)
    else:
        out.append((expr, negated))


def _literal(model: ProductModel, finite: FiniteModel, expr: Expr) -> tuple[int, int] | bool | None:
    """(variable, mask of the values for which `expr` holds) when `expr` reads one variable; its truth
    when it reads none; None when it reads more, or is not a condition on every value."""
    keys = expr.references()
    if len(keys) > 1:
        return None
    try:
        if not keys:
            value = expr.evaluate({})
            return value if isinstance(value, bool) else None
        (key,) = keys
        variables = finite.by_attribute[key]
        if len(variables) == 1:
            variable = variables[0]
            mask = 0
            for index in range(len(finite.variables[variable].values)):
                value = expr.evaluate(finite.env(model, {variable: index}))
                if value is not None and not isinstance(value, bool):
                    return None
                if value:
                    mask |= 1 << index
            return variable, mask
        return _membership(finite, expr, variables)
    except EvaluationError:
        return None  # the enumerated table reports it where it matters


def _membership(finite: FiniteModel, expr: Expr, variables: Sequence[int]) -> tuple[int, int] | None:
    """`option in multi` / `option not in multi`: the one boolean variable of that option."""
    if not (isinstance(expr, Compare) and expr.op in ("in", "not in") and isinstance(expr.right, Name)):
        return None
    item = expr.left
    option = item.key if isinstance(item, OptionKey) else item.value if isinstance(item, Const) else None
    if not isinstance(option, str):
        return None
    for variable in variables:
        candidate = finite.variables[variable]
        if candidate.option == option:
            index = candidate.index(expr.op == "in")
            assert index is not None
            return variable, 1 << index
    return None


def _predicate_table(
    model: ProductModel,
    finite: FiniteModel,
    rule: RuleRef,
    attributes: frozenset[str],
    holds: Callable[[Mapping[str, object]], bool],
    expr: Expr | None = None,
) -> Table:
    """`holds` evaluated on every combination; or `expr` (what `holds` evaluates) over all of them at
    once when `rules.engine.grid` takes it, with the same rows in the same order."""
    ordered = [a.key for a in model.attributes if a.key in attributes]
    scope = tuple(i for key in ordered for i in finite.by_attribute[key])
    sizes = [len(finite.variables[i].values) for i in scope]
    combinations = prod(sizes)
    if combinations > MAX_COMBINATIONS:
        numbers = [
            (attribute.key, len(attribute.number_values()))
            for attribute in model.attributes
            if attribute.key in attributes and attribute.kind is AttributeKind.NUMBER
        ]
        raise RuleTooWideError(rule, combinations, sorted(numbers, key=lambda n: -n[1]))
    grid = grid_of(model, finite, ordered, expr, sizes) if expr is not None else None
    if grid is not None:
        if finite.deadline is not None:
            finite.deadline.check()
        found = np.argwhere(grid)
        # Column by column, then zipped: a list per row would cost twice as much.
        listed = tuple(zip(*found.T.tolist(), strict=True))
        return Table(rule, scope, listed, len(found) == combinations)
    rows = []
    tick = finite.deadline.tick if finite.deadline is not None else _no_clock
    for combination in itertools.product(*(range(s) for s in sizes)):
        tick()
        env = finite.env(model, dict(zip(scope, combination, strict=True)))
        if holds(env):
            rows.append(combination)
    return Table(rule, scope, tuple(rows), len(rows) == combinations)


_GRID_KINDS: dict[AttributeKind, Kind] = {
    AttributeKind.NUMBER: "number",
    AttributeKind.BOOLEAN: "boolean",
    AttributeKind.CHOICE: "option",
    AttributeKind.COLOUR: "option",
}


def grid_of(
    model: ProductModel, finite: FiniteModel, ordered: Sequence[str], expr: Expr, sizes: Sequence[int]
) -> npt.NDArray[np.bool_] | None:
    """Where `expr` holds over the combinations of `ordered` (one variable each), or None."""
    if not ordered:
        return None
    attributes = {attribute.key: attribute for attribute in model.attributes}
    axes: dict[str, Axis] = {}
    for index, key in enumerate(ordered):
        kind = _GRID_KINDS.get(attributes[key].kind)
        if kind is None:
            return None
        (variable,) = finite.by_attribute[key]
        axes[key] = Axis(index, kind, finite.variables[variable].values)
    return allowed_grid(expr, axes, sizes)


def _no_clock() -> None:
    """`Deadline.tick` for a table enumerated outside a compile (`predicate_table` from analysis)."""


def _combination_table(
    finite: FiniteModel,
    rule: RuleRef,
    attributes: Sequence[str],
    rows: frozenset[tuple[FiniteValue, ...]],
    allowed: bool,
) -> Table:
    scope = tuple(finite.by_attribute[key][0] for key in attributes)
    domains = [finite.variables[i].values for i in scope]
    # A cell matches exactly its value, `null` exactly "does not apply" (the value None): a design
    # where an attribute does not apply is judged by the table like any other (docs/rules.md).
    encoded: set[tuple[int, ...]] = set()
    for row in rows:
        indices = tuple(finite.variables[i].index(value) for i, value in zip(scope, row, strict=True))
        if all(index is not None for index in indices):
            encoded.add(tuple(index for index in indices if index is not None))
    if allowed:
        accepted = encoded
    else:
        everything = itertools.product(*(range(len(d)) for d in domains))
        accepted = {c for c in everything if c not in encoded}
    combinations = prod(len(d) for d in domains)
    ordered = tuple(sorted(accepted))
    return Table(rule, scope, ordered, len(ordered) == combinations)
