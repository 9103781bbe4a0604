"""Evaluating a rule over every combination of its attributes' values at once.

Lowering a rule that is not a clause lists the combinations it allows by evaluating it on each one
(`finite._predicate_table`). A made-to-measure rule over two number attributes (`width <= 2 * depth`
in millimetres) spans millions of them: one tree walk each took about 12 µs. Here the expression is
evaluated once, over numpy arrays with one axis per attribute broadcast against each other: the same
Python numbers (ints and Fractions, so every comparison stays exact) and the same reading of a value
that is not there (`docs/rules.md`), in numpy's loops.

Only expressions whose every part is known to be well typed are taken: numbers, booleans and choices
compared with their options, joined by `and`, `or`, `not`, `->` and `<->`. A vectorised `or` evaluates
every operand where the tree walk stops at the first that decides, so an expression that could raise
on some combination is left to the tree walk, which reports it where it happens.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from rules.expr import Arith, Compare, Const, Expr, ListExpr, Logic, Name, Neg, Not, OptionKey, exact

Kind = Literal["number", "boolean", "option"]
Array = npt.NDArray[Any]


class _Unsupported(Exception):
    """A part the vectorised evaluation does not take: the tree walk evaluates the rule instead."""


@dataclass(frozen=True)
class Axis:
    """One attribute's place in the grid: its axis and its values (None: does not apply)."""

    index: int
    kind: Kind
    values: Sequence[object]


@dataclass(frozen=True)
class _Value:
    kind: Kind
    data: Array  # broadcastable to the grid; a placeholder where `missing`
    missing: Array | None = None  # True where there is no value (None in the tree walk)


def allowed_grid(expr: Expr, axes: Mapping[str, Axis], shape: Sequence[int]) -> Array | None:
    """Whether `expr` holds at each combination (a boolean array of `shape`, one axis per attribute in
    `axes`), or None when the expression has a part this evaluation does not take."""
    try:
        value = _evaluate(expr, axes, len(shape))
    except _Unsupported:
        return None
    if value.kind != "boolean":
        return None
    return np.broadcast_to(_truth(value), tuple(shape))


def _evaluate(expr: Expr, axes: Mapping[str, Axis], dimensions: int) -> _Value:
    if isinstance(expr, Const):
        return _constant(expr.value)
    if isinstance(expr, OptionKey):
        return _Value("option", _scalar(expr.key))
    if isinstance(expr, Name):
        return _attribute(axes, expr.key, dimensions)
    if isinstance(expr, Neg):
        operand = _number(_evaluate(expr.operand, axes, dimensions))
        return _Value("number", -operand.data, operand.missing)
    if isinstance(expr, Arith):
        left = _number(_evaluate(expr.left, axes, dimensions))
        right = _number(_evaluate(expr.right, axes, dimensions))
        return _arithmetic(expr.op, left, right)
    if isinstance(expr, Compare):
        return _compare(expr, axes, dimensions)
    if isinstance(expr, Not):
        return _Value("boolean", ~_truth(_boolean(_evaluate(expr.operand, axes, dimensions))))
    if isinstance(expr, Logic):
        truths = [_truth(_boolean(_evaluate(operand, axes, dimensions))) for operand in expr.operands]
        if expr.op == "and":
            return _Value("boolean", functools.reduce(np.logical_and, truths))
        if expr.op == "or":
            return _Value("boolean", functools.reduce(np.logical_or, truths))
        condition, consequence = truths
        if expr.op == "->":
            return _Value("boolean", ~condition | consequence)
        if expr.op == "<->":
            return _Value("boolean", np.asarray(condition == consequence, dtype=bool))
    raise _Unsupported(type(expr).__name__)


def _constant(value: int | Decimal | bool | str) -> _Value:
    if isinstance(value, bool):
        return _Value("boolean", np.array(value))
    if isinstance(value, str):
        return _Value("option", _scalar(value))
    return _Value("number", _scalar(exact(value)))


def _attribute(axes: Mapping[str, Axis], key: str, dimensions: int) -> _Value:
    axis = axes.get(key)
    if axis is None:
        raise _Unsupported(key)
    shape = [1] * dimensions
    shape[axis.index] = len(axis.values)
    missing = np.array([value is None for value in axis.values]).reshape(shape)
    placeholder: object = False if axis.kind == "boolean" else 0 if axis.kind == "number" else ""
    present = [placeholder if value is None else value for value in axis.values]
    if axis.kind == "boolean":
        data = np.array(present, dtype=bool)
    else:
        data = np.empty(len(present), dtype=object)
        data[:] = [exact(v) if isinstance(v, Decimal) else v for v in present]
    return _Value(axis.kind, data.reshape(shape), missing if missing.any() else None)


def _arithmetic(op: str, left: _Value, right: _Value) -> _Value:
    missing = _either(left.missing, right.missing)
    if op == "+":
        return _Value("number", left.data + right.data, missing)
    if op == "-":
        return _Value("number", left.data - right.data, missing)
    if op == "*":
        return _Value("number", left.data * right.data, missing)
    if op == "/":
        # A quotient by zero has no value; Python's `/` on ints would round through a float.
        zero = np.asarray(right.data == 0, dtype=bool)
        divisor = np.where(zero, 1, right.data)
        return _Value("number", _exact_quotient(left.data, divisor), _either(missing, zero))
    raise _Unsupported(op)


_exact_quotient: Callable[[Array, Array], Array] = np.frompyfunc(lambda a, b: Fraction(a) / b, 2, 1)


def _compare(expr: Compare, axes: Mapping[str, Axis], dimensions: int) -> _Value:
    left = _evaluate(expr.left, axes, dimensions)
    op = expr.op
    if op in ("in", "not in"):
        if not isinstance(expr.right, ListExpr):
            raise _Unsupported("in a multi attribute")
        members = [_evaluate(item, axes, dimensions) for item in expr.right.items]
        inside = np.zeros((), dtype=bool)
        for member in members:
            inside = inside | _equal(left, member)
        return _Value("boolean", inside if op == "in" else ~inside)
    right = _evaluate(expr.right, axes, dimensions)
    if op == "==":
        return _Value("boolean", _equal(left, right))
    if op == "!=":
        return _Value("boolean", ~_equal(left, right))
    a, b = _number(left), _number(right)
    compared = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal}[op]
    result = np.asarray(compared(a.data, b.data), dtype=bool)
    missing = _either(a.missing, b.missing)
    return _Value("boolean", result if missing is None else result & ~missing)


def _equal(left: _Value, right: _Value) -> Array:
    """`==` as the language reads it: false where either side has no value."""
    if left.kind != right.kind:
        raise _Unsupported("a comparison across kinds")
    result = np.asarray(left.data == right.data, dtype=bool)
    missing = _either(left.missing, right.missing)
    return result if missing is None else result & ~missing


def _truth(value: _Value) -> Array:
    """A condition's truth: false where there is no value."""
    data = np.asarray(value.data, dtype=bool)
    return data if value.missing is None else data & ~value.missing


def _number(value: _Value) -> _Value:
    if value.kind != "number":
        raise _Unsupported("not a number")
    return value


def _boolean(value: _Value) -> _Value:
    if value.kind != "boolean":
        raise _Unsupported("not a condition")
    return value


def _either(a: Array | None, b: Array | None) -> Array | None:
    if a is None:
        return b
    if b is None:
        return a
    return a | b


def _scalar(value: object) -> Array:
    holder = np.empty((), dtype=object)
    holder[()] = value
    return holder
