"""The steps the general derivations share: rule steps (piecewise functions too), the named
moves that take g'(z) to its form in g and dL/da to its usual form, the moves that simplify a
product dL/da · da/dz, and a short search for the moves that bring a direct route's result to
the chain route's form.

Every function here drives a :class:`~chainrule.symbolic.core.engine.RouteBuilder`, so each line it
adds is proven the moment it is made.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import sympy as sp

from chainrule.symbolic import moves
from chainrule.symbolic.catalog import CatalogEntry
from chainrule.symbolic.core.engine import RouteBuilder
from chainrule.symbolic.core.symbols import a
from chainrule.symbolic.core.trees import evaluate, mul
from chainrule.symbolic.moves import factors, functions, recognise
from chainrule.symbolic.moves.protocol import MoveDoesNotApply
from chainrule.symbolic.moves.registry import move_function
from chainrule.symbolic.moves.tidy import cancel_in_products, expand, sign_into_bracket, tidy
from chainrule.symbolic.proof.congruence import claim, make
from chainrule.symbolic.proof.honesty import Verdict as Honesty
from chainrule.symbolic.proof.honesty import verdict
from chainrule.symbolic.rules import differentiate
from chainrule.symbolic.rules.table import show

__all__ = [
    "add_rule_steps",
    "conclude",
    "derivative_in_g",
    "form_moves",
    "reach",
    "recognise_activation",
    "simplify_loss_derivative",
    "simplify_product",
    "try_move",
]

Move = Callable[..., sp.Expr]


def try_move(route: RouteBuilder, move: Move, text: str, *args) -> bool:
    """Make ``move`` on the route's current expression if it applies, changes more than the
    order of what it shows, and makes the rewrite its id names (:mod:`~chainrule.symbolic.
    proof.honesty`)."""
    try:
        after = move(route.current, *args)
    except MoveDoesNotApply:
        return False
    move_id = getattr(move, "move_id", move.__name__)
    if verdict(route.current, after, move_id)[0] is not Honesty.KEEP:
        return False
    claim(route, after, move_id, text)
    return True


def conclude(route: RouteBuilder, lhs: sp.Expr, text: str) -> None:
    """Let the route's last line read ``lhs = ...``: a move's line is relabelled (its claim is
    the move, not the label); a rule's line, whose claim is its label, is restated."""
    last = route.steps[-1]
    if last.lhs == lhs:
        return
    if last.before is not last.lhs:
        route.steps[-1] = dataclasses.replace(last, lhs=lhs)
        route.lhs = lhs
    else:
        route.state(lhs, route.current, "definition", text)


# --------------------------------------------------------------------------- rule steps


def add_rule_steps(
    route: RouteBuilder, expr: sp.Expr, variable: sp.Symbol, lhs: sp.Expr | None = None
) -> tuple[str, ...]:
    """Differentiate ``expr`` by textbook rules, one proven line per rule that does work.

    A piecewise function (leaky ReLU, ELU, a loss of one) is differentiated piece by piece,
    each on its own interval, then put together. The last line, the derivative of ``expr``
    itself, gets ``lhs`` when given (``dL/da`` rather than ``d/da[...]``). Returns the rules'
    side conditions.
    """
    folded = sp.piecewise_fold(expr) if expr.has(sp.Piecewise) else expr
    if isinstance(folded, sp.Piecewise):
        return _piecewise_steps(route, folded, expr, variable, lhs)
    found = differentiate(expr, variable)
    *inner, top = found.steps
    for step in inner:
        route.state(step.lhs, step.after, step.rule, step.text)
    route.state(lhs if lhs is not None else top.lhs, top.after, top.rule, top.text)
    return found.side_conditions


def _piecewise_steps(route, folded, expr, variable, lhs) -> tuple[str, ...]:
    conditions: list[str] = []
    results = []
    previous: list[sp.Basic] = []
    for value, condition in folded.args:
        where = _interval(condition, previous)
        previous.append(condition)
        found = differentiate(value, variable)
        for step in found.steps:
            route.state(step.lhs, step.after, step.rule, f"where {where}: {step.text}")
        conditions.extend(c for c in found.side_conditions if c not in conditions)
        results.append((found.result, condition))
    route.state(
        lhs if lhs is not None else sp.Derivative(expr, variable),
        sp.Piecewise(*results, evaluate=False),
        "piecewise",
        "piecewise rule: each piece differentiated on its own interval",
    )
    return tuple(conditions)


def _interval(condition: sp.Basic, previous: list[sp.Basic]) -> str:
    """The interval a branch holds on, in words: ``z > 0``, or ``z ≤ 0`` for "otherwise"."""
    if condition is sp.true and previous:
        condition = sp.And(*(sp.Not(c) for c in previous))
    return show(condition).replace("<=", "≤").replace(">=", "≥")


# --------------------------------------------------------------------------- g'(z) in g


def recognise_activation(route: RouteBuilder, definition: sp.Expr, text: str) -> bool:
    """Recognise a = g(z) wherever g(z) stands (whole, in a sum or product, per branch)."""
    return try_move(route, recognise.recognise, text, a, definition)


