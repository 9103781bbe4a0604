"""Rule expressions: a tokenizer and recursive-descent parser into an AST we own (never `eval`).

`parse(text, source)` checks syntax only; `rules.language` resolves names against a product and
type-checks. Every node evaluates over an env (attribute key -> value, see `rules.model.Value`; a text
attribute appears as its length in graphemes) with exact arithmetic, and prints back to
an expression that parses to an equal tree. Where an attribute does not apply, or a division is by
zero, a value is None: comparisons with it are false (`!=` true), and arithmetic on it is None.

Grammar, loosest first::

    iff     := implies ('<->' implies)*
    implies := or ('->' or)*                        right-associative
    or      := and ('or' and)*
    and     := not ('and' not)*
    not     := 'not' not | compare
    compare := sum [('==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | 'not' 'in') sum]
    sum     := product (('+' | '-') product)*
    product := negate (('*' | '/') negate)*
    negate  := '-' negate | atom
    atom    := NUMBER | STRING | 'true' | 'false' | NAME ['.' NAME] | NAME '(' [iff (',' iff)*] ')'
             | '(' iff ')' | '[' [iff (',' iff)*] ']'
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from rules.errors import Code, Diagnostic, EvaluationError, ExpressionError
from rules.source import MAX_NUMBER_LENGTH, SourceRef

KEYWORDS = frozenset({"and", "or", "not", "in", "true", "false"})
FEATURES = ("present", "length", "count")
FUNCTIONS = ("distinct",)
# Characters of one expression. Parsing and evaluating are linear in the length (a chain of `or` is one
# node), so the cap only bounds what one rule may cost: room for a clause over about a thousand
# features, as feature models have, and still far below what a YAML file may hold.
MAX_LENGTH = 20_000
MAX_DEPTH = 100  # height of the tree; keeps evaluation and printing far from the recursion limit
MAX_NESTING = 32  # brackets, `not` and `-` inside each other; each level costs the parser ten frames

# A number in arithmetic: exact, an int whenever it is whole (so `n / 3 * 3` is `n` again), else a
# Fraction; a decimal literal such as 39.90 is read as the fraction it is. Money is rounded from it
# once, at the end (`rules.money.round_money`).
Number = int | Fraction

# Printing precedence, loosest first; an operand that binds looser than its slot gets parentheses.
_IFF, _IMPLIES, _OR, _AND, _NOT, _COMPARE, _SUM, _PRODUCT, _NEGATE, _ATOM = range(1, 11)
_LOGIC_PRECEDENCE = {"<->": _IFF, "->": _IMPLIES, "or": _OR, "and": _AND}
_ARITH_PRECEDENCE = {"+": _SUM, "-": _SUM, "*": _PRODUCT, "/": _PRODUCT}
COMPARISONS = ("==", "!=", "<", "<=", ">", ">=", "in", "not in")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def _source_field() -> SourceRef | None:
    # Positions are metadata: two trees that say the same thing compare equal wherever written.
    return field(default=None, compare=False, repr=False)


class Expr(ABC):
    """A node of a rule expression."""

    source: SourceRef | None

    def binding(self) -> int:
        """How tightly this node binds when printed (higher binds tighter)."""
        return _ATOM

    @abstractmethod
    def evaluate(self, env: Mapping[str, object]) -> object:
        """The value of this expression for one design (None where an attribute does not apply)."""

    @abstractmethod
    def children(self) -> tuple[Expr, ...]:
        """The direct sub-expressions, left to right."""

    def references(self) -> frozenset[str]:
        """The attribute keys this expression reads."""
        keys: set[str] = set()
        for node in self.walk():
            if isinstance(node, Name):
                keys.add(node.key)
            elif isinstance(node, Feature):
                keys.add(node.attribute)
        return frozenset(keys)

    def walk(self) -> Iterator[Expr]:
        """This node and every node below it, depth first, left to right."""
        stack: list[Expr] = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children()))

    def depth(self) -> int:
        """The height of the tree (a leaf has depth 1)."""
        deepest = 0
        stack: list[tuple[Expr, int]] = [(self, 1)]
        while stack:
            node, level = stack.pop()
            deepest = max(deepest, level)
            stack.extend((child, level + 1) for child in node.children())
        return deepest


def _wrap(node: Expr, minimum: int) -> str:
    text = str(node)
    return f"({text})" if node.binding() < minimum else text


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _truth(value: object, node: Expr) -> bool:
    # An attribute that does not apply (None) makes a condition false, like `x.present`.
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    raise EvaluationError(f"`{node}` is not a condition (its value is {value!r})", node.source)


def _number(value: object, node: Expr) -> Number | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | Fraction | Decimal):
        raise EvaluationError(f"`{node}` is not a number (its value is {value!r})", node.source)
    return exact(value) if isinstance(value, Decimal) else value


def exact(value: int | Decimal | Fraction) -> Number:
    """A number as arithmetic holds it: an int when it is whole, else a Fraction.

    >>> exact(Decimal("39.90")), exact(Decimal("2.0")), exact(Fraction(6, 3))
    (Fraction(399, 10), 2, 2)
    """
    if isinstance(value, int):
        return value
    fraction = Fraction(value)
    return fraction.numerator if fraction.denominator == 1 else fraction


@dataclass(frozen=True)
class Const(Expr):
    """A literal: integer, decimal, boolean or "string" (a string may name an option). A decimal
    evaluates to the exact number it writes (`exact`)."""

    value: int | Decimal | bool | str
    source: SourceRef | None = _source_field()
    # What `evaluate` answers, worked out once: a decimal's exact value, else the value itself.
    _evaluated: object = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        value = self.value
        object.__setattr__(self, "_evaluated", exact(value) if isinstance(value, Decimal) else value)

    def evaluate(self, env: Mapping[str, object]) -> object:
        return self._evaluated

    def children(self) -> tuple[Expr, ...]:
        return ()

    def __str__(self) -> str:
        if isinstance(self.value, bool):
            return "true" if self.value else "false"
        if isinstance(self.value, str):
            return _quote(self.value)
        if isinstance(self.value, Decimal):
            return format(self.value, "f")
        return str(self.value)


@dataclass(frozen=True)
class Name(Expr):
    """An attribute key (before resolution, any bare name)."""

    key: str
    source: SourceRef | None = _source_field()

    def evaluate(self, env: Mapping[str, object]) -> object:
        if self.key not in env:
            raise EvaluationError(f"unknown attribute {self.key!r}", self.source)
        return env[self.key]

    def children(self) -> tuple[Expr, ...]:
        return ()

    def __str__(self) -> str:
        return self.key


@dataclass(frozen=True)
class OptionKey(Expr):
    """An option key, resolved by the loader from a bare name or string compared with an attribute."""

    key: str
    source: SourceRef | None = _source_field()

    def evaluate(self, env: Mapping[str, object]) -> object:
        return self.key

    def children(self) -> tuple[Expr, ...]:
        return ()

    def __str__(self) -> str:
        if _IDENTIFIER.match(self.key) and self.key not in KEYWORDS:
            return self.key
        return _quote(self.key)


@dataclass(frozen=True)
class Feature(Expr):
    """`attribute.present`, `attribute.length` (text) or `attribute.count` (multi).

    `kind` is the attribute's kind (an `AttributeKind` value), set by the loader: it tells a number's
    value 0 (present) from a text's length 0 (absent). Unset, ints are read as text lengths.
    """

    attribute: str
    feature: str
    kind: str | None = None
    source: SourceRef | None = _source_field()

    def evaluate(self, env: Mapping[str, object]) -> object:
        if self.attribute not in env:
            raise EvaluationError(f"unknown attribute {self.attribute!r}", self.source)
        value = env[self.attribute]
        if self.feature == "present":
            if value is None:
                return False
            if isinstance(value, frozenset):
                return len(value) > 0
            if isinstance(value, bool):
                return True
            if isinstance(value, int) and self.kind in (None, "text"):
                return value > 0
            return True
        if self.feature == "length":
            if value is None:
                return None
            if isinstance(value, bool) or not isinstance(value, int):
                raise EvaluationError(f"`{self}` needs a text attribute", self.source)
            return value
        if self.feature == "count":
            if value is None:
                return None
            if not isinstance(value, frozenset):
                raise EvaluationError(f"`{self}` needs a multi attribute", self.source)
            return len(value)
        raise EvaluationError(f"unknown feature {self.feature!r}", self.source)

    def children(self) -> tuple[Expr, ...]:
        return ()

    def __str__(self) -> str:
        return f"{self.attribute}.{self.feature}"


@dataclass(frozen=True)
class Call(Expr):
    """A function call; the language has `distinct(a, b, ...)`."""

    function: str
    args: tuple[Expr, ...]
    source: SourceRef | None = _source_field()

    def evaluate(self, env: Mapping[str, object]) -> object:
        if self.function == "distinct":
            # Values of different kinds are different: Python's `True == 1` is not the language's. A
            # multi attribute gives each option it has picked (print colours beside a body colour).
            values: set[tuple[bool, object]] = set()
            for arg in self.args:
                value = arg.evaluate(env)
                members = value if isinstance(value, frozenset) else () if value is None else (value,)
                values.update((type(v) is bool, v) for v in members)
            return len(values)
        raise EvaluationError(f"unknown function {self.function!r}", self.source)

    def children(self) -> tuple[Expr, ...]:
        return self.args

    def __str__(self) -> str:
        return f"{self.function}({', '.join(str(arg) for arg in self.args)})"


@dataclass(frozen=True)
class ListExpr(Expr):
    """`[a, b, c]`, the right-hand side of `in`."""

    items: tuple[Expr, ...]
    source: SourceRef | None = _source_field()

    def evaluate(self, env: Mapping[str, object]) -> object:
        return tuple(item.evaluate(env) for item in self.items)

    def children(self) -> tuple[Expr, ...]:
        return self.items

    def __str__(self) -> str:
        return f"[{', '.join(str(item) for item in self.items)}]"


@dataclass(frozen=True)
class Not(Expr):
    """`not x`."""

    operand: Expr
    source: SourceRef | None = _source_field()

    def binding(self) -> int:
        return _NOT

    def evaluate(self, env: Mapping[str, object]) -> object:
        return not _truth(self.operand.evaluate(env), self.operand)

    def children(self) -> tuple[Expr, ...]:
        return (self.operand,)

    def __str__(self) -> str:
        return f"not {_wrap(self.operand, _NOT)}"


@dataclass(frozen=True)
class Neg(Expr):
    """`-x`."""

    operand: Expr
    source: SourceRef | None = _source_field()

    def binding(self) -> int:
        return _NEGATE

    def evaluate(self, env: Mapping[str, object]) -> object:
        value = _number(self.operand.evaluate(env), self.operand)
        return None if value is None else -value

    def children(self) -> tuple[Expr, ...]:
        return (self.operand,)

    def __str__(self) -> str:
        return f"-{_wrap(self.operand, _NEGATE)}"


@dataclass(frozen=True)
class Arith(Expr):
    """`a + b`, `a - b`, `a * b`, `a / b`: exact (ints stay ints, a quotient that is not whole is a
    Fraction, any whole result an int); None (no value) if an operand is None or a divisor is zero,
    as for an attribute that does not apply."""

    op: str
    left: Expr
    right: Expr
    source: SourceRef | None = _source_field()

    def binding(self) -> int:
        return _ARITH_PRECEDENCE[self.op]

    def evaluate(self, env: Mapping[str, object]) -> object:
        left = _number(self.left.evaluate(env), self.left)
        right = _number(self.right.evaluate(env), self.right)
        if left is None or right is None:
            return None
        op = self.op
        if type(left) is int and type(right) is int:  # the common case, kept on plain ints
            if op == "+":
                return left + right
            if op == "-":
                return left - right
            if op == "*":
                return left * right
            if right == 0:
                return None
            quotient, remainder = divmod(left, right)
            return quotient if remainder == 0 else Fraction(left, right)
        result: Fraction
        if op == "+":
            result = Fraction(left) + right
        elif op == "-":
            result = Fraction(left) - right
        elif op == "*":
            result = Fraction(left) * right
        elif right == 0:
            return None
        else:
            result = Fraction(left) / right
        return result.numerator if result.denominator == 1 else result

    def children(self) -> tuple[Expr, ...]:
        return (self.left, self.right)

    def __str__(self) -> str:
        level = self.binding()
        return f"{_wrap(self.left, level)} {self.op} {_wrap(self.right, level + 1)}"


@dataclass(frozen=True)
class Compare(Expr):
    """A comparison; with None (an attribute that does not apply) `==`, `in` and `<`.. are false."""

    op: str
    left: Expr
    right: Expr
    source: SourceRef | None = _source_field()

    def binding(self) -> int:
        return _COMPARE

    def evaluate(self, env: Mapping[str, object]) -> object:
        left = self.left.evaluate(env)
        right = self.right.evaluate(env)
        if self.op == "==":
            return _equal(left, right)
        if self.op == "!=":
            return not _equal(left, right)
        if self.op in ("in", "not in"):
            inside = _contains(right, left, self)
            return inside if self.op == "in" else not inside
        a = _number(left, self.left)
        b = _number(right, self.right)
        if a is None or b is None:
            return False
        if self.op == "<":
            return a < b
        if self.op == "<=":
            return a <= b
        if self.op == ">":
            return a > b
        return a >= b

    def children(self) -> tuple[Expr, ...]:
        return (self.left, self.right)

    def __str__(self) -> str:
        return f"{_wrap(self.left, _COMPARE + 1)} {self.op} {_wrap(self.right, _COMPARE + 1)}"


def _equal(left: object, right: object) -> bool:
    if left is None or right is None:
        return False
    # Python says True == 1; the language does not.
    if isinstance(left, bool) != isinstance(right, bool):
        return False
    return left == right


def _contains(collection: object, item: object, node: Compare) -> bool:
    if item is None or collection is None:
        return False
    if not isinstance(collection, tuple | frozenset | set | list):
        raise EvaluationError(f"the right side of `{node}` is not a list or a multi attribute", node.source)
    return any(_equal(item, member) for member in collection)


# `and` and `or` are associative: a chain of either is one node, so a clause of hundreds of literals
# stays two levels high however it was bracketed.
_ASSOCIATIVE = frozenset({"and", "or"})


@dataclass(frozen=True, init=False)
class Logic(Expr):
    """`a and b and ...`, `a or b or ...`, `a -> b` (implies), `a <-> b` (if and only if).

    Built from two operands like a binary node; an `and`/`or` operand with the same operator is
    absorbed, so `(a or b) or c`, `a or (b or c)` and the parsed `a or b or c` are one equal node with
    three operands. `left` and `right` show such a node as binary (its first and second halves, which
    rebuild the same node through the constructor), for code that walks binary trees.
    """

    op: str
    operands: tuple[Expr, ...]
    source: SourceRef | None = _source_field()

    def __init__(self, op: str, left: Expr, right: Expr, source: SourceRef | None = None) -> None:
        self._set(op, (left, right), source)

    @classmethod
    def of(cls, op: str, operands: Sequence[Expr], source: SourceRef | None = None) -> Logic:
        """The node joining `operands` (at least two; exactly two for `->` and `<->`) with `op`."""
        if len(operands) < 2 or (op not in _ASSOCIATIVE and len(operands) != 2):
            raise ValueError(f"`{op}` cannot join {len(operands)} operands")
        node = cls.__new__(cls)
        node._set(op, tuple(operands), source)
        return node

    def _set(self, op: str, operands: tuple[Expr, ...], source: SourceRef | None) -> None:
        if op in _ASSOCIATIVE:
            operands = tuple(
                part
                for operand in operands
                for part in (
                    operand.operands if isinstance(operand, Logic) and operand.op == op else (operand,)
                )
            )
        object.__setattr__(self, "op", op)
        object.__setattr__(self, "operands", operands)
        object.__setattr__(self, "source", source)

    @property
    def left(self) -> Expr:
        half = len(self.operands) // 2
        return self.operands[0] if half == 1 else Logic.of(self.op, self.operands[:half], self.source)

    @property
    def right(self) -> Expr:
        half = len(self.operands) // 2
        rest = self.operands[half:]
        return rest[0] if len(rest) == 1 else Logic.of(self.op, rest, self.source)

    def binding(self) -> int:
        return _LOGIC_PRECEDENCE[self.op]

    def evaluate(self, env: Mapping[str, object]) -> object:
        if self.op in _ASSOCIATIVE:
            # Left to right, stopping at the first operand that decides, like the binary chain did.
            decisive = self.op == "or"
            for operand in self.operands:
                if _truth(operand.evaluate(env), operand) is decisive:
                    return decisive
            return not decisive
        left_node, right_node = self.operands
        left = _truth(left_node.evaluate(env), left_node)
        if self.op == "->" and not left:
            return True
        right = _truth(right_node.evaluate(env), right_node)
        if self.op == "<->":
            return left == right
        return right

    def children(self) -> tuple[Expr, ...]:
        return self.operands

    def __str__(self) -> str:
        level = self.binding()
        if self.op == "->":
            left, right = self.operands
            return f"{_wrap(left, level + 1)} -> {_wrap(right, level)}"
        if self.op == "<->":
            left, right = self.operands
            return f"{_wrap(left, level)} <-> {_wrap(right, level + 1)}"
        return f" {self.op} ".join(_wrap(operand, level + 1) for operand in self.operands)


# --------------------------------------------------------------------------------------------------
# Tokenizer


@dataclass(frozen=True)
class Token:
    """One lexical token; `offset` is its 0-based index in the expression text."""

    kind: str  # "number" | "string" | "name" | "op" | "end"
    text: str
    offset: int
    value: int | Decimal | str | None = None


_OPERATORS = ("<->", "->", "==", "!=", "<=", ">=", "<", ">", "+", "-", "*", "/", "(", ")", "[", "]", ",", ".")
# Operators from other languages, refused with a pointer to ours.
_FOREIGN = {
    "&&": ("`&&` is not an operator", "write `and`"),
    "||": ("`||` is not an operator", "write `or`"),
    "=>": ("`=>` is not an operator", "write `->` for 'implies', or `>=` for 'at least'"),
    "=<": ("`=<` is not an operator", "write `<=`"),
    "<>": ("`<>` is not an operator", "write `!=`"),
    "=": ("`=` is not a comparison", "write `==` to compare"),
    "!": ("`!` is not an operator", "write `not`"),
    "&": ("`&` is not an operator", "write `and`"),
    "|": ("`|` is not an operator", "write `or`"),
    "%": ("`%` is not an operator", "use + - * / only"),
}
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_WORD = re.compile(r"[0-9A-Za-z_]+")


class _Source:
    """Maps offsets in the expression text to file positions."""

    def __init__(self, text: str, source: SourceRef | None) -> None:
        self.text = text
        self.source = source

    def at(self, offset: int) -> SourceRef | None:
        if self.source is None:
            return None
        before = self.text[:offset]
        newlines = before.count("\n")
        if newlines == 0:
            return SourceRef(self.source.file, self.source.line, self.source.column + offset)
        return SourceRef(self.source.file, self.source.line + newlines, offset - before.rindex("\n"))

    def error(self, message: str, offset: int, hint: str | None) -> ExpressionError:
        diagnostic = Diagnostic("error", Code.EXPR_SYNTAX, message, self.at(offset), hint)
        return ExpressionError(diagnostic, offset)


def tokenize(text: str, source: SourceRef | None = None) -> list[Token]:
    """Split an expression into tokens, ending with an "end" token; raises ExpressionError."""
    return _tokenize(text, _Source(text, source))


def _tokenize(text: str, where: _Source) -> list[Token]:
    tokens: list[Token] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char in " \t\r\n":
            i += 1
            continue
        if char in "0123456789":
            match = _NUMBER.match(text, i)
            assert match is not None
            literal = match.group()
            if len(literal) > MAX_NUMBER_LENGTH:
                raise where.error(
                    f"the number is {len(literal)} characters long; numbers have at most {MAX_NUMBER_LENGTH}",
                    i,
                    "write a smaller number",
                )
            value: int | Decimal = Decimal(literal) if "." in literal else int(literal)
            end = match.end()
            if end < len(text) and (text[end].isalpha() or text[end] == "_"):
                word = _WORD.match(text, i)
                assert word is not None
                raise where.error(
                    f"a name cannot start with a digit: {word.group()!r}",
                    i,
                    f'write an option key that starts with a digit as a string: "{word.group()}"',
                )
            tokens.append(Token("number", literal, i, value))
            i = end
            continue
        if char.isalpha() or char == "_":
            match = _NAME.match(text, i)
            if match is None:  # a letter outside ASCII
                raise where.error(
                    f"unexpected character {char!r}",
                    i,
                    'names use the letters a-z, digits and _; write other text as a "string"',
                )
            tokens.append(Token("name", match.group(), i, match.group()))
            i = match.end()
            continue
        if char in "\"'":
            i = _string(text, i, where, tokens)
            continue
        for foreign in ("&&", "||", "=>", "=<", "<>"):
            if text.startswith(foreign, i):
                message, hint = _FOREIGN[foreign]
                raise where.error(message, i, hint)
        operator = next((op for op in _OPERATORS if text.startswith(op, i)), None)
        if operator is not None:
            tokens.append(Token("op", operator, i))
            i += len(operator)
            continue
        if char in _FOREIGN:
            message, hint = _FOREIGN[char]
            raise where.error(message, i, hint)
        raise where.error(
            f"unexpected character {char!r}",
            i,
            'expressions use names, numbers, "strings" and '
            "the operators == != < <= > >= in and or not -> <-> + - * /",
        )
    tokens.append(Token("end", "", len(text)))
    return tokens


def _string(text: str, start: int, where: _Source, tokens: list[Token]) -> int:
    quote = text[start]
    chars: list[str] = []
    i = start + 1
    while i < len(text):
        char = text[i]
        if char == "\\":
            if i + 1 < len(text) and text[i + 1] in "\\\"'":
                chars.append(text[i + 1])
                i += 2
                continue
            raise where.error("unknown escape in a string", i, f"only \\\\ and \\{quote} are escapes")
        if char == quote:
            tokens.append(Token("string", text[start : i + 1], start, "".join(chars)))
            return i + 1
        if char == "\n":
            break
        chars.append(char)
        i += 1
    raise where.error("unterminated string", start, f"close the string with {quote}")


# --------------------------------------------------------------------------------------------------
# Parser

_WORD_HINTS = {
    "is": "write `==` to compare",
    "equals": "write `==` to compare",
    "AND": "write `and` in lower case",
    "OR": "write `or` in lower case",
    "NOT": "write `not` in lower case",
    "implies": "write `->` for 'implies'",
    "then": "write `A -> B` for 'if A then B'",
    "if": "write `A -> B` for 'if A then B', or use `requires: {if: A, then: B}`",
    "iff": "write `<->` for 'if and only if'",
    "xor": "write `not (A <-> B)`",
}


class _Parser:
    def __init__(self, text: str, source: SourceRef | None) -> None:
        self.where = _Source(text, source)
        self.tokens = _tokenize(text, self.where)
        self.index = 0
        self.depth = 0

    @property
    def token(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def at_op(self, *ops: str) -> bool:
        return self.token.kind == "op" and self.token.text in ops

    def at_word(self, *words: str) -> bool:
        return self.token.kind == "name" and self.token.text in words

    def at(self, offset: int) -> SourceRef | None:
        return self.where.at(offset)

    def fail(self, message: str, token: Token, hint: str | None = None) -> ExpressionError:
        return self.where.error(message, token.offset, hint)

    def unexpected(self, token: Token, expected: str) -> ExpressionError:
        if token.kind == "end":
            return self.fail(
                f"expected {expected}, but the expression ends", token, "complete the expression"
            )
        hint = _WORD_HINTS.get(token.text) if token.kind == "name" else None
        if hint is None and token.kind == "op" and token.text == ".":
            hint = "features are written directly after an attribute name, e.g. engraving.present"
        if hint is None and token.kind == "name" and token.text in KEYWORDS:
            hint = f"`{token.text}` is a keyword; write a value before and after it"
        if hint is None:
            hint = (
                'write an attribute, an option, a number, a "string", true or false here'
                if expected == "a value"
                else f"write {expected} here"
            )
        return self.fail(f"expected {expected}, found {token.text!r}", token, hint)

    def _column(self, token: Token) -> int:
        where = self.at(token.offset)
        return where.column if where is not None else token.offset + 1

    def nest(self, token: Token) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise self.fail("expression nested too deeply", token, "split it into several rules")

    def parse(self) -> Expr:
        if self.token.kind == "end":
            raise self.fail("empty expression", self.token, "write a condition such as `colour == white`")
        expr = self.iff()
        if self.token.kind != "end":
            token = self.token
            if token.kind == "op" and token.text in (")", "]"):
                raise self.fail(f"unmatched {token.text!r}", token, "remove it or add the opening bracket")
            if token.kind == "op" and token.text in COMPARISONS:
                raise self.fail(
                    "comparisons cannot be chained", token, "write `a < b and b < c` instead of `a < b < c`"
                )
            raise self.unexpected(token, "an operator or the end of the expression")
        if expr.depth() > MAX_DEPTH:
            raise self.fail("expression nested too deeply", self.tokens[0], "split it into several rules")
        return expr

    def iff(self) -> Expr:
        left = self.implies()
        while self.at_op("<->"):
            op = self.advance()
            left = Logic("<->", left, self.implies(), self.at(op.offset))
        return left

    def implies(self) -> Expr:
        operands = [self.or_()]
        arrows: list[Token] = []
        while self.at_op("->"):
            arrows.append(self.advance())
            operands.append(self.or_())
        result = operands[-1]
        for arrow, operand in zip(reversed(arrows), reversed(operands[:-1]), strict=True):
            result = Logic("->", operand, result, self.at(arrow.offset))
        return result

    def or_(self) -> Expr:
        return self.chain("or", self.and_)

    def and_(self) -> Expr:
        return self.chain("and", self.not_)

    def chain(self, word: str, operand: Callable[[], Expr]) -> Expr:
        """`x word y word ...` as one n-ary node (placed at the first `word`), or just `x`."""
        operands = [operand()]
        first: Token | None = None
        while self.at_word(word):
            token = self.advance()
            first = first or token
            operands.append(operand())
        return operands[0] if first is None else Logic.of(word, operands, self.at(first.offset))

    def not_(self) -> Expr:
        if self.at_word("not"):
            op = self.advance()
            self.nest(op)
            operand = self.not_()
            self.depth -= 1
            return Not(operand, self.at(op.offset))
        return self.compare()

    def compare(self) -> Expr:
        left = self.sum()
        op: str | None = None
        token = self.token
        if self.at_op("==", "!=", "<", "<=", ">", ">="):
            op = self.advance().text
        elif self.at_word("in"):
            self.advance()
            op = "in"
        elif (
            self.at_word("not")
            and self.tokens[self.index + 1].kind == "name"
            and self.tokens[self.index + 1].text == "in"
        ):
            self.index += 2
            op = "not in"
        if op is None:
            return left
        right = self.sum()
        return Compare(op, left, right, self.at(token.offset))

    def sum(self) -> Expr:
        left = self.product()
        while self.at_op("+", "-"):
            op = self.advance()
            left = Arith(op.text, left, self.product(), self.at(op.offset))
        return left

    def product(self) -> Expr:
        left = self.negate()
        while self.at_op("*", "/"):
            op = self.advance()
            left = Arith(op.text, left, self.negate(), self.at(op.offset))
        return left

    def negate(self) -> Expr:
        if self.at_op("-"):
            op = self.advance()
            self.nest(op)
            operand = self.negate()
            self.depth -= 1
            return Neg(operand, self.at(op.offset))
        return self.atom()

    def atom(self) -> Expr:
        token = self.token
        if token.kind == "number":
            self.advance()
            assert isinstance(token.value, int | Decimal)
            return Const(token.value, self.at(token.offset))
        if token.kind == "string":
            self.advance()
            assert isinstance(token.value, str)
            return Const(token.value, self.at(token.offset))
        if token.kind == "name":
            if token.text in ("true", "false"):
                self.advance()
                return Const(token.text == "true", self.at(token.offset))
            if token.text in KEYWORDS:
                raise self.unexpected(token, "a value")
            self.advance()
            if self.at_op("."):
                self.advance()
                feature = self.token
                if feature.kind != "name":
                    raise self.unexpected(
                        feature, f"a feature after '{token.text}.' (present, length or count)"
                    )
                self.advance()
                return Feature(token.text, feature.text, None, self.at(token.offset))
            if self.at_op("("):
                open_ = self.advance()
                args = self.items(")", open_)
                return Call(token.text, args, self.at(token.offset))
            return Name(token.text, self.at(token.offset))
        if token.kind == "op" and token.text == "(":
            self.advance()
            self.nest(token)
            inner = self.iff()
            self.depth -= 1
            if not self.at_op(")"):
                if self.token.kind == "end":
                    raise self.fail(
                        "missing ')'", self.token, f"close the '(' opened at column {self._column(token)}"
                    )
                raise self.unexpected(self.token, "')'")
            self.advance()
            return inner
        if token.kind == "op" and token.text == "[":
            self.advance()
            return ListExpr(self.items("]", token), self.at(token.offset))
        raise self.unexpected(token, "a value")

    def items(self, closing: str, opening: Token) -> tuple[Expr, ...]:
        self.nest(opening)
        result: list[Expr] = []
        if not self.at_op(closing):
            while True:
                result.append(self.iff())
                if self.at_op(","):
                    self.advance()
                    continue
                break
        if not self.at_op(closing):
            raise self.unexpected(self.token, f"',' or '{closing}'")
        self.advance()
        self.depth -= 1
        return tuple(result)


def parse(text: str, source: SourceRef | None = None) -> Expr:
    """Parse an expression (syntax only). `source` is where `text[0]` was written, for positions.

    Raises ExpressionError, whose diagnostic points at the offending token.

    >>> str(parse("material == enamel -> colour != gold"))
    'material == enamel -> colour != gold'
    """
    where = _Source(text, source)
    if len(text) > MAX_LENGTH:
        raise where.error(f"expression longer than {MAX_LENGTH} characters", 0, "split it into several rules")
    return _Parser(text, source).parse()
