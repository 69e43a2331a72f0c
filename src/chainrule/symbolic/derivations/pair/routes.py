"""The routes of the general derivations [1]-[6] for one activation and one loss.

Each function is a script of rule steps and named moves run by the engine, as the reference
scripts are; they take the pair's catalogue entries and the results they lean on, and return a
:class:`~chainrule.symbolic.core.model.Route` (or the pieces of a derivation).
"""

from __future__ import annotations

import sympy as sp

from chainrule.symbolic import moves
from chainrule.symbolic.catalog import CatalogEntry
from chainrule.symbolic.core.engine import RouteBuilder
from chainrule.symbolic.core.model import Definition, Route
from chainrule.symbolic.core.symbols import L, a, b, w, x, z
from chainrule.symbolic.core.trees import add, evaluate, group, mul, replace
from chainrule.symbolic.derivations.pair.steps import (
    add_rule_steps,
    conclude,
    derivative_in_g,
    form_moves,
    reach,
    recognise_activation,
    simplify_loss_derivative,
    simplify_product,
    try_move,
)
from chainrule.symbolic.moves import factors, recognise, sums
from chainrule.symbolic.proof.check import Context
from chainrule.symbolic.proof.congruence import make
from chainrule.symbolic.rules.table import show

__all__ = [
    "LINEAR",
    "activation_route",
    "chain_route_db",
    "chain_route_dw",
    "chain_route_dz",
    "direct_route",
    "givens_of",
    "linear_route",
    "loss_route",
]

#: z = w x + b
LINEAR = Definition(z, add(w * x, b))

dL_da, da_dz, dL_dz = sp.Derivative(L, a), sp.Derivative(a, z), sp.Derivative(L, z)
dz_dw, dz_db = sp.Derivative(z, w), sp.Derivative(z, b)


def givens_of(
    activation: CatalogEntry | None, loss: CatalogEntry | None, linear: bool = False
) -> tuple[tuple[Definition, ...], Context]:
    """The givens L = L(a, y), a = g(z) (those asked for) and z = w x + b, and their context.

    Where the loss needs 0 < a < 1 and the activation can leave that interval (ReLU with the
    cross-entropy), the checker samples z in (0, 1) too, inside the domain of the loss.
    """
    givens = []
    if loss is not None:
        givens.append(Definition(L, loss.expr))
    if activation is not None:
        givens.append(Definition(a, activation.expr))
    if linear:
        givens.append(LINEAR)
    narrow = loss is not None and activation is not None and needs_narrow_domain(activation, loss)
    return tuple(givens), Context(givens, unit_interval=(a, z) if narrow else (a,))


def algebra_context(activation: CatalogEntry, loss: CatalogEntry) -> Context:
    """The context for lines that are identities in a, y, z (x, w, b): a is left free.

    Once [1] and [2] are substituted, or a = g(z) is recognised, every further line is an
    algebraic identity that holds for all a in (0, 1) (and all z), so in particular for
    a = g(z): proving it with a free is a stronger claim, and far cheaper than with g(z)
    written out.
    """
    narrow = needs_narrow_domain(activation, loss)
    return Context((), unit_interval=(a, z) if narrow else (a,))


def needs_narrow_domain(activation: CatalogEntry, loss: CatalogEntry) -> bool:
    """Whether the loss needs 0 < a < 1 where the activation's values can leave (0, 1)."""
    return loss.unit_interval and not activation.unit_interval


def _uses_chain(route: RouteBuilder) -> bool:
    return any(step.move == "chain_rule" for step in route.steps)


def loss_route(loss: CatalogEntry) -> Route:
    """[1] dL/da by rules, then the named moves to its usual form."""
    _, context = givens_of(None, loss)
    route = RouteBuilder("direct", context)
    route.state(L, loss.expr, "given", "the loss")
    add_rule_steps(route, loss.expr, a)
    simplify_loss_derivative(route)
    conclude(route, dL_da, "that is dL/da")
    return route.route()


def activation_route(activation: CatalogEntry) -> Route:
    """[2] da/dz by rules, then the named moves toward the form in g itself."""
    _, context = givens_of(activation, None)
    route = RouteBuilder("direct", context)
    route.state(a, activation.expr, "given", f"the activation: a = {activation.text}")
    add_rule_steps(route, activation.expr, z)
    derivative_in_g(route, activation)
    conclude(route, da_dz, f"a = {activation.text}, so da/dz is the same")
    name = "chain rule" if _uses_chain(route) else "direct"
    return Route(name, tuple(route.steps), route.current)


def chain_route_dz(
    activation: CatalogEntry, loss: CatalogEntry, dl_da: sp.Expr, da_dz_result: sp.Expr
) -> Route:
    """[3], chain rule: dL/dz = dL/da · da/dz, with [1] and [2] substituted and simplified."""
    _, context = givens_of(activation, loss)
    route = RouteBuilder("chain rule", context)
    route.state(dL_dz, mul(dL_da, da_dz), "chain_rule", "chain rule")
    make(route, moves.substitute, "substitute [1] and [2]", {dL_da: dl_da, da_dz: da_dz_result})
    route.context = algebra_context(activation, loss)
    simplify_product(route, fractions=_has_fractions(dl_da))
    return route.route()


