"""Rewrites of a SymPy expression into forms that NumPy evaluates without overflow (SymPy only).

The textbook form of a derivative is often not the form to compute it in: ``ln(1 + e^z)``
overflows for z > 709 (float64) or z > 88 (float32), ``e^z / (1 + e^z)`` becomes inf/inf = nan
there, and ``ln σ(z)`` is ``ln 0 = -inf`` once σ(z) rounds to 0. :func:`stabilize` rewrites,
each an identity:

==========================================  ================================================
textbook form                               stable form (how it is printed)
==========================================  ================================================
``ln(1 + e^u)``                             ``softplus(u)`` (``numpy.logaddexp(0, u)``)
``ln σ(u)``, ``ln(1 - σ(u))``               ``-softplus(-u)``, ``-softplus(u)``
``ln cosh(u)``                              ``u + softplus(-2u) - ln 2``
``e^{k u} / (1 + e^u)^n`` (0 <= k <= n)     ``σ(u)^k σ(-u)^{n-k}`` (σ as 0.5·tanh(0.5·u) + 0.5)
``c·e^u - c`` (c a constant)                ``c·expm1(u)`` (accurate near u = 0)
``ln(1 + u)`` (other u)                     ``log1p(u)`` (accurate near u = 0)
==========================================  ================================================

and :func:`kink_steps` fixes the value of each Heaviside step H(u) at its kink u = 0 so that
the generated derivative takes its value from the left of the kink, as the hand-written
``relu'(0) = 0`` and ``leaky_relu'(0) = slope`` do; a step times a function becomes a
selection, so that an inf the step discards does not turn into 0·inf = nan.
"""

from __future__ import annotations

import sympy as sp
from sympy.codegen.cfunctions import expm1, log1p

from chainrule.symbolic.core.symbols import sigma

__all__ = ["Step", "softplus", "stabilize", "kink_steps"]


class softplus(sp.Function):  # noqa: N801 - SymPy functions are lower case, like sp.exp
    """softplus(u) = ln(1 + e^u), finite for every finite u when computed as logaddexp(0, u)."""

    nargs = 1

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return sigma(self.args[0])

    def _eval_rewrite_as_log(self, arg: sp.Expr, **kwargs) -> sp.Expr:
        return sp.log(1 + sp.exp(arg))

    def _eval_evalf(self, prec: int) -> sp.Expr:
        return sp.log(1 + sp.exp(self.args[0]))._eval_evalf(prec)


class Step(sp.Function):
    """Step(u, h): the Heaviside step, 1 for u > 0, 0 for u < 0 and ``h`` (0 or 1) at u = 0.

    Printed as ``numpy.heaviside(u, h)``, which keeps the dtype of ``u``.
    """

    nargs = 2

    def _eval_evalf(self, prec: int) -> sp.Expr:
        return sp.Heaviside(*self.args)._eval_evalf(prec)


def _one_plus_exp(base: sp.Expr) -> sp.Expr | None:
    """u when ``base`` is 1 + e^u, else None."""
    if isinstance(base, sp.Add) and len(base.args) == 2 and sp.S.One in base.args:
        other = base.args[0] if base.args[1] == 1 else base.args[1]
        if isinstance(other, sp.exp):
            return other.args[0]
    return None


def _one_plus(expr: sp.Expr) -> sp.Expr | None:
    """u when ``expr`` is 1 + u, else None."""
    if isinstance(expr, sp.Add) and sp.S.One in expr.args:
        return expr - 1
    return None


def _one_minus_sigma(expr: sp.Expr) -> sp.Expr | None:
    """u when ``expr`` is 1 - σ(u), else None."""
    if isinstance(expr, sp.Add) and len(expr.args) == 2 and sp.S.One in expr.args:
        other = expr.args[0] if expr.args[1] == 1 else expr.args[1]
        negated = -other
        if isinstance(negated, sigma):
            return negated.args[0]
    return None


