"""[3] dL/dz = a - y, [4] dz/dw = x, and the chain-rule routes of [5] and [6]."""

from __future__ import annotations

import sympy as sp

from chainrule.symbolic import moves
from chainrule.symbolic.core.engine import RouteBuilder, finish
from chainrule.symbolic.core.model import Derivation, Route
from chainrule.symbolic.core.symbols import L, a, b, w, x, z
from chainrule.symbolic.core.trees import mul
from chainrule.symbolic.derivations.reference.givens import LINEAR, network_context
from chainrule.symbolic.moves import factors
from chainrule.symbolic.rules import differentiate

__all__ = ["chain_route_db", "chain_route_dw", "derivative_of_linear", "derivative_wrt_z"]

dL_da, da_dz, dL_dz = sp.Derivative(L, a), sp.Derivative(a, z), sp.Derivative(L, z)


def derivative_wrt_z(dl_da: sp.Expr, da_dz_result: sp.Expr) -> Derivation:
    """[3] dL/dz = dL/da · da/dz = a - y, from the results of [1] and [2]."""
    givens, context = network_context(with_linear=False)
    route = RouteBuilder("chain rule", context)
    route.state(dL_dz, mul(dL_da, da_dz), "chain_rule", "chain rule")
    route.apply(moves.substitute, "substitute [1] and [2]", {dL_da: dl_da, da_dz: da_dz_result})
    route.apply(moves.common_denominator, "common denominator a(1-a)")
    route.apply(moves.combine_fractions, "combine over the common denominator")
    route.apply(moves.cancel_whole_denominator, "the a(1-a) factors cancel")
    route.apply(moves.expand_products, "expand")
    route.apply(moves.cancel_opposite_terms, 'ya and ay cancel; final result ("dz")')
    return finish(
        "3",
        "dL/dz: the derivative with respect to the linear function",
        dL_dz,
        givens,
        [route.route()],
        context,
    )


def derivative_of_linear() -> Derivation:
    """[4] dz/dw = x."""
    givens, context = network_context()
    route = RouteBuilder("direct", context)
    route.state(z, LINEAR.expr, "given", "linear function")
    route.state(
        sp.Derivative(z, w),
        moves.multiply_out(differentiate(LINEAR.expr, w).result),
        "sum",
        "d(wx)/dw = x and db/dw = 0",
    )
    return finish(
        "4",
        "dz/dw: the derivative of the linear function",
        sp.Derivative(z, w),
        givens,
        [route.route()],
        context,
        notes=("in vector form z = wᵀx + b, dz/dw = x",),
    )


def chain_route_dw(dl_dz: sp.Expr, dz_dw: sp.Expr) -> Route:
    """[5], chain rule: dL/dw = dL/da · da/dz · dz/dw = x(a - y)."""
    _, context = network_context()
    dz_dw_symbol = sp.Derivative(z, w)
    route = RouteBuilder("chain rule", context)
    route.state(sp.Derivative(L, w), mul(dL_da, da_dz, dz_dw_symbol), "chain_rule", "chain rule")
    route.apply(
        moves.substitute,
        'the first two factors are [3]: dL/da · da/dz = dL/dz ("dz")',
        {mul(dL_da, da_dz, dz_dw_symbol): mul(dL_dz, dz_dw_symbol)},
    )
    route.apply(moves.substitute, "substitute [3] and [4]", {dL_dz: dl_dz, dz_dw_symbol: dz_dw})
    route.apply(factors.factor_first, "final result: dw = x(a - y) = x · dz", x)
    return route.route()


def chain_route_db(dl_dz: sp.Expr) -> Route:
    """[6], chain rule: dL/db = dL/dz · dz/db = a - y."""
    _, context = network_context()
    dz_db = sp.Derivative(z, b)
    route = RouteBuilder("chain rule", context)
    route.state(sp.Derivative(L, b), mul(dL_dz, dz_db), "chain_rule", "chain rule")
    route.apply(moves.substitute, "substitute [3] and dz/db = 1", {dL_dz: dl_dz, dz_db: 1})
    route.apply(moves.multiply_out, "final result: db = a - y = dz")
    return route.route()
