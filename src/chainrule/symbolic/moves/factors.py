"""Moves that factor, collect and cancel: common factors out, a polynomial factor split so that it
cancels a denominator, sums of fractions as one, fractions cancelled or split term by term.

Each move is one rewrite whose docstring states its identity; none calls ``sympy.simplify``.
"""

from __future__ import annotations

import sympy as sp

from chainrule.symbolic.core.trees import evaluate, frac, group, mul, replace, strip
from chainrule.symbolic.moves.protocol import MoveDoesNotApply, polynomial_algebra

__all__ = [
    "cancel_factor",
    "cancel_fraction",
    "collect_in",
    "common_factor_out",
    "expand_first_numerator",
    "factor_first",
    "factor_out_of_branches",
    "factor_polynomial",
    "sum_as_one_fraction",
    "split_polynomial_factor",
    "split_terms",
]


def split_terms(expr: sp.Expr) -> sp.Expr:
    """(p - q)/d · r = (p/d - q/d) · r, each term simplified (e^a/e^a = 1, 1/e^a = e^(-a))."""
    numerator, denominator = sp.fraction(evaluate(expr))
    if denominator == 1:
        raise MoveDoesNotApply(f"expected a fraction, got {expr}")
    factors = list(sp.Mul.make_args(numerator))
    for i, factor in enumerate(factors):
        if isinstance(factor, sp.Add) and factor.has(denominator):
            split = sp.Add(*(t / denominator for t in factor.args))
            return sp.Mul(*factors[:i], split, *factors[i + 1 :])
    raise MoveDoesNotApply(f"no sum in the numerator of {expr} shares its denominator")


def expand_first_numerator(expr: sp.Expr) -> sp.Expr:
    """((p + q)r + s)/d · f = (pr + qr + s)/d · f: the numerator of the fraction multiplied
    out and its like terms merged, everything else kept."""
    done: list[bool] = []

    def rule(node):
        if done or not _is_fraction(node):
            return None
        numerator, denominator = sp.fraction(strip(node), exact=True)
        expanded = sp.expand(evaluate(numerator))
        if expanded == evaluate(numerator) and not numerator.has(sp.UnevaluatedExpr):
            return None
        done.append(True)
        return frac(expanded, denominator)

    result = replace(expr, rule)
    if not done:
        raise MoveDoesNotApply(f"no fraction with a numerator to expand in {expr}")
    return result


def _is_fraction(node: sp.Expr) -> bool:
    inner = strip(node)
    if not isinstance(inner, sp.Mul):
        return False
    numerator, denominator = sp.fraction(inner, exact=True)
    return denominator != 1 and isinstance(evaluate(numerator), sp.Add)


def _fraction_and_others(expr: sp.Expr) -> tuple[sp.Expr, sp.Expr, list[sp.Expr]]:
    """(numerator, denominator, other factors) of n/d · f₁ · f₂ …"""
    factors = list(sp.Mul.make_args(expr))
    for i, factor in enumerate(factors):
        numerator, denominator = sp.fraction(strip(factor), exact=True)
        if denominator != 1:
            return numerator, denominator, factors[:i] + factors[i + 1 :]
    raise MoveDoesNotApply(f"expected a product with a fraction, got {expr}")


def split_polynomial_factor(expr: sp.Expr, variable: sp.Symbol) -> sp.Expr:
    """n/(d₁ d₂) · (d₁ q) = n/(d₁ d₂) · d₁ · q: a factor that a denominator factor divides is
    written as that factor times the quotient (1 - a² = (1 - a)(1 + a))."""
    numerator, denominator, others = _fraction_and_others(expr)
    below = [strip(d) for d in sp.Mul.make_args(evaluate(denominator))]
    for k, other in enumerate(others):
        plain = evaluate(strip(other))
        if not plain.is_polynomial(variable) or sp.degree(plain, variable) < 2:
            continue
        for d in below:
            if not d.has(variable):
                continue
            quotient, remainder = sp.div(plain, d, variable)
            if remainder == 0:
                split = mul(group(d), group(sp.expand(quotient)))
                rest = others[:k] + [split] + others[k + 1 :]
                return mul(frac(numerator, denominator), *rest)
    raise MoveDoesNotApply(f"no factor of {expr} is divisible by a factor of its denominator")


