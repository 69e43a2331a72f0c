"""Math as a learner writes it (or as chainrule prints it) read into SymPy.

Accepted, in any mix: chainrule's own terminal notation (``σ'(z) = e⁻ᶻ/(1 + e⁻ᶻ)²``,
``d/da[-y ln(a)]``, ``dL/da · da/dz``, ``a(1 - a)``, ``√x``) and plain ASCII (``sigma(z)``,
``exp(-z)``, ``e^(-z)``, ``x**2``, ``2*x``). Products may be written by juxtaposition
(``x y``, ``2x``, ``a(1 - a)``); a run of single letters that is not a function name is a
product (``ya`` is y·a), except the course's ``dz``, ``dw``, ``db`` (read as symbols, which
a derivation takes as dL/dz, dL/dw, dL/db of its goal's function). Braces group like
parentheses (``e^{-z}``). ``dX/dv`` and ``∂X/∂v`` are derivatives, ``d/dv`` applies to the
bracket or factor after it, ``f'(v)`` is the derivative of f at the symbol v.

The text is turned into Python syntax by a small recursive-descent reader and then built by
the safe parser :func:`~chainrule.symbolic.catalog.parse.parse_expression` (whitelist, no
``eval``, bounded sizes); derivatives travel through it as placeholder symbols.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import sympy as sp

from chainrule.errors import ParseError
from chainrule.symbolic.catalog.parse import SUPPORTED_FUNCTIONS, parse_expression

__all__ = ["NotationError", "read_math"]

_FUNCTIONS = frozenset(SUPPORTED_FUNCTIONS)
_GREEK = {"σ": "sigma", "π": "pi"}
_CONSTANTS = frozenset({"e", "pi"})
_PLACEHOLDER = "_chk_d{}"
_TOKEN = re.compile(
    r"(?P<leibniz>(?<![A-Za-z0-9_])[d∂](?P<top>[A-Za-z][A-Za-z0-9_]*)?\s*/\s*[d∂]"
    r"(?P<var>[A-Za-z][A-Za-z0-9_]*))"
    r"|(?P<number>\d+(?:\.\d+)?)"
    r"|(?P<name>[A-Za-z][A-Za-z0-9_]*)"
    r"|(?P<op>\*\*|[-+*/^()\[\],'√·×])"
    r"|(?P<space>\s+)"
)


class NotationError(ParseError):
    """Math text that cannot be read; ``reason`` says what was expected."""


@dataclass(frozen=True)
class _Token:
    kind: str  # number, name, op, leibniz, power (a superscript run)
    text: str
    top: str | None = None
    var: str | None = None


def _normalise(text: str) -> str:
    """Superscripts to ``^(...)``, subscripts to ``_...``, Unicode operators to ASCII."""
    out: list[str] = []
    run: list[str] = []
    for character in text:
        decomposition = unicodedata.decomposition(character)
        if decomposition.startswith("<super>"):
            run.append(unicodedata.normalize("NFKC", character))
            continue
        if run:
            out.append("^(" + "".join(run).replace("−", "-") + ")")
            run = []
        if decomposition.startswith("<sub>"):
            out.append("_" + unicodedata.normalize("NFKC", character))
        elif character in _GREEK:
            out.append(_GREEK[character])
        elif character in "−–":
            out.append("-")
        elif character in "{}":
            out.append("(" if character == "{" else ")")
        else:
            out.append(character)
    if run:
        out.append("^(" + "".join(run).replace("−", "-") + ")")
    return "".join(out)


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise NotationError(f"unexpected character {text[position]!r}")
        position = match.end()
        kind = match.lastgroup if match.lastgroup not in ("top", "var") else "leibniz"
        if match.group("leibniz"):
            tokens.append(_Token("leibniz", match.group(0), match.group("top"), match.group("var")))
        elif kind != "space":
            tokens.append(_Token(kind or "op", match.group(0)))
    return tokens


class _Reader:
    """Recursive descent over the tokens, emitting fully parenthesised Python syntax."""

    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.at = 0
        self.names: set[str] = set()
        self.derivatives: dict[str, tuple[str, str]] = {}  # placeholder -> (inner, var)

    def peek(self) -> _Token | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.peek()
        if token is None:
            raise NotationError("the expression ends too early")
        self.at += 1
        return token

    def expect(self, text: str) -> None:
        token = self.peek()
        if token is None or token.text != text:
            got = "the end" if token is None else repr(token.text)
            raise NotationError(f"expected {text!r}, got {got}")
        self.at += 1

    def whole(self) -> str:
        source = self.sum()
        if self.peek() is not None:
            raise NotationError(f"unexpected {self.peek().text!r}")  # type: ignore[union-attr]
        return source

    def sum(self) -> str:
        source = self.product()
        while (token := self.peek()) is not None and token.text in "+-" and token.kind == "op":
            self.at += 1
            source = f"({source} {token.text} {self.product()})"
        return source

    def product(self) -> str:
        source = self.unary()
        while (token := self.peek()) is not None:
            if token.kind == "op" and token.text in ("*", "·", "×", "/"):
                self.at += 1
                operator = "/" if token.text == "/" else "*"
                source = f"({source} {operator} {self.unary()})"
            elif self._starts_factor(token):
                source = f"({source} * {self.power()})"
            else:
                break
        return source

    def _starts_factor(self, token: _Token) -> bool:
        return token.kind in ("number", "name", "leibniz") or token.text in ("(", "[", "√")

    def unary(self) -> str:
        token = self.peek()
        if token is not None and token.kind == "op" and token.text in "+-":
            self.at += 1
            inner = self.unary()
            return f"(-{inner})" if token.text == "-" else inner
        return self.power()

    def power(self) -> str:
        base = self.atom()
        token = self.peek()
        if token is not None and token.text in ("^", "**"):
            self.at += 1
            return f"({base} ** {self.unary()})"
        return base

    def atom(self) -> str:
        token = self.take()
        if token.kind == "number":
            return token.text
        if token.kind == "leibniz":
            return self._leibniz(token)
        if token.kind == "name":
            return self._name(token.text)
        if token.text in ("(", "["):
            inner = self.sum()
            self.expect(")" if token.text == "(" else "]")
            return f"({inner})"
        if token.text == "√":
            return f"sqrt({self.power()})"
        raise NotationError(f"unexpected {token.text!r}")

    def _leibniz(self, token: _Token) -> str:
        assert token.var is not None
        self.names.add(token.var)
        if token.top is not None:
            inner = self._name(token.top)
        else:
            inner = self.power()
        return self._derivative(inner, token.var)

    def _derivative(self, inner: str, var: str) -> str:
        placeholder = _PLACEHOLDER.format(len(self.derivatives))
        self.derivatives[placeholder] = (inner, var)
        return placeholder

    def _name(self, name: str) -> str:
        token = self.peek()
        if name == "Derivative" and token is not None and token.text == "(":
            return self._sympy_derivative()
        if name in _FUNCTIONS:
            return self._call(name)
        if token is not None and token.text == "'" and name in _FUNCTIONS | {"sigma"}:
            return self._call(name)
        if name in _CONSTANTS:
            return name
        if re.fullmatch(r"d[a-z]", name):  # the course's dz, dw: dL/dz, dL/dw
            self.names.add(name)
            return name
        if len(name) > 1 and name.isalpha() and name.islower():
            letters = [self._name(letter) for letter in name]
            return "(" + " * ".join(letters) + ")"
        self.names.add(name)
        return name

    def _sympy_derivative(self) -> str:
        """``Derivative(f, v)``, as SymPy (and chainrule's JSON) writes a derivative."""
        self.expect("(")
        inner = self.sum()
        self.expect(",")
        token = self.take()
        if token.kind != "name":
            raise NotationError(f"expected a variable in Derivative(f, v), got {token.text!r}")
        self.expect(")")
        self.names.add(token.text)
        return self._derivative(inner, token.text)

    def _call(self, name: str) -> str:
        primes = 0
        while (token := self.peek()) is not None and token.text == "'":
            self.at += 1
            primes += 1
        token = self.peek()
        if token is not None and token.text in ("(", "["):
            argument = self.atom()
        else:
            argument = self.power()  # ln x, sigma z
        call = f"{name}({argument})"
        for _ in range(primes):
            variable = argument.strip("()")
            if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", variable):
                raise NotationError(f"{name}' needs a variable as its argument, as in {name}'(z)")
            call = self._derivative(call, variable)
        return call


def read_math(text: str) -> sp.Expr:
    """Read one expression in chainrule's notation or plain ASCII math.

    Raises
    ------
    NotationError
        With what was expected (one line, no position), for text that is not such math.
    """
    tokens = _tokens(_normalise(text))
    if not tokens:
        raise NotationError("expected an expression, got nothing")
    reader = _Reader(tokens)
    source = reader.whole()
    return _build(source, reader)


def _build(source: str, reader: _Reader) -> sp.Expr:
    variables = sorted(reader.names | set(reader.derivatives))
    try:
        expr = parse_expression(source, variables, parameter="math")
    except ParseError as error:
        raise NotationError(str(error).removeprefix("'math': ")) from None
    replacements = {}
    for placeholder, (inner, var) in reader.derivatives.items():
        body = parse_expression(inner, variables, parameter="math")
        symbol = sp.Symbol(var, real=True)
        replacements[sp.Symbol(placeholder, real=True)] = sp.Derivative(body, symbol)
    for _ in range(len(replacements) + 1):  # nested derivatives resolve from the inside out
        if not replacements or not expr.free_symbols & set(replacements):
            break
        expr = expr.xreplace(replacements)
        replacements = {k: v.xreplace(replacements) for k, v in replacements.items()}
    return expr
