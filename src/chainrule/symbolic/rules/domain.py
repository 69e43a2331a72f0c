"""Where an expression is real and differentiable: the domain a derivation proves on.

A derivation over the reals holds only where every function in it is real and differentiable:
ln u needs u > 0, √u needs u > 0 (u ≥ 0 for the value, but the slope 1/(2√u) needs u > 0),
arcsin u and arccos u need -1 < u < 1, arctanh u the same, arccosh u needs u > 1 and 1/u needs
u ≠ 0. :func:`real_domain` collects those conditions and, for an expression in one variable,
solves them with SymPy's ``solveset``:

- an expression real nowhere (``log(-1 - z**2)``, ``sqrt(-z**2 - 1)``) is refused with one
  line naming the function and its condition;
- one real only on part of the line gets that part (``z > 0``, ``-1 < z < 1``) in words.

Solving is bounded: only conditions on rational functions of low degree are handed to
``solveset`` (polynomial inequalities, which it solves exactly and at once); any other condition
is stated as it stands (``sin(z) > 0``), after SymPy's sign assumptions have had the chance to
show it can never hold (-1 - w² x² > 0 is false for every real w and x).
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from chainrule.errors import InputError
from chainrule.symbolic.rules.table import show

__all__ = ["Domain", "real_domain"]

#: Conditions on rational functions up to this degree are solved; others are stated as they are.
MAX_DEGREE = 6
#: Conditions on arguments larger than this (SymPy's operation count) are stated, not solved.
MAX_OPERATIONS = 40


@dataclass(frozen=True)
class Domain:
    """The domain of an expression: ``where`` in words (``"z > 0"``), ``everywhere`` when it
    holds for every real value of the variables."""

    where: str
    everywhere: bool

    @property
    def note(self) -> str:
        """The sentence a derivation's notes carry."""
        if self.everywhere:
            return f"domain: every real {self.where}"
        return f"domain: {self.where} (where the expression is real and differentiable)"


def _conditions(expr: sp.Expr) -> list[tuple[sp.Basic, str]]:
    """Each restricted node's condition as a relation, with the function it comes from."""
    found: list[tuple[sp.Basic, str]] = []
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.log):
            found.append((sp.Gt(node.args[0], 0, evaluate=False), "ln"))
        elif isinstance(node, sp.Pow) and node.exp.is_Rational and not node.exp.is_Integer:
            if node.exp.q % 2 == 0:
                found.append((sp.Gt(node.base, 0, evaluate=False), "√"))
        elif isinstance(node, sp.Pow) and node.exp.is_negative:
            found.append((sp.Ne(node.base, 0, evaluate=False), "a quotient"))
        elif isinstance(node, (sp.asin, sp.acos, sp.atanh)):
            u = node.args[0]
            name = {sp.asin: "arcsin", sp.acos: "arccos", sp.atanh: "arctanh"}[type(node)]
            found.append((sp.Lt(u**2, 1, evaluate=False), name))
        elif isinstance(node, sp.acosh):
            found.append((sp.Gt(node.args[0], 1, evaluate=False), "arccosh"))
    return found


def _never(condition: sp.Basic) -> bool:
    """Whether SymPy's sign assumptions show that ``condition`` holds for no real values."""
    difference = condition.lhs - condition.rhs
    if isinstance(condition, sp.Gt):
        return bool(difference.is_nonpositive)
    if isinstance(condition, sp.Lt):
        return bool(difference.is_nonnegative)
    if isinstance(condition, sp.Ne):
        return bool(difference.is_zero)
    return False


def _always(condition: sp.Basic) -> bool:
    """Whether SymPy's sign assumptions show that ``condition`` holds for all real values."""
    difference = condition.lhs - condition.rhs
    if isinstance(condition, sp.Gt):
        return bool(difference.is_positive)
    if isinstance(condition, sp.Lt):
        return bool(difference.is_negative)
    return bool(difference.is_nonzero) if isinstance(condition, sp.Ne) else False


def _solvable(condition: sp.Basic, variable: sp.Symbol) -> bool:
    """Whether ``condition`` is small enough to hand to ``solveset`` (see the module text)."""
    difference = condition.lhs - condition.rhs
    if difference.free_symbols != {variable} or sp.count_ops(difference) > MAX_OPERATIONS:
        return False
    if not difference.is_rational_function(variable):
        return False
    numerator, denominator = sp.fraction(sp.together(difference))
    degrees = (sp.degree(numerator, variable), sp.degree(denominator, variable))
    return max(degrees) <= MAX_DEGREE


def _words(region: sp.Set, variable: sp.Symbol) -> str:
    """A set of real numbers in words: ``z > 0``, ``-1 < z < 1``, ``z ≠ 0``, joined by 'or'."""
    v = show(variable)
    missing = sp.S.Reals - region
    if isinstance(missing, sp.FiniteSet) and missing:
        points = ", ".join(show(p) for p in sorted(missing, key=sp.default_sort_key))
        return f"{v} ≠ {points}"
    if isinstance(region, sp.Union):
        return " or ".join(_words(part, variable) for part in region.args)
    if isinstance(region, sp.Interval):
        below = "<" if region.left_open else "≤"
        above = "<" if region.right_open else "≤"
        if region.start == -sp.oo:
            return f"{v} {above} {show(region.end)}"
        if region.end == sp.oo:
            return f"{v} {'>' if region.left_open else '≥'} {show(region.start)}"
        return f"{show(region.start)} {below} {v} {above} {show(region.end)}"
    return f"{v} in {region}"


def _stated(condition: sp.Basic) -> str:
    """A condition kept as it stands, in the words of step sentences."""
    relation = {sp.Gt: ">", sp.Lt: "<", sp.Ne: "≠"}[type(condition)]
    return f"{show(condition.lhs)} {relation} {show(condition.rhs)}"


def real_domain(expr: sp.Expr, variable: sp.Symbol, parameter: str = "expression") -> Domain:
    """The domain where ``expr`` is real and differentiable in ``variable``, in words.

    Raises
    ------
    InputError
        One line naming ``parameter``, the function and its condition, when ``expr`` is real
        for no value of its variables.
    """
    region: sp.Set = sp.S.Reals
    stated: list[str] = []
    for condition, function in _conditions(expr):
        if condition is sp.false or _never(condition):
            _refuse(expr, condition, function, parameter)
        if condition is sp.true or _always(condition):
            continue
        if not _solvable(condition, variable):
            stated.append(_stated(condition))
            continue
        region = region.intersect(sp.solveset(condition, variable, sp.S.Reals))
        if region is sp.S.EmptySet:
            _refuse(expr, condition, function, parameter)
    parts = ([] if region == sp.S.Reals else [_words(region, variable)]) + stated
    if not parts:
        names = ", ".join(sorted(show(s) for s in expr.free_symbols | {variable}))
        return Domain(names, everywhere=True)
    return Domain(" and ".join(dict.fromkeys(parts)), everywhere=False)


def _refuse(expr: sp.Expr, condition: sp.Basic, function: str, parameter: str) -> None:
    needs = "needs " + (_stated(condition) if isinstance(condition, sp.Rel) else "its argument")
    raise InputError(
        f"'{parameter}': {show(expr)} is real and differentiable for no real value of its "
        f"variables "
        f"({function} {needs}, which never holds); a derivation over the reals needs a real "
        f"expression"
    )