def cancel_factor(expr: sp.Expr) -> sp.Expr:
    """n/(d c) · c · f = n/d · f: a factor of the denominator cancels the same factor outside."""
    numerator, denominator, others = _fraction_and_others(expr)
    below = list(sp.Mul.make_args(evaluate(denominator)))
    outside = [f for other in others for f in _flat_factors(other)]
    for factor in below:
        matches = [o for o in outside if evaluate(strip(o)) == factor]
        if matches:
            outside.remove(matches[0])
            below.remove(factor)
            kept = [f for f in outside if evaluate(strip(f)) != 1]
            top = mul(numerator, *kept) if kept else numerator
            rest = sp.Mul(*below)
            return top if rest == 1 else frac(top, rest)
    raise MoveDoesNotApply(f"no factor cancels a denominator factor in {expr}")


def _flat_factors(expr: sp.Expr) -> list[sp.Expr]:
    inner = strip(expr)
    if isinstance(inner, sp.Mul):
        return [f for arg in inner.args for f in _flat_factors(arg)]
    return [expr]


def _no_fractions(expr: sp.Add) -> bool:
    return all(sp.fraction(t)[1] == 1 for t in expr.args)


def collect_in(expr: sp.Expr, term: sp.Expr) -> sp.Expr:
    """p t + q t + r = (p + q) t + r  in each sum holding t: multiplied out, collected in t."""

    def rule(node):
        plain = evaluate(node)
        if isinstance(plain, sp.Add) and plain.has(term) and _no_fractions(plain):
            return sp.collect(sp.expand(plain), term)
        return None

    collected = replace(expr, rule)
    if evaluate(collected) == evaluate(expr):
        raise MoveDoesNotApply(f"nothing to collect in {term} in {expr}")
    return collected


def factor_first(expr: sp.Expr, factor: sp.Expr) -> sp.Expr:
    """p · c · q = c · (p q): the factor c written first, the others as they were written
    (dw = x · dz)."""
    written = list(sp.Mul.make_args(strip(expr)))
    found = next((f for f in written if evaluate(strip(f)) == factor), None)
    if found is None:
        raise MoveDoesNotApply(f"{factor} is not a factor of {expr}")
    written.remove(found)
    rest = strip(mul(*written)) if written else sp.S.One
    return mul(factor, group(rest) if isinstance(rest, sp.Add) else rest)


def common_factor_out(expr: sp.Expr) -> sp.Expr:
    """c p + c q = c (p + q), numbers too: (2a - 2y)/2 = a - y."""
    return sp.factor_terms(evaluate(expr))


def sum_as_one_fraction(expr: sp.Expr) -> sp.Expr:
    """p/q + r/s = (p s + r q)/(q s)."""
    plain = evaluate(expr)
    if not isinstance(plain, sp.Add) or all(sp.fraction(t)[1] == 1 for t in plain.args):
        raise MoveDoesNotApply(f"expected a sum of fractions, got {expr}")
    return sp.together(plain)


def cancel_fraction(expr: sp.Expr) -> sp.Expr:
    """p c/(q c) = p/q: the factors common to numerator and denominator cancelled (the
    numerator and denominator multiplied out)."""
    plain = evaluate(expr)
    if sp.fraction(plain)[1] == 1:
        raise MoveDoesNotApply(f"expected a fraction, got {expr}")
    with polynomial_algebra():
        return sp.cancel(plain)


def factor_polynomial(expr: sp.Expr) -> sp.Expr:
    """a² - a y + a - y = (a + 1)(a - y): numerator and denominator factored."""
    with polynomial_algebra():
        return sp.factor(evaluate(expr))


def _positive(factor: sp.Expr) -> sp.Expr:
    """``factor`` or its negative, whichever does not start with a minus sign."""
    return -factor if factor.could_extract_minus_sign() else factor


def factor_out_of_branches(expr: sp.Expr) -> sp.Expr:
    """{c p if P; c q otherwise} = c {p if P; q otherwise}: a factor common to every branch."""

    def rule(node):
        if not isinstance(node, sp.Piecewise):
            return None
        values = [evaluate(v) for v, _ in node.args]
        common = values[0]
        for value in values[1:]:
            common = sp.gcd(common, value)
        common = sp.Mul(*(_positive(f) for f in sp.Mul.make_args(sp.factor_terms(common))))
        if common.is_number:
            return None
        inner = sp.Piecewise(
            *(
                (sp.factor(sp.cancel(v / common)), c)
                for v, (_, c) in zip(values, node.args, strict=True)
            ),
            evaluate=False,
        )
        return mul(common, inner)

    with polynomial_algebra():
        result = replace(evaluate(expr), rule)
    if result == evaluate(expr):
        raise MoveDoesNotApply(f"no factor common to the branches of {expr}")
    return result
