"""Moves on named functions: sinh(u)/cosh(u) = tanh(u), sign(-u) = -sign(u), sin²u + cos²u = 1."""

from __future__ import annotations

import sympy as sp

from chainrule.symbolic.core.trees import evaluate, replace
from chainrule.symbolic.moves.protocol import MoveDoesNotApply

__all__ = [
    "pythagorean_identity",
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


def pythagorean_identity(expr: sp.Expr) -> sp.Expr:
    """sin²u + cos²u = 1, the Pythagorean identity (c sin²u + c cos²u = c, the other terms
    of the sum kept)."""

    def rule(node):
        if not isinstance(node, sp.Add):
            return None
        terms = list(sp.Add.make_args(evaluate(node)))
        for term in terms:
            coefficient, square = term.as_coeff_Mul()
            u = _argument_of_square(square, sp.sin)
            partner = coefficient * sp.cos(u) ** 2 if u is not None else None
            if partner is not None and partner in terms:
                rest = [t for t in terms if t is not term and t is not partner]
                return sp.Add(coefficient, *rest)
        return None

    result = replace(expr, rule)
    if result == expr:
        raise MoveDoesNotApply(f"no sin(u)² + cos(u)² in {expr}")
    return result


def _argument_of_square(factor: sp.Expr, function: type[sp.Function]) -> sp.Expr | None:
    """u when ``factor`` is function(u)², else None."""
    if not (isinstance(factor, sp.Pow) and factor.exp == 2):
        return None
    base = factor.base
    return base.args[0] if isinstance(base, function) else None
