"""The derivation data model: what every renderer reads.

A :class:`Derivation` states a goal (``Derivative(L, a)``), the givens it may use (``a = σ(z)``,
``z = w x + b``), one or more :class:`Route` s (``chain rule``, ``direct``) that reach a result,
and whether the routes agree. A route is a list of :class:`Step` s. Each step shows
``lhs = after``; its claim is ``before = after`` under the givens, and its :class:`Check`
records how that claim was proven. A step whose check failed is never built: the engine raises
:class:`~chainrule.errors.ProofError` instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

import sympy as sp

__all__ = ["Check", "Definition", "Derivation", "Route", "Step", "Verdict"]


class Verdict(str, Enum):
    """How a step's claim was established, strongest first."""

    PROVED = "proved"
    CHECKED_NUMERICALLY = "checked-numerically"
    FAILED = "failed"


@dataclass(frozen=True)
class Check:
    """The outcome of checking one claim.

    ``method`` says which checker tier settled it and how (``"exact: cancel"``,
    ``"exact: zero derivative and zero at a point"``, ``"numeric: 50 digits at 6 points"``);
    ``seconds`` is the time the check took.
    """

    verdict: Verdict
    method: str
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True unless the claim failed."""
        return self.verdict is not Verdict.FAILED


@dataclass(frozen=True)
class Definition:
    """A given ``symbol = expression`` such as ``a = σ(z)``; later givens define lower symbols."""

    symbol: sp.Symbol
    expr: sp.Expr

    def as_eq(self) -> sp.Eq:
        return sp.Eq(self.symbol, self.expr, evaluate=False)


@dataclass(frozen=True)
class Step:
    """One line of a route: ``lhs = after``, reached from ``before`` by the named move.

    ``move`` is the move's id (``"distribute"``, ``"chain_rule"``), ``text`` the sentence saying
    what was done. ``subderivations`` are derivations this step leans on (the side proof of
    d(ln x)/dx, a term differentiated on its own).
    """

    lhs: sp.Expr
    before: sp.Expr
    after: sp.Expr
    move: str
    text: str
    check: Check
    subderivations: tuple[Derivation, ...] = ()

    @property
    def verdict(self) -> Verdict:
        return self.check.verdict


@dataclass(frozen=True)
class Route:
    """One way to the goal: ``"chain rule"`` or ``"direct"`` (or ``"definition"``)."""

    name: str
    steps: tuple[Step, ...]
    result: sp.Expr


@dataclass(frozen=True)
class Derivation:
    """A goal, its givens, the routes that reach it, and whether they agree.

    ``result`` is the final expression (all routes proven equal to it when
    ``routes_agree``); ``oracle`` is the check of ``result`` against the goal's derivative
    taken directly, by ``oracle_source`` (``sympy.diff``; a layer derivation proven in exact
    polynomials names its own); ``notes`` are side conditions (non-differentiable points,
    conventions).
    """

    id: str
    title: str
    goal: sp.Expr
    givens: tuple[Definition, ...]
    routes: tuple[Route, ...]
    result: sp.Expr
    routes_agree: bool
    oracle: Check | None = None
    notes: tuple[str, ...] = field(default=())
    oracle_source: str = "sympy.diff"

    def steps(self):
        """Every step of every route, sub-derivations included, depth first."""
        for route in self.routes:
            for step in route.steps:
                yield step
                for sub in step.subderivations:
                    yield from sub.steps()

    def _repr_markdown_(self) -> str:
        from chainrule.render import to_markdown

        return to_markdown([self])

    def _repr_html_(self) -> str:
        from chainrule.render import to_html_fragment

        return to_html_fragment([self])
