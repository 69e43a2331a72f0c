"""Tests of the safe parser: valid math round-trips, everything else is refused quickly."""

from __future__ import annotations

import ast
import builtins
import inspect
import operator
import string
from fractions import Fraction

import pytest
import sympy as sp
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from chainrule.errors import InputError, ParseError
from chainrule.symbolic.catalog import parse as parse_module
from chainrule.symbolic.catalog.parse import (
    SUPPORTED_CONSTANTS,
    SUPPORTED_FUNCTIONS,
    parse_expression,
)
from chainrule.symbolic.core.symbols import a, sigma, y, z

#: An oracle written independently of the parser's table: name -> direct SymPy construction.
ONE_ARGUMENT = {
    "Abs": sp.Abs,
    "abs": sp.Abs,
    "cos": sp.cos,
    "cosh": sp.cosh,
    "erf": sp.erf,
    "exp": sp.exp,
    "ln": sp.log,
    "log": sp.log,
    "relu": lambda t: sp.Max(0, t),
    "sigma": sigma,
    "sigmoid": sigma,
    "sin": sp.sin,
    "sinh": sp.sinh,
    "softplus": lambda t: sp.log(1 + sp.exp(t)),
    "sqrt": sp.sqrt,
    "tanh": sp.tanh,
    "tan": sp.tan,
    "atan": sp.atan,
    "arctan": sp.atan,
    "asin": sp.asin,
    "arcsin": sp.asin,
    "acos": sp.acos,
    "arccos": sp.acos,
    "asinh": sp.asinh,
    "arcsinh": sp.asinh,
    "acosh": sp.acosh,
    "arccosh": sp.acosh,
    "atanh": sp.atanh,
    "arctanh": sp.atanh,
    "sign": sp.sign,
    "erfc": sp.erfc,
    "log1p": lambda t: sp.log(1 + t),
    "Heaviside": lambda t: sp.Heaviside(t, 0),
    "heaviside": lambda t: sp.Heaviside(t, 0),
}
TWO_ARGUMENTS = {"max": sp.Max, "min": sp.Min}


def refusal(text, variables=("z",), **options) -> str:
    """The message of the ParseError that ``text`` must raise, checked to be one line."""
    with pytest.raises(ParseError) as caught:
        parse_expression(text, variables, **options)
    message = str(caught.value)
    assert "\n" not in message and "Traceback" not in message
    return message


# --- valid input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "variables", "expected"),
    [
        ("log(1 + exp(-z))", ["z"], sp.log(1 + sp.exp(-z))),
        ("z*tanh(log(1+exp(z)))", ["z"], z * sp.tanh(sp.log(1 + sp.exp(z)))),
        ("(a - y)**2 / 2", ["a", "y"], (a - y) ** 2 / 2),
        ("-(y*log(a) + (1-y)*log(1-a))", ["a", "y"], -(y * sp.log(a) + (1 - y) * sp.log(1 - a))),
        ("sigmoid(z) * (1 - sigma(z))", ["z"], sigma(z) * (1 - sigma(z))),
        ("relu(z)", ["z"], sp.Max(0, z)),
        ("softplus(z)", ["z"], sp.log(1 + sp.exp(z))),
        ("max(0.01*z, z)", ["z"], sp.Max(z / 100, z)),
        ("min(z, 1) + abs(z) + Abs(z)", ["z"], sp.Min(z, 1) + 2 * sp.Abs(z)),
        ("ln(z) - log(z)", ["z"], sp.Integer(0)),
        ("sqrt(z**2 + 1)", ["z"], sp.sqrt(z**2 + 1)),
        ("z * erf(z / sqrt(2)) / 2", ["z"], z * sp.erf(z / sp.sqrt(2)) / 2),
        (
            "sin(z) + cos(z) + sinh(z) + cosh(z)",
            ["z"],
            sp.sin(z) + sp.cos(z) + sp.sinh(z) + sp.cosh(z),
        ),
        ("e**z + pi", ["z"], sp.exp(z) + sp.pi),
        ("+z - -z", ["z"], 2 * z),
        ("z**-1 + z**0.5", ["z"], 1 / z + sp.sqrt(z)),
        ("  log(1 +\n\t exp(z))  ", ["z"], sp.log(1 + sp.exp(z))),
        ("2", [], sp.Integer(2)),
        ("z**1000", ["z"], z**1000),
        ("10**100 * z", ["z"], 10**100 * z),
        ("exp(1000)", ["z"], sp.exp(1000)),
    ],
)
def test_valid_text_equals_direct_sympy(text, variables, expected):
    assert parse_expression(text, variables) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0.1", sp.Rational(1, 10)),
        ("-2.5e-3", -sp.Rational(25, 10000)),
        ("1_000.5", sp.Rational(2001, 2)),
        (".5", sp.Rational(1, 2)),
        ("3.", sp.Integer(3)),
        ("1e100", sp.Integer(10) ** 100),
        ("0e-999", sp.Integer(0)),
        ("0x10 + 0b11 + 0o7 + 1_0", sp.Integer(16 + 3 + 7 + 10)),
    ],
)
def test_number_literals_are_exact(text, expected):
    assert parse_expression(text, []) == expected


