"""The derivation of any expression's derivative: textbook rules, then named tidying moves.

``chainrule derive --expr "log(1 + exp(-z))" --wrt z`` lands here. The route reads like a
textbook page: first the rule steps of :func:`~chainrule.symbolic.rules.differentiate`, one
line per rule that does real work, innermost first, each ``d/dz f = ...`` line proven on its
own; the last of them is the derivative of the whole expression in the rules' one-line form.
That line then continues with the named moves of :mod:`chainrule.symbolic.moves.tidy` (multiply out,
recognise σ, one fraction, ...), each proven by the engine, and :func:`~chainrule.symbolic.
engine.finish` checks the result against ``sympy.diff``.
"""

from __future__ import annotations

import sympy as sp

from chainrule.errors import InputError
from chainrule.symbolic.core.engine import RouteBuilder, finish
from chainrule.symbolic.core.model import Derivation, Route
from chainrule.symbolic.core.trees import evaluate
from chainrule.symbolic.moves.functions import pythagorean_identity
from chainrule.symbolic.moves.protocol import MoveDoesNotApply
from chainrule.symbolic.moves.tidy import tidy
from chainrule.symbolic.proof.check import Context
from chainrule.symbolic.rules import differentiate, show
from chainrule.symbolic.rules.domain import real_domain

__all__ = ["derive_expression"]


def derive_expression(
    expr: sp.Expr, variable: sp.Symbol, *, text: str | None = None, parameter: str = "expr"
) -> Derivation:
    """Derive d(expr)/d(variable) step by step, every step proven.

    Parameters
    ----------
    expr : sympy.Expr
        The function (as read by :func:`chainrule.symbolic.catalog.parse.parse_expression`); every
        symbol other than ``variable`` is a constant.
    variable : sympy.Symbol
        The variable of differentiation.
    text : str, optional
        The expression as the user typed it; kept in the notes beside SymPy's reading.
    parameter : str, optional
        The name of the input in error messages (``--expr`` at the command line).

    Returns
    -------
    Derivation
        Id ``"expr"``, goal ``Derivative(expr, variable)``, no givens, one route (``"chain
        rule"`` when a chain rule was used, else ``"direct"``) whose result is the derivative,
        and a second, ``"identity"``, where sin²u + cos²u stands in ``expr``;
        its notes are the domain it is proven on, then the rules' side conditions.

    Raises
    ------
    InputError
        For an argument of the wrong type, a function with no differentiation rule or an
        expression real nowhere (:func:`~chainrule.symbolic.rules.domain.real_domain`).
    ProofError
        If a step failed its check (a bug, never expected).
    """
    if text is not None and not isinstance(text, str):
        raise InputError(f"'text' must be a string or None (got {type(text).__name__})")
    domain = real_domain(expr, variable, parameter)
    derivation = differentiate(expr, variable)
    context = Context()
    chain = any(step.rule == "chain_rule" for step in derivation.steps)
    route = RouteBuilder("chain rule" if chain else "direct", context)
    for step in derivation.steps:
        route.state(step.lhs, step.after, step.rule, step.text)
    for move in tidy(derivation.result):
        route.claim(move.after, move.move, move.text)
    routes = [route.route(), *_by_the_identity(expr, variable, context)]
    notes = (domain.note, *derivation.side_conditions)
    if text is not None:
        notes = (f"as typed: {' '.join(text.split())}",) + notes
    return finish(
        "expr",
        f"d/d{show(variable)} of {show(expr)}",
        sp.Derivative(expr, variable),
        (),
        routes,
        context,
        notes,
    )


def _by_the_identity(expr: sp.Expr, variable: sp.Symbol, context: Context) -> list[Route]:
    """A second route where sin²u + cos²u stands in ``expr``: the identity first, then the
    rules on what is left (d/dz[sin²z + cos²z] = d/dz[1] = 0)."""
    try:
        simpler = evaluate(pythagorean_identity(expr))
    except MoveDoesNotApply:
        return []
    route = RouteBuilder("identity", context)
    route.state(expr, simpler, "pythagorean_identity", "sin²u + cos²u = 1 (Pythagorean identity)")
    for step in differentiate(simpler, variable).steps:
        route.state(step.lhs, step.after, step.rule, step.text)
    for move in tidy(route.current):
        route.claim(move.after, move.move, move.text)
    return [route.route()]
