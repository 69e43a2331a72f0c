"""The NumPy printer of generated kernels: fast, dtype-preserving, writing into ``out``.

A kernel is the expression ``Into(e)``: SymPy's ``lambdify`` (with common-subexpression
elimination) prints the shared parts of ``e`` as ``x0 = ...`` lines and ``Into(e)`` as the
``return`` line, where :meth:`KernelPrinter._into` writes e into the caller's buffer ``out``
along its heaviest chain of operations, each a ufunc call with ``out=out``::

    1 - a**2      ->  numpy.subtract(1, numpy.square(a, out=out), out=out)

so a chain-shaped expression allocates no array at all. Other choices, each for speed or for
the dtype of the input (a float32 array must stay float32):

- every constant is a Python float literal (``0.7978845608028654``), never ``numpy.sqrt(2)``,
  whose float64 scalar would promote a float32 array;
- powers with whole exponents use ``x**2`` / ``1/x`` (NumPy's fast paths), not float powers;
- ``max``/``min`` of two arguments are ``numpy.maximum``/``numpy.minimum`` (SymPy's default
  stacks them into a new array);
- σ is the helper ``sigmoid`` (0.5·tanh(0.5·u) + 0.5, no overflow), softplus is
  ``numpy.logaddexp(0, u)``, the Heaviside step is the helper ``step`` (a comparison
  written into a buffer of the input's dtype; ``numpy.heaviside`` is many times slower);
- erf and erfc are ``scipy.special``'s (accurate in both tails), the inverse functions NumPy's
  ``arctan``, ``arcsinh``, ...;
- piecewise functions are nested ``numpy.where``.
"""

from __future__ import annotations

import math

import sympy as sp
from sympy.codegen.cfunctions import expm1, log1p
from sympy.printing.numpy import NumPyPrinter

from chainrule.codegen.stable import Step, softplus
from chainrule.symbolic.core.symbols import sigma

__all__ = ["HELPERS", "Into", "KernelPrinter", "fold_constants"]

#: Helper functions the printed code may call, as source text (shown by ``--show-code``).
HELPERS = {
    "sigmoid": '''def sigmoid(x, out=None):
    """σ(x) = 1/(1 + e^-x), computed as 0.5·tanh(0.5·x) + 0.5: never overflows."""
    out = numpy.multiply(x, 0.5, out=out)
    numpy.tanh(out, out=out)
    numpy.multiply(out, 0.5, out=out)
    return numpy.add(out, 0.5, out=out)
''',
    "step": '''def step(x, at_zero, out=None):
    """Heaviside step in the dtype of x: 1 where x > 0, 0 where x < 0, at_zero at x = 0."""
    if out is None:
        out = numpy.empty_like(x)
    compare = numpy.greater_equal if at_zero else numpy.greater
    return compare(x, 0, out=out)
''',
    "assign": '''def assign(out, value):
    """out[...] = value (an array or a number), returning out."""
    numpy.copyto(out, value)
    return out
''',
}


class Into(sp.Function):
    """Into(e): the value of e written into the buffer ``out`` (printing marker only)."""

    nargs = 1


#: SymPy functions printed as NumPy ufuncs of one argument.
_UFUNCS = {
    sp.exp: "exp",
    sp.log: "log",
    sp.tanh: "tanh",
    sp.sinh: "sinh",
    sp.cosh: "cosh",
    sp.sin: "sin",
    sp.cos: "cos",
    sp.tan: "tan",
    sp.atan: "arctan",
    sp.asin: "arcsin",
    sp.acos: "arccos",
    sp.asinh: "arcsinh",
    sp.acosh: "arccosh",
    sp.atanh: "arctanh",
    sp.Abs: "absolute",
    sp.sign: "sign",
    expm1: "expm1",
    log1p: "log1p",
}


def _weight(expr: sp.Expr) -> int:
    """How much work ``expr`` is: its operation count, -1 for a constant."""
    return sp.count_ops(expr) if expr.free_symbols else -1


def _heaviest(parts: list[sp.Expr]) -> int:
    return max(range(len(parts)), key=lambda index: _weight(parts[index]))


