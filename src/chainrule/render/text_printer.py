"""A one-line Unicode printer for terminal text: ``σ'(z) = e⁻ᶻ/(1 + e⁻ᶻ)²``.

Built on SymPy's ``StrPrinter`` with the stored-structure rules of
:mod:`chainrule.render.structure`. Symbols and function names become Greek letters and
subscripts (``sigma`` -> ``σ``, ``x_1`` -> ``x₁``), ``log`` prints as ``ln``, ``exp(u)`` as
``e`` with a superscript, short integer or one-letter exponents as superscripts.
"""

from __future__ import annotations

import re
from typing import Any

import sympy as sp
from sympy.printing.precedence import PRECEDENCE, precedence
from sympy.printing.pretty.pretty_symbology import pretty_symbol
from sympy.printing.str import StrPrinter

from chainrule.render.forms import is_reciprocal, shows_fraction, starts_negative, unwrap
from chainrule.render.names import FUNCTION_NAMES, gradient_of, has_markup, name_parts
from chainrule.render.structure import StructuredPrinter

__all__ = ["UnicodePrinter", "superscript"]

_SUPERSCRIPTS = dict(
    zip(
        "0123456789-+abcdefghijklmnoprstuvwxyz",
        "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻ",
        strict=True,
    )
)
_SHORT_EXPONENT = re.compile(r"-?(\d+|[a-pr-z])")
_WORD_SUBSCRIPT = re.compile(r"^[A-Za-z]+(_[A-Za-z]+)*_[A-Za-z]{3,}$")
_OPS = {"+": " + ", "-": " - ", "·": " · ", "neg": "-", "space": " ", "thin": " ", "glue": ""}


def superscript(exponent: str) -> str:
    """``2`` -> ``²``, ``-z`` -> ``⁻ᶻ``; anything longer -> ``^(...)`` so it stays readable."""
    if _SHORT_EXPONENT.fullmatch(exponent):
        return "".join(_SUPERSCRIPTS[c] for c in exponent)
    if exponent.isalnum():
        return "^" + exponent
    return "^(" + exponent + ")"


def _name_piece(kind: str, text: str) -> str:
    """One piece of a course-style name: ``^{[l]}`` -> ``[l]``, ``^{2}`` -> ``²``."""
    if kind == "text":
        return text
    if kind == "sup":
        return text if text.startswith("[") else superscript(text)
    return "_" + text


