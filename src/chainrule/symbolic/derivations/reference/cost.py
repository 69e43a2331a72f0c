"""[1] dL/da, and the side proof that d(ln x)/dx = 1/x."""

from __future__ import annotations

import sympy as sp

from chainrule.symbolic import moves
from chainrule.symbolic.core.engine import RouteBuilder, finish
from chainrule.symbolic.core.model import Definition, Derivation
from chainrule.symbolic.core.symbols import L, a
from chainrule.symbolic.core.trees import add, frac, mul, terms
from chainrule.symbolic.derivations.reference.givens import COST, cost_context
from chainrule.symbolic.proof.check import Context
from chainrule.symbolic.rules import differentiate

__all__ = ["derivative_of_cost", "derivative_of_log"]

_u = sp.Symbol("u", real=True)
_x = sp.Symbol("x", positive=True)


def derivative_of_log() -> Derivation:
    """d(ln x)/dx = 1/x, by differentiating e^u = x implicitly."""
    givens = (Definition(_u, sp.log(_x)),)
    route = RouteBuilder("direct", Context(givens))
    route.state(_u, sp.log(_x), "given", "let u = ln x")
    route.state(sp.exp(_u), _x, "exponentiate", "so e^u = x")
    du_dx = sp.Derivative(_u, _x)
    route.state(
        mul(sp.exp(_u), du_dx),
        sp.S.One,
        "implicit_differentiation",
        "differentiate both sides with respect to x (chain rule on the left)",
    )
    route.state(du_dx, frac(sp.S.One, sp.exp(_u)), "divide", "divide both sides by e^u")
    route.apply(moves.fold_definition, "e^u = x", _x, sp.exp(_u))
    return finish(
        "ln",
        "Side proof: d(ln x)/dx = 1/x",
        sp.Derivative(sp.log(_x), _x),
        givens,
        [route.route()],
        Context(givens),
        notes=("x > 0",),
    )


def derivative_of_cost() -> Derivation:
    """[1] dL/da = -y/a + (1-y)/(1-a)."""
    givens, context = cost_context()
    route = RouteBuilder("direct", context)
    route.state(L, COST.expr, "given", "cost function")
    left, right = terms(route.apply(moves.distribute_minus, "distribute the minus sign"))

    left_result = moves.multiply_out(differentiate(left, a).result)
    route.state(
        sp.Derivative(left, a),
        left_result,
        "log",
        "derivative of the left term: d ln u/du = 1/u",
        subderivations=[derivative_of_log()],
    )
    route.state(
        sp.Derivative(right, a),
        moves.keep_constant_as_written(differentiate(right, a).result, right, a),
        "chain_rule",
        "chain rule on ln(1-a): outer 1/(1-a), inner d(1-a)/da = -1",
    )
    right_result = route.apply(moves.cancel_signs, "simplify: the two minus signs cancel")
    route.state(
        sp.Derivative(L, a),
        add(left_result, right_result),
        "sum",
        "final result: the derivative of the sum is the sum of the derivatives",
    )
    return finish(
        "1",
        "dL/da: the derivative of the cost with respect to the activation",
        sp.Derivative(L, a),
        givens,
        [route.route()],
        context,
        notes=("0 < a < 1, so both logarithms are defined",),
    )
