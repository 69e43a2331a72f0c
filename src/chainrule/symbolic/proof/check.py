"""The step checker: proves that two expressions are equal under the givens.

A claim ``before = after`` is checked in tiers, and the tier that settles it is recorded:

1. ``proved`` by exact algebra: both sides are written over the lowest symbols (definitions
   substituted, derivatives taken, σ unfolded into exponentials) and their difference reduces to
   0 by ``expand`` or by ``cancel`` of one fraction (exponentials are polynomial generators).
2. ``proved`` by a zero gradient: when the difference holds logarithms that algebra does not
   merge, each of its partial derivatives is shown to be 0 by tier 1 and the difference itself is
   0 at one exact point. On a connected domain (0 < a < 1, everything else real) that is a proof.
3. ``checked-numerically``: only where the exact tiers are inconclusive, the difference is
   evaluated with 50 significant digits at several random points; said so in the verdict.
4. ``failed``: the difference is not 0 somewhere (or cannot be evaluated).

Derivatives in a claim are taken the way a reader means them: ``Derivative(f, v)``
substitutes into ``f`` the definitions of exactly those symbols that depend on ``v`` (so dL/da
treats a as the variable even though a = σ(z) is given), differentiates, then the result is
written over the lowest symbols.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable, Sequence

import mpmath
import sympy as sp

from chainrule.symbolic.core.model import Check, Definition, Verdict
from chainrule.symbolic.core.symbols import a as a_symbol
from chainrule.symbolic.core.symbols import sigma

__all__ = ["Context", "off_the_jumps", "prove_equal", "to_base"]

DIGITS = 50
NUMERIC_POINTS = 6


class Context:
    """The givens of a derivation, in order, and the ranges its free symbols take.

    ``definitions`` map higher symbols to expressions in lower ones (``L`` in ``a, y``; ``a`` in
    ``z``; ``z`` in ``w, x, b``). ``unit_interval`` names the free symbols that lie in (0, 1),
    such as an activation a given without its definition.
    """

    def __init__(
        self,
        definitions: Sequence[Definition] = (),
        unit_interval: Iterable[sp.Symbol] = (a_symbol,),
    ) -> None:
        self.definitions = tuple(definitions)
        self.unit_interval = frozenset(unit_interval)
        self._by_symbol = {d.symbol: d.expr for d in self.definitions}

    def depends_on(self, symbol: sp.Symbol, variable: sp.Symbol) -> bool:
        """Whether ``symbol``'s definition reaches ``variable``."""
        expr = self._by_symbol.get(symbol)
        if expr is None:
            return False
        free = expr.free_symbols
        return variable in free or any(self.depends_on(s, variable) for s in free)

    def expand_toward(self, expr: sp.Expr, variable: sp.Symbol) -> sp.Expr:
        """Substitute the definitions of the symbols in ``expr`` that depend on ``variable``."""
        for _ in range(len(self.definitions) + 1):
            targets = {
                s: self._by_symbol[s]
                for s in expr.free_symbols
                if s != variable and self.depends_on(s, variable)
            }
            if not targets:
                return expr
            expr = expr.xreplace(targets)
        return expr

    def reparametrise(self, expr: sp.Expr) -> sp.Expr:
        """Trade a free symbol for a defined one where a definition is ``symbol = s + rest``.

        With z = w x + b, substituting b = z - w x is a bijective change of variables, so an
        identity holds in (w, x, b) exactly when it holds in (w, x, z); the exponentials then
        collapse back to e^z and the algebra stays small.
        """
        for definition in reversed(self.definitions):
            free = _lone_free_term(definition.expr, self._by_symbol)
            if free is not None and free in expr.free_symbols:
                rest = definition.expr - free
                expr = expr.xreplace({free: definition.symbol - rest})
        return expr

    def expand_all(self, expr: sp.Expr) -> sp.Expr:
        """Substitute every definition until only free symbols remain."""
        for _ in range(len(self.definitions) + 1):
            targets = {s: self._by_symbol[s] for s in expr.free_symbols if s in self._by_symbol}
            if not targets:
                return expr
            expr = expr.xreplace(targets)
        return expr