class KernelPrinter(NumPyPrinter):
    """NumPy code for a kernel; see the module docstring for what it prints and why."""

    def __init__(self) -> None:
        super().__init__({"fully_qualified_modules": True, "allow_unknown_functions": False})
        self.helpers: set[str] = set()

    # ----------------------------------------------------------------- constants
    def _print(self, expr, **kwargs) -> str:
        if isinstance(expr, sp.Expr) and expr.is_number and not expr.is_Integer:
            literal = _float_literal(expr)
            if literal is not None:
                return literal
        return super()._print(expr, **kwargs)

    # ----------------------------------------------------------------- operations
    def _print_Pow(self, expr, rational=False) -> str:
        base, exponent = expr.base, expr.exp
        shown = self.parenthesize(base, 60, strict=False)  # above Mul and Pow: keep brackets
        if exponent == sp.S.Half:
            return f"numpy.sqrt({self._print(base)})"
        if exponent == -sp.S.Half:
            return f"1/numpy.sqrt({self._print(base)})"
        if exponent.is_Integer and exponent < 0:
            return "1/" + (shown if exponent == -1 else f"{shown}**{-int(exponent)}")
        if exponent.is_Integer:
            return f"{shown}**{int(exponent)}"
        return f"{shown}**{self.parenthesize(exponent, 60, strict=False)}"

    def _print_Max(self, expr) -> str:
        return self._nested("maximum", expr.args)

    def _print_Min(self, expr) -> str:
        return self._nested("minimum", expr.args)

    def _nested(self, ufunc: str, args) -> str:
        args = sorted(args, key=lambda arg: arg.is_number)  # numbers last: NumPy is faster
        text = self._print(args[0])
        for arg in args[1:]:
            text = f"numpy.{ufunc}({text}, {self._print(arg)})"
        return text

    def _print_Step(self, expr) -> str:
        self.helpers.add("step")
        return f"step({self._print(expr.args[0])}, {self._print(expr.args[1])})"

    def _print_Heaviside(self, expr) -> str:
        return f"numpy.heaviside({self._print(expr.args[0])}, 0)"

    def _print_sigma(self, expr) -> str:
        self.helpers.add("sigmoid")
        return f"sigmoid({self._print(expr.args[0])})"

    def _print_softplus(self, expr) -> str:
        return f"numpy.logaddexp(0, {self._print(expr.args[0])})"

    def _print_Abs(self, expr) -> str:
        return f"numpy.absolute({self._print(expr.args[0])})"

    def _print_erf(self, expr) -> str:
        self.helpers.add("scipy")
        return f"scipy.special.erf({self._print(expr.args[0])})"

    def _print_erfc(self, expr) -> str:
        self.helpers.add("scipy")
        return f"scipy.special.erfc({self._print(expr.args[0])})"

    def _print_Piecewise(self, expr) -> str:
        pieces = list(expr.args)
        text = "numpy.nan" if pieces[-1].cond != sp.true else self._print(pieces.pop().expr)
        for piece in reversed(pieces):
            text = f"numpy.where({self._print(piece.cond)}, {self._print(piece.expr)}, {text})"
        return text

    # ----------------------------------------------------------------- into ``out``
    def _print_Into(self, expr) -> str:
        value = expr.args[0]
        if value.is_Atom:
            return self._assign(self._print(value))
        return self._into(value)

    def _assign(self, value: str) -> str:
        """A copy (or a fill) of ``value`` into out."""
        self.helpers.add("assign")
        return f"assign(out, {value})"

    def _spine(self, expr: sp.Expr) -> str:
        """An operand on the chain into ``out``: written there unless it is a plain input."""
        return self._print(expr) if expr.is_Atom else self._into(expr)

    def _into(self, expr: sp.Expr) -> str:
        """Code that writes the compound ``expr`` into ``out`` and returns it."""
        if isinstance(expr, sp.Add):
            return self._into_sum(list(expr.args))
        if isinstance(expr, sp.Mul):
            return self._into_product(expr)
        if expr.is_Pow and expr.exp.is_number:
            return self._into_power(expr.base, expr.exp)
        if expr.func in _UFUNCS:
            return self._ufunc(_UFUNCS[expr.func], self._spine(expr.args[0]))
        if isinstance(expr, sigma):
            self.helpers.add("sigmoid")
            return f"sigmoid({self._spine(expr.args[0])}, out=out)"
        if isinstance(expr, softplus):
            return self._ufunc("logaddexp", "0", self._spine(expr.args[0]))
        if isinstance(expr, Step):
            self.helpers.add("step")
            return f"step({self._spine(expr.args[0])}, {self._print(expr.args[1])}, out=out)"
        if isinstance(expr, (sp.Max, sp.Min)) and len(expr.args) == 2:
            args = list(expr.args)
            spine = args.pop(_heaviest(args))
            name = "maximum" if isinstance(expr, sp.Max) else "minimum"
            # A bound that is a number is a clip, which NumPy runs as SIMD; maximum/minimum with
            # a scalar are slower. Otherwise maximum is fastest with the buffer second.
            if args[0].is_number:
                bound = self._print(args[0])
                low, high = (bound, "numpy.inf") if name == "maximum" else ("-numpy.inf", bound)
                return self._ufunc("clip", self._spine(spine), low, high)
            return self._ufunc(name, self._print(args[0]), self._spine(spine))
        return self._assign(self._print(expr))  # computed, then copied into out

    @staticmethod
    def _ufunc(name: str, *args: str) -> str:
        return f"numpy.{name}({', '.join(args)}, out=out)"

    def _into_sum(self, terms: list[sp.Expr]) -> str:
        spine = terms.pop(_heaviest(terms))
        rest = self._print(sp.Add(*terms))
        if spine.could_extract_minus_sign():
            return self._ufunc("subtract", rest, self._spine(-spine))
        return self._ufunc("add", self._spine(spine), rest)

    def _into_product(self, expr: sp.Mul) -> str:
        if expr.could_extract_minus_sign() and (-expr).is_Mul is False:
            return self._ufunc("negative", self._spine(-expr))
        numerator = [f for f in expr.args if not _is_reciprocal(f)]
        denominator = [1 / f for f in expr.args if _is_reciprocal(f)]
        if denominator:
            top, bottom = sp.Mul(*numerator), sp.Mul(*denominator)
            if _weight(bottom) > _weight(top):
                return self._ufunc("divide", self._print(top), self._spine(bottom))
            return self._ufunc("divide", self._spine(top), self._print(bottom))
        if expr.args[0] == -1:
            return self._ufunc("negative", self._spine(sp.Mul(*expr.args[1:])))
        factors = list(expr.args)
        spine = factors.pop(_heaviest(factors))
        return self._ufunc("multiply", self._spine(spine), self._print(sp.Mul(*factors)))

    def _into_power(self, base: sp.Expr, exponent: sp.Expr) -> str:
        inner = self._spine(base)
        if exponent == 2:
            return (
                self._ufunc("multiply", inner, inner)
                if base.is_Atom
                else self._ufunc("square", inner)
            )
        if exponent == sp.S.Half:
            return self._ufunc("sqrt", inner)
        if exponent == -1:
            return self._ufunc("divide", "1", inner)
        return self._ufunc("power", inner, self._print(exponent))


