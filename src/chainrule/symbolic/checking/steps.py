"""A written derivation checked step by step, the first wrong step explained.

Every line's claim is proven by chainrule's step checker
(:func:`~chainrule.symbolic.proof.check.prove_equal`) under the givens, as chainrule proves its
own: a line ``lhs = rhs`` claims that lhs equals rhs, a continuation ``= rhs`` that the line
before equals rhs. The route's last expression is compared with the goal's derivative taken by
``sympy.diff`` (:func:`~chainrule.symbolic.core.engine.oracle_check`).

For the first wrong line: a counterexample (a point where the two sides differ, and by how
much), chainrule's own next line from the same starting line (by the rules of differentiation
where the line differentiates, else by the move the reason names, or the nearest move), and a
diagnosis from :mod:`.mistakes`, verified.
"""

from __future__ import annotations

import difflib
import inspect
import random
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache

import mpmath
import sympy as sp

from chainrule.symbolic import moves
from chainrule.symbolic.checking.documents import WrittenDerivation, WrittenLine, WrittenRoute
from chainrule.symbolic.checking.mistakes import Diagnosis, diagnose
from chainrule.symbolic.core.engine import oracle_check
from chainrule.symbolic.core.model import Check, Definition
from chainrule.symbolic.core.symbols import a as a_symbol
from chainrule.symbolic.proof.check import Context, prove_equal, to_base
from chainrule.symbolic.rules import differentiate

__all__ = ["CheckedDerivation", "CheckedLine", "Finding", "check_derivation"]


@dataclass(frozen=True)
class Counterexample:
    """Values of the free symbols where the two sides differ: left, right and the gap."""

    point: dict[str, str]
    left: float
    right: float

    @property
    def difference(self) -> float:
        return abs(self.left - self.right)


@dataclass(frozen=True)
class Finding:
    """What is wrong with one line and what it should have been."""

    line: WrittenLine
    before: sp.Expr
    counterexample: Counterexample | None
    correct: sp.Expr | None
    correct_by: str
    diagnosis: Diagnosis | None


@dataclass(frozen=True)
class CheckedLine:
    line: WrittenLine
    before: sp.Expr
    check: Check
    subderivations: tuple[CheckedDerivation, ...] = ()


@dataclass(frozen=True)
class CheckedRoute:
    name: str
    lines: tuple[CheckedLine, ...]
    result: sp.Expr


@dataclass(frozen=True)
class CheckedDerivation:
    """The verdict of every line, the result against the goal, and the first finding."""

    written: WrittenDerivation
    routes: tuple[CheckedRoute, ...]
    result_check: Check | None
    routes_agree: bool
    finding: Finding | None
    result_finding: Finding | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        lines_ok = all(c.check.ok for r in self.routes for c in r.lines)
        subs_ok = all(s.ok for r in self.routes for c in r.lines for s in c.subderivations)
        result_ok = self.result_check is None or self.result_check.ok
        return lines_ok and subs_ok and result_ok and self.routes_agree


def _expressions(written: WrittenDerivation) -> list[sp.Expr]:
    expressions = [written.goal, *(d.expr for d in written.givens)]
    for route in written.routes:
        for line in route.lines:
            expressions += [line.rhs] + ([line.lhs] if line.lhs is not None else [])
    return expressions


def _replacements(written: WrittenDerivation) -> dict[sp.Symbol, sp.Expr]:
    """Symbols read differently in this derivation.

    A free symbol standing alone inside a logarithm is positive (ln x, with x > 0); the
    course's ``dz``, ``dw``, ``db`` are dL/dz, dL/dw, dL/db for the goal's function L.
    """
    defined = {d.symbol for d in written.givens}
    found: dict[sp.Symbol, sp.Expr] = {}
    top = written.goal.expr if isinstance(written.goal, sp.Derivative) else None
    for expr in _expressions(written):
        for log in expr.atoms(sp.log):
            argument = log.args[0]
            if isinstance(argument, sp.Symbol) and argument not in defined | {a_symbol}:
                found[argument] = sp.Symbol(argument.name, positive=True)
        for symbol in expr.free_symbols:
            shorthand = re.fullmatch(r"d([a-z])", symbol.name)
            if shorthand and isinstance(top, sp.Symbol):
                found[symbol] = sp.Derivative(top, sp.Symbol(shorthand.group(1), real=True))
    return found


