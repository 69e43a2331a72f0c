"""The derivative table of the outer functions, and the words that step sentences use.

Each :class:`Elementary` entry is one line of a textbook's derivative table: the function F,
its derivative F' as a SymPy function of the argument, the same identity in words for the step
sentence ("d/dz ln(u) = 1/u · du/dz"), and the side conditions it carries (|u| and max(0, u) are
not differentiable at a kink). :func:`show` prints expressions in those words: ``ln``,
``e^(-z)``, ``σ(z)``, ``u^(-2)``, ``√``, ``·``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp
from sympy.printing.precedence import PRECEDENCE
from sympy.printing.str import StrPrinter

from chainrule.symbolic.core.symbols import sigma

__all__ = ["ELEMENTARY", "Elementary", "extremum", "show"]


# --------------------------------------------------------------------------- words


class _Words(StrPrinter):
    """Plain words for step sentences: ``ln``, ``e^(-z)``, ``σ``, ``u^(-2)``, ``√``, ``·``."""

    _default_settings = {**StrPrinter._default_settings, "order": "none"}

    def _as_ordered_terms(self, expr, order=None):
        return expr.as_ordered_terms()  # sums read y - 1, not as stored (-1 + y)

    def _print_exp(self, expr):
        arg = expr.args[0]
        text = self._print(arg)
        atomic = arg.is_Symbol or (arg.is_Integer and arg >= 0)
        return f"e^{text}" if atomic else f"e^({text})"

    def _print_log(self, expr):
        return f"ln({self._print(expr.args[0])})"

    def _print_sigma(self, expr):
        return f"σ({self._print(expr.args[0])})"

    def _print_Abs(self, expr):
        return f"|{self._print(expr.args[0])}|"

    def _print_Heaviside(self, expr):
        return f"H({self._print(expr.args[0])})"

    def _print_Max(self, expr):
        return f"{type(expr).__name__.lower()}({', '.join(map(self._print, expr.args))})"

    _print_Min = _print_Max

    def _print_UnevaluatedExpr(self, expr):
        return f"({self._print(expr.args[0])})"

    def _print_Derivative(self, expr):
        v = self._print(expr.variables[0])
        f = expr.expr
        text = self._print(f)
        return f"d/d{v} {text}" if f.is_Atom or isinstance(f, sp.Function) else f"d/d{v} ({text})"

    def _print_Pow(self, expr, rational=False):
        base, exponent = expr.base, expr.exp
        if exponent == sp.S.Half:
            inner = self._print(base)
            return f"√{inner}" if base.is_Atom else f"√({inner})"
        if exponent.is_number and exponent.is_negative:
            below = base if exponent == -1 else sp.Pow(base, -exponent, evaluate=False)
            return "1/" + self.parenthesize(below, PRECEDENCE["Mul"], strict=True)
        text = self._print(exponent)
        plain = exponent.is_Symbol or (exponent.is_Integer and exponent >= 0)
        shown_base = self.parenthesize(base, PRECEDENCE["Pow"], strict=True)
        return f"{shown_base}^{text}" if plain else f"{shown_base}^({text})"


def show(expr: sp.Expr) -> str:
    """``expr`` in the plain words of step sentences, e.g. ``ln(1 + e^(-z))``."""
    return _Words().doprint(expr).replace("*", "·")


# --------------------------------------------------------------------------- the table


@dataclass(frozen=True)
class Elementary:
    """An outer function F of the derivative table: its form, F' and its side conditions.

    ``form`` and ``slope`` are sentences with ``{u}`` standing for the argument.
    """

    id: str
    form: str
    slope: str
    derivative: Callable[[sp.Expr], sp.Expr]
    condition: Callable[[sp.Expr], tuple[str, ...]] = lambda u: ()

    def identity(self, u: str, v: str, with_chain: bool = True) -> str:
        """``d/dv F(u) = F'(u) · du/dv`` in words (without ``· du/dv`` when u is v)."""
        left, right = self.form.replace("{u}", u), self.slope.replace("{u}", u)
        if not with_chain:
            return f"d/d{v} {left} = {right}"
        if _is_sum(right):
            right = f"({right})"
        return f"d/d{v} {left} = {right} · d{u}/d{v}"

    @staticmethod
    def power(n: sp.Expr) -> Elementary:
        """d/du u^n = n u^(n-1) (n free of the variable; √u = u^(1/2))."""
        return Elementary("power", "{u}" + _exponent(n), _power_slope(n), _power_derivative(n))

    @staticmethod
    def exponential(c: sp.Expr) -> Elementary:
        """d/du c^u = c^u ln c (c free of the variable)."""
        base = show(c) if c.is_Atom else f"({show(c)})"
        return Elementary(
            "exponential",
            f"{base}^{{u}}",
            f"{base}^{{u}} ln({show(c)})",
            lambda u: sp.Mul(sp.Pow(c, u), sp.log(c), evaluate=False),
        )


