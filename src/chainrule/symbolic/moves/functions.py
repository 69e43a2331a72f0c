"""Moves on named functions: sinh(u)/cosh(u) = tanh(u), sign(-u) = -sign(u)."""

from __future__ import annotations

import sympy as sp

from chainrule.symbolic.core.trees import evaluate, replace
from chainrule.symbolic.moves.protocol import MoveDoesNotApply

__all__ = [
    "sign_of_negative",
    "sinh_over_cosh",
]


def sinh_over_cosh(expr: sp.Expr) -> sp.Expr:
    """sinh(u)/cosh(u) = tanh(u)  (the other factors of the product kept as they stand)."""

    def rule(node):
        if not isinstance(node, sp.Mul):
            return None
        factors = list(sp.Mul.make_args(node))
        for f in factors:
            below = next((g for g in factors if isinstance(f, sp.sinh) and _is_cosh_of(g, f)), None)
            if below is not None:
                rest = [g for g in factors if g is not f and g is not below]
                return sp.Mul(*rest) * sp.tanh(f.args[0])
        return None

    result = replace(expr, rule)
    if result == expr:
        raise MoveDoesNotApply(f"no sinh(u)/cosh(u) in {expr}")
    return result


def _is_cosh_of(factor: sp.Expr, sinh: sp.sinh) -> bool:
    """Whether ``factor`` is 1/cosh(u) for the u of ``sinh`` = sinh(u)."""
    return (
        isinstance(factor, sp.Pow)
        and factor.exp == -1
        and isinstance(factor.base, sp.cosh)
        and factor.base.args[0] == sinh.args[0]
    )


def sign_of_negative(expr: sp.Expr) -> sp.Expr:
    """sign(-u) = -sign(u)  (sign(y - a) = -sign(a - y))."""

    def rule(node):
        if isinstance(node, sp.sign) and node.args[0].could_extract_minus_sign():
            return -sp.sign(-node.args[0])
        return None

    result = replace(evaluate(expr), rule)
    if result == evaluate(expr):
        raise MoveDoesNotApply(f"no sign of a negated argument in {expr}")
    return evaluate(result)
