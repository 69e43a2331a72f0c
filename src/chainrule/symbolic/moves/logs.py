"""Moves on logarithms, exponentials and σ: log rules, recognising σ and definitions."""

from __future__ import annotations

import sympy as sp

from chainrule.symbolic.core.symbols import sigma
from chainrule.symbolic.core.trees import (
    add,
    evaluate,
    group,
    mul,
    neg,
    replace,
    terms,
)
from chainrule.symbolic.moves.sums import is_negated_sum

__all__ = [
    "differentiate_terms",
    "fold_definition",
    "fold_sigma",
    "log_of_exp",
    "log_of_quotient",
    "log_of_reciprocal",
    "multiply_exponentials",
    "sum_of_logs",
    "write_as_log_exp",
]


def fold_sigma(expr: sp.Expr) -> sp.Expr:
    """1/(1 + e^(-u)) = e^u/(1 + e^u) = σ(u)."""

    def rule(node):
        if isinstance(node, sp.Mul):
            return _fold_sigma_factors(node)
        u = _logistic_argument(evaluate(node))
        return None if u is None else sigma(u)

    return replace(expr, rule)


def _fold_sigma_factors(node: sp.Mul) -> sp.Expr | None:
    """c · e^u · 1/(1 + e^u) = c σ(u), for a product holding both factors."""
    u = _logistic_argument(evaluate(node))
    if u is not None:
        return sigma(u)
    factors = list(node.args)
    for f in factors:
        reciprocal = sp.Pow(1 + f, -1) if isinstance(f, sp.exp) else None
        if reciprocal is not None and reciprocal in factors:
            rest = [g for g in factors if g is not f and g != reciprocal]
            return sp.Mul(*rest) * sigma(f.args[0])
    return None


def _logistic_argument(expr: sp.Expr) -> sp.Expr | None:
    """u when ``expr`` is 1/(1 + e^(-u)) or e^u/(1 + e^u)."""
    numerator, denominator = sp.fraction(expr, exact=True)
    parts = sp.Add.make_args(denominator)
    if len(parts) != 2 or sp.S.One not in parts:
        return None
    other = parts[0] if parts[1] == 1 else parts[1]
    if not isinstance(other, sp.exp):
        return None
    if numerator == 1:
        return -other.args[0]
    return other.args[0] if numerator == other else None


def fold_definition(expr: sp.Expr, symbol: sp.Symbol, definition: sp.Expr) -> sp.Expr:
    """f(u) = s  where s = f(u) is given (σ(z) = a)."""
    target = evaluate(definition)
    return replace(expr, lambda node: symbol if evaluate(node) == target else None)


def write_as_log_exp(expr: sp.Expr, symbol: sp.Symbol) -> sp.Expr:
    """u = ln e^u  for a lone term u inside a group."""

    def rule(node):
        if isinstance(node, sp.UnevaluatedExpr):
            inner = [
                sp.log(sp.exp(symbol), evaluate=False) if t == symbol else t for t in terms(node)
            ]
            return group(add(*inner))
        return None

    return replace(expr, rule)


def sum_of_logs(expr: sp.Expr) -> sp.Expr:
    """ln p + ln q = ln(pq)."""

    def rule(node):
        inner = terms(node) if isinstance(node, sp.UnevaluatedExpr) else ()
        if len(inner) == 2 and all(isinstance(t, sp.log) for t in inner):
            return sp.log(mul(inner[0].args[0], inner[1].args[0]), evaluate=False)
        return None

    return replace(expr, rule)


def multiply_exponentials(expr: sp.Expr) -> sp.Expr:
    """e^p (1 + e^q) = e^p + e^(p+q)."""

    def rule(node):
        if isinstance(node, sp.Mul) and len(node.args) == 2 and isinstance(node.args[0], sp.exp):
            p = node.args[0].args[0]
            return add(*(_times_exp(p, t) for t in terms(node.args[1])))
        return None

    return replace(expr, rule)


def _times_exp(p: sp.Expr, term: sp.Expr) -> sp.Expr:
    if term == 1:
        return sp.exp(p)
    if isinstance(term, sp.exp):
        return sp.exp(add(p, term.args[0]), evaluate=False)
    return mul(sp.exp(p), term)


def log_of_reciprocal(expr: sp.Expr) -> sp.Expr:
    """ln(1/u) = -ln u."""

    def rule(node):
        if isinstance(node, sp.log):
            numerator, denominator = sp.fraction(evaluate(node.args[0]), exact=True)
            if numerator == 1 and denominator != 1:
                return -sp.log(denominator)
        return None

    return replace(expr, rule)


def log_of_quotient(expr: sp.Expr) -> sp.Expr:
    """ln(p/q) = ln p - ln q."""

    def rule(node):
        if isinstance(node, sp.log):
            numerator, denominator = sp.fraction(evaluate(node.args[0]), exact=True)
            if denominator != 1:
                return add(sp.log(numerator, evaluate=False), -sp.log(denominator))
        return None

    return replace(expr, rule)


def log_of_exp(expr: sp.Expr) -> sp.Expr:
    """ln e^u = u."""
    return evaluate(replace(expr, lambda n: n.args[0].args[0] if _is_log_exp(n) else None))


def _is_log_exp(node: sp.Expr) -> bool:
    return isinstance(node, sp.log) and isinstance(node.args[0], sp.exp)


def differentiate_terms(
    expr: sp.Expr, variable: sp.Symbol, inner: sp.Symbol | None = None, inner_derivative=1
) -> sp.Expr:
    """d/dv -(p + q) = -(dp/dv + dq/dv); through u when given: dp/dv = dp/du · du/dv."""
    by = inner if inner is not None else variable

    def derivative(term: sp.Expr) -> sp.Expr:
        return sp.expand(sp.diff(evaluate(term), by) * inner_derivative, deep=False, mul=True)

    if is_negated_sum(expr):
        return neg(add(*(derivative(t) for t in terms(expr.args[1]))))
    return add(*(derivative(t) for t in terms(expr)))