def _is_sum(words: str) -> bool:
    """Whether ``words`` has a `` + `` or `` - `` outside every bracket."""
    depth = 0
    for i, char in enumerate(words):
        if char in "({[":
            depth += 1
        elif char in ")}]":
            depth -= 1
        elif depth == 0 and words[i : i + 3] in (" + ", " - "):
            return True
    return False


def _exponent(n: sp.Expr) -> str:
    text = show(n)
    return f"^{text}" if n.is_Symbol or (n.is_Integer and n >= 0) else f"^({text})"


def _power_slope(n: sp.Expr) -> str:
    if n.is_Number:
        coefficient = {1: "", -1: "-"}.get(n, show(n) if n.is_Integer else f"({show(n)})")
    else:
        coefficient = (show(n) if n.is_Symbol else f"({show(n)})") + "·"
    lower = n - 1
    if lower == 0:
        return coefficient or "1"
    return coefficient + "{u}" + ("" if lower == 1 else _exponent(lower))


def _power_derivative(n: sp.Expr) -> Callable[[sp.Expr], sp.Expr]:
    """u ↦ n·u^(n-1), as one factor; n·(p + q) stays a product (SymPy would distribute)."""

    def derivative(u: sp.Expr) -> sp.Expr:
        lower = sp.Pow(u, n - 1)
        return sp.Mul(n, lower, evaluate=not isinstance(lower, sp.Add))

    return derivative


def _not_at_zero(u: sp.Expr) -> tuple[str, ...]:
    return (f"|{show(u)}| is not differentiable where {show(u)} = 0",)


def _open_interval(u: sp.Expr, where: str, name: str) -> tuple[str, ...]:
    """The interval where ``name`` is differentiable, a side condition of its rule."""
    return (f"{where.replace('{u}', show(u))} ({name} is differentiable only there)",)


def _step_kink(name: str) -> Callable[[sp.Expr], tuple[str, ...]]:
    """A jump of a step function: derivative 0 away from it, taken as 0 at it."""

    def condition(u: sp.Expr) -> tuple[str, ...]:
        return (
            f"{name}({show(u)}) jumps where {show(u)} = 0: its derivative is 0 elsewhere "
            f"and is taken as 0 there, as the generated code computes it",
        )

    return condition


def _kink(c: sp.Expr, u: sp.Expr, kind: str) -> tuple[str, ...]:
    where = f"{show(u)} = {show(c)}"
    return (
        f"{kind}({show(c)}, {show(u)}) is not differentiable where {where}; "
        f"its derivative there is taken as 0 (the convention H(0) = 0)",
    )


