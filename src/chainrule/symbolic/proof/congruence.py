"""Proving a rewrite by the parts it changed: equals put in place of equals.

A move such as "substitute [1] and [2]" or "sinh(u)/cosh(u) = tanh(u)" changes a few parts of
a large expression and leaves the rest as it was. If every changed part equals what it
replaced (under the same givens), the whole expressions are equal: sums, products, powers and
function applications of equal arguments are equal. :func:`congruent_check` finds those parts
by walking both expressions in step and proves each with
:func:`~chainrule.symbolic.proof.check.prove_equal`; it falls back to proving the whole claim when
the parts cannot be matched or a part does not prove, so it never fails a true step that the
checker would pass. A derivative is always compared whole, since what it means depends on the
givens.

:func:`make` runs a move on a route and records the line with that check.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

import sympy as sp

from chainrule.symbolic.core.engine import RouteBuilder
from chainrule.symbolic.core.model import Check, Verdict
from chainrule.symbolic.proof.check import Context, prove_equal

__all__ = ["claim", "congruent_check", "make", "parts_that_differ"]

_MOST_PARTS = 4


def parts_that_differ(before: sp.Expr, after: sp.Expr) -> list[tuple[sp.Expr, sp.Expr]]:
    """The smallest pairs (old part, new part) that ``before`` and ``after`` differ in."""
    if before == after:
        return []
    whole = isinstance(before, (sp.Derivative, sp.Piecewise, sp.Sum))
    if type(before) is not type(after) or whole or not before.args:
        return [(before, after)]
    if isinstance(before, (sp.Add, sp.Mul)):
        return _differing_terms(before, after)
    if isinstance(before, (sp.Pow, sp.UnevaluatedExpr, sp.Function)) and len(before.args) == len(
        after.args
    ):
        pairs: list[tuple[sp.Expr, sp.Expr]] = []
        for old, new in zip(before.args, after.args, strict=True):
            pairs.extend(parts_that_differ(old, new))
        return pairs
    return [(before, after)]


def _differing_terms(before: sp.Expr, after: sp.Expr) -> list[tuple[sp.Expr, sp.Expr]]:
    """Terms (factors) of a sum (product) that both share drop out; the rest is compared."""
    old, new = list(before.args), list(after.args)
    for arg in list(old):
        if arg in new:
            old.remove(arg)
            new.remove(arg)
    if len(old) == len(before.args):
        if len(old) != len(new):
            return [(before, after)]
        pairs: list[tuple[sp.Expr, sp.Expr]] = []
        for one, other in zip(old, new, strict=True):
            pairs.extend(parts_that_differ(one, other))
        return pairs
    if len(old) == 1 and len(new) == 1:
        return parts_that_differ(old[0], new[0])
    return [(before.func(*old, evaluate=False), after.func(*new, evaluate=False))]


def congruent_check(before: sp.Expr, after: sp.Expr, context: Context) -> Check:
    """Check ``before = after`` through the parts that differ (see the module docstring)."""
    start = time.perf_counter()
    pairs = parts_that_differ(before, after)
    whole = len(pairs) == 1 and pairs[0] == (before, after)
    if not pairs or whole or len(pairs) > _MOST_PARTS:
        return prove_equal(before, after, context)
    checks = [_proven(old, new, context) for old, new in pairs]
    if any(check.verdict is Verdict.FAILED for check in checks):
        return prove_equal(before, after, context)
    weakest = max((check.verdict for check in checks), key=list(Verdict).index)
    return Check(weakest, _by_parts(checks), time.perf_counter() - start)


def _by_parts(checks: list[Check]) -> str:
    """ "exact: the changed part: ..." or "... each of the 2 changed parts: ..."."""
    which = "the changed part" if len(checks) == 1 else f"each of the {len(checks)} changed parts"
    methods = list(dict.fromkeys(check.method for check in checks))
    if len(methods) == 1 and ": " in methods[0]:
        tier, how = methods[0].split(": ", 1)
        return f"{tier}: {which}: {how}"
    return f"{which}: " + " | ".join(methods)


_PROVEN: dict[tuple, Check] = {}
_REMEMBERED = 256


def _proven(old: sp.Expr, new: sp.Expr, context: Context) -> Check:
    """``prove_equal``, remembering the answer for the same claim under the same givens (the
    routes of [5] and [6] both substitute result [3])."""
    key = (old, new, context.definitions, context.unit_interval)
    found = _PROVEN.get(key)
    if found is not None:
        return dataclasses.replace(found, seconds=0.0)
    check = prove_equal(old, new, context)
    if len(_PROVEN) >= _REMEMBERED:
        _PROVEN.clear()
    _PROVEN[key] = check
    return check


def claim(
    route: RouteBuilder, after: sp.Expr, move: str, text: str, lhs: sp.Expr | None = None
) -> sp.Expr:
    """Continue the route with ``after``, proven by :func:`congruent_check`; a step that the
    engine's judge drops (it changes nothing it shows) is not added."""
    before = route.current
    if not route.judge(before, after, move, text):
        return before
    check = congruent_check(before, after, route.context)
    route.record(lhs if lhs is not None else route.lhs, after, move, text, check)
    route.steps[-1] = dataclasses.replace(route.steps[-1], before=before)
    return after


def make(route: RouteBuilder, move: Callable[..., sp.Expr], text: str, *args) -> sp.Expr:
    """Run ``move`` on the route's expression and add the line, proven by its changed parts."""
    after = move(route.current, *args)
    return claim(route, after, getattr(move, "move_id", move.__name__), text)