def test_variables_are_the_shared_real_symbols():
    assert parse_expression("z", ["z"]) == z
    alpha = parse_expression("alpha", ["alpha"])
    assert alpha == sp.Symbol("alpha", real=True) and alpha.is_real
    assert parse_expression("z", "z") == z  # a single string is one name
    assert parse_expression("ｚ", ["z"]) == z  # identifiers read as Python reads them (NFKC)


def test_supported_names_are_sorted_and_match_the_oracle():
    assert SUPPORTED_FUNCTIONS == tuple(sorted(SUPPORTED_FUNCTIONS))
    assert set(SUPPORTED_FUNCTIONS) == set(ONE_ARGUMENT) | set(TWO_ARGUMENTS)
    assert SUPPORTED_CONSTANTS == ("e", "pi")


@pytest.mark.parametrize("name", sorted(ONE_ARGUMENT))
def test_each_one_argument_function(name):
    assert parse_expression(f"{name}(z + 1)", ["z"]) == ONE_ARGUMENT[name](z + 1)


# --- refused input -------------------------------------------------------------------------

HOSTILE = [
    ("__import__('os').system('ls')", "attribute access is not allowed"),
    ("__import__('os')", "unknown function '__import__'"),
    ("os.system('ls')", "attribute access is not allowed (got 'os.system')"),
    ("z.real", "attribute access is not allowed"),
    ("lambda: 1", "lambda functions are not allowed"),
    ("(lambda: 1)()", "only the supported functions can be called"),
    ("[i for i in (1, 2)]", "comprehensions are not allowed"),
    ("(i for i in z)", "comprehensions are not allowed"),
    ("{i: 1 for i in z}", "comprehensions are not allowed"),
    ("[z]", "lists, sets and dicts are not allowed"),
    ("z[0]", "subscripts (indexing) are not allowed"),
    ("z[1:2]", "subscripts (indexing) are not allowed"),
    ("exp(x=z)", "keyword arguments are not allowed"),
    ("log(*z)", "starred arguments are not allowed"),
    ("'abc'", "strings are not allowed"),
    ("b'abc'", "bytes are not allowed"),
    ("1j", "complex numbers are not allowed"),
    ("True", "True is not allowed"),
    ("None", "None is not allowed"),
    ("f'{z}'", "f-strings are not allowed"),
    ("(z := 2)", "assignment expressions"),
    ("1, 2", "tuples are not allowed"),
    ("z < 1", "comparisons are not allowed"),
    ("z and 1", "'and'/'or' are not allowed"),
    ("z if z else 1", "conditional expressions are not allowed"),
    ("not z", "'not' is not allowed"),
    ("~z", "only unary - and + are supported"),
    ("z ^ 2", "'^' is not a power: write powers with '**'"),
    ("z // 2", "floor division"),
    ("z % 2", "only + - * / ** are supported"),
    ("z @ z", "only + - * / ** are supported"),
    ("9**9**9**9", "exponent too large"),
    ("2**1000", "power too large"),
    ("10**101", "power too large"),
    ("(10*z)**200", "power too large"),
    ("z**100000", "exponent too large"),
    ("z**-100000", "exponent too large"),
    ("(z**2)**1000", "exponent too large"),
    ("z**exp(10)", "exponent too large"),
    ("exp(1000*log(10))", "power too large"),
    ("exp(1000*(log(2) + log(5)))", "power too large"),
    ("e**(1000*log(10))", "power too large"),
    ("exp(exp(exp(10**100)))", "argument too large"),
    ("max(sin(exp(10**100)), z)", "argument too large"),
    ("1" + "0" * 101, "number too large"),
    ("1e999", "number out of range"),
    ("1e-999", "number out of range"),
    ("(" * 10000 + "z" + ")" * 10000, "text too long"),
    ("(" * 150 + "z" + ")" * 150, "brackets nested too deeply"),
    ("-" * 1000 + "z", "nested too deeply"),
    ("+".join(["z"] * 500), "nested too deeply"),
    ("", "empty expression"),
    ("  \n\t ", "empty expression"),
    (
        "foo",
        "unknown name 'foo' (allowed: z; constants: e, pi; functions: Abs, Heaviside, abs, acos",
    ),
    ("exp", "'exp' is a function"),
    ("pi(2)", "'pi' is a constant, not a function"),
    ("z(2)", "'z' is a variable, not a function"),
    ("log(1, 2)", "log takes 1 argument, not 2 (got 'log(1, 2)')"),
    ("max(z)", "max takes 2 arguments, not 1"),
    ("exp()", "exp takes 1 argument, not 0"),
    ("log(1 +", "invalid syntax at column 4"),
    ("z +* 2", "invalid syntax"),
    ("z z", "invalid syntax"),
    ("z = 1", "invalid syntax"),
    ("import os", "invalid syntax"),
    ("z\x00", "control character"),
    ("1/0", "undefined or infinite"),
    ("log(0)", "undefined or infinite"),
    ("sqrt(-1)", "not a real expression"),
    ("max(sqrt(-1), 1)", "SymPy cannot build this"),
]