def _lone_free_term(expr: sp.Expr, defined: dict) -> sp.Symbol | None:
    """The free symbol standing alone as a term of ``expr`` (b in w x + b), if any."""
    if not isinstance(expr, sp.Add):
        return None
    for term in expr.args:
        if isinstance(term, sp.Symbol) and term not in defined:
            others = (expr - term).free_symbols
            if term not in others:
                return term
    return None


def to_base(expr: sp.Expr, context: Context) -> sp.Expr:
    """Write ``expr`` over the lowest symbols: derivatives taken, definitions in, σ unfolded."""
    expr = _unwrap(expr)
    expr = _take_derivatives(expr, context)
    expr = context.expand_all(expr)
    return expr.rewrite(sigma, sp.exp) if expr.has(sigma) else expr


def _unwrap(expr: sp.Expr) -> sp.Expr:
    """Drop ``UnevaluatedExpr`` wrappers and let SymPy evaluate the structure."""
    return (
        expr.replace(lambda e: isinstance(e, sp.UnevaluatedExpr), lambda e: e.args[0]).doit(
            deep=False
        )
        if expr.has(sp.UnevaluatedExpr)
        else expr
    )


def _take_derivatives(expr: sp.Expr, context: Context) -> sp.Expr:
    derivatives = sorted(expr.atoms(sp.Derivative), key=sp.count_ops)
    if not derivatives:
        return expr
    target = derivatives[0]
    inner = _take_derivatives(target.expr, context)
    for variable, count in target.variable_count:
        inner = context.expand_toward(inner, variable)
        inner = off_the_jumps(sp.diff(inner, variable, count))
    return _take_derivatives(expr.xreplace({target: inner}), context)


def off_the_jumps(derivative: sp.Expr) -> sp.Expr:
    """``derivative`` away from the jumps of sign and H: SymPy's impulse δ(u) there is 0
    wherever u ≠ 0 (the value at a jump is a convention the derivation's notes state)."""
    if not derivative.has(sp.DiracDelta):
        return derivative
    return derivative.replace(sp.DiracDelta, lambda *args: sp.S.Zero)


def prove_equal(before: sp.Expr, after: sp.Expr, context: Context | None = None) -> Check:
    """Check the claim ``before = after`` under ``context``; return the verdict and method."""
    context = context or Context()
    start = time.perf_counter()
    try:
        difference = context.reparametrise(to_base(before, context) - to_base(after, context))
        verdict, method = _decide(difference, context)
    except (TypeError, ValueError, ZeroDivisionError, sp.PolynomialError) as exc:
        verdict, method = Verdict.FAILED, f"could not be evaluated: {exc}"
    return Check(verdict, method, time.perf_counter() - start)


def _decide(difference: sp.Expr, context: Context) -> tuple[Verdict, str]:
    clearly_nonzero, witness = _clearly_nonzero(difference, context)
    if clearly_nonzero:
        return Verdict.FAILED, f"the two sides differ, e.g. at {witness}"
    if _algebraically_zero(difference):
        return Verdict.PROVED, "exact: the difference reduces to 0"
    if _gradient_zero(difference, context):
        return Verdict.PROVED, "exact: every partial derivative is 0 and the sides meet at a point"
    numeric_zero, witness = _numerically_zero(difference, context)
    if not numeric_zero:
        return Verdict.FAILED, f"the two sides differ, e.g. at {witness}"
    return (
        Verdict.CHECKED_NUMERICALLY,
        f"exact tiers inconclusive; equal to {DIGITS} digits at {NUMERIC_POINTS} random points",
    )


