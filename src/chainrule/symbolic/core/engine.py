"""The engine that runs a derivation script: each move computes the next expression, each
step is proven by :mod:`chainrule.symbolic.proof.check` the moment it is made.

A script is ordinary Python that drives a :class:`RouteBuilder`::

    route = RouteBuilder("chain rule", context)
    route.state(L, cost, "given", "cost function")
    route.apply(moves.distribute, "distribute the minus sign")

``state`` and ``claim`` introduce an expression (a definition, a rule's result); ``apply`` runs
a move on the current expression. Either way the step's claim (``before = after``) is checked,
and a failed check raises :class:`~chainrule.errors.ProofError`: a wrong step is never built.
A proven step whose move id is not one of :mod:`chainrule.symbolic.moves.registry` is refused
too, so a derivation emits registered ids only. A step that continues the line is judged by
:mod:`chainrule.symbolic.proof.honesty` before it is proven: one whose two sides read the same,
or that only reorders without a move that claims to, is not added; one whose move id names
another rewrite than the one it made raises :class:`~chainrule.errors.MislabelledStep`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import sympy as sp

from chainrule.errors import MislabelledStep, ProofError
from chainrule.symbolic.core.model import Check, Definition, Derivation, Route, Step, Verdict
from chainrule.symbolic.core.symbols import sigma
from chainrule.symbolic.moves.registry import is_registered, require_registered
from chainrule.symbolic.proof.check import Context, off_the_jumps, prove_equal
from chainrule.symbolic.proof.honesty import Verdict as Honesty
from chainrule.symbolic.proof.honesty import verdict

__all__ = ["RouteBuilder", "finish", "oracle", "oracle_check"]

Move = Callable[..., sp.Expr]


class RouteBuilder:
    """Builds one route step by step, proving every step as it is added."""

    def __init__(self, name: str, context: Context) -> None:
        self.name = name
        self.context = context
        self.steps: list[Step] = []
        self.lhs: sp.Expr | None = None
        self.current: sp.Expr | None = None

    def state(
        self,
        lhs: sp.Expr,
        expr: sp.Expr,
        move: str,
        text: str,
        subderivations: Sequence[Derivation] = (),
    ) -> sp.Expr:
        """Start a line ``lhs = expr``; its claim is that ``lhs`` equals ``expr``."""
        return self._add(lhs, lhs, expr, move, text, tuple(subderivations))

    def apply(self, move: Move, text: str, *args, lhs: sp.Expr | None = None, **kwargs) -> sp.Expr:
        """Run ``move`` on the current expression; the new expression continues the line."""
        if self.current is None:
            raise ValueError("a route must start with state() before a move is applied")
        after = move(self.current, *args, **kwargs)
        if not self.judge(self.current, after, _move_id(move), text):
            return self.current
        return self._add(lhs or self.lhs, self.current, after, _move_id(move), text, ())

    def claim(
        self,
        after: sp.Expr,
        move: str,
        text: str,
        *,
        lhs: sp.Expr | None = None,
        subderivations: Sequence[Derivation] = (),
    ) -> sp.Expr:
        """Continue the line with ``after``, justified by a named rule (its sub-derivations)."""
        before = self.current if lhs is None else lhs
        if lhs is None and not subderivations and not self.judge(before, after, move, text):
            return self.current
        return self._add(lhs or self.lhs, before, after, move, text, tuple(subderivations))

    def judge(self, before: sp.Expr, after: sp.Expr, move: str, text: str) -> bool:
        """Whether the step ``before`` → ``after`` labelled ``move`` is to be added: False for
        one that changes nothing it shows, or only the order unasked.

        Raises
        ------
        MislabelledStep
            When the move id names another rewrite than the one made.
        """
        if not is_registered(move):
            return True  # proven, then refused by the registry, as any other step
        found, rewrite = verdict(before, after, move)
        if found is Honesty.MISLABELLED:
            raise MislabelledStep(
                f"step {len(self.steps) + 1} of route '{self.name}' ({text}): "
                f"{sp.sstr(before)} → {sp.sstr(after)} is '{rewrite.value}', not what "
                f"{move!r} names"
            )
        return found is Honesty.KEEP

    def record(self, lhs: sp.Expr, after: sp.Expr, move: str, text: str, check: Check) -> sp.Expr:
        """Add a line ``lhs = after`` whose claim another checker settled (matrix equations,
        proven entry by entry at concrete sizes)."""
        if check.verdict is Verdict.FAILED:
            raise ProofError(
                f"step {len(self.steps) + 1} of route '{self.name}' ({text}) failed its check: "
                f"{check.method}"
            )
        require_registered(move)
        self.steps.append(Step(lhs, lhs, after, move, text, check))
        self.lhs, self.current = lhs, after
        return after

    def route(self) -> Route:
        """The finished route; its result is the last expression."""
        return Route(self.name, tuple(self.steps), self.current)

    def _add(self, lhs, before, after, move, text, subderivations) -> sp.Expr:
        check = prove_equal(before, after, self.context)
        if check.verdict is Verdict.FAILED:
            raise ProofError(
                f"step {len(self.steps) + 1} of route '{self.name}' ({text}) failed its check: "
                f"{sp.sstr(before)} = {sp.sstr(after)} is false ({check.method})"
            )
        require_registered(move)
        self.steps.append(Step(lhs, before, after, move, text, check, subderivations))
        self.lhs, self.current = lhs, after
        return after


def _move_id(move: Move) -> str:
    return getattr(move, "move_id", move.__name__)


def finish(
    id: str,
    title: str,
    goal: sp.Expr,
    givens: Sequence[Definition],
    routes: Sequence[Route],
    context: Context,
    notes: Sequence[str] = (),
) -> Derivation:
    """Assemble a derivation: check every route against the first and the result against
    ``sympy.diff`` of the goal (where the goal is a derivative)."""
    result = routes[0].result
    agree = all(prove_equal(r.result, result, context).ok for r in routes[1:])
    if not agree:
        raise ProofError(f"derivation {id}: the routes reach different results")
    return Derivation(
        id=id,
        title=title,
        goal=goal,
        givens=tuple(givens),
        routes=tuple(routes),
        result=result,
        routes_agree=agree,
        oracle=oracle(goal, result, context),
        notes=tuple(notes),
    )


def oracle(goal: sp.Expr, result: sp.Expr, context: Context) -> Check | None:
    """Compare the result with ``sympy.diff`` of the goal's function written out.

    For each variable the definitions that depend on it are substituted and σ is unfolded
    into exponentials, so the oracle leans neither on the engine's steps nor on σ' = σ(1-σ);
    other functions such as tanh stay as they are, so the comparison stays exact algebra.
    Raises :class:`~chainrule.errors.ProofError` when they differ.
    """
    check = oracle_check(goal, result, context)
    if check is not None and check.verdict is Verdict.FAILED:
        raise ProofError(f"the result {sp.sstr(result)} disagrees with sympy.diff: {check.method}")
    return check


def oracle_check(goal: sp.Expr, result: sp.Expr, context: Context) -> Check | None:
    """:func:`oracle`'s comparison, returned whatever its verdict (None if no derivative)."""
    if not isinstance(goal, sp.Derivative):
        return None
    direct = goal.expr
    for variable, count in goal.variable_count:
        function = context.expand_toward(direct, variable)
        if function.has(sigma):
            function = function.rewrite(sigma, sp.exp)
        direct = off_the_jumps(sp.diff(function, variable, count))
    return prove_equal(direct, result, context)