def _rewritten(written: WrittenDerivation) -> tuple[WrittenDerivation, Context]:
    replacements = _replacements(written)

    def swap(expr):
        return expr.xreplace(replacements) if replacements and expr is not None else expr

    givens = tuple(Definition(swap(d.symbol), swap(d.expr)) for d in written.givens)
    routes = tuple(
        WrittenRoute(
            route.name,
            tuple(replace(ln, lhs=swap(ln.lhs), rhs=swap(ln.rhs)) for ln in route.lines),
        )
        for route in written.routes
    )
    rewritten = replace(written, goal=swap(written.goal), givens=givens, routes=routes)
    return rewritten, Context(givens + _introduced(givens, routes))


def _introduced(givens, routes) -> tuple[Definition, ...]:
    """A line ``L = ...`` for a symbol no given defines introduces it, as a given would."""
    defined = {d.symbol for d in givens}
    introduced = []
    for route in routes:
        for line in route.lines:
            if isinstance(line.lhs, sp.Symbol) and line.lhs not in defined:
                defined.add(line.lhs)
                introduced.append(Definition(line.lhs, line.rhs))
    return tuple(introduced)


@lru_cache(maxsize=4096)
def _claim(before: sp.Expr, after: sp.Expr, givens: tuple[Definition, ...]) -> Check:
    """:func:`prove_equal` under ``givens``, remembered: the same derivation read from several
    formats (or checked twice) makes the same claims."""
    return prove_equal(before, after, Context(givens))


def check_derivation(written: WrittenDerivation) -> CheckedDerivation:
    """Check every line of ``written`` and its result; explain the first wrong line."""
    if written.skipped:
        return CheckedDerivation(written, (), None, True, None)
    written, context = _rewritten(written)
    routes = []
    finding = None
    for route in written.routes:
        checked: list[CheckedLine] = []
        for index, line in enumerate(route.lines):
            before = line.lhs if line.lhs is not None else route.lines[index - 1].rhs
            check = _claim(before, line.rhs, context.definitions)
            subs = tuple(check_derivation(sub) for sub in line.subderivations)
            checked.append(CheckedLine(line, before, check, subs))
            if not check.ok and finding is None:
                finding = explain(route.lines, index, before, context)
        routes.append(CheckedRoute(route.name, tuple(checked), route.lines[-1].rhs))
    result = routes[0].result
    agree = all(_claim(r.result, result, context.definitions).ok for r in routes[1:])
    result_check = oracle_check(written.goal, result, context)
    result_finding = None
    if finding is None and result_check is not None and not result_check.ok:
        last = written.routes[0].lines[-1]
        truth = _true_derivative(written.goal, context)
        result_finding = Finding(
            last,
            truth,
            _counterexample(truth, result, context),
            truth,
            "sympy.diff of the goal",
            diagnose(truth, result, context),
        )
    return CheckedDerivation(written, tuple(routes), result_check, agree, finding, result_finding)


def _true_derivative(goal: sp.Expr, context: Context) -> sp.Expr:
    direct = goal.expr
    for variable, count in goal.variable_count:
        direct = sp.diff(context.expand_toward(direct, variable), variable, count)
    return direct


# --------------------------------------------------------------------------- the first wrong line


def explain(
    lines: tuple[WrittenLine, ...], index: int, before: sp.Expr, context: Context
) -> Finding:
    """The finding for ``lines[index]``, whose claim ``before = rhs`` failed."""
    line = lines[index]
    differentiand = _differentiand(lines, index, context)
    if differentiand is not None:
        f, v = differentiand
        correct, correct_by = _rule_result(f, v), "the rules of differentiation"
    else:
        correct, correct_by = _next_by_move(before, line, context)
    diagnosis = diagnose(before, line.rhs, context, differentiand)
    counterexample = _counterexample(before, line.rhs, context)
    return Finding(line, before, counterexample, correct, correct_by, diagnosis)


def _current_lhs(lines: tuple[WrittenLine, ...], index: int) -> sp.Expr | None:
    for line in reversed(lines[:index]):
        if line.lhs is not None:
            return line.lhs
    return None