def form_moves(entry: CatalogEntry) -> list[tuple[Move, str, tuple]]:
    """The named identities that take g'(z) to its form in a = g(z), beyond recognising a:
    the entry's own ``form_steps`` (none for an activation read from text)."""
    return [(move_function(move), text, args) for move, text, args in entry.form_steps]


def derivative_in_g(route: RouteBuilder, entry: CatalogEntry) -> None:
    """After the rule steps of g'(z): named moves toward g' in terms of a = g(z)."""
    identities = form_moves(entry)
    if identities:
        try_move(route, moves.multiply_out, "multiply out")
        for move, text, args in identities:
            make(route, move, text, *args)
    else:
        for step in tidy(route.current):
            claim(route, step.after, step.move, step.text)
    recognise_activation(route, entry.expr, f"in terms of a = {entry.text}")


# --------------------------------------------------------------------------- dL/da


def simplify_loss_derivative(route: RouteBuilder) -> None:
    """After the rule steps of dL/da: carry out products, sinh/cosh = tanh, tidy."""
    try_move(route, moves.multiply_out, "multiply out the constant factors")
    try_move(route, functions.sinh_over_cosh, "sinh(u)/cosh(u) = tanh(u)")
    for step in tidy(route.current):
        claim(route, step.after, step.move, step.text)


# --------------------------------------------------------------------------- dL/da · da/dz


def _on_first_factor(move: Move) -> Move:
    """``move`` made on the first factor of a product only (dL/da in dL/da · da/dz)."""

    def on_first(expr: sp.Expr) -> sp.Expr:
        first, *rest = sp.Mul.make_args(expr) if isinstance(expr, sp.Mul) else (expr,)
        changed = move(first)
        return mul(changed, *rest) if rest else changed

    on_first.move_id = move.__name__  # type: ignore[attr-defined]
    return on_first


def simplify_product(route: RouteBuilder, fractions: bool) -> None:
    """Simplify dL/da · da/dz after substitution. Where dL/da is a sum of fractions
    (``fractions``): one denominator, the numerator multiplied out, factors that the
    denominator shares cancelled, as in the reference's [3]."""
    common, combine = (
        _on_first_factor(moves.common_denominator),
        _on_first_factor(moves.combine_fractions),
    )
    if fractions and try_move(route, common, "common denominator"):
        make(route, combine, "combine over the common denominator")
        if try_move(route, moves.cancel_whole_denominator, "the common factor cancels"):
            try_move(route, moves.expand_products, "expand")
            try_move(route, moves.cancel_opposite_terms, "opposite terms cancel")
            return
        try_move(route, factors.expand_first_numerator, "expand the numerator; like terms merge")
        split = "factor: a factor of the denominator divides it"
        if try_move(route, factors.split_polynomial_factor, split, a):
            make(route, factors.cancel_factor, "the common factor cancels")
    try_move(route, cancel_in_products, "cancel the common factors")
    if sp.count_ops(evaluate(route.current)) < sp.count_ops(route.current):
        try_move(route, moves.multiply_out, "multiply out")


# --------------------------------------------------------------------------- toward a target

_TOWARD: tuple[tuple[Move, str], ...] = (
    (functions.sinh_over_cosh, "sinh(u)/cosh(u) = tanh(u)"),
    (functions.sign_of_negative, "sign(-u) = -sign(u)"),
    (factors.common_factor_out, "take out the common factor"),
    (factors.factor_out_of_branches, "take the factor common to the branches out"),
    (factors.split_terms, "divide each term of the sum by the denominator"),
    (factors.sum_as_one_fraction, "write as one fraction"),
    (factors.cancel_fraction, "cancel the factors common to numerator and denominator"),
    (factors.factor_polynomial, "factor"),
    (expand, "multiply out"),
    (sign_into_bracket, "take the minus sign into the bracket"),
)
_DEPTH = 3
_LARGEST = 60  # operations; beyond this the search costs more than it finds


def reach(route: RouteBuilder, target: sp.Expr) -> bool:
    """Make the shortest sequence (at most three) of the named moves above that turns the
    route's expression into ``target`` (up to the order of terms and factors), each move
    making the rewrite its id names.

    Returns whether it got there; when no sequence does, the route is left as it was, and the
    derivation's routes are still proven equal by the checker.
    """
    goal = evaluate(target)
    if evaluate(route.current) == goal:
        return True
    if sp.count_ops(route.current) > _LARGEST:
        return False
    frontier: list[tuple[sp.Expr, tuple]] = [(route.current, ())]
    seen = {evaluate(route.current)}
    for _ in range(_DEPTH):
        following = []
        for expr, path in frontier:
            for move, text in _TOWARD:
                try:
                    after = move(expr)
                except MoveDoesNotApply:
                    continue
                plain = evaluate(after)
                if plain in seen:
                    continue
                seen.add(plain)
                path_here = (*path, (expr, after, move, text))
                if plain == goal and _honest_path(path_here):
                    for _, step_after, step_move, step_text in path_here:
                        claim(route, step_after, step_move.__name__, step_text)
                    return True
                following.append((after, path_here))
        frontier = following
    return False


def _honest_path(path: tuple) -> bool:
    """Whether every move of the path makes the rewrite its id names (and changes more than
    the order)."""
    return all(
        verdict(before, after, move.__name__)[0] is Honesty.KEEP for before, after, move, _ in path
    )
