"""A LaTeX printer that prints derivation steps as stored: ``\\frac{dL}{da}``, ``\\ln``, ``e^{-z}``.

SymPy's ``LatexPrinter`` with the stored-structure rules of
:mod:`chainrule.render.structure`; everything else (matrices, sums, piecewise functions) is
SymPy's own LaTeX.
"""

from __future__ import annotations

from typing import Any

import sympy as sp
from sympy.printing.latex import LatexPrinter
from sympy.printing.precedence import PRECEDENCE

from chainrule.render.forms import is_reciprocal, unwrap
from chainrule.render.names import gradient_of
from chainrule.render.structure import StructuredPrinter

__all__ = ["ChainruleLatexPrinter"]

_OPS = {"+": " + ", "-": " - ", "·": r" \cdot ", "neg": "-", "space": " ", "thin": " ", "glue": " "}


class ChainruleLatexPrinter(StructuredPrinter, LatexPrinter):
    """LaTeX for derivation steps, keeping stored term order, signs and fractions."""

    _default_settings = {
        **LatexPrinter._default_settings,
        "order": "none",
        "ln_notation": True,
        "inv_trig_style": "full",
    }

    def _fmt_row(self, parts: list[str]) -> str:
        return "".join(parts)

    def _fmt_op(self, op: str) -> str:
        return _OPS[op]

    def _fmt_paren(self, body: str) -> str:
        return r"\left(" + body + r"\right)"

    def _fmt_frac(self, num: str, den: str, num_compound: bool, den_compound: bool) -> str:
        return r"\frac{" + num + "}{" + den + "}"

    def _fmt_leibniz(self, top: str | None, variables: list[tuple[str, int]], partial: bool):
        d = r"\partial " if partial else "d"
        total = sum(n for _, n in variables)
        head = d + (f"^{{{total}}}" if total > 1 else "") + (top or "")
        tail = " ".join(d + v + (f"^{{{n}}}" if n > 1 else "") for v, n in variables)
        return r"\frac{" + head + "}{" + tail + "}"

    def _fmt_apply(self, operator: str, body: str) -> str:
        return operator + r"\left[" + body + r"\right]"

    def _fmt_prime(self, name: str, order: int, args: str) -> str:
        marks = "'" * order if order <= 3 else f"^{{({order})}}"
        return name + marks + args

    def _fmt_function_name(self, name: str) -> str:
        return self._hprint_Function(name)

    def _print_Symbol(self, expr: sp.Symbol, style: str = "plain") -> str:
        quantity = gradient_of(expr.name)
        if quantity is not None:
            return "d" + self._print_Symbol(sp.Symbol(quantity), style)
        return super()._print_Symbol(expr, style)

    def _print_log(self, expr: sp.log, exp: str | None = None) -> str:
        tex = r"\ln" + self._fmt_paren(self._print(expr.args[0]))
        return tex if exp is None else tex + "^{" + exp + "}"

    def _print_Heaviside(self, expr: sp.Heaviside, exp: str | None = None) -> str:
        tex = "H" + self._fmt_paren(self._print(expr.args[0]))  # its value at 0 is in the notes
        return tex if exp is None else tex + "^{" + exp + "}"

    def _print_asinh(self, expr: sp.Expr, exp: str | None = None) -> str:
        name = r"\operatorname{ar" + type(expr).__name__[1:] + "}"
        tex = name + self._fmt_paren(self._print(expr.args[0]))
        return tex if exp is None else tex + "^{" + exp + "}"

    _print_acosh = _print_atanh = _print_asinh

    def _print_Pow(self, expr: sp.Pow) -> str:
        base = unwrap(expr.base)
        if is_reciprocal(expr):
            return self._print_Mul(expr)
        if isinstance(base, sp.Function) and not isinstance(base, sp.exp):
            return self._print(base) + "^{" + self._print(expr.exp) + "}"
        return super()._print_Pow(expr)

    def _print_HadamardProduct(self, expr: Any) -> str:
        return r" \odot ".join(self.parenthesize(arg, PRECEDENCE["Mul"]) for arg in expr.args)

    def _print_Relational(self, expr: Any) -> str:
        if expr.rel_op == "==":
            return self._print(expr.lhs) + " = " + self._print(expr.rhs)
        return super()._print_Relational(expr)
