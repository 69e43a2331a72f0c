"""Safe parser of user-written math text into SymPy expressions.

User text such as ``"log(1 + exp(-z))"`` is never evaluated as Python (no ``eval``, ``exec``,
``sympify`` or ``parse_expr``). It is read with ``ast.parse(text, mode="eval")`` and the tree is
walked against a whitelist: numbers, the allowed variables, the constants ``e`` and ``pi``,
``+ - * / **``, unary ``-``/``+`` and calls of the functions in :data:`SUPPORTED_FUNCTIONS` with
positional arguments. The SymPy expression is built node by node from that tree.

Sizes stay bounded so that hostile text cannot hang SymPy (or whoever evaluates the result):
the text is at most :data:`MAX_TEXT_LENGTH` characters with brackets nested at most
:data:`MAX_NESTING` deep and a tree at most :data:`MAX_TREE_DEPTH` deep; literals are at most
``10**MAX_DIGITS``; every power (including the ``exp(k*log(x))`` that SymPy turns into ``x**k``)
is checked *before* it is built, with exponents at most :data:`MAX_EXPONENT` and numbers raised
to at most ``10**MAX_DIGITS``; a constant function argument is at most ``10**MAX_DIGITS``, so
``exp(exp(exp(100)))`` cannot ask SymPy for astronomically precise numbers. Sums and products
only add digits, so these bounds bound the whole result.

Decimal literals become exact rationals (``0.1`` is ``1/10``), so derivations stay exact.
"""

from __future__ import annotations

import ast
import keyword
import operator
import unicodedata
import warnings
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

import sympy as sp

from chainrule.errors import ParseError
from chainrule.symbolic.catalog.bounds import (
    MAX_DIGITS,
    Refused,
    bounded_exp,
    bounded_power,
    check_expression_size,
    checked_argument,
)
from chainrule.symbolic.core.symbols import BASE_SYMBOLS, sigma

__all__ = [
    "MAX_NESTING",
    "MAX_TEXT_LENGTH",
    "SUPPORTED_CONSTANTS",
    "SUPPORTED_FUNCTIONS",
    "parse_expression",
]

MAX_TEXT_LENGTH = 2000
MAX_NESTING = 100
MAX_TREE_DEPTH = 200
_SHOWN_LENGTH = 60


#: name -> (number of arguments, SymPy builder); the one table of supported functions.
_FUNCTIONS: dict[str, tuple[int, Callable[..., sp.Expr]]] = {
    "Abs": (1, sp.Abs),
    "abs": (1, sp.Abs),
    "acos": (1, sp.acos),
    "acosh": (1, sp.acosh),
    "arccos": (1, sp.acos),
    "arccosh": (1, sp.acosh),
    "arcsin": (1, sp.asin),
    "arcsinh": (1, sp.asinh),
    "arctan": (1, sp.atan),
    "arctanh": (1, sp.atanh),
    "asin": (1, sp.asin),
    "asinh": (1, sp.asinh),
    "atan": (1, sp.atan),
    "atanh": (1, sp.atanh),
    "cos": (1, sp.cos),
    "cosh": (1, sp.cosh),
    "erf": (1, sp.erf),
    "erfc": (1, sp.erfc),
    "exp": (1, bounded_exp),
    "Heaviside": (1, lambda t: sp.Heaviside(t, 0)),
    "heaviside": (1, lambda t: sp.Heaviside(t, 0)),
    "ln": (1, sp.log),
    "log": (1, sp.log),
    "log1p": (1, lambda t: sp.log(1 + t)),
    "max": (2, sp.Max),
    "min": (2, sp.Min),
    "relu": (1, lambda t: sp.Max(0, t)),
    "sigma": (1, sigma),
    "sigmoid": (1, sigma),
    "sign": (1, sp.sign),
    "sin": (1, sp.sin),
    "sinh": (1, sp.sinh),
    "softplus": (1, lambda t: sp.log(1 + bounded_exp(t))),
    "sqrt": (1, sp.sqrt),
    "tan": (1, sp.tan),
    "tanh": (1, sp.tanh),
}
_CONSTANTS: dict[str, sp.Expr] = {"e": sp.E, "pi": sp.pi}