def _differentiand(lines, index, context) -> tuple[sp.Expr, sp.Symbol] | None:
    """(f, v) when ``lines[index]`` states df/dv: f is the line before where it states f."""
    lhs = lines[index].lhs
    if not isinstance(lhs, sp.Derivative) or len(lhs.variables) != 1:
        return None
    target, variable = lhs.expr, lhs.variables[0]
    f = target
    if index > 0 and _current_lhs(lines, index) == target:
        f = lines[index - 1].rhs
    elif isinstance(target, sp.Symbol):
        f = context.expand_toward(target, variable)
    f = context.expand_toward(f, variable)
    if f.has(sp.Derivative):
        return None
    return f, variable


def _rule_result(f: sp.Expr, v: sp.Symbol) -> sp.Expr | None:
    try:
        return differentiate(f, v).result
    except Exception:  # noqa: BLE001 - a function with no rule: fall back to sympy.diff
        return sp.diff(f, v)


def _single_argument_moves() -> dict[str, object]:
    """Every exported move that needs nothing but the expression."""
    found = {}
    for name in getattr(moves, "__all__", ()):
        move = getattr(moves, name, None)
        if not callable(move):
            continue
        try:
            parameters = inspect.signature(move).parameters.values()
        except (TypeError, ValueError):
            continue
        required = [
            p
            for p in parameters
            if p.default is inspect.Parameter.empty
            and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
        if len(required) == 1:
            found[getattr(move, "move_id", name)] = move
    return found


def _words(text: str) -> set[str]:
    return {w.rstrip("s") for w in re.findall(r"[a-z]+", text.lower()) if len(w) > 2}


def _next_by_move(before: sp.Expr, line: WrittenLine, context: Context):
    """chainrule's next line from ``before``: the move the reason names, else the nearest."""
    reason_words = _words(line.reason)
    results = []
    for name, move in _single_argument_moves().items():
        try:
            after = move(before)  # type: ignore[operator]
        except Exception:  # noqa: BLE001 - a move that does not apply here
            continue
        if not isinstance(after, sp.Expr) or not prove_equal(before, after, context).ok:
            continue
        named = len(_words(name.replace("_", " ")) & reason_words)
        similarity = difflib.SequenceMatcher(None, sp.sstr(after), sp.sstr(line.rhs)).ratio()
        results.append(((named, similarity), name, after))
    if not results:
        return before, "the line before, unchanged"
    (named, _), name, after = max(results, key=lambda r: r[0])
    how = "the move your reason names" if named else "the nearest move"
    return after, f"{how}, {name}"


# --------------------------------------------------------------------------- counterexample


def _counterexample(left: sp.Expr, right: sp.Expr, context: Context) -> Counterexample | None:
    """A point where ``left`` and ``right`` differ clearly, both evaluated over the base."""
    try:
        lhs, rhs = to_base(left, context), to_base(right, context)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    free = sorted(lhs.free_symbols | rhs.free_symbols, key=lambda s: s.name)
    try:
        function = sp.lambdify(free, [lhs, rhs], modules="mpmath")
    except (TypeError, ValueError, NameError, SyntaxError):
        return None
    rng = random.Random(14)
    for _ in range(40):
        point = {s: _sample(s, context, rng) for s in free}
        try:
            with mpmath.workdps(30):
                values = function(*(mpmath.mpf(p.p) / p.q for p in point.values()))
            a_value, b_value = (complex(v) for v in values)
        except (ArithmeticError, TypeError, ValueError):
            continue
        if a_value.imag or b_value.imag:
            continue
        gap = abs(a_value.real - b_value.real)
        if gap > 1e-9 * (1 + abs(a_value.real) + abs(b_value.real)):
            shown = {str(s): f"{float(p):g}" for s, p in point.items()}
            return Counterexample(shown, a_value.real, b_value.real)
    return None


def _sample(symbol: sp.Symbol, context: Context, rng: random.Random) -> sp.Rational:
    """A point of the symbol's domain: a, y (probabilities, labels) and positive symbols in
    (0, 1), others in [-2, 2]."""
    if symbol in context.unit_interval or symbol.is_positive or symbol.name == "y":
        return sp.Rational(rng.randint(1, 9), 10)
    return sp.Rational(rng.randint(-20, 20), 10)
