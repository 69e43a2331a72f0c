"""Moves that recognise a given quantity inside an expression: a = g(z), z = w x + b, e^a.

:func:`recognise` finds g(z) wherever it stands, also as part of a sum, a product or a
reciprocal, and branch by branch in a piecewise expression; :func:`replace_subexpression` puts
one side of a given identity in place of the other. Both are moves of
the pair derivations (:mod:`chainrule.symbolic.derivations.pair`).
"""

from __future__ import annotations

import sympy as sp

from chainrule.symbolic.core.trees import evaluate, mul, replace
from chainrule.symbolic.moves.protocol import MoveDoesNotApply

__all__ = ["recognise", "replace_subexpression"]


def recognise(expr: sp.Expr, symbol: sp.Symbol, definition: sp.Expr) -> sp.Expr:
    """g(u) = s wherever g(u) stands where s = g(u) is given: a whole node, part of a sum
    (e^z - 1 - y = a - y), part of a product, also a multiple or reciprocal of it
    (z(1 + t) = 2a when a = z(1 + t)/2; 1/(z t) = 1/a), branch by branch for a piecewise g."""
    if isinstance(definition, sp.Piecewise):
        return _recognise_in_branches(expr, symbol, definition)
    return _recognise_in(expr, symbol, evaluate(definition))


def _recognise_in(expr: sp.Expr, symbol: sp.Symbol, target: sp.Expr) -> sp.Expr:
    def rule(node):
        plain = evaluate(node)
        if plain == target:
            return symbol
        if isinstance(plain, sp.Add) and isinstance(target, sp.Add):
            for scale in _scales(plain, target):
                rest = _without(list(plain.args), [scale * t for t in target.args])
                if rest is not None:
                    inner = (replace(t, rule) for t in rest)
                    return sp.Add(scale * symbol, *inner, evaluate=False)
        if isinstance(plain, sp.Mul) and isinstance(target, sp.Mul):
            return _recognise_product(plain, symbol, target, rule)
        return None

    return replace(expr, rule)


def _scales(plain: sp.Add, target: sp.Add) -> list[sp.Expr]:
    """The numbers k for which k·target's first term is a term of ``plain``."""
    first = target.args[0]
    ratios = (term / first for term in plain.args)
    return list(dict.fromkeys(k for k in ratios if k.is_number and k != 0))


def _recognise_product(plain: sp.Mul, symbol: sp.Symbol, target: sp.Mul, rule):
    c, core = target.as_coeff_Mul()
    d, rest_of_node = plain.as_coeff_Mul()
    for power in (1, -1):
        wanted = [sp.Pow(f, power) for f in sp.Mul.make_args(core)]
        rest = _without(list(sp.Mul.make_args(rest_of_node)), wanted)
        if rest is not None:
            coefficient = d / c**power
            factors = [replace(f, rule) for f in rest]
            kept = [f for f in (coefficient, *factors) if f != 1]
            return mul(*kept, sp.Pow(symbol, power)) if kept else sp.Pow(symbol, power)
    return None


def _without(items: list, wanted: list) -> list | None:
    """``items`` less one copy of each of ``wanted``, or None when one is missing."""
    rest = list(items)
    for item in wanted:
        if item not in rest:
            return None
        rest.remove(item)
    return rest


def _recognise_in_branches(expr: sp.Expr, symbol: sp.Symbol, definition: sp.Piecewise):
    pieces = {c: evaluate(f) for f, c in definition.args}

    def rule(node):
        if not isinstance(node, sp.Piecewise):
            return None
        branches = []
        for value, condition in node.args:
            target = pieces.get(condition)
            if target is not None:
                value = _recognise_in(value, symbol, target)
            branches.append((value, condition))
        return sp.Piecewise(*branches, evaluate=False)

    return replace(expr, rule)


def replace_subexpression(expr: sp.Expr, old: sp.Expr, new: sp.Expr) -> sp.Expr:
    """… u … = … v …  where u = v follows from a given (e^z = a + 1 when a = e^z - 1)."""
    target = evaluate(old)
    result = replace(expr, lambda node: new if evaluate(node) == target else None)
    if result == expr:
        raise MoveDoesNotApply(f"{old} does not occur in {expr}")
    return result
