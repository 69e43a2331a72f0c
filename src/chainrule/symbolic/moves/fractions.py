"""Moves on fractions: powers, splitting, common denominators, cancelling."""

from __future__ import annotations

import sympy as sp

from chainrule.symbolic.core.trees import (
    add,
    evaluate,
    frac,
    group,
    mul,
    replace,
    strip,
    terms,
)
from chainrule.symbolic.moves.protocol import MoveDoesNotApply

__all__ = [
    "add_and_subtract",
    "as_one_fraction",
    "as_power",
    "cancel_whole_denominator",
    "combine_fractions",
    "common_denominator",
    "divide_through",
    "evaluate_factor",
    "split_fraction",
    "split_square_denominator",
]


def as_power(expr: sp.Expr) -> sp.Expr:
    """1/uⁿ = u^(-n)."""

    def rule(node):
        if isinstance(node, sp.Mul) and len(node.args) == 2 and node.args[0] == 1:
            return rule(node.args[1])
        if isinstance(node, sp.Pow) and node.exp.is_Integer and node.exp < 0:
            return sp.Pow(node.base, sp.UnevaluatedExpr(node.exp), evaluate=False)
        return None

    return replace(expr, rule)


def split_square_denominator(expr: sp.Expr) -> sp.Expr:
    """n/u² = 1/u · n/u."""
    numerator, denominator = sp.fraction(evaluate(expr), exact=True)
    base = denominator.base if isinstance(denominator, sp.Pow) else None
    if base is None or denominator.exp != 2:
        raise MoveDoesNotApply(f"expected a fraction over a square, got {expr}")
    return mul(group(frac(sp.S.One, base)), group(frac(numerator, base)))


def _factor_at(expr: sp.Expr, index: int) -> sp.Expr:
    return strip(sp.Mul.make_args(expr)[index])


def _with_factor(expr: sp.Expr, index: int, new: sp.Expr) -> sp.Expr:
    factors = list(sp.Mul.make_args(expr))
    factors[index] = group(new)
    return mul(*factors)


def add_and_subtract(expr: sp.Expr, amount: sp.Expr, factor: int) -> sp.Expr:
    """n/d = (c + n - c)/d  in the numerator of the given factor."""
    numerator, denominator = sp.fraction(_factor_at(expr, factor), exact=True)
    new = frac(add(amount, numerator, -amount), denominator)
    return _with_factor(expr, factor, new)


def split_fraction(expr: sp.Expr, factor: int) -> sp.Expr:
    """(p + t)/d = p/d + t/d, splitting off the last term of the numerator."""
    numerator, denominator = sp.fraction(_factor_at(expr, factor), exact=True)
    *rest, last = terms(numerator)
    new = add(frac(add(*rest), denominator), frac(last, denominator))
    return _with_factor(expr, factor, new)


def evaluate_factor(expr: sp.Expr, factor: int) -> sp.Expr:
    """d/d = 1 (and any other arithmetic) inside one factor, the others untouched."""
    return _with_factor(expr, factor, evaluate(_factor_at(expr, factor)))


def common_denominator(expr: sp.Expr) -> sp.Expr:
    """n₁/d₁ + n₂/d₂ = n₁d₂/(d₁d₂) + n₂d₁/(d₁d₂)  in the first sum of fractions."""

    def rule(node):
        if not isinstance(node, sp.Add):
            return None
        parts = [sp.fraction(evaluate(t), exact=True) for t in node.args]
        denominators = [d for _, d in parts]
        if len(set(denominators)) < 2:
            return None
        common = sp.Mul(*denominators)
        new = [frac(sp.Mul(n, sp.cancel(common / d)), common) for n, d in parts]
        return add(*new)

    return replace(expr, rule)


def as_one_fraction(expr: sp.Expr) -> sp.Expr:
    """p - n/d = (p·d - n)/d  for a sum of a whole term and one fraction."""

    def rule(node):
        if not isinstance(node, sp.Add) or len(node.args) != 2:
            return None
        whole, part = sorted(node.args, key=lambda t: sp.fraction(t, exact=True)[1] != 1)
        numerator, denominator = sp.fraction(part, exact=True)
        if denominator == 1 or sp.fraction(whole, exact=True)[1] != 1:
            return None
        return frac(sp.expand(whole * denominator + numerator), denominator)

    return replace(expr, rule)


def combine_fractions(expr: sp.Expr) -> sp.Expr:
    """n₁/d + n₂/d = (n₁ + n₂)/d."""

    def rule(node):
        if not isinstance(node, sp.Add):
            return None
        parts = [sp.fraction(t, exact=True) for t in node.args]
        denominators = {d for _, d in parts}
        if len(denominators) != 1 or denominators == {1}:
            return None
        return frac(add(*(n for n, _ in parts)), denominators.pop())

    return replace(expr, rule)


def cancel_whole_denominator(expr: sp.Expr) -> sp.Expr:
    """(n/d) · d = n."""
    factors = [strip(f) for f in sp.Mul.make_args(expr)]
    for i, f in enumerate(factors):
        numerator, denominator = sp.fraction(f, exact=True)
        others = factors[:i] + factors[i + 1 :]
        if denominator != 1 and evaluate(sp.Mul(*others)) == evaluate(denominator):
            return numerator
    raise MoveDoesNotApply(f"no factor cancels a denominator in {expr}")


def divide_through(expr: sp.Expr, divisor: sp.Expr) -> sp.Expr:
    """n/d = (n/c)/(d/c)."""
    numerator, denominator = sp.fraction(evaluate(expr), exact=True)
    return frac(sp.expand(numerator / divisor), sp.expand(denominator / divisor))