def _is_reciprocal(factor: sp.Expr) -> bool:
    return bool(factor.is_Pow and factor.exp.is_number and factor.exp.is_negative)


def _float_literal(value: sp.Expr) -> str | None:
    """``value`` as a Python float literal, or None if it is not a finite real number."""
    try:
        number = float(value.replace(sigma, lambda u: 1 / (1 + sp.exp(-u))).evalf(30))
    except (TypeError, ValueError):
        return None
    return repr(number) if math.isfinite(number) else None


def fold_constants(expr: sp.Expr) -> sp.Expr:
    """``expr`` with its constant factors multiplied out into one float each (exponents of
    powers stay exact, so that x**(1/2) still prints as a square root)."""
    if expr.is_Atom:
        return sp.Float(expr, 17) if expr.is_Rational and not expr.is_Integer else expr
    if expr.is_Pow:
        return sp.Pow(fold_constants(expr.base), expr.exp)
    if isinstance(expr, sp.Expr) and expr.is_number and _float_literal(expr) is not None:
        return sp.Float(_float_literal(expr), 17)
    if isinstance(expr, sp.Mul):
        constant, rest = expr.as_independent(*expr.free_symbols, as_Add=False)
        if constant != 1 and rest != 1 and not constant.is_Integer:
            return fold_constants(constant) * fold_constants(rest)
    return expr.func(*(fold_constants(arg) for arg in expr.args))
