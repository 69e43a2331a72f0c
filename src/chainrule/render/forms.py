"""How a stored expression reads: the decisions behind :mod:`chainrule.render.structure`.

These predicates look only at an expression's stored tree (``UnevaluatedExpr`` wrappers seen
through) and decide, for example, whether a product reads as one fraction or as a chain of
factors, or where a visible multiplication dot is needed.
"""

from __future__ import annotations

import sympy as sp
from sympy.core.function import AppliedUndef

__all__ = [
    "is_flat_product",
    "is_fraction_factor",
    "is_fraction_of_sum",
    "is_numerator_over_denominator",
    "is_prime_form",
    "is_reciprocal",
    "negated",
    "reads_as_one_fraction",
    "separator",
    "shows_dot",
    "shows_fraction",
    "starts_negative",
    "unwrap",
]


def unwrap(expr: sp.Basic) -> sp.Basic:
    """Strip ``UnevaluatedExpr`` wrappers: they decide structure, never what is shown."""
    while isinstance(expr, sp.UnevaluatedExpr):
        expr = expr.args[0]
    return expr


def is_reciprocal(expr: sp.Basic) -> bool:
    """True for ``b**-n`` with a plain negative rational ``-n`` (it prints in a denominator)."""
    return bool(expr.is_Pow and expr.exp.is_Rational and expr.exp.is_negative)


def is_flat_product(factors: tuple[sp.Basic, ...]) -> bool:
    """True for a product of plain factors: no nested product, no wrapped product or
    fraction, and at most one number, in front."""
    for factor in factors:
        inner = unwrap(factor)
        wrapped_fraction = is_reciprocal(inner) and inner != factor
        if isinstance(factor, sp.Mul) or inner.is_Mul or wrapped_fraction:
            return False
    numbers = [i for i, f in enumerate(factors) if f.is_Number]
    return numbers in ([], [0])


def is_fraction_factor(expr: sp.Basic) -> bool:
    """True for a factor that prints as a fraction on its own: ``1/D`` or ``1/2``."""
    return is_reciprocal(expr) or bool(expr.is_Rational and not expr.is_Integer)


def is_numerator_over_denominator(factors: tuple[sp.Basic, ...]) -> bool:
    """True for ``(N, 1/D, ...)``: one factor of any kind over reciprocals, ``N/D``."""
    return (
        len(factors) >= 2
        and not is_fraction_factor(factors[0])
        and all(is_reciprocal(f) for f in factors[1:])
    )


def reads_as_one_fraction(factors: tuple[sp.Basic, ...]) -> bool:
    """True when a product prints as numerator over denominator rather than factor by factor.

    That is SymPy's own reading of a flat product (see :func:`is_flat_product`), and of
    ``N · 1/D`` whatever ``N`` is. A flat product stored out of SymPy's order with two or
    more factors that are fractions themselves reads factor by factor:
    ``Mul(1/D, 1/D, evaluate=False)`` is ``1/D · 1/D``.
    """
    if is_numerator_over_denominator(factors):
        return True
    if not is_flat_product(factors):
        return False
    fractions = sum(1 for f in factors if is_fraction_factor(f))
    return fractions <= 1 or sp.Mul(*factors).args == tuple(factors)


def starts_negative(expr: sp.Basic) -> bool:
    """True when the printed form of ``expr`` begins with a minus sign."""
    expr = unwrap(expr)
    if expr.is_Number:
        return bool(expr.is_negative)
    if expr.is_Mul:
        return starts_negative(expr.args[0])
    return False


def shows_fraction(expr: sp.Basic) -> bool:
    """True when ``expr`` prints as a fraction (so a neighbour needs a visible dot)."""
    expr = unwrap(expr)
    if isinstance(expr, sp.Derivative):
        return not is_prime_form(expr)
    if expr.is_Rational:
        return not expr.is_Integer
    if is_reciprocal(expr):
        return True
    if expr.is_Mul:
        return any(shows_fraction(f) for f in expr.args)
    return False


def is_prime_form(expr: sp.Derivative) -> bool:
    """True for ``Derivative(f(v), v)`` of a user function ``f`` of one argument: ``f'(v)``."""
    inner = unwrap(expr.expr)
    if len(expr.variable_count) != 1 or not isinstance(inner, sp.Function):
        return False
    user_function = isinstance(inner, AppliedUndef) or not type(inner).__module__.startswith(
        "sympy"
    )
    return user_function and inner.args == (expr.variables[0],)


def separator(left: sp.Basic, right: sp.Basic) -> str:
    """How two factors of a flat product sit side by side (see ``_fmt_op``)."""
    left, right = unwrap(left), unwrap(right)
    if shows_fraction(left) or shows_fraction(right) or right.is_Number:
        return "·"
    if left.is_Number or right.is_Add:
        return "glue"
    if isinstance(right, sp.Function) and len(type(right).__name__) > 1:
        return "thin"
    return "space"


def shows_dot(expr: sp.Basic) -> bool:
    """True when a product prints with a visible dot, so as a factor it needs parentheses."""
    expr = unwrap(expr)
    if not expr.is_Mul:
        return False
    if not reads_as_one_fraction(expr.args):
        return True
    numerator = [f for f in expr.args if not is_fraction_factor(f)]
    pairs = zip(numerator, numerator[1:], strict=False)
    return any(separator(left, right) == "·" for left, right in pairs)


def is_fraction_of_sum(expr: sp.Basic) -> bool:
    """True for a product read as one fraction whose numerator is a sum: ``(p + q)/r``."""
    if not expr.is_Mul or not reads_as_one_fraction(expr.args):
        return False
    numerator = [f for f in expr.args if not is_fraction_factor(f)]
    has_denominator = len(numerator) < len(expr.args)
    return has_denominator and len(numerator) == 1 and bool(unwrap(numerator[0]).is_Add)


def negated(expr: sp.Basic) -> sp.Basic:
    """``expr`` without its leading minus sign, structure kept (``-a(1 - y)`` -> ``a(1 - y)``)."""
    if expr.is_Number:
        return -expr
    head, *tail = expr.args
    head = negated(unwrap(head))
    factors = tail if head == 1 and tail else [head, *tail]
    return factors[0] if len(factors) == 1 else sp.Mul(*factors, evaluate=False)