class UnicodePrinter(StructuredPrinter, StrPrinter):
    """Linear Unicode math for terminals, printing expressions as they are stored."""

    _default_settings = {**StrPrinter._default_settings, "order": "none"}
    _group_fractions_in_chains = True

    def _fmt_row(self, parts: list[str]) -> str:
        return "".join(parts)

    def _fmt_op(self, op: str) -> str:
        return _OPS[op]

    def _fmt_paren(self, body: str) -> str:
        return "(" + body + ")"

    def _fmt_frac(self, num: str, den: str, num_compound: bool, den_compound: bool) -> str:
        if num_compound:
            num = self._fmt_paren(num)
        if den_compound:
            den = self._fmt_paren(den)
        return num + "/" + den

    def _fmt_leibniz(self, top: str | None, variables: list[tuple[str, int]], partial: bool):
        d = "∂" if partial else "d"
        total = sum(n for _, n in variables)
        head = d + (superscript(str(total)) if total > 1 else "") + (top or "")
        tail = "".join(d + v + (superscript(str(n)) if n > 1 else "") for v, n in variables)
        return head + "/" + tail

    def _fmt_apply(self, operator: str, body: str) -> str:
        return operator + "[" + body + "]"

    def _fmt_prime(self, name: str, order: int, args: str) -> str:
        marks = "'" * order if order <= 3 else "^(" + str(order) + ")"
        return name + marks + args

    def _fmt_function_name(self, name: str) -> str:
        return FUNCTION_NAMES.get(name, pretty_symbol(name))

    def _print_Symbol(self, expr: sp.Symbol) -> str:
        quantity = gradient_of(expr.name)
        if quantity is not None:
            return "d" + self._print_Symbol(sp.Symbol(quantity))
        if has_markup(expr.name):
            return "".join(_name_piece(kind, text) for kind, text in name_parts(expr.name))
        if _WORD_SUBSCRIPT.search(expr.name):
            return expr.name  # A_prev, W_rot: a word, not an index, so not in small letters
        return pretty_symbol(expr.name)

    _print_MatrixSymbol = _print_Symbol

    def _print_Function(self, expr: sp.Function) -> str:
        args = ", ".join(self._print(arg) for arg in expr.args)
        return self._fmt_function_name(type(expr).__name__) + "(" + args + ")"

    _print_Max = _print_Min = _print_Abs = _print_Function

    def _print_Heaviside(self, expr: sp.Heaviside) -> str:
        return "H(" + self._print(expr.args[0]) + ")"  # its value at 0 is in the notes

    def _print_exp(self, expr: sp.exp) -> str:
        return "e" + superscript(self._print(expr.args[0]))

    def _print_Exp1(self, expr: sp.Basic) -> str:
        return "e"

    def _print_Pi(self, expr: sp.Basic) -> str:
        return "π"

    def _print_Pow(self, expr: sp.Pow, rational: bool = False) -> str:
        base, exponent = unwrap(expr.base), unwrap(expr.exp)
        if is_reciprocal(expr):
            return self._print_Mul(expr)
        if exponent == sp.S.Half:
            return "√" + self._base(base)
        return self._base(base) + superscript(self._print(exponent))

    def _base(self, base: sp.Basic) -> str:
        """A power's base, in parentheses unless it is a single symbol, number or call."""
        printed = self._print(base)
        atomic = base.is_Symbol or isinstance(base, sp.NumberSymbol)
        atomic = atomic or (base.is_Integer and not base.is_negative)
        if atomic or (isinstance(base, sp.Function) and not isinstance(base, sp.exp)):
            return printed
        return self._fmt_paren(printed)

    def _print_Rational(self, expr: sp.Rational) -> str:
        return str(expr.p) if expr.q == 1 else f"{expr.p}/{expr.q}"

    def _print_Relational(self, expr: sp.Basic) -> str:
        symbols = {"==": "=", "!=": "≠", "<=": "≤", ">=": "≥", "<": "<", ">": ">"}
        op = symbols.get(expr.rel_op, expr.rel_op)
        return f"{self._print(expr.lhs)} {op} {self._print(expr.rhs)}"

    def _print_Piecewise(self, expr: sp.Piecewise) -> str:
        cases = []
        for value, condition in expr.args:
            when = "otherwise" if condition is sp.true else "if " + self._print(condition)
            cases.append(f"{self._print(value)} {when}")
        return "{" + "; ".join(cases) + "}"

    def _print_Sum(self, expr: sp.Sum) -> str:
        """``Σ(i=1..K) yᵢ ln(aᵢ)``: the bounds after Σ, then the summand (a sum in parentheses)."""
        bounds = "; ".join(
            f"{self._print(index)}={self._print(low)}..{self._print(high)}"
            for index, low, high in expr.limits
        )
        return f"Σ({bounds}) " + self.parenthesize(expr.function, PRECEDENCE["Mul"])

    def _print_KroneckerDelta(self, expr: Any) -> str:
        """``δ(s h + u, y)``: 1 where the two indices are equal, 0 elsewhere."""
        return "δ(" + ", ".join(self._print(arg) for arg in expr.args) + ")"

    def _print_Transpose(self, expr: Any) -> str:
        return self.parenthesize(expr.arg, PRECEDENCE["Pow"]) + "ᵀ"

    def _print_MatMul(self, expr: Any) -> str:
        def factor(arg: Any) -> str:
            if shows_fraction(arg):
                return self._fmt_paren(self._print(arg))
            return self.parenthesize(arg, precedence(expr))

        return " ".join(factor(arg) for arg in expr.args)

    def _print_HadamardProduct(self, expr: Any) -> str:
        return " ⊙ ".join(self.parenthesize(arg, precedence(expr)) for arg in expr.args)

    def parenthesize(self, item: Any, level: int, strict: bool = False) -> str:
        if starts_negative(item):
            return self._fmt_paren(self._print(item))
        return super().parenthesize(item, level, strict)
