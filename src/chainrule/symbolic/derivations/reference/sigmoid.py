"""[2] dσ/dz = σ(z)(1 - σ(z)) = a(1 - a)."""

from __future__ import annotations

import sympy as sp

from chainrule.symbolic import moves
from chainrule.symbolic.core.engine import RouteBuilder, finish
from chainrule.symbolic.core.model import Derivation
from chainrule.symbolic.core.symbols import a, sigma, z
from chainrule.symbolic.derivations.reference.givens import ACTIVATION, logistic, sigmoid_context
from chainrule.symbolic.rules import differentiate

__all__ = ["derivative_of_sigmoid"]


def derivative_of_sigmoid() -> Derivation:
    """[2] σ'(z) = σ(z)(1 - σ(z)), and da/dz = a(1 - a)."""
    givens, context = sigmoid_context()
    route = RouteBuilder("chain rule", context)
    route.state(sigma(z), logistic(z), "given", "logistic function")
    power = route.apply(moves.as_power, "rewrite as a power, ready for the chain rule")
    route.state(
        sp.Derivative(sigma(z), z),
        moves.as_power(differentiate(moves.multiply_out(power), z).result),
        "chain_rule",
        "chain rule: outer derivative × inner derivative",
    )
    route.apply(moves.multiply_out, "tidy into one fraction")
    route.apply(moves.split_square_denominator, "split into a product of two fractions")
    route.apply(moves.add_and_subtract, "add 1 and subtract 1 in the second numerator", sp.S.One, 1)
    route.apply(moves.split_fraction, "split the second fraction", 1)
    route.apply(moves.evaluate_factor, "simplify: (1 + e^(-z))/(1 + e^(-z)) = 1", 1)
    route.apply(moves.fold_sigma, "recognise σ(z) = 1/(1 + e^(-z))")
    route.apply(
        moves.fold_definition,
        "in terms of a = σ(z)",
        ACTIVATION.symbol,
        ACTIVATION.expr,
        lhs=sp.Derivative(a, z),
    )
    return finish(
        "2",
        "dσ/dz: the derivative of the sigmoid",
        sp.Derivative(sigma(z), z),
        givens,
        [route.route()],
        context,
    )