def _stable_log(expr: sp.log) -> sp.Expr:
    """ln(1 + e^u) -> softplus(u); ln σ(u) -> -softplus(-u); ln(1 - σ(u)) -> -softplus(u)."""
    argument = expr.args[0]
    inner = _one_plus_exp(argument)
    if inner is not None:
        return softplus(inner)
    if isinstance(argument, sigma):
        return -softplus(-argument.args[0])
    inner = _one_minus_sigma(argument)
    if inner is not None:
        return -softplus(inner)
    if isinstance(argument, sp.cosh):
        inner = argument.args[0]
        return inner + softplus(-2 * inner) - sp.log(2)
    inner = _one_plus(argument)
    if inner is not None and inner.free_symbols:
        return log1p(inner)
    return expr


def _exp_power(factor: sp.Expr, inner: sp.Expr) -> int | None:
    """k when ``factor`` is e^{k·inner} for a whole number k >= 1, else None."""
    if isinstance(factor, sp.exp):
        ratio = sp.simplify(factor.args[0] / inner)
        if ratio.is_Integer and ratio >= 1:
            return int(ratio)
    return None


def _stable_fraction(factors: list[sp.Expr]) -> sp.Expr | None:
    """e^{k u} / (1 + e^u)^n -> σ(u)^k σ(-u)^(n-k) for whole numbers 0 <= k <= n, in the
    product of ``factors``; None when no factor is such a fraction."""
    for index, factor in enumerate(factors):
        if not (factor.is_Pow and factor.exp.is_Integer and factor.exp < 0):
            continue
        inner = _one_plus_exp(factor.base)
        if inner is None:
            continue
        n = int(-factor.exp)
        rest = factors[:index] + factors[index + 1 :]
        for position, other in enumerate(rest):
            k = _exp_power(other, inner)
            if k is not None and k <= n:
                others = rest[:position] + rest[position + 1 :]
                return sp.Mul(*others, sigma(inner) ** k * sigma(-inner) ** (n - k))
        return sp.Mul(*rest, sigma(-inner) ** n)
    return None


def _stable_expm1(expr: sp.Add) -> sp.Expr:
    """... + c·e^u - c -> ... + c·expm1(u), for any constant c ≠ 0.

    SymPy multiplies a number into a sum (2(e^z - 1) is stored as 2e^z - 2), so the pair is
    looked for term by term: e^u - 1 cancels near u = 0 (2e^z - 2 is 0 in float32 at
    z = -1e-10), expm1 does not.
    """
    terms = list(expr.args)
    for term in terms:
        if not term.free_symbols:
            continue
        constant, rest = term.as_independent(*term.free_symbols, as_Add=False)
        if isinstance(rest, sp.exp) and constant.is_nonzero and -constant in terms:
            terms.remove(term)
            terms.remove(-constant)
            return sp.Add(*terms, constant * expm1(rest.args[0]))
    return expr


def _rewrite(expr: sp.Expr, whole_powers: bool = True) -> sp.Expr:
    """One bottom-up pass of the rewrites over ``expr``.

    The factors of a product are rewritten without their own fraction rule
    (``whole_powers=False``), so that the product sees e^u and 1/(1 + e^u) side by side.
    """
    if expr.is_Atom:
        return expr
    inside = not isinstance(expr, sp.Mul)
    args = [_rewrite(arg, inside or not arg.is_Pow) for arg in expr.args]
    if not isinstance(expr, sp.Expr):
        return expr.func(*args)  # a relation or logical condition of a Piecewise
    rebuilt = expr.func(*args) if args != list(expr.args) else expr
    if isinstance(rebuilt, sp.log):
        return _stable_log(rebuilt)
    if isinstance(rebuilt, sp.Mul) or (rebuilt.is_Pow and whole_powers):
        stable = _stable_fraction(list(sp.Mul.make_args(rebuilt)))
        return rebuilt if stable is None else stable
    if isinstance(rebuilt, sp.Add):
        return _stable_expm1(rebuilt)
    return rebuilt


def stabilize(expr: sp.Expr) -> sp.Expr:
    """``expr`` with every rewrite of the table above applied; equal to ``expr`` everywhere."""
    previous = None
    while previous != expr:
        previous, expr = expr, _rewrite(expr)
    return expr