@pytest.mark.parametrize(("text", "problem"), HOSTILE)
def test_hostile_or_broken_text_is_refused(text, problem):
    message = refusal(text)
    assert message.startswith("'expression': ")
    assert problem in message
    assert message.endswith(")")  # ends with what arrived: (got '...')


def test_message_names_the_parameter():
    assert refusal("foo", parameter="activation").startswith("'activation': unknown name 'foo'")


@pytest.mark.parametrize(("text", "type_name"), [(5, "int"), (None, "NoneType"), (b"z", "bytes")])
def test_non_string_text_is_refused_naming_its_type(text, type_name):
    assert refusal(text) == f"'expression' must be a string (got {type_name})"


@pytest.mark.parametrize("variables", [5, ["1z"], ["exp"], ["e"], ["lambda"], [3]])
def test_unusable_variables_are_refused(variables):
    assert refusal("z", variables).startswith("'variables'")


def test_parse_error_is_an_input_error():
    with pytest.raises(InputError):
        parse_expression("foo", ["z"])


def test_refused_text_runs_nothing(tmp_path, monkeypatch):
    """Hostile text neither runs Python nor reaches eval, exec or SymPy's string parser."""
    marker = tmp_path / "ran"

    def forbidden(*args, **kwargs):
        raise AssertionError("user text reached an evaluator")

    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    monkeypatch.setattr(sp.parsing.sympy_parser, "parse_expr", forbidden)
    for text in (
        f"__import__('os').system('touch {marker}')",
        f"open('{marker}', 'w')",
        "[c for c in ().__class__.__base__.__subclasses__()]",
    ):
        refusal(text)
    assert parse_expression("log(1 + exp(-z))", ["z"]) == sp.log(1 + sp.exp(-z))
    assert not marker.exists()


def test_source_calls_no_evaluator():
    tree = ast.parse(inspect.getsource(parse_module))
    called = {
        node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
    }
    assert not called & {"eval", "exec", "compile", "sympify", "parse_expr", "__import__"}


# --- property tests ------------------------------------------------------------------------

