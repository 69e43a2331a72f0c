"""The direct routes of [5] and [6]: write L as a function of z, then differentiate."""

from __future__ import annotations

import sympy as sp

from chainrule.symbolic import moves
from chainrule.symbolic.core.engine import RouteBuilder, finish
from chainrule.symbolic.core.model import Derivation, Route
from chainrule.symbolic.core.symbols import L, a, b, sigma, w, x, y, z
from chainrule.symbolic.core.trees import add, evaluate, frac, group, mul, replace
from chainrule.symbolic.derivations.reference.givens import (
    ACTIVATION,
    COST,
    LINEAR,
    logistic,
    network_context,
)

__all__ = ["cost_in_z", "cost_line", "direct_route_db", "direct_route_dw"]

_to_a = moves.compose(moves.fold_sigma, lambda e: moves.fold_definition(e, a, sigma(z)))
_to_a.move_id = "fold_sigma+fold_definition"  # type: ignore[attr-defined]
_to_a_written_out = moves.compose(
    moves.fold_sigma, lambda e: moves.fold_definition(e, a, sigma(LINEAR.expr))
)
_to_a_written_out.move_id = "fold_sigma+fold_definition"  # type: ignore[attr-defined]


def cost_in_z(route: RouteBuilder) -> sp.Expr:
    """Steps 1-11 of [5] direct: L = -[yz - ln(1 + e^z)]."""
    route.state(L, COST.expr, "given", "cost function, with a = 1/(1 + e^(-z))")
    route.state(sp.log(a), sp.log(logistic(z), evaluate=False), "substitute", "expand ln(a)")
    log_a = route.apply(moves.log_of_reciprocal, "log of a reciprocal: ln(1/u) = -ln u")
    one_minus = moves.as_one_fraction(1 - moves.multiply_out(ACTIVATION.expr.rewrite(sp.exp)))
    route.state(
        sp.log(1 - a),
        sp.log(one_minus, evaluate=False),
        "common_denominator",
        "1 - σ(z) as one fraction",
        subderivations=[one_minus_sigma()],
    )
    route.apply(moves.log_of_quotient, "log of a quotient: log(p/q) = log p - log q")
    log_one_minus = route.apply(moves.log_of_exp, "ln e^u = u")
    route.state(
        L,
        moves.substitute(COST.expr, {sp.log(a): log_a, sp.log(1 - a): log_one_minus}),
        "substitute",
        "plug back into the cost",
    )
    route.apply(moves.expand_products, "expand the bracket")
    route.apply(moves.cancel_opposite_terms, "the y ln(1 + e^(-z)) terms cancel")
    route.apply(moves.pull_term_out, "pull the yz term outside", y * z)
    route.apply(moves.write_as_log_exp, "write z as ln e^z", z)
    route.apply(moves.sum_of_logs, "sum of logs: ln p + ln q = ln pq")
    route.apply(moves.multiply_exponentials, "e^p e^q = e^(p+q)")
    return route.apply(
        moves.compose(moves.multiply_out, moves.factor_minus),
        "e^0 = 1; pull yz inside the bracket",
    )


def one_minus_sigma() -> Derivation:
    """The side step 1 - σ(z) = e^(-z)/(1 + e^(-z)): σ written out, one fraction, 1 - 1 = 0."""
    _, context = network_context()
    route = RouteBuilder("direct", context)
    denominator = add(1, sp.exp(-z))
    one_minus = 1 - sigma(z)
    route.state(
        one_minus,
        add(1, sp.Mul(-1, frac(1, denominator), evaluate=False)),
        "given",
        "σ(z) = 1/(1 + e^(-z))",
    )
    route.state(
        one_minus,
        frac(add(denominator, -1), denominator),
        "as_one_fraction",
        "1 = (1 + e^(-z))/(1 + e^(-z)), then one fraction",
    )
    route.state(
        one_minus,
        frac(sp.exp(-z), denominator),
        "cancel_opposite_terms",
        "1 - 1 = 0 in the numerator",
    )
    return finish(
        "1-sigma",
        "Side step: 1 - σ(z) = e^(-z)/(1 + e^(-z))",
        one_minus,
        (),
        [route.route()],
        context,
    )


def log_chain() -> Derivation:
    """The side step d/dw ln(1 + e^z) = x e^z/(1 + e^z): the chain rule twice, dz/dw = x."""
    _, context = network_context()
    route = RouteBuilder("chain rule", context)
    inner = add(1, sp.exp(z))
    goal = sp.Derivative(sp.log(inner), w)
    route.state(
        goal,
        mul(frac(1, inner), sp.Derivative(inner, w)),
        "chain_rule",
        "d/dw ln u = 1/u · du/dw, with u = 1 + e^z",
    )
    route.state(
        goal,
        mul(frac(1, inner), sp.exp(z), sp.Derivative(z, w)),
        "chain_rule",
        "d/dw e^z = e^z · dz/dw; the 1 has derivative 0",
    )
    route.state(goal, mul(x, frac(sp.exp(z), inner)), "substitute", "dz/dw = x, as z = wx + b")
    return finish(
        "ln-chain",
        "Side step: d/dw ln(1 + e^z), the chain rule twice",
        goal,
        (LINEAR,),
        [route.route()],
        context,
    )


def direct_route_dw() -> Route:
    """[5], direct: dL/dw = x(a - y) from L = -[yz - ln(1 + e^z)]."""
    _, context = network_context()
    route = RouteBuilder("direct", context)
    cost = cost_in_z(route)
    derivative = route.state(
        sp.Derivative(L, w),
        moves.differentiate_terms(cost, w, inner=z, inner_derivative=x),
        "chain_rule",
        "differentiate with respect to w, using z = wx + b (dz/dw = x)",
        subderivations=[log_chain()],
    )
    fraction = frac(sp.exp(z), 1 + sp.exp(z))
    route.state(fraction, moves.divide_through(fraction, sp.exp(z)), "divide", "divide by e^z")
    route.apply(_to_a, "the second term is σ(z) = a")
    route.state(
        sp.Derivative(L, w),
        moves.distribute_minus(moves.substitute(derivative, {evaluate(fraction): a})),
        "substitute",
        "substitute a",
    )
    route.apply(moves.factor_out, "pull x out; final result, equal to the chain-rule result", x)
    return route.route()


def cost_line(five: Derivation) -> sp.Expr:
    """The cost as [5]'s direct route writes it in z, L = -(yz - ln(1 + e^z)): its last line
    whose left-hand side is L, just before L is differentiated."""
    direct = next(r for r in five.routes if r.name == "direct")
    return [s.after for s in direct.steps if s.lhs == L][-1]


def direct_route_db(cost: sp.Expr) -> Route:
    """[6], direct: dL/db = a - y from [5]'s L = -[y(wx + b) - ln(1 + e^(wx+b))] (the reference's
    step 11; step 14 of [5]'s direct route here, which splits three of its rows)."""
    _, context = network_context()
    route = RouteBuilder("direct", context)
    written_out = replace(cost, lambda node: group(LINEAR.expr) if node == z else None)
    route.state(
        L, written_out, "substitute", "from [5], direct: L = -(yz - ln(1 + e^z)), with z = wx + b"
    )
    route.state(
        sp.Derivative(L, b),
        moves.differentiate_terms(written_out, b),
        "chain_rule",
        "d(wx)/db = 0, db/db = 1; the inner derivative of e^(wx+b) is e^(wx+b)",
    )
    route.apply(_to_a_written_out, "the fraction is σ(z) = a")
    route.apply(moves.compose(moves.distribute_minus, moves.multiply_out), "final result: db = dz")
    return route.route()