#: The derivative table: F ↦ F' for the one-argument functions a chain rule can go through.
ELEMENTARY: dict[type, Elementary] = {
    sp.exp: Elementary("exp", "e^{u}", "e^{u}", sp.exp),
    sp.log: Elementary("log", "ln({u})", "1/{u}", lambda u: sp.Pow(u, -1)),
    sp.sin: Elementary("sin", "sin({u})", "cos({u})", sp.cos),
    sp.cos: Elementary("cos", "cos({u})", "-sin({u})", lambda u: -sp.sin(u)),
    sp.tan: Elementary("tan", "tan({u})", "1 + tan({u})^2", lambda u: 1 + sp.tan(u) ** 2),
    sp.sinh: Elementary("sinh", "sinh({u})", "cosh({u})", sp.cosh),
    sp.cosh: Elementary("cosh", "cosh({u})", "sinh({u})", sp.sinh),
    sp.tanh: Elementary("tanh", "tanh({u})", "1 - tanh({u})^2", lambda u: 1 - sp.tanh(u) ** 2),
    sigma: Elementary(
        "sigma",
        "σ({u})",
        "σ({u})(1 - σ({u}))",
        lambda u: sp.Mul(sigma(u), 1 - sigma(u), evaluate=False),
    ),
    sp.erf: Elementary(
        "erf", "erf({u})", "(2/√π) e^(-{u}^2)", lambda u: 2 / sp.sqrt(sp.pi) * sp.exp(-(u**2))
    ),
    sp.Abs: Elementary("abs", "|{u}|", "sign({u})", sp.sign, _not_at_zero),
    sp.atan: Elementary("atan", "arctan({u})", "1/(1 + {u}^2)", lambda u: 1 / (1 + u**2)),
    sp.asin: Elementary(
        "asin",
        "arcsin({u})",
        "1/√(1 - {u}^2)",
        lambda u: 1 / sp.sqrt(1 - u**2),
        lambda u: _open_interval(u, "-1 < {u} < 1", "arcsin"),
    ),
    sp.acos: Elementary(
        "acos",
        "arccos({u})",
        "-1/√(1 - {u}^2)",
        lambda u: -1 / sp.sqrt(1 - u**2),
        lambda u: _open_interval(u, "-1 < {u} < 1", "arccos"),
    ),
    sp.asinh: Elementary(
        "asinh", "arcsinh({u})", "1/√({u}^2 + 1)", lambda u: 1 / sp.sqrt(u**2 + 1)
    ),
    sp.acosh: Elementary(
        "acosh",
        "arccosh({u})",
        "1/(√({u} - 1) √({u} + 1))",
        lambda u: 1 / (sp.sqrt(u - 1) * sp.sqrt(u + 1)),
        lambda u: _open_interval(u, "{u} > 1", "arccosh"),
    ),
    sp.atanh: Elementary(
        "atanh",
        "arctanh({u})",
        "1/(1 - {u}^2)",
        lambda u: 1 / (1 - u**2),
        lambda u: _open_interval(u, "-1 < {u} < 1", "arctanh"),
    ),
    sp.erfc: Elementary(
        "erfc", "erfc({u})", "-(2/√π) e^(-{u}^2)", lambda u: -2 / sp.sqrt(sp.pi) * sp.exp(-(u**2))
    ),
    sp.sign: Elementary("sign", "sign({u})", "0", lambda u: sp.S.Zero, _step_kink("sign")),
    sp.Heaviside: Elementary("heaviside", "H({u})", "0", lambda u: sp.S.Zero, _step_kink("H")),
}


def extremum(expr: sp.Expr, v: sp.Symbol) -> tuple[Elementary, sp.Expr] | None:
    """max(c, u) or min(c, u) with c free of ``v``: an outer function of u."""
    constants = [a for a in expr.args if not a.has(v)]
    varying = [a for a in expr.args if a.has(v)]
    if len(varying) != 1 or len(constants) != 1:
        return None
    (c,), (u,) = constants, varying
    kind = "max" if isinstance(expr, sp.Max) else "min"
    step = "H({u})" if c == 0 else "H({u} - " + show(c) + ")"
    if kind == "max":
        slope, derivative = step, (lambda w: sp.Heaviside(w - c, 0))
    else:
        slope = "H(-{u})" if c == 0 else "H(" + show(c) + " - {u})"
        derivative = lambda w: sp.Heaviside(c - w, 0)  # noqa: E731
    name = "relu" if kind == "max" and c == 0 else kind
    form = f"{kind}({show(c)}, {{u}})"
    return Elementary(name, form, slope, derivative, lambda w: _kink(c, w, kind)), u
