"""Moves on sums and products: signs, distribution, like terms, substitution."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from itertools import product

import sympy as sp

from chainrule.symbolic.core.trees import (
    add,
    evaluate,
    group,
    mul,
    neg,
    replace,
    strip,
    terms,
)
from chainrule.symbolic.moves.protocol import MoveDoesNotApply

__all__ = [
    "is_negated_sum",
    "cancel_opposite_terms",
    "cancel_signs",
    "compose",
    "distribute_minus",
    "drop_factor_one",
    "expand_products",
    "factor_minus",
    "factor_out",
    "keep_constant_as_written",
    "multiply_out",
    "pull_term_out",
    "substitute",
]

Move = Callable[..., sp.Expr]


def compose(*moves: Move) -> Move:
    """Several moves made as one line, in order."""

    def composed(expr: sp.Expr) -> sp.Expr:
        for move in moves:
            expr = move(expr)
        return expr

    composed.move_id = "+".join(getattr(m, "move_id", m.__name__) for m in moves)  # type: ignore[attr-defined]
    return composed


def is_negated_sum(node: sp.Expr) -> bool:
    return (
        isinstance(node, sp.Mul)
        and len(node.args) == 2
        and node.args[0] == -1
        and isinstance(strip(node.args[1]), sp.Add)
    )


def distribute_minus(expr: sp.Expr) -> sp.Expr:
    """-(p + q) = -p - q  (the outermost negated sum)."""

    def rule(node):
        if is_negated_sum(node):
            return add(*(-t for t in terms(node.args[1])))
        return None

    return replace(expr, rule)


def multiply_out(expr: sp.Expr) -> sp.Expr:
    """Carry out the products and signs written out: -c · 1/u · (-1) = c/u."""
    return evaluate(expr)


def drop_factor_one(expr: sp.Expr) -> sp.Expr:
    """u · 1 = u: the factors 1 of a product dropped, the others as they were written."""
    factors = [f for f in sp.Mul.make_args(strip(expr)) if f != 1]
    if len(factors) == len(sp.Mul.make_args(strip(expr))):
        raise MoveDoesNotApply(f"no factor 1 in {expr}")
    return strip(mul(*factors)) if factors else sp.S.One


def keep_constant_as_written(expr: sp.Expr, term: sp.Expr, variable: sp.Symbol) -> sp.Expr:
    """c · f' with the constant c shown as the term wrote it: -(1-y), not y - 1."""
    written = [f for f in sp.Mul.make_args(term) if not f.has(variable)]
    constant = mul(*written) if written else sp.S.One
    factors = [constant if f == evaluate(constant) else f for f in sp.Mul.make_args(expr)]
    if len(written) > 1 and constant in factors:
        factors.remove(constant)
        factors.insert(0, constant)
    return mul(*factors)


def cancel_signs(expr: sp.Expr) -> sp.Expr:
    """(-p) · q · (-1) = p · q: minus signs cancel in pairs, then the product is carried out."""
    sign, kept = 1, []
    for factor in sp.Mul.make_args(expr):
        if factor == -1:
            sign = -sign
        elif _is_negation(factor):
            sign, factor = -sign, factor.args[1]
        kept.append(factor) if factor != -1 else None
    product_ = evaluate(sp.Mul(*kept))
    return product_ if sign > 0 else -product_


def _is_negation(node: sp.Expr) -> bool:
    return isinstance(node, sp.Mul) and len(node.args) == 2 and node.args[0] == -1


def expand_products(expr: sp.Expr) -> sp.Expr:
    """c(p + q) = cp + cq  for every product, keeping every term (nothing collected)."""
    inner = strip(expr.args[1]) if is_negated_sum(expr) else expr
    expanded = add(*(m for t in terms(inner) for m in _monomials(t)))
    return neg(expanded) if inner is not expr else expanded


def _monomials(term: sp.Expr) -> list[sp.Expr]:
    factors = [terms(f) for f in sp.Mul.make_args(term)]
    return [sp.Mul(*choice) for choice in product(*factors)]


def cancel_opposite_terms(expr: sp.Expr) -> sp.Expr:
    """… + t + … - t = …  (pairs of opposite terms dropped, the rest kept in order)."""
    inner = strip(expr.args[1]) if is_negated_sum(expr) else expr
    kept = list(terms(inner))
    for i, t in enumerate(kept):
        for j in range(i + 1, len(kept)):
            if t is not None and kept[j] is not None and sp.expand(t + kept[j]) == 0:
                kept[i] = kept[j] = None
                break
    remaining = [t for t in kept if t is not None]
    result = add(*remaining) if remaining else sp.S.Zero
    return neg(result) if inner is not expr else evaluate(result)


def pull_term_out(expr: sp.Expr, term: sp.Expr) -> sp.Expr:
    """-(t + r) = -t + (-r)  with -r written as one group."""
    if not is_negated_sum(expr):
        raise MoveDoesNotApply(f"expected -( ... ), got {expr}")
    rest = [t for t in terms(expr.args[1]) if t != term]
    if len(rest) == len(terms(expr.args[1])):
        raise MoveDoesNotApply(f"{term} is not a term of {expr}")
    return add(-term, group(add(*(-t for t in rest))))


def factor_minus(expr: sp.Expr) -> sp.Expr:
    """-p + q = -(p - q)."""
    return neg(add(*(-t for t in terms(expr))))


def factor_out(expr: sp.Expr, factor: sp.Expr) -> sp.Expr:
    """c·p + c·q = c(p + q)."""
    inside = add(*(sp.cancel(t / factor) for t in terms(evaluate(expr))))
    return mul(factor, group(evaluate(inside)))


def substitute(expr: sp.Expr, mapping: Mapping[sp.Expr, sp.Expr]) -> sp.Expr:
    """Put known results in place of what they name (dL/da = -y/a + ...); a product named
    in ``mapping`` is found among the factors of a longer product too."""
    return replace(expr, lambda node: _lookup(mapping, node))


def _lookup(mapping: Mapping[sp.Expr, sp.Expr], node: sp.Expr) -> sp.Expr | None:
    found = mapping.get(node)
    if found is None and isinstance(node, sp.Mul):
        found = _lookup_factors(mapping, node)
    return None if found is None else group(found) if isinstance(found, sp.Add) else found


def _lookup_factors(mapping: Mapping[sp.Expr, sp.Expr], node: sp.Mul) -> sp.Expr | None:
    factors = list(node.args)
    for key, value in mapping.items():
        wanted = list(sp.Mul.make_args(key))
        if len(wanted) < 2 or any(factors.count(f) < wanted.count(f) for f in set(wanted)):
            continue
        rest = list(factors)
        for f in wanted:
            rest.remove(f)
        return sp.Mul(*rest) * (group(value) if isinstance(value, sp.Add) else value)
    return None
