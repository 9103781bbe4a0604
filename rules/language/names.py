"""Name resolution and type checking of rule expressions against a product's attributes.

`rules.expr.parse` only checks syntax. Here every bare name becomes an attribute reference or, where
it is compared with (or contained in) an attribute, one of that attribute's option keys; features
and functions are checked and every operator gets operands of the right type. Misspellings get a
"did you mean".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from rules import expr as x
from rules.errors import Code, ExpressionError
from rules.language.check import Report, article, did_you_mean, suggestion
from rules.language.yamlsafe import Scalar
from rules.model import AttributeKind, SourceRef

T = TypeVar("T")

_OPTIONED = (AttributeKind.CHOICE, AttributeKind.COLOUR, AttributeKind.MULTI)


# `l <= size` is `size >= l`: the choice on the left, the bound on the right.
_MIRRORED = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}
_RANKS: dict[str, Callable[[int, int], bool]] = {
    "<": lambda index, rank: index < rank,
    "<=": lambda index, rank: index <= rank,
    ">": lambda index, rank: index > rank,
    ">=": lambda index, rank: index >= rank,
}


@dataclass(frozen=True)
class AttributeInfo:
    """What expressions need to know of an attribute."""

    key: str
    kind: AttributeKind
    options: tuple[str, ...] = ()
    ordered: bool = False  # a choice whose options are listed smallest first: `<`, `>=`... compare them


def sample_conditions(attributes: Mapping[str, AttributeInfo]) -> list[tuple[str, str]]:
    """Conditions over a product's own attributes, each with the attribute it is about: one per
    attribute, then other options of the same, for hints that show how to write a rule (never about
    attributes the product does not have).

    >>> infos = {"size": AttributeInfo("size", AttributeKind.CHOICE, ("s", "m")),
    ...          "gift": AttributeInfo("gift", AttributeKind.BOOLEAN)}
    >>> [text for _, text in sample_conditions(infos)]
    ['size == s', 'gift', 'size == m']
    """
    found: list[tuple[str, str]] = []
    for info in attributes.values():
        first = str(x.OptionKey(info.options[0])) if info.options else None
        if info.kind in (AttributeKind.CHOICE, AttributeKind.COLOUR) and first is not None:
            found.append((info.key, f"{info.key} == {first}"))
        elif info.kind is AttributeKind.MULTI and first is not None:
            found.append((info.key, f"{first} in {info.key}"))
        elif info.kind is AttributeKind.BOOLEAN:
            found.append((info.key, info.key))
        elif info.kind in (AttributeKind.TEXT, AttributeKind.IMAGE):
            found.append((info.key, f"{info.key}.present"))
    # Then other options, so that a product of one attribute still has two different conditions.
    for info in attributes.values():
        if info.kind in (AttributeKind.CHOICE, AttributeKind.COLOUR) and len(info.options) > 1:
            found.append((info.key, f"{info.key} == {x.OptionKey(info.options[1])}"))
    return found


@dataclass(frozen=True)
class Type:
    """The type of an expression: bool, num, option (of `attribute`), set (a multi attribute), text,
    list, or pending: a bare name or string that may yet turn out to be an option key."""

    name: str
    attribute: str | None = None
    items: tuple[Type, ...] = ()


BOOL = Type("bool")
NUM = Type("num")
PENDING = Type("pending")
FAILED = Type("failed")  # a side whose errors are reported already

_DESCRIBE = {"bool": "a condition", "num": "a number", "list": "a list", "pending": "a name"}


class _Failed(Exception):
    """An error was reported; abandon this expression."""


def parse_expression(node: Scalar, report: Report) -> x.Expr | None:
    """Parse the expression written in a YAML scalar, with positions inside the scalar."""
    source = node.text_start or node.source
    try:
        return x.parse(node.text, source)
    except ExpressionError as error:
        report.add([error.diagnostic])
        return None


class Resolver:
    """Resolves and type-checks expressions over one product's attributes."""

    def __init__(
        self, attributes: Mapping[str, AttributeInfo], report: Report, broken: frozenset[str] = frozenset()
    ) -> None:
        self.attributes = attributes
        self.report = report
        # Attributes whose own definition has errors: names of them fail silently, without a cascade.
        self.broken = broken

    def condition(self, expr: x.Expr, what: str) -> x.Expr | None:
        """Resolve an expression that must be a condition; None if an error was reported."""
        return self._top(expr, BOOL, what)

    def number(self, expr: x.Expr, what: str) -> x.Expr | None:
        """Resolve an expression that must be a number (a price formula)."""
        return self._top(expr, NUM, what)

    def _top(self, expr: x.Expr, want: Type, what: str) -> x.Expr | None:
        try:
            resolved, kind = self._resolve(expr)
            resolved = self._settle(resolved, kind)
            if kind.name != want.name:
                self._mismatch_top(expr, kind, want, what)
            return resolved
        except _Failed:
            return None

    # -- errors ----------------------------------------------------------------------------------

    def _fail(self, code: str, message: str, where: SourceRef | None, hint: str | None) -> _Failed:
        self.report.error(code, message, where, hint)
        return _Failed()

    def _mismatch_top(self, expr: x.Expr, kind: Type, want: Type, what: str) -> None:
        if want == BOOL:
            hint = self._condition_hint(expr, kind)
            raise self._fail(
                Code.TYPE_MISMATCH,
                f"{what} must be a condition, but `{expr}` is {self._describe(kind)}",
                expr.source,
                hint,
            )
        raise self._fail(
            Code.TYPE_MISMATCH,
            f"{what} must be a number, but `{expr}` is {self._describe(kind)}",
            expr.source,
            "write arithmetic over number attributes, e.g. `width * 2`",
        )

    def _condition_hint(self, expr: x.Expr, kind: Type) -> str:
        if kind.name == "option" and isinstance(expr, x.Name):
            info = self.attributes[expr.key]
            first = info.options[0] if info.options else "..."
            return f"compare it, e.g. `{expr.key} == {first}`, or write `{expr.key}.present`"
        if kind.name == "text" and isinstance(expr, x.Name):
            return f"write `{expr.key}.present` or a length test such as `{expr.key}.length <= 12`"
        if kind.name == "image" and isinstance(expr, x.Name):
            return f"write `{expr.key}.present` (an image is given)"
        if kind.name == "set" and isinstance(expr, x.Name):
            info = self.attributes[expr.key]
            first = info.options[0] if info.options else "..."
            return f"write e.g. `{first} in {expr.key}` or `{expr.key}.count >= 1`"
        if kind.name == "num":
            return "compare it, e.g. `width >= 100`"
        return "write a condition such as `colour == white`"

    def _describe(self, kind: Type) -> str:
        if kind.name in ("option", "set", "text", "image"):
            assert kind.attribute is not None
            info = self.attributes[kind.attribute]
            return f"the {info.kind.value} attribute `{kind.attribute}`"
        return _DESCRIBE.get(kind.name, kind.name)

    def _unknown_name(self, name: str, where: SourceRef | None) -> _Failed:
        if name in self.broken:
            return _Failed()
        owners = [info for info in self.attributes.values() if name in info.options]
        if owners:
            owner = owners[0].key
            usage = f"{name} in {owner}" if owners[0].kind == AttributeKind.MULTI else f"{owner} == {name}"
            hint = f"`{name}` is an option of `{owner}`: write `{usage}`"
            return self._fail(Code.UNKNOWN_NAME, f"`{name}` is not an attribute", where, hint)
        return self._fail(
            Code.UNKNOWN_NAME,
            f"unknown attribute `{name}`",
            where,
            suggestion(name, list(self.attributes), "attributes"),
        )

    # -- resolution ------------------------------------------------------------------------------

    def _settle(self, expr: x.Expr, kind: Type) -> x.Expr:
        # A pending name with nothing to compare against is an unknown attribute.
        if kind.name == "pending":
            if isinstance(expr, x.Name):
                raise self._unknown_name(expr.key, expr.source)
            raise self._fail(
                Code.TYPE_MISMATCH,
                f"the text {expr} is not compared with anything",
                expr.source,
                'compare it with an attribute, e.g. `colour == "light-blue"`',
            )
        if kind.name == "list":
            raise self._fail(
                Code.TYPE_MISMATCH,
                f"a list `{expr}` can only follow `in`",
                expr.source,
                "write e.g. `colour in [white, ink]`",
            )
        return expr

    def _resolve(self, expr: x.Expr) -> tuple[x.Expr, Type]:
        if isinstance(expr, x.Const):
            value = expr.value
            if isinstance(value, bool):
                return expr, BOOL
            if isinstance(value, int | Decimal):
                return expr, NUM
            return expr, PENDING
        if isinstance(expr, x.Name):
            info = self.attributes.get(expr.key)
            if info is None:
                return expr, PENDING
            return expr, self._attribute_type(info)
        if isinstance(expr, x.OptionKey):
            return expr, PENDING
        if isinstance(expr, x.Feature):
            return self._feature(expr)
        if isinstance(expr, x.Call):
            return self._call(expr)
        if isinstance(expr, x.ListExpr):
            items = [self._resolve(item) for item in expr.items]
            return x.ListExpr(tuple(e for e, _ in items), expr.source), Type(
                "list", items=tuple(t for _, t in items)
            )
        if isinstance(expr, x.Not):
            operand = self._operand(expr.operand, BOOL, "not")
            return x.Not(operand, expr.source), BOOL
        if isinstance(expr, x.Neg):
            operand = self._operand(expr.operand, NUM, "-")
            return x.Neg(operand, expr.source), NUM
        if isinstance(expr, x.Logic):
            left, right = self._both(
                lambda: self._operand(expr.left, BOOL, expr.op),
                lambda: self._operand(expr.right, BOOL, expr.op),
            )
            return x.Logic(expr.op, left, right, expr.source), BOOL
        if isinstance(expr, x.Arith):
            left, right = self._both(
                lambda: self._operand(expr.left, NUM, expr.op),
                lambda: self._operand(expr.right, NUM, expr.op),
            )
            return x.Arith(expr.op, left, right, expr.source), NUM
        if isinstance(expr, x.Compare):
            return self._compare(expr), BOOL
        raise self._fail(Code.TYPE_MISMATCH, f"unsupported expression `{expr}`", expr.source, None)

    def _both(self, left: Callable[[], T], right: Callable[[], T]) -> tuple[T, T]:
        """Resolve two independent operands, reporting the errors of both before giving up.

        `sise == s and colur == white` has two misspelt names: the merchant hears of both at once.
        """
        results: list[T] = []
        failed = False
        for resolve in (left, right):
            try:
                results.append(resolve())
            except _Failed:
                failed = True
        if failed:
            raise _Failed()
        return results[0], results[1]

    def _attribute_type(self, info: AttributeInfo) -> Type:
        if info.kind == AttributeKind.BOOLEAN:
            return BOOL
        if info.kind == AttributeKind.NUMBER:
            return NUM
        if info.kind == AttributeKind.MULTI:
            return Type("set", info.key)
        if info.kind == AttributeKind.TEXT:
            return Type("text", info.key)
        if info.kind == AttributeKind.IMAGE:
            return Type("image", info.key)
        return Type("option", info.key)

    def _operand(self, expr: x.Expr, want: Type, op: str) -> x.Expr:
        resolved, kind = self._resolve(expr)
        resolved = self._settle(resolved, kind)
        if kind.name != want.name:
            if want == BOOL:
                raise self._fail(
                    Code.TYPE_MISMATCH,
                    f"`{op}` needs a condition, but `{expr}` is {self._describe(kind)}",
                    expr.source,
                    self._condition_hint(expr, kind),
                )
            raise self._fail(
                Code.TYPE_MISMATCH,
                f"`{op}` needs a number, but `{expr}` is {self._describe(kind)}",
                expr.source,
                self._number_hint(expr, kind),
            )
        return resolved

    def _number_hint(self, expr: x.Expr, kind: Type) -> str:
        if kind.name == "text" and isinstance(expr, x.Name):
            return f"write `{expr.key}.length` for the number of characters"
        if kind.name == "set" and isinstance(expr, x.Name):
            return f"write `{expr.key}.count` for the number of options chosen"
        return "use number attributes, numbers, .length or .count"

    def _feature(self, expr: x.Feature) -> tuple[x.Expr, Type]:
        info = self.attributes.get(expr.attribute)
        if info is None:
            raise self._unknown_name(expr.attribute, expr.source)
        feature_at = None
        if expr.source is not None:
            feature_at = SourceRef(
                expr.source.file, expr.source.line, expr.source.column + len(expr.attribute) + 1
            )
        allowed = {"present": "any", "length": AttributeKind.TEXT, "count": AttributeKind.MULTI}
        if expr.feature not in allowed:
            close = did_you_mean(expr.feature, list(allowed))
            hint = (
                f"did you mean `{expr.attribute}.{close}`?"
                if close
                else "the features are .present (any attribute), .length (text) and .count (multi)"
            )
            raise self._fail(Code.UNKNOWN_NAME, f"unknown feature `.{expr.feature}`", feature_at, hint)
        needed = allowed[expr.feature]
        if needed != "any" and info.kind != needed:
            other = "text" if expr.feature == "length" else "multi"
            hint = (
                "write `{0}.count`"
                if info.kind == AttributeKind.MULTI and expr.feature == "length"
                else "write `{0}.length`"
                if info.kind == AttributeKind.TEXT and expr.feature == "count"
                else "write `{0}.present`"
                if info.kind == AttributeKind.IMAGE
                else "write `{0}.present`, or compare `{0}` itself"
            )
            raise self._fail(
                Code.TYPE_MISMATCH,
                f"`.{expr.feature}` is for {other} attributes; `{expr.attribute}` "
                f"is {article(info.kind.value)} {info.kind.value} attribute",
                feature_at,
                hint.format(expr.attribute),
            )
        # Rules see an image like a text of at most one character (0 absent, 1 given), so `.present`
        # reads it the way it reads a text's length.
        kind = AttributeKind.TEXT if info.kind == AttributeKind.IMAGE else info.kind
        resolved = x.Feature(expr.attribute, expr.feature, kind.value, expr.source)
        return resolved, (BOOL if expr.feature == "present" else NUM)

    def _call(self, expr: x.Call) -> tuple[x.Expr, Type]:
        if expr.function not in x.FUNCTIONS:
            raise self._fail(
                Code.UNKNOWN_NAME,
                f"unknown function `{expr.function}`",
                expr.source,
                suggestion(expr.function, list(x.FUNCTIONS), "functions"),
            )
        if len(expr.args) < 2:
            raise self._fail(
                Code.BAD_VALUE,
                "`distinct` needs at least two attributes",
                expr.source,
                "write e.g. `distinct(body_colour, lid_colour) <= 2`",
            )
        failed = False
        for arg in expr.args:
            try:
                self._distinct_argument(arg)
            except _Failed:
                failed = True
        if failed:
            raise _Failed()
        return expr, NUM

    def _distinct_argument(self, arg: x.Expr) -> None:
        if not isinstance(arg, x.Name):
            raise self._fail(
                Code.TYPE_MISMATCH,
                f"`distinct` takes attribute names, not `{arg}`",
                arg.source,
                "write e.g. `distinct(body_colour, lid_colour) <= 2`",
            )
        info = self.attributes.get(arg.key)
        if info is None:
            raise self._unknown_name(arg.key, arg.source)
        if info.kind in (AttributeKind.TEXT, AttributeKind.IMAGE):
            raise self._fail(
                Code.TYPE_MISMATCH,
                f"`distinct` cannot count a {info.kind.value} attribute (`{arg.key}`)",
                arg.source,
                "list choice, colour, number, boolean or multi attributes",
            )

    # -- comparisons -----------------------------------------------------------------------------

    def _compare(self, expr: x.Compare) -> x.Expr:
        op = expr.op
        if op in ("<", "<=", ">", ">="):
            # Both sides are numbers, or an ordered choice and one of its options: a misspelt name on
            # each side is reported on each side.
            (left, left_type), (right, right_type) = self._both_ordered(expr.left, expr.right, op)
            if left_type.name == "option" and right_type.name in ("pending", "num"):
                return self._ranked(expr, left, left_type, right, op)
            if right_type.name == "option" and left_type.name in ("pending", "num"):
                return self._ranked(expr, right, right_type, left, _MIRRORED[op])
            left, right = self._both(
                lambda: self._ordered(left, left_type, op), lambda: self._ordered(right, right_type, op)
            )
            return x.Compare(op, left, right, expr.source)
        (left, left_type), (right, right_type) = self._both(
            lambda: self._resolve(expr.left), lambda: self._resolve(expr.right)
        )
        if op in ("in", "not in"):
            return self._membership(expr, left, left_type, right, right_type)
        for side, kind in ((left, left_type), (right, right_type)):
            self._comparable(side, kind, op)
        # == and !=
        if left_type.name == "option" and right_type.name in ("pending", "num"):
            right = self._option(right, left_type)
        elif right_type.name == "option" and left_type.name in ("pending", "num"):
            left = self._option(left, right_type)
        else:
            for side, kind, other in ((left, left_type, right_type), (right, right_type, left_type)):
                if isinstance(side, x.Const) and kind.name == "pending" and other.name in ("num", "bool"):
                    raise self._fail(
                        Code.TYPE_MISMATCH,
                        f"cannot compare {self._describe(other)} with the text {side}",
                        side.source,
                        "compare numbers with numbers, e.g. `width == 120`"
                        if other.name == "num"
                        else "compare a condition with true or false",
                    )
            left = self._settle(left, left_type)
            right = self._settle(right, right_type)
            if left_type.name != right_type.name:
                raise self._fail(
                    Code.TYPE_MISMATCH,
                    f"cannot compare {self._describe(left_type)} with {self._describe(right_type)}",
                    expr.source,
                    self._compare_hint(left_type),
                )
        return x.Compare(op, left, right, expr.source)

    def _comparable(self, side: x.Expr, kind: Type, op: str) -> None:
        """Refuse a text, multi or list operand of a comparison, with what to write instead."""
        if kind.name == "text":
            assert kind.attribute is not None
            raise self._fail(
                Code.TYPE_MISMATCH,
                f"`{kind.attribute}` is a text attribute; rules see only its presence and length",
                side.source,
                f"write `{kind.attribute}.present` or `{kind.attribute}.length {op} ...`"
                if op in ("==", "!=")
                else f"write `{kind.attribute}.length {op} ...`",
            )
        if kind.name == "image":
            assert kind.attribute is not None
            raise self._fail(
                Code.TYPE_MISMATCH,
                f"`{kind.attribute}` is an image attribute; rules see only whether an image is given",
                side.source,
                f"write `{kind.attribute}.present` or `not {kind.attribute}.present`",
            )
        if kind.name == "set":
            assert kind.attribute is not None
            raise self._fail(
                Code.TYPE_MISMATCH,
                f"`{kind.attribute}` is a multi attribute and cannot be compared with `{op}`",
                side.source,
                f"write `option in {kind.attribute}` or `{kind.attribute}.count {op} ...`",
            )
        if kind.name == "list":
            raise self._fail(
                Code.TYPE_MISMATCH,
                f"a list cannot be compared with `{op}`",
                side.source,
                "write `x in [a, b]`",
            )

    def _both_ordered(self, left: x.Expr, right: x.Expr, op: str) -> tuple[tuple[x.Expr, Type], ...]:
        """Both sides of `<`.. resolved; when one fails, the other is checked as a number too, so
        `widht + heigth < lenght` names all three misspellings at once."""
        resolved: list[tuple[x.Expr, Type]] = []
        for side in (left, right):
            try:
                resolved.append(self._resolve(side))
            except _Failed:
                resolved.append((side, FAILED))
        if any(kind is FAILED for _, kind in resolved):
            for side, kind in resolved:
                if kind is not FAILED:
                    try:
                        self._ordered(side, kind, op)
                    except _Failed:
                        pass
            raise _Failed()
        return tuple(resolved)

    def _ranked(self, expr: x.Compare, side: x.Expr, kind: Type, bound: x.Expr, op: str) -> x.Expr:
        """`size >= l` over an ordered choice, as the options it keeps: `size in [l, xl]` (the
        engine, prices and explanations then read a plain list of options)."""
        assert kind.attribute is not None
        info = self.attributes[kind.attribute]
        if not info.ordered:
            raise self._unordered(side, kind, op)
        option = self._option(bound, kind)
        assert isinstance(option, x.OptionKey)
        rank = info.options.index(option.key)
        kept = [key for index, key in enumerate(info.options) if _RANKS[op](index, rank)]
        items = tuple(x.OptionKey(key, bound.source) for key in kept)
        return x.Compare("in", side, x.ListExpr(items, bound.source), expr.source)

    def _unordered(self, side: x.Expr, kind: Type, op: str) -> _Failed:
        assert kind.attribute is not None
        info = self.attributes[kind.attribute]
        if info.kind is AttributeKind.CHOICE:
            hint = (
                f"if the options of `{kind.attribute}` are listed smallest first, add `ordered: true` "
                f"to it; else write `{kind.attribute} in [...]`"
            )
        else:
            hint = f"write `{kind.attribute} == ...` or `{kind.attribute} in [...]`"
        return self._fail(
            Code.TYPE_MISMATCH,
            f"options of `{kind.attribute}` have no order; `{op}` needs numbers",
            side.source,
            hint,
        )

    def _ordered(self, side: x.Expr, kind: Type, op: str) -> x.Expr:
        """One side of `<`, `<=`, `>` or `>=`: it must be a number."""
        self._comparable(side, kind, op)
        if kind.name == "option":
            raise self._unordered(side, kind, op)
        if isinstance(side, x.Const) and kind.name == "pending":
            raise self._fail(
                Code.TYPE_MISMATCH,
                f"`{op}` needs numbers, not the text {side}",
                side.source,
                "compare numbers, number attributes, .length or .count",
            )
        self._settle(side, kind)
        if kind.name != "num":
            raise self._fail(
                Code.TYPE_MISMATCH,
                f"`{op}` needs numbers, but `{side}` is {self._describe(kind)}",
                side.source,
                "compare numbers, number attributes, .length or .count",
            )
        return side

    def _compare_hint(self, kind: Type) -> str:
        if kind.name == "option":
            assert kind.attribute is not None
            options = self.attributes[kind.attribute].options
            return f"compare `{kind.attribute}` with one of its options: {', '.join(options[:8])}"
        if kind.name == "bool":
            return "compare a boolean with true or false, or use it as a condition directly"
        return "compare like with like: numbers with numbers, options with options"

    def _option(self, expr: x.Expr, attribute_type: Type) -> x.Expr:
        """An option key of the attribute in `attribute_type`, from a bare name, string or number."""
        assert attribute_type.attribute is not None
        info = self.attributes[attribute_type.attribute]
        if isinstance(expr, x.Name):
            key = expr.key
        elif (
            isinstance(expr, x.Const)
            and isinstance(expr.value, str | int)
            and not isinstance(expr.value, bool)
        ):
            key = str(expr.value)
        elif isinstance(expr, x.OptionKey):
            key = expr.key
        else:
            raise self._fail(
                Code.TYPE_MISMATCH,
                f"`{info.key}` is a {info.kind.value} attribute; compare it "
                f"with one of its options, not `{expr}`",
                expr.source,
                self._compare_hint(attribute_type),
            )
        if key in info.options:
            return x.OptionKey(key, expr.source)
        if key in self.broken:
            raise _Failed()
        hint = suggestion(key, list(info.options), f"options of `{info.key}`")
        if isinstance(expr, x.Name) and key in self.attributes:
            hint = f"`{key}` is an attribute, not an option of `{info.key}`; " + hint
        raise self._fail(Code.UNKNOWN_NAME, f"`{key}` is not an option of `{info.key}`", expr.source, hint)

    def _membership(
        self, expr: x.Compare, left: x.Expr, left_type: Type, right: x.Expr, right_type: Type
    ) -> x.Expr:
        op = expr.op
        if right_type.name == "set":
            assert right_type.attribute is not None
            if left_type.name in ("pending", "num"):
                left = self._option(left, right_type)
                return x.Compare(op, left, right, expr.source)
            raise self._fail(
                Code.TYPE_MISMATCH,
                f"the left side of `{op} {right_type.attribute}` must be one of its options, not `{left}`",
                left.source,
                f"write e.g. `{self._first_option(right_type)} {op} {right_type.attribute}`",
            )
        if right_type.name != "list":
            raise self._fail(
                Code.TYPE_MISMATCH,
                f"the right side of `{op}` must be a list [...] or a multi attribute, not `{right}`",
                right.source,
                "write e.g. `colour in [white, ink]`",
            )
        assert isinstance(right, x.ListExpr)
        if left_type.name == "option":
            items = tuple(self._option(item, left_type) for item in right.items)
            return x.Compare(op, left, x.ListExpr(items, right.source), expr.source)
        left = self._settle(left, left_type)
        if left_type.name not in ("num", "bool"):
            raise self._fail(
                Code.TYPE_MISMATCH,
                f"`{left}` ({self._describe(left_type)}) cannot be looked up in a list",
                left.source,
                "write e.g. `colour in [white, ink]` or `width in [60, 120]`",
            )
        for item, item_type in zip(right.items, right_type.items, strict=True):
            self._settle(item, item_type)
            if item_type.name != left_type.name:
                raise self._fail(
                    Code.TYPE_MISMATCH,
                    f"`{item}` is {self._describe(item_type)}, but `{left}` is {self._describe(left_type)}",
                    item.source,
                    "list values of the same kind",
                )
        return x.Compare(op, left, right, expr.source)

    def _first_option(self, kind: Type) -> str:
        assert kind.attribute is not None
        options = self.attributes[kind.attribute].options
        return options[0] if options else "option"
