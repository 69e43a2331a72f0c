"""Named moves that tidy a rule result into the form people use, and the plan that picks them.

A rule result such as ``1/(1 + e^(-z)) · (-e^(-z))`` is written out the way the rules combine
it. Each move below makes one named, checkable rewrite of it (its docstring states the
identity); :func:`tidy` chooses which moves to make, one after another, until none helps:

- moves that only ever tidy (cancel a factor written above and below, cancel like terms, carry
  out the written products, take a minus sign into a bracket) are made whenever they change
  the expression, the cancellations first so that "multiply out" never hides one;
- moves that may also make it longer (one fraction, expand, cancel) are made when they make it
  shorter, alone or followed by one more move (one fraction, then expand the numerator);
- σ is recognised last, once the algebra is done, so that it folds the tidy form.

A move is made only where
:mod:`chainrule.symbolic.proof.honesty` finds that it did what its id says (and changed
more than the order). No move calls ``sympy.simplify``: each is one small, predictable rewrite.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp

from chainrule.symbolic.core.symbols import sigma
from chainrule.symbolic.core.trees import evaluate, replace
from chainrule.symbolic.moves.functions import pythagorean_identity, sinh_over_cosh
from chainrule.symbolic.moves.protocol import MoveDoesNotApply, polynomial_algebra
from chainrule.symbolic.proof.honesty import Verdict, verdict
from chainrule.symbolic.proof.rewrite_class import as_written
from chainrule.symbolic.rules.table import show

__all__ = [
    "TidyStep",
    "cancel_common_factor",
    "cancel_in_products",
    "cancel_like_terms",
    "expand",
    "expand_numerator",
    "factor_out_of_sum",
    "multiply_out_keeping_brackets",
    "one_fraction",
    "recognise_sigma",
    "sign_into_bracket",
    "tidy",
]

MAX_MOVES = 10


@dataclass(frozen=True)
class TidyStep:
    """One move made: the expression after it, the move's id and the sentence saying it."""

    after: sp.Expr
    move: str
    text: str


def multiply_out_keeping_brackets(expr: sp.Expr) -> sp.Expr:
    """c · 1/u · (-1) = -c/u: carry out the products and signs as written."""
    if not expr.args or isinstance(expr, sp.Derivative):
        return expr
    args = [multiply_out_keeping_brackets(arg) for arg in expr.args]
    if isinstance(expr, sp.UnevaluatedExpr):
        return args[0]
    if isinstance(expr, sp.Mul):
        return _product_keeping_brackets(args)
    return expr.func(*args)


def _product_keeping_brackets(factors: list[sp.Expr]) -> sp.Expr:
    """The product, except that 2 · (a - y) stays 2(a - y): SymPy would distribute a number
    over a sum, which is expanding, not multiplying out."""
    number = sp.Mul(*(f for f in factors if f.is_Number))
    others = [f for f in factors if not f.is_Number]
    if len(others) == 1 and isinstance(others[0], sp.Add) and abs(number) != 1:
        return sp.Mul(number, others[0], evaluate=False)
    return sp.Mul(*factors)


def cancel_in_products(expr: sp.Expr) -> sp.Expr:
    """u · v/u = v: a factor written both above and below in one product cancels (z/z = 1),
    the rest of that product carried out."""
    return replace(expr, lambda node: evaluate(node) if _cancelling(node) else None)


def _cancelling(node: sp.Expr) -> bool:
    return isinstance(node, sp.Mul) and bool(_cancelled_factors(node))


def _cancelled_factors(node: sp.Mul) -> list[sp.Expr]:
    """The factors of the product that stand both above and below in it, in order."""
    above, below = [], []
    for factor in _written_factors(node):
        plain = evaluate(factor)
        if plain.is_number:
            continue
        if isinstance(plain, sp.Pow) and plain.exp.is_Integer and plain.exp < 0:
            below.append(plain.base)
        else:
            above.append(
                plain.base if isinstance(plain, sp.Pow) and plain.exp.is_Integer else plain
            )
    return [f for f in dict.fromkeys(above) if f in below]


def _written_factors(node: sp.Expr) -> list[sp.Expr]:
    """The factors of a written product, through its groups and nested products; 1/(p q) is
    1/p · 1/q."""
    inner = node.args[0] if isinstance(node, sp.UnevaluatedExpr) else node
    if isinstance(inner, sp.Mul):
        return [f for arg in inner.args for f in _written_factors(arg)]
    if isinstance(inner, sp.Pow) and inner.exp.is_Integer and inner.exp < 0:
        base = inner.base.args[0] if isinstance(inner.base, sp.UnevaluatedExpr) else inner.base
        if isinstance(base, sp.Mul):
            return [sp.Pow(f, inner.exp) for f in _written_factors(base)]
    return [inner]


