"""SymPy functions and symbols of the reference network.

The logistic function is a SymPy ``Function`` named ``sigma`` so that a derivation can keep
σ(z) folded (its ``str`` form ``sigma(z)`` reads back with ``sympy.sympify``) and the checker
can unfold it with ``rewrite(sympy.exp)``.
"""

from __future__ import annotations

import sympy as sp

__all__ = ["sigma", "a", "y", "z", "w", "x", "b", "L", "J", "BASE_SYMBOLS"]


class sigma(sp.Function):  # noqa: N801 - SymPy functions are lower case, like sp.exp
    """The logistic function σ(z) = 1/(1 + e^(-z)); its derivative is σ(z)(1 - σ(z))."""

    nargs = 1

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        s = sigma(self.args[0])
        return s * (1 - s)

    def _eval_rewrite_as_exp(self, arg: sp.Expr, **kwargs) -> sp.Expr:
        return 1 / (1 + sp.exp(-arg))

    def _eval_evalf(self, prec):
        return (1 / (1 + sp.exp(-self.args[0]))).evalf(prec)

    def _eval_is_real(self):
        return self.args[0].is_real

    def _eval_is_positive(self):
        return True if self.args[0].is_real else None

    def _latex(self, printer, exp=None) -> str:
        body = r"\sigma\left(" + printer._print(self.args[0]) + r"\right)"
        return body if exp is None else body + "^{" + str(exp) + "}"

    def _pretty(self, printer):
        from sympy.printing.pretty.stringpict import prettyForm

        inner = prettyForm(*printer._print(self.args[0]).parens())
        return prettyForm(*inner.left("σ"), binding=prettyForm.FUNC)


a = sp.Symbol("a", real=True)
y = sp.Symbol("y", real=True)
z = sp.Symbol("z", real=True)
w = sp.Symbol("w", real=True)
x = sp.Symbol("x", real=True)
b = sp.Symbol("b", real=True)
L = sp.Symbol("L", real=True)
J = sp.Symbol("J", real=True)

#: The symbols a reference expression may use, by name (what ``sympify`` reads back).
BASE_SYMBOLS = {s.name: s for s in (a, y, z, w, x, b)}