SUPPORTED_FUNCTIONS: tuple[str, ...] = tuple(sorted(_FUNCTIONS))
SUPPORTED_CONSTANTS: tuple[str, ...] = tuple(sorted(_CONSTANTS))

_ARITHMETIC = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: bounded_power,
}
_OPERATOR_PROBLEMS = {
    ast.BitXor: "'^' is not a power: write powers with '**', as in z**2",
    ast.FloorDiv: "'//' (floor division) is not supported: use '/'",
    ast.Not: "'not' is not allowed",
}
_SYNTAX_PROBLEMS = {
    ast.Attribute: "attribute access is",
    ast.Lambda: "lambda functions are",
    **dict.fromkeys(
        (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp), "comprehensions are"
    ),
    **dict.fromkeys((ast.List, ast.Set, ast.Dict), "lists, sets and dicts are"),
    ast.Subscript: "subscripts (indexing) are",
    ast.Starred: "starred arguments are",
    ast.Compare: "comparisons are",
    ast.BoolOp: "'and'/'or' are",
    ast.IfExp: "conditional expressions are",
    ast.Tuple: "tuples are",
    ast.JoinedStr: "f-strings are",
    ast.NamedExpr: "assignment expressions (':=') are",
}


def _shown(text: str) -> str:
    """``text`` quoted on one line, shortened if long."""
    if len(text) > _SHOWN_LENGTH:
        text = text[: _SHOWN_LENGTH - 3] + "..."
    return repr(text)


def _error(parameter: str, problem: str, got: str) -> ParseError:
    return ParseError(f"'{parameter}': {problem} (got {_shown(got)})")


def _variable_symbols(variables: Iterable[str]) -> dict[str, sp.Symbol]:
    """Map each allowed variable name to its real SymPy symbol; refuse unusable names."""
    if isinstance(variables, str):
        variables = [variables]
    try:
        names = list(variables)
    except TypeError:
        raise ParseError(
            f"'variables' must be an iterable of names (got {type(variables).__name__})"
        ) from None
    symbols = {}
    for name in names:
        if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
            raise ParseError(f"'variables' must be identifiers (got {name!r})")
        name = unicodedata.normalize("NFKC", name)  # as Python reads identifiers
        if name in _FUNCTIONS or name in _CONSTANTS:
            raise ParseError(f"'variables': {name!r} is a function or constant name")
        symbols[name] = BASE_SYMBOLS.get(name) or sp.Symbol(name, real=True)
    return symbols


def _checked_source(text: object, parameter: str) -> str:
    """The text on one line and stripped, after the checks that must precede ``ast.parse``."""
    if not isinstance(text, str):
        raise ParseError(f"'{parameter}' must be a string (got {type(text).__name__})")
    if len(text) > MAX_TEXT_LENGTH:
        raise _error(parameter, f"text too long (at most {MAX_TEXT_LENGTH} characters)", text)
    for character in text:
        if unicodedata.category(character) == "Cc" and character not in "\t\n\r":
            raise _error(parameter, f"control character {character!r} is not allowed", text)
    source = " ".join(text.split())  # one line: columns in messages are simple
    if not source:
        raise _error(parameter, "empty expression", text)
    depth = 0
    for character in source:
        depth += (character in "([{") - (character in ")]}")
        if depth > MAX_NESTING:
            raise _error(parameter, f"brackets nested too deeply (at most {MAX_NESTING})", text)
    return source