def cancel_like_terms(expr: sp.Expr) -> sp.Expr:
    """p u - p u + q = q and p u + r u = (p + r) u for numbers p, r: terms of a sum that are
    alike but for a number merge, or cancel."""
    return replace(expr, lambda node: evaluate(node) if _has_like_terms(node) else None)


def _has_like_terms(node: sp.Expr) -> bool:
    if not isinstance(node, sp.Add):
        return False
    parts = [evaluate(t) for t in sp.Add.make_args(as_written(node))]
    symbolic = [p.as_coeff_Mul()[1] for p in parts if not p.is_number]
    return len(set(symbolic)) < len(symbolic)


def sign_into_bracket(expr: sp.Expr) -> sp.Expr:
    """-(p - q) · r = (q - p) · r: a minus sign taken into the bracket it multiplies."""
    return replace(expr, _sign_into_bracket)


def _sign_into_bracket(node: sp.Expr) -> sp.Expr | None:
    if not isinstance(node, sp.Mul):
        return None
    coefficient, rest = node.as_coeff_Mul()
    if not coefficient.is_negative:
        return None
    factors = list(sp.Mul.make_args(rest))
    for i, factor in enumerate(factors):
        if isinstance(factor, sp.Add) and _minus_signs(-factor) < _minus_signs(factor) + 1:
            factors[i] = -factor
            return sp.Mul(-coefficient, *factors)
    return None


def _minus_signs(expr: sp.Expr) -> int:
    return sum(term.could_extract_minus_sign() for term in sp.Add.make_args(expr))


def recognise_sigma(expr: sp.Expr) -> sp.Expr:
    """1/(1 + e^(-u)) = σ(u) and e^(-u)/(1 + e^(-u)) = 1 - σ(u) (so e^u/(1 + e^u) = σ(u))."""
    return replace(expr, _fold_logistic)


def _fold_logistic(node: sp.Expr) -> sp.Expr | None:
    if not isinstance(node, (sp.Mul, sp.Pow)):
        return None
    factors = list(sp.Mul.make_args(node))
    for i, factor in enumerate(factors):
        s, n = _logistic_denominator(factor)
        if s is None:
            continue
        others = factors[:i] + factors[i + 1 :]
        k = 1 if sp.exp(s) in others else 0
        if k:
            others.remove(sp.exp(s))
        if s.could_extract_minus_sign():  # 1/(1 + e^(-u)) = σ(u), e^(-u)/(1 + e^(-u)) = 1 - σ(u)
            pieces = [sigma(-s) ** (n - k), (1 - sigma(-s)) ** k]
        else:  # 1/(1 + e^u) = 1 - σ(u), e^u/(1 + e^u) = σ(u)
            pieces = [sigma(s) ** k, (1 - sigma(s)) ** (n - k)]
        kept = [f for f in (*others, *pieces) if f != 1]
        return sp.Mul(*kept, evaluate=False) if len(kept) > 1 else (kept or [sp.S.One])[0]
    return None


def _logistic_denominator(factor: sp.Expr) -> tuple[sp.Expr | None, int]:
    """(s, n) when ``factor`` is (1 + e^s)^(-n) with n a positive integer, else (None, 0)."""
    if not (isinstance(factor, sp.Pow) and factor.exp.is_Integer and factor.exp < 0):
        return None, 0
    terms = sp.Add.make_args(factor.base)
    if len(terms) != 2 or sp.S.One not in terms:
        return None, 0
    other = terms[1] if terms[0] == 1 else terms[0]
    return (other.args[0], int(-factor.exp)) if isinstance(other, sp.exp) else (None, 0)


def one_fraction(expr: sp.Expr) -> sp.Expr:
    """p/q + r/s = (p s + r q)/(q s): write a sum of fractions as one fraction."""
    sums = [node for node in sp.preorder_traversal(expr) if isinstance(node, sp.Add)]
    if not any(_fraction(t)[1] != 1 for node in sums for t in node.args):
        return expr
    return sp.together(expr)


def expand_numerator(expr: sp.Expr) -> sp.Expr:
    """(p + q) r / s = (p r + q r)/s: multiply out the numerator, the denominator kept."""
    numerator, denominator = _fraction(expr)
    if denominator == 1:
        return expr
    return sp.Mul(_multiply_out_sums(numerator), sp.Pow(denominator, -1))


def cancel_common_factor(expr: sp.Expr) -> sp.Expr:
    """p c/(q c) = p/q: cancel a factor common to numerator and denominator."""
    numerator, denominator = _fraction(expr)
    if denominator == 1:
        return expr
    with polynomial_algebra():
        common = sp.gcd(numerator, denominator)
        if common.is_number:
            return expr
        return sp.cancel(numerator / common) / sp.cancel(denominator / common)


def factor_out_of_sum(expr: sp.Expr) -> sp.Expr:
    """c p + c q = c (p + q): take a factor common to every term out of a sum."""
    return sp.factor_terms(expr) if isinstance(expr, sp.Add) else expr


