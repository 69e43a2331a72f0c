"""The givens of the reference network, written the way the reference writes them."""

from __future__ import annotations

import sympy as sp

from chainrule.symbolic.core.model import Definition
from chainrule.symbolic.core.symbols import L, a, b, sigma, w, x, y, z
from chainrule.symbolic.core.trees import add, frac, neg
from chainrule.symbolic.proof.check import Context

__all__ = [
    "ACTIVATION",
    "COST",
    "LINEAR",
    "cost_context",
    "logistic",
    "network_context",
    "sigmoid_context",
]

#: L(a, y) = -( y ln a + (1-y) ln(1-a) ), with the minus sign kept outside.
COST = Definition(L, neg(add(y * sp.log(a), (1 - y) * sp.log(1 - a))))
#: a = σ(z)
ACTIVATION = Definition(a, sigma(z))
#: z = w x + b
LINEAR = Definition(z, add(w * x, b))


def logistic(u: sp.Expr) -> sp.Expr:
    """1/(1 + e^(-u)), kept as one fraction."""
    return frac(sp.S.One, add(sp.S.One, sp.exp(-u)))


def cost_context() -> tuple[tuple[Definition, ...], Context]:
    """Givens where a is a free activation in (0, 1)."""
    givens = (COST,)
    return givens, Context(givens)


def sigmoid_context() -> tuple[tuple[Definition, ...], Context]:
    """Givens of the sigmoid alone: a = σ(z)."""
    givens = (ACTIVATION,)
    return givens, Context(givens)


def network_context(with_linear: bool = True) -> tuple[tuple[Definition, ...], Context]:
    """Givens of the whole unit: the cost, a = σ(z) and (optionally) z = w x + b."""
    givens = (COST, ACTIVATION, LINEAR) if with_linear else (COST, ACTIVATION)
    return givens, Context(givens)