def kink_steps(expr: sp.Expr, variable: sp.Symbol | None) -> sp.Expr:
    """Replace every Heaviside H(u) of ``expr`` by a :class:`Step` with its value at u = 0 set.

    When u is strictly monotone in ``variable`` the value at the kink is the one from the left
    (0 where u increases, 1 where it decreases), the convention of the hand-written
    activations; otherwise (or without a variable) it is 0, the convention H(0) = 0 of the
    derivations.
    """

    def step(u: sp.Expr, *value: sp.Expr) -> sp.Expr:
        slope = sp.diff(u, variable) if variable is not None else sp.S.Zero
        if slope.is_negative:
            return Step(u, 1)
        if slope.is_positive:
            return Step(u, 0)
        return Step(u, 1 if value and value[0] == 1 else 0)

    stepped = _gated(_constant_pieces(expr).replace(sp.Heaviside, step))
    return stepped.replace(Step, _step)


def _gated(expr: sp.Expr) -> sp.Expr:
    """Step(u, h)·f -> Piecewise((f, u > 0), (0, True)) for f not a number: where the step
    is 0, f may be inf (e^z of an ELU written with min at z = 1e4), and 0·inf is nan."""

    def gate(product: sp.Mul) -> sp.Expr:
        steps = [f for f in product.args if isinstance(f, Step)]
        if len(steps) != 1:
            return product
        rest = product / steps[0]
        if not rest.free_symbols:
            return product
        u, at_zero = steps[0].args
        condition = u >= 0 if at_zero == 1 else u > 0
        return sp.Piecewise((rest, condition), (0, True))

    return expr.replace(lambda e: isinstance(e, sp.Mul) and e.has(Step), gate)


def _step(u: sp.Expr, at_zero: sp.Expr | int) -> sp.Expr:
    """Step(u, at_zero) in a normal form: no positive constant factor in u, and no leading
    minus sign (H(-v) = 1 - H(v) with the value at 0 flipped), so that steps combine."""
    constant, rest = u.as_independent(*u.free_symbols, as_Add=False)
    if constant.is_number and constant.is_nonzero and rest.free_symbols:
        u = rest if constant.is_positive else -rest
    if u.could_extract_minus_sign():
        return 1 - Step(-u, 1 - at_zero, evaluate=False)
    return Step(u, at_zero, evaluate=False)


def _constant_pieces(expr: sp.Expr) -> sp.Expr:
    """Two-piece selections without a where: Piecewise((c1, u > 0), (c2, True)) with numbers
    c1, c2 -> c2 + (c1 - c2)·Step(u, 0) (also for >=, < and <=, with the value at u = 0 that
    the condition gives), one comparison; and pieces that meet at the kink as a max or min
    (:func:`_as_extremum`)."""

    def pieces(*pairs: sp.Tuple) -> sp.Expr:
        original = sp.Piecewise(*pairs)
        if len(pairs) != 2 or pairs[1][1] != sp.true:
            return original
        (first, condition), (second, _) = pairs
        if not isinstance(condition, sp.Rel) or type(condition) in (sp.Eq, sp.Ne):
            return original
        difference = condition.lhs - condition.rhs
        if isinstance(condition, (sp.StrictLessThan, sp.LessThan)):
            difference = -difference
        extremum = _as_extremum(first, second, difference)
        if extremum is not None:
            return extremum
        if not (first.is_number and second.is_number):
            return original
        at_zero = 1 if isinstance(condition, (sp.GreaterThan, sp.LessThan)) else 0
        # the value at the kink is the one the condition gives there
        return second + (first - second) * _step(difference, at_zero)

    return expr.replace(sp.Piecewise, pieces)


def _as_extremum(first: sp.Expr, second: sp.Expr, u: sp.Expr) -> sp.Expr | None:
    """max(f, g) for Piecewise((f, u > 0), (g, True)) when f - g = c·u with c > 0 (then
    f >= g exactly where u >= 0, and f = g at the kink); min(f, g) when c < 0; else None.
    Leaky ReLU becomes max(z, z/100): one ufunc, not a where."""
    if not u.free_symbols:
        return None
    ratio = sp.cancel((first - second) / u)
    if not ratio.is_number or ratio == 0:
        return None
    return sp.Max(first, second) if ratio.is_positive else sp.Min(first, second)