def expand(expr: sp.Expr) -> sp.Expr:
    """c (p + q) = c p + c q: multiply out every product of sums."""
    return _multiply_out_sums(expr)


def _multiply_out_sums(expr: sp.Expr) -> sp.Expr:
    """Products and integer powers of sums multiplied out in every numerator; denominators,
    exponentials and logarithms left as they are."""
    terms = []
    for term in sp.Add.make_args(expr):
        numerator, denominator = _fraction(term)
        expanded = sp.expand(numerator, power_exp=False, power_base=False, log=False)
        terms.append(sp.Mul(expanded, sp.Pow(denominator, -1)))
    return sp.Add(*terms)


def _fraction(expr: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    """Numerator and denominator as written: e^(-z) stays in the numerator."""
    return sp.fraction(expr, exact=True)


Move = Callable[[sp.Expr], sp.Expr]

_ALWAYS: tuple[tuple[Move, str], ...] = (
    (cancel_in_products, "cancel the common factor"),
    (cancel_like_terms, "like terms cancel"),
    (multiply_out_keeping_brackets, "multiply out the factors"),
    (sign_into_bracket, "take the minus sign into the bracket"),
)
_IF_SHORTER: tuple[tuple[Move, str], ...] = (
    (cancel_common_factor, "cancel a common factor"),
    (factor_out_of_sum, "take out the common factor"),
    (one_fraction, "write as one fraction"),
    (expand_numerator, "expand the numerator"),
    (expand, "expand"),
    (sinh_over_cosh, "sinh(u)/cosh(u) = tanh(u)"),
    (pythagorean_identity, "sin²u + cos²u = 1 (Pythagorean identity)"),
)
_LAST: tuple[tuple[Move, str], ...] = ((recognise_sigma, "recognise σ"),)


def tidy(expr: sp.Expr) -> list[TidyStep]:
    """The moves that tidy ``expr``, in order; the last step's ``after`` is the tidy form."""
    steps: list[TidyStep] = []
    seen = {expr}
    while len(steps) < MAX_MOVES:
        found = _next_moves(expr, seen)
        if not found:
            break
        steps.extend(found)
        seen.update(step.after for step in found)
        expr = found[-1].after
    return steps


def _next_moves(expr: sp.Expr, seen: set) -> list[TidyStep]:
    for move, text in _ALWAYS:
        after = _attempt(move, expr)
        if after is not None and after not in seen:
            return [_step(move, text, expr, after)]
    cost = _cost(expr)
    for move, text in _IF_SHORTER:
        after = _attempt(move, expr)
        if after is None or after in seen:
            continue
        if _cost(after) < cost:
            return [_step(move, text, expr, after)]
        for then, then_text in _ALWAYS + _IF_SHORTER:
            final = _attempt(then, after)
            if final is not None and final not in seen and _cost(final) < cost:
                return [_step(move, text, expr, after), _step(then, then_text, after, final)]
    for move, text in _LAST:
        after = _attempt(move, expr)
        if after is not None and after not in seen:
            return [_step(move, text, expr, after)]
    return []


def _attempt(move: Move, expr: sp.Expr) -> sp.Expr | None:
    """``move(expr)``, or None when it does not apply, changes only the order (or nothing),
    or makes another rewrite than its id names (:mod:`chainrule.symbolic.proof.honesty`)."""
    try:
        after = move(expr)
    except MoveDoesNotApply:
        return None
    found, _ = verdict(expr, after, move.__name__)
    return after if found is Verdict.KEEP else None


def _cost(expr: sp.Expr) -> int:
    return int(sp.count_ops(expr))


def _step(move: Move, text: str, before: sp.Expr, after: sp.Expr) -> TidyStep:
    if move is recognise_sigma:
        found = sorted(after.atoms(sigma) - before.atoms(sigma), key=sp.default_sort_key)
        text = "recognise " + ", ".join(
            f"{show(s)} = 1/(1 + {show(sp.exp(-s.args[0]))})" for s in found
        )
    elif move is cancel_in_products:
        text += ": " + "; ".join(_cancelled_sentences(before))
    elif after == 0 and before != 0:
        text = "the terms cancel, leaving 0"
    return TidyStep(after, move.__name__, text)


def _cancelled_sentences(expr: sp.Expr) -> list[str]:
    """``z/z = 1`` for each factor cancelled in a product of ``expr`` (outermost first)."""
    found: list[str] = []

    def rule(node):
        if not _cancelling(node):
            return None
        for factor in _cancelled_factors(node):
            shown = show(factor)
            shown = f"({shown})" if isinstance(factor, (sp.Add, sp.Mul)) else shown
            sentence = f"{shown}/{shown} = 1"
            if sentence not in found:
                found.append(sentence)
        return node

    replace(expr, rule)
    return found
