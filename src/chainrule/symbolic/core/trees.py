"""Building and rewriting SymPy expressions without letting SymPy tidy them up.

A derivation shows forms that SymPy would otherwise rewrite at once: ``-(p + q)`` before the
minus sign is distributed, ``1/u · v/u`` before the fractions are merged. These helpers build
such forms (``evaluate=False``; ``UnevaluatedExpr`` where a group must keep its parentheses)
and rewrite parts of an expression while leaving the rest exactly as it stood.
"""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp

__all__ = [
    "add",
    "evaluate",
    "frac",
    "group",
    "mul",
    "neg",
    "rebuild",
    "replace",
    "strip",
    "terms",
]


def add(*args: sp.Expr) -> sp.Expr:
    """``args[0] + args[1] + ...`` in this order, nothing combined."""
    return args[0] if len(args) == 1 else sp.Add(*args, evaluate=False)


def mul(*args: sp.Expr) -> sp.Expr:
    """``args[0] · args[1] · ...`` in this order, nothing merged."""
    return args[0] if len(args) == 1 else sp.Mul(*args, evaluate=False)


def neg(expr: sp.Expr) -> sp.Expr:
    """``-(expr)`` with the minus sign kept outside."""
    return sp.Mul(sp.S.NegativeOne, expr, evaluate=False)


def frac(numerator: sp.Expr, denominator: sp.Expr) -> sp.Expr:
    """``numerator / denominator`` kept as one fraction."""
    return sp.Mul(numerator, sp.Pow(denominator, -1, evaluate=False), evaluate=False)


def group(expr: sp.Expr) -> sp.Expr:
    """``(expr)``: a sum that keeps its parentheses inside another sum."""
    return expr if isinstance(expr, sp.UnevaluatedExpr) else sp.UnevaluatedExpr(expr)


def strip(expr: sp.Expr) -> sp.Expr:
    """``expr`` without an outer group."""
    return expr.args[0] if isinstance(expr, sp.UnevaluatedExpr) else expr


def terms(expr: sp.Expr) -> tuple[sp.Expr, ...]:
    """The terms of a sum in their stored order (a non-sum is one term)."""
    expr = strip(expr)
    return tuple(expr.args) if isinstance(expr, sp.Add) else (expr,)


def rebuild(node: sp.Expr, args: tuple) -> sp.Expr:
    """``node`` with new ``args``, built without evaluation."""
    if isinstance(node, sp.UnevaluatedExpr):
        return sp.UnevaluatedExpr(args[0])
    if isinstance(node, (sp.Add, sp.Mul, sp.Pow)) or isinstance(node, sp.Function):
        try:
            return node.func(*args, evaluate=False)
        except TypeError:
            return node.func(*args)
    return node.func(*args)


def replace(expr: sp.Expr, rule: Callable[[sp.Expr], sp.Expr | None]) -> sp.Expr:
    """Rewrite ``expr`` top-down: where ``rule(node)`` returns an expression it takes the
    node's place (and is not visited again); every other node keeps its form."""
    new = rule(expr)
    if new is not None:
        return new
    if not expr.args or isinstance(expr, sp.Derivative):
        return expr
    args = tuple(replace(arg, rule) for arg in expr.args)
    if all(new is old for new, old in zip(args, expr.args, strict=True)):
        return expr
    return rebuild(expr, args)


def evaluate(expr: sp.Expr) -> sp.Expr:
    """``expr`` with every kept form released: groups dropped, SymPy's own evaluation applied
    (numbers multiplied, like terms merged), derivatives left untaken."""
    if not expr.args or isinstance(expr, sp.Derivative):
        return expr
    args = tuple(evaluate(arg) for arg in expr.args)
    if isinstance(expr, sp.UnevaluatedExpr):
        return args[0]
    return expr.func(*args)
