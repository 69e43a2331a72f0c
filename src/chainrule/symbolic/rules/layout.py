"""How rule applications become the steps of a page: which get a line, in what order, named how.

:func:`derive` walks an expression with the rules of :mod:`chainrule.symbolic.rules` (one rule
per node, picked by a ``choose`` function) and records a :class:`RuleStep` ``d/dv f = after``
for every rule that does real work, innermost first, so each line uses only lines above it.
The layout is a textbook's:

- a constant multiple or a constant term joins the step of what it multiplies or accompanies
  (``d/da [-(1-y) ln(1-a)] = -(1-y) · 1/(1-a) · (-1)`` is one step);
- a linear function (``1 - a``, ``wx + b``) gets no step of its own: its derivative is read off;
- an inner function whose derivative is a single table entry (``e^z``, ``z^2``, ``tanh z``,
  ``1 + e^(-z)``) is folded into the chain-rule step that uses it: "..., where du/dz = e^z".

Chain-rule inner functions are named u, u₁, u₂, ... in reading order; another letter is used
when the expression has a symbol of that name (u, u1, u_2).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import sympy as sp

from chainrule.symbolic.core.trees import evaluate
from chainrule.symbolic.rules.table import show

__all__ = ["Derived", "Differentiation", "RuleStep", "Session", "derive"]


@dataclass(frozen=True)
class RuleStep:
    """One rule applied: ``lhs`` (an unevaluated ``Derivative(f, v)``) equals ``after``."""

    lhs: sp.Expr
    after: sp.Expr
    rule: str
    text: str
    side_conditions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Differentiation:
    """The derivative of ``expr`` by ``variable``, its textbook form and the steps to it."""

    expr: sp.Expr
    variable: sp.Symbol
    result: sp.Expr
    steps: tuple[RuleStep, ...]
    side_conditions: tuple[str, ...]


@dataclass
class Session:
    """The state of one differentiation: the variable, the steps so far, the names used."""

    variable: sp.Symbol
    taken: frozenset[str]
    steps: list[RuleStep] = field(default_factory=list)
    conditions: list[str] = field(default_factory=list)
    letter: str | None = None
    used: int = 0

    def name(self) -> str:
        """The next chain-rule name: u, u₁, u₂, ... (another letter if the user has u)."""
        if self.letter is None:
            self.letter = next(c for c in "uvstpqrgh" if not _clashes(c, self.taken))
        self.used += 1
        return self.letter + ("" if self.used == 1 else _subscript(self.used - 1))

    @property
    def v(self) -> str:
        """The variable's name in step sentences."""
        return show(self.variable)


def _clashes(letter: str, taken: frozenset[str]) -> bool:
    """Whether a symbol is named ``letter`` or ``letter`` with an index (u, u1, u_2, u₃)."""
    return any(re.sub(r"_?[0-9₀-₉]+$", "", name) == letter for name in taken)


def _subscript(number: int) -> str:
    return str(number).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


@dataclass(frozen=True)
class Derived:
    """A node's derivative: ``shown`` (the rule's combination), ``value`` (evaluated), the index
    of the step that shows it, whether that step is a single table entry, and how many inner
    names were in use before it."""

    shown: sp.Expr
    value: sp.Expr
    step: int | None = None
    immediate: bool = True
    names_before: int = 0


Choose = Callable[[sp.Expr, sp.Symbol], Any]


def derive(expr: sp.Expr, variable: sp.Symbol, choose: Choose) -> Differentiation:
    """Differentiate ``expr`` by ``variable``, the rule of each node picked by ``choose``."""
    taken = frozenset(s.name for s in expr.free_symbols | {variable})
    session = Session(variable, taken)
    top = _derive(expr, session, choose, top=True)
    steps, conditions = tuple(session.steps), tuple(session.conditions)
    return Differentiation(expr, variable, top.shown, steps, conditions)


def _derive(expr: sp.Expr, s: Session, choose: Choose, top: bool = False) -> Derived:
    if isinstance(expr, sp.UnevaluatedExpr):
        return _derive(expr.args[0], s, choose, top)
    rule = choose(expr, s.variable)
    d = tuple(_derive(part, s, choose) for part in rule.parts())
    shown = rule.combine(d)
    value = evaluate(shown)
    s.conditions.extend(c for c in rule.conditions() if c not in s.conditions)
    if rule.merges and d[0].step is not None:
        return _merge(expr, rule, d[0], shown, value, s)
    if not top and is_linear(expr, s.variable):
        return Derived(shown, value)
    conditions, immediate = rule.conditions(), all(x.step is None for x in d)
    if rule.quotes_inner and d[0].step is not None and d[0].immediate:
        conditions = _fold(d[0], s) + conditions
        d = (replace(d[0], step=None),)
    names_before = s.used
    text = rule.sentence(s, d)
    s.steps.append(_step(expr, s.variable, shown, rule.id, text, conditions))
    return Derived(shown, value, len(s.steps) - 1, immediate, names_before)


def is_linear(expr: sp.Expr, v: sp.Symbol) -> bool:
    """Whether ``expr`` is c·v + d with c, d free of ``v`` (its derivative needs no step)."""
    if not expr.has(v) or expr == v:
        return True
    if isinstance(expr, sp.UnevaluatedExpr):
        return is_linear(expr.args[0], v)
    if isinstance(expr, sp.Add):
        return all(is_linear(t, v) for t in expr.args)
    if isinstance(expr, sp.Mul):
        varying = [f for f in expr.args if f.has(v)]
        return len(varying) == 1 and is_linear(varying[0], v)
    return False


def _step(expr, variable, after, rule_id, text, conditions) -> RuleStep:
    return RuleStep(sp.Derivative(expr, variable), after, rule_id, text, tuple(conditions))


def _merge(expr, rule, part: Derived, shown, value, s: Session) -> Derived:
    """Join a constant multiple or constant term to the step of the part it goes with."""
    index = part.step
    assert index is not None, "only a part with a step of its own is merged into"
    old = s.steps[index]
    text = f"{rule.sentence(s, (part,))}; {old.text}"
    s.steps[index] = _step(expr, s.variable, shown, old.rule, text, old.side_conditions)
    return Derived(shown, value, index, part.immediate, part.names_before)


def _fold(inner: Derived, s: Session) -> tuple[str, ...]:
    """Drop the inner function's own step (the chain step quotes its value instead), give back
    the names it took, and hand its side conditions to the chain step."""
    assert inner.step == len(s.steps) - 1, "an immediate inner step is the last one made"
    s.used = inner.names_before
    return s.steps.pop().side_conditions
