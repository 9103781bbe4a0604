"""Rule expressions: parsing, printing, evaluation and syntax errors with exact positions."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rules.errors import Code, EvaluationError, ExpressionError
from rules.expr import (
    KEYWORDS,
    MAX_DEPTH,
    MAX_LENGTH,
    MAX_NESTING,
    Arith,
    Call,
    Compare,
    Const,
    Expr,
    Feature,
    ListExpr,
    Logic,
    Name,
    Neg,
    Not,
    OptionKey,
    parse,
    tokenize,
)
from rules.model import SourceRef

AT = SourceRef("mug.yaml", 12, 11)


def error_of(text: str) -> ExpressionError:
    with pytest.raises(ExpressionError) as caught:
        parse(text, AT)
    return caught.value


# -- parsing and precedence ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ("a", Name("a")),
        ("12", Const(12)),
        ("39.90", Const(Decimal("39.90"))),
        ('"light-blue"', Const("light-blue")),
        ("'x'", Const("x")),
        ("true", Const(True)),
        ("false", Const(False)),
        ("engraving.present", Feature("engraving", "present")),
        ("distinct(a, b)", Call("distinct", (Name("a"), Name("b")))),
        ("[a, 2]", ListExpr((Name("a"), Const(2)))),
        ("a -> b -> c", Logic("->", Name("a"), Logic("->", Name("b"), Name("c")))),
        ("a <-> b <-> c", Logic("<->", Logic("<->", Name("a"), Name("b")), Name("c"))),
        ("a or b and c", Logic("or", Name("a"), Logic("and", Name("b"), Name("c")))),
        ("a and b or c", Logic("or", Logic("and", Name("a"), Name("b")), Name("c"))),
        ("not a and b", Logic("and", Not(Name("a")), Name("b"))),
        ("not a == b", Not(Compare("==", Name("a"), Name("b")))),
        ("a -> b or c", Logic("->", Name("a"), Logic("or", Name("b"), Name("c")))),
        ("a <-> b -> c", Logic("<->", Name("a"), Logic("->", Name("b"), Name("c")))),
        ("x not in [a, b]", Compare("not in", Name("x"), ListExpr((Name("a"), Name("b"))))),
        ("nuts in toppings", Compare("in", Name("nuts"), Name("toppings"))),
        ("a + b * c", Arith("+", Name("a"), Arith("*", Name("b"), Name("c")))),
        ("a - b - c", Arith("-", Arith("-", Name("a"), Name("b")), Name("c"))),
        ("-a * b", Arith("*", Neg(Name("a")), Name("b"))),
        ("(a + b) * c", Arith("*", Arith("+", Name("a"), Name("b")), Name("c"))),
        (
            "width * 2 <= drop + 10",
            Compare("<=", Arith("*", Name("width"), Const(2)), Arith("+", Name("drop"), Const(10))),
        ),
    ],
)
def test_parse_builds_the_tree(text: str, tree: Expr) -> None:
    assert parse(text) == tree


def test_tokens_carry_offsets() -> None:
    tokens = tokenize("colour != gold")
    assert [(t.kind, t.text, t.offset) for t in tokens] == [
        ("name", "colour", 0),
        ("op", "!=", 7),
        ("name", "gold", 10),
        ("end", "", 14),
    ]


def test_nodes_know_where_they_were_written() -> None:
    # Given an expression written at line 12, column 11 of a YAML file
    tree = parse("material == enamel -> colour != gold", AT)
    # Then every node points at its own token
    assert isinstance(tree, Logic)
    assert tree.source == SourceRef("mug.yaml", 12, 30)  # the ->
    assert isinstance(tree.left, Compare)
    assert tree.left.left.source == SourceRef("mug.yaml", 12, 11)
    assert tree.left.right.source == SourceRef("mug.yaml", 12, 23)


def test_positions_do_not_change_equality() -> None:
    assert parse("a == b", AT) == parse("a  ==  b")


def test_references_are_attribute_keys() -> None:
    tree = parse("material == enamel -> engraving.length <= 12 and distinct(c1, c2) < 2")
    # Bare names are references until the loader resolves the option keys.
    assert tree.references() == frozenset({"material", "enamel", "engraving", "c1", "c2"})
    resolved = Compare("==", Name("material"), OptionKey("enamel"))
    assert resolved.references() == frozenset({"material"})


# -- printing --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "material == enamel -> colour != gold",
        "(a -> b) -> c",
        "a -> b -> c",
        "not (a and b)",
        "not a == b",
        "a - (b - c)",
        "-(a + b) * -c",
        "width * drop / 10000 * 39.90",
        'colour in [white, "light-blue"]',
        "x not in [1, 2]",
        "distinct(c1, c2, c3) <= 2",
        "engraving.length <= 12",
        "(a or b) and c",
        "a <-> (b <-> c)",
        '"say \\"hi\\"" == x',
    ],
)
def test_print_is_canonical_and_parses_back(text: str) -> None:
    tree = parse(text)
    assert str(tree) == text
    assert parse(str(tree)) == tree


def test_option_keys_print_bare_or_quoted() -> None:
    assert str(Compare("==", Name("colour"), OptionKey("gold"))) == "colour == gold"
    assert str(Compare("==", Name("colour"), OptionKey("light-blue"))) == 'colour == "light-blue"'
    assert str(Compare("==", Name("answer"), OptionKey("not"))) == 'answer == "not"'


def test_decimals_print_without_exponent() -> None:
    assert str(Const(Decimal("0.0000001"))) == "0.0000001"


# Random trees of the shapes the parser produces; printing then parsing gives the same tree.
_names = st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True).filter(lambda n: n not in KEYWORDS)
_atoms = st.one_of(
    _names.map(Name),
    st.integers(min_value=0, max_value=10**6).map(Const),
    st.decimals(min_value=0, max_value=10**4, places=3, allow_nan=False, allow_infinity=False).map(Const),
    st.booleans().map(Const),
    st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\n\r"), max_size=8).map(Const),
    st.tuples(_names, st.sampled_from(["present", "length", "count"])).map(lambda t: Feature(*t)),
)


def _extend(children: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
    return st.one_of(
        st.tuples(st.sampled_from(["and", "or", "->", "<->"]), children, children).map(lambda t: Logic(*t)),
        st.tuples(st.sampled_from(["+", "-", "*", "/"]), children, children).map(lambda t: Arith(*t)),
        st.tuples(
            st.sampled_from(["==", "!=", "<", "<=", ">", ">=", "in", "not in"]), children, children
        ).map(lambda t: Compare(*t)),
        children.map(Not),
        children.map(Neg),
        st.lists(children, max_size=3).map(lambda items: ListExpr(tuple(items))),
        st.tuples(_names, st.lists(children, max_size=3)).map(lambda t: Call(t[0], tuple(t[1]))),
    )


_trees = st.recursive(_atoms, _extend, max_leaves=12)


@settings(max_examples=400, deadline=None)
@given(_trees)
def test_printing_round_trips(tree: Expr) -> None:
    assert parse(str(tree)) == tree


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab01.()[],<->=!+-*/ \"'notandrisxz", max_size=30))
def test_random_text_parses_or_raises_a_diagnostic(text: str) -> None:
    failure: ExpressionError | None = None
    try:
        tree = parse(text, AT)
    except ExpressionError as error:
        failure = error
    if failure is None:
        assert parse(str(tree)) == tree
        return
    assert failure.diagnostic.code == Code.EXPR_SYNTAX
    assert failure.diagnostic.source is not None
    assert 0 <= failure.offset <= len(text)
    assert failure.diagnostic.hint


# -- syntax errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "column", "message", "hint"),
    [
        ("a = b", 13, "`=` is not a comparison", "write `==` to compare"),
        ("a && b", 13, "`&&` is not an operator", "write `and`"),
        ("a || b", 13, "`||` is not an operator", "write `or`"),
        ("!a", 11, "`!` is not an operator", "write `not`"),
        ("a => b", 13, "`=>` is not an operator", "write `->` for 'implies', or `>=` for 'at least'"),
        ("a <> b", 13, "`<>` is not an operator", "write `!=`"),
        (
            "colour is white",
            18,
            "expected an operator or the end of the expression, found 'is'",
            "write `==` to compare",
        ),
        (
            "a AND b",
            13,
            "expected an operator or the end of the expression, found 'AND'",
            "write `and` in lower case",
        ),
        ("a < b < c", 17, "comparisons cannot be chained", "write `a < b and b < c` instead of `a < b < c`"),
        ("(a", 13, "missing ')'", "close the '(' opened at column 11"),
        ("a)", 12, "unmatched ')'", "remove it or add the opening bracket"),
        ("", 11, "empty expression", "write a condition such as `colour == white`"),
        ("   ", 14, "empty expression", "write a condition such as `colour == white`"),
        ("a and", 16, "expected a value, but the expression ends", "complete the expression"),
        ("'abc", 11, "unterminated string", "close the string with '"),
        ('"a\\n"', 13, "unknown escape in a string", 'only \\\\ and \\" are escapes'),
        (
            "10cm == size",
            11,
            "a name cannot start with a digit: '10cm'",
            'write an option key that starts with a digit as a string: "10cm"',
        ),
        (
            "café == x",
            14,
            "unexpected character 'é'",
            'names use the letters a-z, digits and _; write other text as a "string"',
        ),
        ("a % 2", 13, "`%` is not an operator", "use + - * / only"),
        (
            "x.",
            13,
            "expected a feature after 'x.' (present, length or count), but the expression ends",
            "complete the expression",
        ),
        (
            "x.present.y",
            20,
            "expected an operator or the end of the expression, found '.'",
            "features are written directly after an attribute name, e.g. engraving.present",
        ),
        ("[a, b", 16, "expected ',' or ']', but the expression ends", "complete the expression"),
        (
            "a == and",
            16,
            "expected a value, found 'and'",
            "`and` is a keyword; write a value before and after it",
        ),
        (
            "a == <",
            16,
            "expected a value, found '<'",
            'write an attribute, an option, a number, a "string", true or false here',
        ),
    ],
)
def test_syntax_errors_point_at_the_token(text: str, column: int, message: str, hint: str | None) -> None:
    error = error_of(text)
    assert error.diagnostic.message == message
    assert error.diagnostic.source == SourceRef("mug.yaml", 12, column)
    assert error.diagnostic.hint == hint
    assert str(error.diagnostic).startswith(f"mug.yaml:12:{column}: error: {message}")


def test_positions_follow_newlines_inside_the_text() -> None:
    error = error_of("a and\n  b ==")
    assert error.diagnostic.source == SourceRef("mug.yaml", 13, 7)


def test_deep_nesting_is_refused_not_a_crash() -> None:
    error = error_of("(" * (MAX_NESTING + 1) + "a" + ")" * (MAX_NESTING + 1))
    assert error.diagnostic.message == "expression nested too deeply"
    assert parse("(" * MAX_NESTING + "a" + ")" * MAX_NESTING) == Name("a")
    error = error_of("not " * (MAX_NESTING + 1) + "a")
    assert error.diagnostic.message == "expression nested too deeply"


def test_long_arithmetic_chains_are_refused_not_a_crash() -> None:
    error = error_of(" + ".join(["a"] * (MAX_DEPTH + 50)))
    assert error.diagnostic.message == "expression nested too deeply"
    assert error.diagnostic.source == SourceRef("mug.yaml", 12, 11)
    assert parse(" + ".join(["a"] * 50)).depth() == 50


def test_a_flat_clause_of_300_literals_is_one_node() -> None:
    # Given a feature-model clause written flat, as converters write it
    literals = [f"f{i}" if i % 3 else f"not f{i}" for i in range(300)]
    tree = parse(" or ".join(literals), AT)
    # Then it is one `or` node over 300 operands, not a chain 300 high
    assert isinstance(tree, Logic)
    assert len(tree.operands) == 300
    assert tree.depth() == 3
    assert tree.source == SourceRef("mug.yaml", 12, 11 + len("not f0 "))  # the first `or`
    assert parse(str(tree)) == tree
    assert tree.evaluate({f"f{i}": i % 3 == 0 for i in range(300)}) is False
    assert tree.evaluate({f"f{i}": i != 7 for i in range(300)}) is True


def test_brackets_do_not_change_a_chain() -> None:
    flat = parse("a or b or c or d")
    assert parse("(a or b) or (c or d)") == flat
    assert parse("a or (b or (c or d))") == flat
    assert Logic("or", Logic("or", Name("a"), Name("b")), Logic("or", Name("c"), Name("d"))) == flat
    assert parse("(a and b) or c") != parse("a and (b or c)")


def test_an_n_ary_node_reads_as_binary_halves() -> None:
    tree = parse("a and b and c and d and e")
    assert isinstance(tree, Logic)
    assert tree.left == parse("a and b")
    assert tree.right == parse("c and d and e")
    assert Logic(tree.op, tree.left, tree.right) == tree
    with pytest.raises(ValueError, match="cannot join 3 operands"):
        Logic.of("->", (Name("a"), Name("b"), Name("c")))


def test_evaluation_stops_at_the_deciding_operand() -> None:
    # `x` is unknown: reaching it would raise, so only the operands before the decision are read.
    assert parse("a or x").evaluate({"a": True}) is True
    assert parse("a and b and x").evaluate({"a": True, "b": False}) is False


def test_oversized_expressions_are_refused() -> None:
    assert error_of("a" * (MAX_LENGTH + 1)).diagnostic.message == (
        f"expression longer than {MAX_LENGTH} characters"
    )


# -- evaluation ------------------------------------------------------------------------------------


def ev(text: str, **env: object) -> object:
    return parse(text).evaluate(env)


def test_arithmetic_is_exact() -> None:
    assert ev("width * drop / 10000 * 39.90", width=120, drop=200) == Decimal("95.76")
    assert ev("0.1 + 0.2") == Decimal("0.3")
    assert ev("a + b", a=2, b=3) == 5
    assert isinstance(ev("a + b", a=2, b=3), int)
    assert ev("7 / 2") == Fraction(7, 2)
    assert ev("-a", a=4) == -4
    # a quotient is the fraction it is, and a whole result an int again
    assert ev("1 / 3") == Fraction(1, 3)
    assert all(ev("n / 3 * 3", n=n) == n for n in range(-7, 8))
    assert type(ev("n / 3 * 3", n=5)) is int
    assert type(ev("2.50 * 2")) is int
    assert ev("n * 0.005 / 3 * 3", n=11) == Fraction(55, 1000)
    assert ev("1 / 3 + 1 / 6 == 0.5") is True
    assert ev("10 / 4 < 2.5") is False


def test_a_division_by_zero_has_no_value() -> None:
    # Like an attribute that does not apply: comparisons false, `!=` true, arithmetic on it none.
    assert ev("a / (b - 2)", a=1, b=2) is None
    assert ev("a / b <= 3", a=1, b=0) is False
    assert ev("a / b > 3", a=1, b=0) is False
    assert ev("a / b != 2", a=1, b=0) is True
    assert ev("a / b * 0 == 0", a=1, b=0) is False
    assert ev("b > 0 -> a / b <= 3", a=7, b=0) is True


def test_none_semantics() -> None:
    # An attribute that does not apply is None: equality false, inequality true, order false.
    assert ev("font == serif", font=None, serif="serif") is False
    assert ev("font != serif", font=None, serif="serif") is True
    assert ev("width < 10", width=None) is False
    assert ev("width >= 10", width=None) is False
    assert ev("font.present", font=None) is False
    assert ev("font in [a]", font=None, a="a") is False
    assert ev("font not in [a]", font=None, a="a") is True
    assert ev("width + 1 > 0", width=None) is False
    assert ev("gift -> x", gift=None, x=False) is True


def test_features() -> None:
    assert ev("engraving.present", engraving=0) is False
    assert ev("engraving.present", engraving=3) is True
    assert ev("engraving.length", engraving=3) == 3
    assert ev("toppings.count", toppings=frozenset({"nuts", "berries"})) == 2
    assert ev("toppings.present", toppings=frozenset()) is False
    # With the kind known, a number attribute of 0 is present (it applies).
    assert Feature("width", "present", "number").evaluate({"width": 0}) is True
    assert Feature("engraving", "present", "text").evaluate({"engraving": 0}) is False


def test_membership_and_distinct() -> None:
    env = {"toppings": frozenset({"nuts"}), "c1": "red", "c2": "red", "c3": None}
    assert Compare("in", OptionKey("nuts"), Name("toppings")).evaluate(env) is True
    assert Compare("not in", OptionKey("berries"), Name("toppings")).evaluate(env) is True
    assert ev("distinct(c1, c2, c3)", **env) == 1
    assert ev("x in [1, 2]", x=2) is True


def test_logic() -> None:
    assert ev("a -> b", a=True, b=False) is False
    assert ev("a -> b", a=False, b=False) is True
    assert ev("a <-> b", a=False, b=False) is True
    assert ev("not a or b", a=True, b=True) is True
    assert ev("a and b", a=False, b=object()) is False  # short-circuits


def test_booleans_are_not_numbers() -> None:
    assert ev("a == 1", a=True) is False
    with pytest.raises(EvaluationError, match="not a number"):
        ev("a + 1", a=True)


def test_missing_attribute_is_an_evaluation_error() -> None:
    with pytest.raises(EvaluationError, match="unknown attribute 'nope'"):
        ev("nope == 1")


def test_non_condition_in_logic_is_an_evaluation_error() -> None:
    with pytest.raises(EvaluationError, match="is not a condition"):
        ev("a and b", a=3, b=True)