def _algebraically_zero(expr: sp.Expr) -> bool:
    if expr == 0:
        return True
    expanded = sp.expand(expr)
    if expanded == 0:
        return True
    return sp.cancel(sp.together(expanded)) == 0


def _gradient_zero(expr: sp.Expr, context: Context, depth: int = 2) -> bool:
    """Whether ``expr`` is 0: each partial is 0 (recursively, ``depth`` levels), so is one value."""
    if expr.has(sp.Abs, sp.Max, sp.Min, sp.Piecewise, sp.sign, sp.Heaviside):
        return False
    free = sorted(expr.free_symbols, key=lambda s: s.name)
    for symbol in free:
        partial = sp.diff(expr, symbol)
        if _algebraically_zero(partial):
            continue
        if depth == 0 or not _gradient_zero(partial, context, depth - 1):
            return False
    value = expr.xreplace({s: _anchor(s, context) for s in free})
    value = sp.expand_log(sp.nsimplify(value) if value.is_Float else value)
    return bool(value == 0 or sp.simplify(value) == 0)


def _anchor(symbol: sp.Symbol, context: Context) -> sp.Expr:
    """An exact point inside the domain of ``symbol``."""
    return sp.Rational(1, 2) if symbol in context.unit_interval else sp.Integer(0)


def _numerically_zero(expr: sp.Expr, context: Context) -> tuple[bool, dict]:
    """Whether ``expr`` is 0 to ``DIGITS`` significant digits at every random exact point.

    The points are exact rationals; the evaluation runs in mpmath at ``DIGITS`` + 10 digits,
    and the tolerance is relative to the size of the terms.
    """
    free = sorted(expr.free_symbols, key=lambda s: s.name)
    function = sp.lambdify(free, [expr, *sp.Add.make_args(expr)], modules="mpmath")
    rng = random.Random(20260101)
    point: dict = {}
    with mpmath.workdps(DIGITS + 10):
        tolerance = mpmath.mpf(10) ** (-(DIGITS - 10))
        for _ in range(NUMERIC_POINTS):
            point = {s: _sample(s, context, rng) for s in free}
            arguments = [mpmath.mpf(p.p) / p.q for p in point.values()]
            try:
                value, *terms = function(*arguments)
            except (ArithmeticError, TypeError, ValueError):
                return False, _readable(point)
            if not all(mpmath.isfinite(v) for v in (value, *terms)):
                return False, _readable(point)
            scale = max((abs(t) for t in terms), default=0)
            if abs(value) > tolerance * (1 + scale):
                return False, _readable(point)
    return True, _readable(point)


def _clearly_nonzero(expr: sp.Expr, context: Context) -> tuple[bool, dict]:
    """A fast look in double precision at two points, so a wrong claim fails at once.

    Only a clear difference counts (more than 1e-8 relative to the size of the terms); a point
    where the expression cannot be evaluated in floats proves nothing either way.
    """
    free = sorted(expr.free_symbols, key=lambda s: s.name)
    parts = [expr, *sp.Add.make_args(expr)]
    try:
        function = sp.lambdify(free, parts, modules="math")
    except (TypeError, ValueError, NameError, SyntaxError):
        return False, {}
    rng = random.Random(7)
    for _ in range(2):
        point = {s: _sample(s, context, rng) for s in free}
        try:
            value, *terms = (complex(v) for v in function(*(float(p) for p in point.values())))
        except (ArithmeticError, TypeError, ValueError, NameError):
            continue
        scale = max((abs(t) for t in terms), default=0.0)
        if value != value or abs(value) > 1e-8 * (1 + scale):
            return True, _readable(point)
    return False, {}


def _sample(symbol: sp.Symbol, context: Context, rng: random.Random) -> sp.Rational:
    if symbol in context.unit_interval:
        return sp.Rational(rng.randint(1, 999), 1000)
    return sp.Rational(rng.randint(-2000, 2000), 1000)


def _readable(point: dict) -> dict:
    return {str(k): str(v) for k, v in point.items()}
