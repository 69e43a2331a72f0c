"""The JAX printer of exported code: plain ``jax.numpy`` expressions (XLA fuses them, so there
is no buffer to write into), with the kernel printer's choices for constants and powers.

σ is ``jax.nn.sigmoid``, softplus ``jax.numpy.logaddexp(u, 0)``, the Heaviside step
``jax.numpy.heaviside(u, h)`` (h its value at the kink), a selection ``jax.numpy.where``.
Constants are Python floats, which JAX treats as weakly typed, so float32 stays float32.
"""

from __future__ import annotations

import sympy as sp
from sympy.printing.numpy import _known_functions_numpy

from chainrule.codegen.printer import KernelPrinter

__all__ = ["JaxPrinter"]

_NUMPY = "jax.numpy"


class JaxPrinter(KernelPrinter):
    """``jax.numpy`` code for a plain expression; see the module docstring."""

    _module = _NUMPY

    def __init__(self) -> None:
        super().__init__()
        self.known_functions = {k: f"{_NUMPY}.{v}" for k, v in _known_functions_numpy.items()}
        self.known_functions["erf"] = "jax.scipy.special.erf"

    def _print_Pow(self, expr, rational=False) -> str:
        if expr.exp == sp.S.Half:
            return f"{_NUMPY}.sqrt({self._print(expr.base)})"
        if expr.exp == -sp.S.Half:
            return f"1/{_NUMPY}.sqrt({self._print(expr.base)})"
        return super()._print_Pow(expr, rational)

    def _nested(self, ufunc: str, args) -> str:
        text = self._print(args[0])
        for arg in args[1:]:
            text = f"{_NUMPY}.{ufunc}({text}, {self._print(arg)})"
        return text

    def _print_Step(self, expr) -> str:
        u, at_zero = (self._print(arg) for arg in expr.args)
        return f"{_NUMPY}.heaviside({u}, {at_zero})"

    def _print_Heaviside(self, expr) -> str:
        at_zero = self._print(expr.args[1]) if len(expr.args) > 1 else "0.5"
        return f"{_NUMPY}.heaviside({self._print(expr.args[0])}, {at_zero})"

    def _print_sigma(self, expr) -> str:
        return f"jax.nn.sigmoid({self._print(expr.args[0])})"

    def _print_softplus(self, expr) -> str:
        return f"{_NUMPY}.logaddexp({self._print(expr.args[0])}, 0)"

    def _print_Abs(self, expr) -> str:
        return f"{_NUMPY}.abs({self._print(expr.args[0])})"

    def _print_erf(self, expr) -> str:
        return f"jax.scipy.special.erf({self._print(expr.args[0])})"

    def _print_erfc(self, expr) -> str:
        return f"jax.scipy.special.erfc({self._print(expr.args[0])})"

    def _print_Piecewise(self, expr) -> str:
        pieces = list(expr.args)
        text = f"{_NUMPY}.nan" if pieces[-1].cond != sp.true else self._print(pieces.pop().expr)
        for piece in reversed(pieces):
            text = f"{_NUMPY}.where({self._print(piece.cond)}, {self._print(piece.expr)}, {text})"
        return text

    def _print_Into(self, expr) -> str:
        raise TypeError("JAX code is printed as plain expressions, never into a buffer")