TOKENS = [
    "z", "a", "e", "pi", "(", ")", ",", "+", "-", "*", "/", "**", "^", " ", ".", "0", "1",
    "2.5", "1e400", "10**100", "9", "_", "'", "[", "]", "=", "exp", "log", "max", "sqrt",
    "sigma", "relu", "abs", "foo", "lambda", "x", ":", "j", "__", "os", "if",
]  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(string.printable, max_size=40), st.text(max_size=20)))
def test_random_text_raises_only_parse_error(text):
    try:
        result = parse_expression(text, ["z", "a"])
    except ParseError as error:
        assert "\n" not in str(error)
    else:
        assert isinstance(result, sp.Expr)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=25).map("".join))
def test_random_token_soup_raises_only_parse_error(text):
    try:
        result = parse_expression(text, ["z", "a"])
    except ParseError as error:
        assert "\n" not in str(error)
    else:
        assert isinstance(result, sp.Expr)


FAILED = "SymPy refused to build this"  # marks a construction SymPy itself refuses


def attempt(build, *args):
    """``build(*args)`` done directly in SymPy, or FAILED where SymPy raises."""
    if FAILED in args:
        return FAILED
    try:
        return build(*args)
    except (ValueError, TypeError):  # e.g. Max of a complex constant
        return FAILED


def small(value) -> bool:
    """Whether a function argument stays far inside the parser's bounds on constants."""
    if value is FAILED or not value.is_number:
        return True
    approximate = value.replace(sigma, lambda t: 1 / (1 + sp.exp(-t))).evalf(15)
    try:
        return bool(abs(approximate) < 10**50)
    except TypeError:  # not a finite number: the parser's final check refuses it
        return True


def rational(literal: str) -> sp.Rational:
    fraction = Fraction(literal)
    return sp.Rational(fraction.numerator, fraction.denominator)


LEAVES = st.one_of(
    st.sampled_from([("z", z), ("a", a), ("pi", sp.pi), ("e", sp.E)]),
    st.integers(0, 9).map(lambda k: (str(k), sp.Integer(k))),
    st.sampled_from(["0.5", "2.25", "1e-3"]).map(lambda t: (t, rational(t))),
)
BINARY = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}


def render_binary(parts):
    (left, left_value), symbol, (right, right_value) = parts
    return f"({left} {symbol} {right})", attempt(BINARY[symbol], left_value, right_value)


def render_power(parts):
    (base, base_value), exponent = parts
    return f"({base})**({exponent})", attempt(operator.pow, base_value, sp.Integer(exponent))


def render_call(parts):
    name, *arguments = parts
    build = {**ONE_ARGUMENT, **TWO_ARGUMENTS}[name]
    text = f"{name}({', '.join(argument for argument, _ in arguments)})"
    return text, attempt(build, *(value for _, value in arguments))


KINDS = ["leaf", "binary", "negated", "power", "one", "two"]


@st.composite
def trees(draw, depth: int = 3):
    """(text, value): text from the grammar and its direct SymPy construction."""
    kind = draw(st.sampled_from(KINDS)) if depth else "leaf"
    sub = trees(depth - 1)
    if kind == "leaf":
        return draw(LEAVES)
    if kind == "binary":
        return render_binary((draw(sub), draw(st.sampled_from(sorted(BINARY))), draw(sub)))
    if kind == "negated":
        text, value = draw(sub)
        return f"(-{text})", attempt(operator.neg, value)
    if kind == "power":
        return render_power((draw(sub), draw(st.sampled_from([-2, -1, 2, 3]))))
    names = ONE_ARGUMENT if kind == "one" else TWO_ARGUMENTS
    arguments = [draw(sub) for _ in range(1 if kind == "one" else 2)]
    assume(all(small(value) for _, value in arguments))
    return render_call((draw(st.sampled_from(sorted(names))), *arguments))


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(trees())
def test_random_valid_trees_parse_back_equal(tree):
    text, expected = tree
    if expected is FAILED or expected.has(sp.zoo, sp.nan, sp.oo, -sp.oo, sp.I):
        refusal(text, ("z", "a"))  # undefined, non-real or unbuildable: refused, one line
    else:
        assert parse_expression(text, ("z", "a")) == expected
