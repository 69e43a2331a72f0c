"""Layer derivations written in index notation: each line proven as it is recorded, the routes
compared, the derivation assembled.

A script lists :class:`Line` s (``lhs = rhs``, a move and a sentence); :func:`build_route`
records them with the engine's :class:`~chainrule.symbolic.core.engine.RouteBuilder`, each
proven first by :func:`~chainrule.symbolic.proof.instances.check_claim` (indices and shapes
symbolically, then every entry in every concrete instance) or, for a matrix equation, by
:func:`~chainrule.symbolic.proof.instances.check_matrix_claim`. A line that fails its check
raises ProofError: a wrong step is never shown. :func:`assemble` checks that the routes reach
the same results and that those results equal the partial derivatives of J taken directly
(the oracle).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import sympy as sp

from chainrule.errors import ProofError
from chainrule.symbolic.core.engine import RouteBuilder
from chainrule.symbolic.core.model import Check, Derivation, Route, Verdict
from chainrule.symbolic.proof.check import Context
from chainrule.symbolic.proof.instances import (
    Instance,
    agree,
    check_claim,
    check_matrix_claim,
    entry_count,
)
from chainrule.symbolic.proof.tensors import Notation

__all__ = ["Line", "assemble", "build_route"]


@dataclass(frozen=True)
class Line:
    """One line of a route: ``lhs = rhs`` reached by ``move``, explained by ``text``.

    ``matrix`` marks a matrix equation (the im2col form), proven by its symbolic shapes and
    entry by entry; ``broadcast`` lets it add a column to every column, as numpy does. Other
    lines are in index notation. ``shapes`` adds the shapes of the line's arrays to its text.
    """

    lhs: sp.Basic
    rhs: sp.Basic
    move: str
    text: str
    matrix: bool = False
    broadcast: bool = False
    shapes: bool = True


def build_route(
    name: str, lines: Sequence[Line], notation: Notation, instances: Sequence[Instance]
) -> Route:
    """The route ``name``: every line checked, then recorded (ProofError on a failed check)."""
    route = RouteBuilder(name, Context())
    for line in lines:
        if line.matrix:
            check, shapes = check_matrix_claim(
                line.lhs, line.rhs, notation, instances, line.broadcast
            )
        else:
            check = check_claim(line.lhs, line.rhs, notation, instances)
            shapes = notation.shapes_text(line.lhs, line.rhs)
        text = f"{line.text} Shapes: {shapes}." if line.shapes and shapes else line.text
        route.record(line.lhs, line.rhs, line.move, text, check)
    return route.route()


def assemble(
    identity: tuple[str, str],
    routes: Sequence[tuple[Route, sp.Basic]],
    goal: sp.Basic,
    notation: Notation,
    instances: Sequence[Instance],
    notes: Sequence[str],
) -> Derivation:
    """The derivation ``identity`` = (id, title) from its routes, each with its result.

    ``goal`` is the gradient derived (``dA_prev[i, y, x, c]``) or a Tuple of them, and each
    route's result the matching expression or Tuple. Every route's results are compared with
    the first route's, entry by entry (in index notation; a route in another notation gives
    its results in index notation for this), and the first route's results with the partial
    derivatives of J that the goal names.
    """
    result = routes[0][1]
    for route, other in routes[1:]:
        claims = [
            (lhs, one, two)
            for (lhs, one), (_, two) in zip(_pairs(goal, result), _pairs(goal, other), strict=True)
        ]
        check = agree(claims, notation, instances)
        if check.verdict is Verdict.FAILED:
            raise ProofError(f"derivation {identity[0]}: route '{route.name}': {check.method}")
    return Derivation(
        id=identity[0],
        title=identity[1],
        goal=goal,
        givens=(),
        routes=tuple(Route(route.name, route.steps, value) for route, value in routes),
        result=result,
        routes_agree=True,
        oracle=_oracle(_pairs(goal, result), notation, instances),
        notes=tuple(notes),
        oracle_source=instances[0].by,
    )


def _pairs(goal: sp.Basic, result: sp.Basic) -> list[tuple[sp.Basic, sp.Basic]]:
    """(gradient, expression) pairs of a goal and a result, Tuples or single expressions."""
    if isinstance(goal, sp.Tuple):
        return list(zip(goal, result, strict=True))
    return [(goal, result)]


def _oracle(
    pairs: Sequence[tuple[sp.Basic, sp.Basic]], notation: Notation, instances: Sequence[Instance]
) -> Check:
    """Each result against the partial derivative of J its goal names, taken directly."""
    start = time.perf_counter()
    entries = 0
    for lhs, rhs in pairs:
        check = check_claim(lhs, rhs, notation, instances)
        if check.verdict is Verdict.FAILED:
            raise ProofError(
                f"the result for {sp.sstr(lhs)} disagrees with the direct derivative: "
                f"{check.method}"
            )
        entries += entry_count(lhs, notation, instances)
    sizes = "; ".join(i.description for i in instances)
    meanings = ", ".join(_meaning_of(lhs, notation) for lhs, _ in pairs)
    method = (
        f"exact: the results give all {entries} entries of {meanings}, the derivatives of J "
        f"taken directly, at {sizes}"
    )
    return Check(Verdict.PROVED, method, time.perf_counter() - start)


def _meaning_of(lhs: sp.Basic, notation: Notation) -> str:
    if isinstance(lhs, sp.Indexed):
        return notation.tensor(str(lhs.base.label)).meaning
    return notation.scalars.get(lhs, sp.sstr(lhs))