def _has_fractions(expr: sp.Expr) -> bool:
    """Whether ``expr`` is a sum with a term that is a fraction (-y/a + (1-y)/(1-a))."""
    plain = evaluate(expr)
    return isinstance(plain, sp.Add) and any(sp.fraction(t)[1] != 1 for t in plain.args)


def direct_route(
    activation: CatalogEntry, loss: CatalogEntry, variable: sp.Symbol, target: sp.Expr
) -> Route:
    """[3], [5] or [6] directly: write L as a function of ``variable`` (z; or w and b through
    z = w x + b), differentiate it by rules, recognise a = g(z), then simplify."""
    _, context = givens_of(activation, loss, linear=variable != z)
    route = RouteBuilder("direct", context)
    inner = z if variable == z else group(LINEAR.expr)
    g_of_inner = replace(activation.expr, lambda n: inner if n == z else None)
    written = replace(loss.expr, lambda n: _grouped(g_of_inner) if n == a else None)
    where = f"a = {show(activation.expr)}" + ("" if variable == z else " and z = wx + b")
    route.state(L, loss.expr, "given", "the loss, with " + where)
    route.state(L, written, "substitute", f"write L as a function of {show(variable)}: {where}")
    add_rule_steps(route, evaluate(written), variable, lhs=sp.Derivative(L, variable))
    try_move(route, moves.multiply_out, "multiply out the constant factors")
    if variable == z:
        recognise_activation(route, activation.expr, f"recognise a = {activation.text}")
    else:
        definition = evaluate(activation.expr.xreplace({z: LINEAR.expr}))
        text = f"recognise a = g(wx + b), where g(z) = {activation.text}"
        recognise_activation(route, definition, text)
        try_move(route, recognise.recognise, "recognise z = wx + b", z, LINEAR.expr)
    for move, text, args in form_moves(activation):
        try_move(route, move, text, *args)
    route.context = algebra_context(activation, loss)
    _toward(route, target, variable)
    return route.route()


def _grouped(expr: sp.Expr) -> sp.Expr:
    return group(expr) if isinstance(expr, sp.Add) else expr


def _toward(route: RouteBuilder, target: sp.Expr, variable: sp.Symbol) -> None:
    """Named moves that bring a direct result to the chain route's form where they can."""
    reach(route, target)
    if variable == z:
        return
    parts = sp.Mul.make_args(evaluate(route.current))
    rest = sp.Mul(*(f for f in parts if f != x))
    if x in parts and isinstance(rest, sp.Mul):
        try_move(route, factors.factor_first, "pull x out", x)


def linear_route() -> Route:
    """[4] dz/dw = x."""
    _, context = givens_of(None, None, linear=True)
    route = RouteBuilder("direct", context)
    route.state(z, LINEAR.expr, "given", "linear function")
    route.state(dz_dw, x, "sum", "d(wx)/dw = x and db/dw = 0")
    return route.route()


def chain_route_dw(
    activation: CatalogEntry, loss: CatalogEntry, dl_dz: sp.Expr, dz_dw_result: sp.Expr
) -> Route:
    """[5], chain rule: dL/dw = dL/da · da/dz · dz/dw = x · dz."""
    _, context = givens_of(activation, loss, linear=True)
    route = RouteBuilder("chain rule", context)
    route.state(sp.Derivative(L, w), mul(dL_da, da_dz, dz_dw), "chain_rule", "chain rule")
    make(
        route,
        moves.substitute,
        'the first two factors are [3]: dL/da · da/dz = dL/dz ("dz")',
        {mul(dL_da, da_dz, dz_dw): mul(dL_dz, dz_dw)},
    )
    make(route, moves.substitute, "substitute [3] and [4]", {dL_dz: dl_dz, dz_dw: dz_dw_result})
    route.context = algebra_context(activation, loss)
    try_move(route, factors.factor_first, "final result: dw = x · dz", x)
    return route.route()


def chain_route_db(activation: CatalogEntry, loss: CatalogEntry, dl_dz: sp.Expr) -> Route:
    """[6], chain rule: dL/db = dL/dz · dz/db = dz."""
    _, context = givens_of(activation, loss, linear=True)
    route = RouteBuilder("chain rule", context)
    route.state(sp.Derivative(L, b), mul(dL_dz, dz_db), "chain_rule", "chain rule")
    make(route, moves.substitute, "substitute [3] and dz/db = 1", {dL_dz: dl_dz, dz_db: 1})
    route.context = algebra_context(activation, loss)
    make(route, sums.drop_factor_one, "final result: db = dz")
    return route.route()