def _parse_tree(source: str, parameter: str) -> ast.expr:
    """Parse ``source`` into the body of an expression tree, bounded in depth."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. SyntaxWarning about user text
            tree = ast.parse(source, mode="eval")
    except SyntaxError as error:
        reason = " ".join(str(error.msg).split())
        where = f" at column {error.offset}" if error.offset else ""
        detail = "" if reason == "invalid syntax" else f" ({reason})"
        problem = f"invalid syntax{where}{detail}"
        raise _error(parameter, problem, source) from None
    except (ValueError, RecursionError, MemoryError, OverflowError) as error:
        raise _error(parameter, f"cannot be parsed ({type(error).__name__})", source) from None
    pending: list[tuple[ast.AST, int]] = [(tree.body, 1)]
    while pending:
        node, depth = pending.pop()
        if depth > MAX_TREE_DEPTH:
            problem = f"expression nested too deeply (at most {MAX_TREE_DEPTH} levels)"
            raise _error(parameter, problem, source)
        pending.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return tree.body


class _Builder:
    """Builds the SymPy expression of a whitelisted tree, refusing everything else."""

    def __init__(self, source: str, symbols: dict[str, sp.Symbol], parameter: str) -> None:
        self.source = source
        self.symbols = symbols
        self.parameter = parameter
        self.rules: dict[type, Callable[[Any], sp.Expr]] = {
            ast.BinOp: self._binary,
            ast.UnaryOp: self._unary,
            ast.Call: self._call,
            ast.Name: self._name,
            ast.Constant: self._constant,
        }

    def build(self, node: ast.AST) -> sp.Expr:
        rule = self.rules.get(type(node))
        if rule is None:
            default = f"Python syntax '{type(node).__name__}' is"
            raise self._error(f"{_SYNTAX_PROBLEMS.get(type(node), default)} not allowed", node)
        return rule(node)

    def _error(self, problem: str, node: ast.AST) -> ParseError:
        got = ast.get_source_segment(self.source, node) or self.source
        return _error(self.parameter, problem, got)

    def _apply(self, build: Callable[..., sp.Expr], node: ast.AST, *args: sp.Expr) -> sp.Expr:
        """Run one SymPy construction; a bound hit or a SymPy error becomes a ParseError."""
        try:
            return build(*args)
        except Refused as refusal:
            raise self._error(str(refusal), node) from None
        except Exception as error:  # noqa: BLE001 - any SymPy failure is refused input
            reason = " ".join(str(error).split())[:_SHOWN_LENGTH]
            raise self._error(f"SymPy cannot build this ({reason})", node) from None

    def _binary(self, node: ast.BinOp) -> sp.Expr:
        op = type(node.op)
        if op not in _ARITHMETIC:
            default = "only + - * / ** are supported"
            raise self._error(_OPERATOR_PROBLEMS.get(op, default), node)
        left, right = self.build(node.left), self.build(node.right)
        return self._apply(_ARITHMETIC[op], node, left, right)

    def _unary(self, node: ast.UnaryOp) -> sp.Expr:
        if isinstance(node.op, ast.USub):
            return self._apply(operator.neg, node, self.build(node.operand))
        if isinstance(node.op, ast.UAdd):
            return self.build(node.operand)
        default = "only unary - and + are supported"
        raise self._error(_OPERATOR_PROBLEMS.get(type(node.op), default), node)

    def _call(self, node: ast.Call) -> sp.Expr:
        if not isinstance(node.func, ast.Name):
            if isinstance(node.func, ast.Attribute):
                raise self._error("attribute access is not allowed", node.func)
            raise self._error("only the supported functions can be called", node)
        name = node.func.id
        if name not in _FUNCTIONS:
            raise self._error(self._not_a_function(name), node)
        if node.keywords:
            raise self._error("keyword arguments are not allowed", node)
        arity, build = _FUNCTIONS[name]
        if len(node.args) != arity:
            plural = "s" if arity > 1 else ""
            raise self._error(f"{name} takes {arity} argument{plural}, not {len(node.args)}", node)
        args = [self.build(arg) for arg in node.args]
        return self._apply(lambda *values: build(*map(checked_argument, values)), node, *args)

    def _not_a_function(self, name: str) -> str:
        if name in self.symbols:
            return f"'{name}' is a variable, not a function"
        if name in _CONSTANTS:
            return f"'{name}' is a constant, not a function"
        return f"unknown function '{name}' (functions: {', '.join(SUPPORTED_FUNCTIONS)})"

    def _name(self, node: ast.Name) -> sp.Expr:
        if node.id in self.symbols:
            return self.symbols[node.id]
        if node.id in _CONSTANTS:
            return _CONSTANTS[node.id]
        if node.id in _FUNCTIONS:
            raise self._error(f"'{node.id}' is a function: call it, as in {node.id}(z)", node)
        allowed = ", ".join(sorted(self.symbols)) or "none"
        listing = (
            f"allowed: {allowed}; constants: {', '.join(SUPPORTED_CONSTANTS)}; "
            f"functions: {', '.join(SUPPORTED_FUNCTIONS)}"
        )
        raise self._error(f"unknown name '{node.id}' ({listing})", node)

    def _constant(self, node: ast.Constant) -> sp.Expr:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            kinds = {str: "strings are", bytes: "bytes are", complex: "complex numbers are"}
            kind = kinds.get(type(value), f"{value!r} is")
            raise self._error(f"{kind} not allowed", node)
        if isinstance(value, int):
            if abs(value) > 10**MAX_DIGITS:
                raise self._error(f"number too large (at most 10**{MAX_DIGITS})", node)
            return sp.Integer(value)
        literal = ast.get_source_segment(self.source, node) or repr(value)
        return self._decimal(literal, node)

    def _decimal(self, literal: str, node: ast.AST) -> sp.Rational:
        """The exact rational a decimal literal writes, refused if out of bounds."""
        sign, digit_tuple, exponent = Decimal(literal).as_tuple()
        assert isinstance(exponent, int)  # a Python float literal is finite
        digits = "".join(map(str, digit_tuple)).rstrip("0")
        if not digits:
            return sp.Integer(0)
        exponent += len(digit_tuple) - len(digits)  # the stripped zeros
        if len(digits) + max(exponent, 0) > MAX_DIGITS + 1 or -exponent > MAX_DIGITS:
            problem = f"number out of range (at most {MAX_DIGITS} digits either side of '.')"
            raise self._error(problem, node)
        numerator = (-1) ** sign * int(digits)
        if exponent >= 0:
            return sp.Integer(numerator * 10**exponent)
        return sp.Rational(numerator, 10**-exponent)


def _check_result(expression: sp.Expr, source: str, parameter: str) -> None:
    try:
        check_expression_size(expression)
    except Refused as refusal:
        raise _error(parameter, str(refusal), source) from None
    if expression.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        problem = "undefined or infinite value (a division by zero? log(0)?)"
        raise _error(parameter, problem, source)
    if expression.has(sp.I):
        raise _error(parameter, "not a real expression (sqrt or log of a negative?)", source)


def parse_expression(
    text: str, variables: Iterable[str], *, parameter: str = "expression"
) -> sp.Expr:
    """Parse user-written math text into a SymPy expression, without evaluating Python.

    Parameters
    ----------
    text : str
        The math, in Python syntax: numbers, the ``variables``, ``e`` and ``pi``,
        ``+ - * / **``, parentheses and the functions in :data:`SUPPORTED_FUNCTIONS`
        (``sigma``/``sigmoid`` are the logistic function, ``relu(t)`` is ``Max(0, t)``,
        ``softplus(t)`` is ``log(1 + exp(t))``, ``log``/``ln`` the natural logarithm,
        ``log1p(t)`` is ``log(1 + t)``, ``atan``/``arctan`` and the other inverse functions
        their principal branches, ``Heaviside(t)`` the step with H(0) = 0).
    variables : iterable of str
        The variable names the text may use, e.g. ``("z",)`` or ``("a", "y")``; each becomes a
        real symbol (the shared symbols of :mod:`chainrule.symbolic.core.symbols` when the name
        matches). A single string is taken as one name.
    parameter : str, optional
        The name of the input being parsed, used in error messages.

    Returns
    -------
    sympy.Expr
        The evaluated SymPy expression; decimal literals are exact rationals.

    Raises
    ------
    ParseError
        With a one-line message naming ``parameter``, the problem and the text, for anything
        that is not such math: other Python syntax, unknown names, wrong arities, oversized
        text, nesting or numbers, undefined values (``1/0``) or non-real constants.
    """
    symbols = _variable_symbols(variables)
    source = _checked_source(text, parameter)
    body = _parse_tree(source, parameter)
    try:
        expression = _Builder(source, symbols, parameter).build(body)
    except (RecursionError, MemoryError):
        raise _error(parameter, "expression too complex", source) from None
    _check_result(expression, source, parameter)
    return expression
