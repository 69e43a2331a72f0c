"""What a rewrite step actually did, read off its two sides: its :class:`RewriteClass`.

A step's move id says what it claims to do ("multiply out", "cancel a common factor"); this
module says what the step did, from ``before`` and ``after`` alone, so that the two can be
compared (:mod:`.honesty`). The sides are compared as written: groups (``UnevaluatedExpr``)
dropped and nested sums and products flattened, but nothing evaluated, so that
``-y + a y + a - a y`` is still four terms. Then, in this order:

- ``identical``: the same tree, term for term and factor for factor;
- ``reorder``: the same terms and factors at every level, in another order;
- ``cancel to 0``: the right side is 0 and the left multiplies out to 0;
- ``cancel a common factor``: a factor stands above and below a fraction on the left and its
  count drops on both sides of the fraction (z/z = 1, (1 + u)/(1 + u)² = 1/(1 + u));
- ``cancel terms``: terms of a sum that are alike (the same but for a number) are fewer;
- ``arithmetic``: SymPy's own evaluation of the left side gives the right side (numbers
  multiplied, signs carried: 1/2 · 2 = 1, c · (-1) = -c);
- ``expand``: fewer sums stand as factors of a product (c(p + q) = cp + cq);
- ``factor``: a sum on the left is a sum on the right times a factor (cp + cq = c(p + q),
  1 - a² = (1 - a)(1 + a));
- ``combine fractions`` / ``split a fraction``: fewer or more fractions;
- ``other``: anything else (a function identity, a substitution, a recognised definition).

Every test is a comparison of SymPy trees (argument multisets, ``expand``, ``gcd``); none
calls ``sympy.simplify``.
"""

from __future__ import annotations

from collections import Counter
from enum import Enum

import sympy as sp

from chainrule.symbolic.core.trees import evaluate, strip

__all__ = ["RewriteClass", "as_written", "classify", "same_up_to_order"]


class RewriteClass(str, Enum):
    """What a rewrite did; the value is the phrase a report uses."""

    IDENTICAL = "identical"
    NOTATION = "notation"
    REORDER = "reorder"
    CANCEL_TO_ZERO = "cancel to 0"
    CANCEL_FACTOR = "cancel a common factor"
    CANCEL_TERMS = "cancel terms"
    ARITHMETIC = "arithmetic"
    EXPAND = "expand"
    FACTOR = "factor"
    COMBINE_FRACTIONS = "combine fractions"
    SPLIT_FRACTION = "split a fraction"
    OTHER = "other"


def classify(before: sp.Expr, after: sp.Expr) -> RewriteClass:
    """The class of the rewrite ``before`` → ``after`` (see the module docstring)."""
    written_before, written_after = as_written(before), as_written(after)
    if written_before == written_after:
        return RewriteClass.IDENTICAL
    if as_written(before, notation=False) == as_written(after, notation=False):
        return RewriteClass.NOTATION
    if same_up_to_order(written_before, written_after):
        return RewriteClass.REORDER
    plain_before, plain_after = evaluate(before), evaluate(after)
    if plain_after == 0:
        return RewriteClass.CANCEL_TO_ZERO if _expands_to_zero(plain_before) else RewriteClass.OTHER
    if not _applications(plain_after) <= _applications(plain_before):
        return RewriteClass.OTHER
    if _over_the_same_denominator(before, after):
        return RewriteClass.COMBINE_FRACTIONS
    if _cancels_a_factor(written_before, written_after):
        return RewriteClass.CANCEL_FACTOR
    if _like_terms(written_before) > _like_terms(written_after):
        return RewriteClass.CANCEL_TERMS
    return _structural(before, after, written_before, written_after)


def as_written(expr: sp.Expr, notation: bool = True) -> sp.Expr:
    """``expr`` with its groups dropped and nested sums and products flattened, in the order
    written, nothing evaluated; 1/(p q) is read as 1/p · 1/q. A group around a number (the
    exponent of u^(-1), written so rather than 1/u) is notation and stays, unless
    ``notation`` is False."""
    if not expr.args or isinstance(expr, sp.Derivative):
        return expr
    if isinstance(expr, sp.UnevaluatedExpr):
        if notation and expr.args[0].is_Number:
            return expr
        return as_written(expr.args[0], notation)
    args = [as_written(arg, notation) for arg in expr.args]
    if isinstance(expr, sp.Add):
        flat = [t for arg in args for t in (arg.args if isinstance(arg, sp.Add) else (arg,))]
        return sp.Add(*flat, evaluate=False)
    if isinstance(expr, sp.Mul):
        flat = []
        for arg, written in zip(expr.args, args, strict=True):
            if isinstance(written, sp.Mul) and not _shown_apart(written):
                flat.extend(written.args)
            elif _is_reciprocal(written) and isinstance(strip(arg), sp.Mul):
                flat.append(sp.Mul(1, written, evaluate=False))  # 1/u · v is not v/u
            else:
                flat.append(written)
        if _has_reciprocal(flat):
            flat = [f for f in flat if f != 1]  # the 1 of 1/u is how a fraction is written
        return flat[0] if len(flat) == 1 else sp.Mul(*flat, evaluate=False)
    if isinstance(expr, sp.Pow) and isinstance(args[0], sp.Mul) and args[1].is_Integer:
        return sp.Mul(*(sp.Pow(f, args[1], evaluate=False) for f in args[0].args), evaluate=False)
    try:
        return expr.func(*args, evaluate=False)
    except TypeError:
        return expr.func(*args)


def same_up_to_order(one: sp.Expr, other: sp.Expr) -> bool:
    """Whether the two trees differ at most in the order of the arguments of a sum or
    product, at any depth."""
    if one == other:
        return True
    if one.func != other.func or len(one.args) != len(other.args) or not one.args:
        return False
    if not isinstance(one, (sp.Add, sp.Mul)):
        return all(same_up_to_order(p, q) for p, q in zip(one.args, other.args, strict=True))
    unmatched = list(other.args)
    for arg in one.args:
        match = next((o for o in unmatched if same_up_to_order(arg, o)), None)
        if match is None:
            return False
        unmatched.remove(match)
    return True


def _expands_to_zero(expr: sp.Expr) -> bool:
    try:
        return sp.expand(expr) == 0
    except (sp.PolynomialError, TypeError):
        return False


# --------------------------------------------------------------------------- factors


def _shown_apart(product: sp.Mul) -> bool:
    """Whether a product inside a product shows as a unit of its own: a fraction (1/u · v)
    or a number times the rest ((-e^(-z)), 2(a - y))."""
    return _has_reciprocal(product) or any(f.is_Number for f in product.args)


def _has_reciprocal(factors) -> bool:
    """Whether a product (or a list of factors) has a factor below: it shows as a fraction."""
    found = factors.args if isinstance(factors, sp.Mul) else factors
    return any(_is_reciprocal(f) for f in found)


def _is_reciprocal(node: sp.Expr) -> bool:
    return isinstance(node, sp.Pow) and bool(node.exp.is_Integer and node.exp < 0)


def _base_and_power(factor: sp.Expr) -> tuple[sp.Expr | None, int]:
    if factor.is_Number:
        return None, 0
    if isinstance(factor, sp.Pow) and factor.exp.is_Integer:
        return evaluate(factor.base), int(factor.exp)
    return evaluate(factor), 1


def _cancels_a_factor(before: sp.Expr, after: sp.Expr) -> bool:
    """Whether a factor that stands above and below in one product on the left stands fewer
    times both above and below on the right (z · 1/z = 1; combining fractions keeps their
    numerators, so it cancels nothing), or the top fraction's numerator and denominator lose
    a common factor."""
    pairs, above_before, below_before = _factor_counts(before)
    _, above_after, below_after = _factor_counts(after)
    for base in pairs:
        if above_after[base] < above_before[base] and below_after[base] < below_before[base]:
            return True
    return _common_degree(before) > _common_degree(after) == 0


def _factor_counts(expr: sp.Expr) -> tuple[set, Counter, Counter]:
    """Over every product of the written tree (with the products nested in it): the factors
    that stand both above and below in one product, and how often each factor stands above
    and below in all."""
    pairs: set = set()
    above: Counter = Counter()
    below: Counter = Counter()

    def walk(node: sp.Expr) -> None:
        if not (isinstance(node, sp.Mul) or _is_reciprocal(node)):
            for arg in node.args:
                walk(arg)
            return
        here_above: Counter = Counter()
        here_below: Counter = Counter()
        for factor in _all_factors(node):
            base, power = _base_and_power(factor)
            if base is not None:
                (here_above if power > 0 else here_below)[base] += abs(power)
            for arg in (factor.base if isinstance(factor, sp.Pow) else factor).args:
                walk(arg)
        pairs.update(base for base in here_above if here_below[base])
        above.update(here_above)
        below.update(here_below)

    walk(expr)
    return pairs, above, below


def _all_factors(product: sp.Expr) -> list[sp.Expr]:
    """The factors of a product and of the products nested in it (1/(p q) read as 1/p · 1/q)."""
    if isinstance(product, sp.Mul):
        return [f for arg in product.args for f in _all_factors(arg)]
    if isinstance(product, sp.Pow) and isinstance(product.base, sp.Mul) and product.exp.is_Integer:
        return [sp.Pow(f, product.exp, evaluate=False) for f in _all_factors(product.base)]
    return [product]


def _common_degree(expr: sp.Expr) -> int:
    """The total degree of the greatest common factor of the numerator and denominator of
    the written fraction ``expr`` (0 when they share none, or are not polynomials)."""
    numerator, denominator = sp.fraction(expr, exact=True)
    if denominator.is_number:
        return 0
    try:
        common = sp.gcd(sp.expand(numerator), sp.expand(denominator))
        return 0 if common.is_number else int(sp.Poly(common).total_degree())
    except (sp.PolynomialError, sp.GeneratorsNeeded, TypeError):
        return 0


# --------------------------------------------------------------------------- terms


def _like_terms(expr: sp.Expr) -> int:
    """How many terms, over every sum of the written tree, repeat another term of their sum
    but for a number (a y and -a y; 2u and u)."""
    count = 0
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Add):
            parts = Counter(
                evaluate(t).as_coeff_Mul()[1] for t in node.args if not evaluate(t).is_number
            )
            count += sum(n - 1 for n in parts.values())
    return count


def _sums_in_products(expr: sp.Expr) -> int:
    """How many sums stand as factors of a product (or as the base of a positive power) in
    the written tree: what expanding removes and factoring adds."""
    count = 0
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Mul) and _scales(node):
            count += sum(_is_sum_factor(f) for f in node.args)
        elif isinstance(node, sp.Pow) and _is_sum_factor(node):
            count += 1
    return count


def _scales(product: sp.Mul) -> bool:
    """Whether the product multiplies its sums by something other than ±1 or a denominator
    (1/2 · 2 · (a - y) and -(1 - y)/(1 - a) do not)."""
    if sum(_is_sum_factor(f) for f in product.args) > 1:
        return True
    others = [f for f in product.args if not (_is_sum_factor(f) or _is_reciprocal(f))]
    return evaluate(sp.Mul(*others)) not in (1, -1)


def _is_sum_factor(factor: sp.Expr) -> bool:
    if isinstance(factor, sp.Pow):
        exponent = factor.exp
        return isinstance(factor.base, sp.Add) and bool(exponent.is_Integer and exponent > 1)
    return isinstance(factor, sp.Add)


def _sums(expr: sp.Expr) -> list[sp.Expr]:
    return [evaluate(n) for n in sp.preorder_traversal(expr) if isinstance(n, sp.Add)]


def _factored(before: sp.Expr, after: sp.Expr) -> bool:
    """Whether a sum of the left side is a sum of the right side times a non-trivial
    polynomial factor (2y + 2a = 2(a + y); 1 - a² = (1 - a)(1 + a))."""
    old = [s for s in _sums(before) if s not in _sums(after)]
    new = [s for s in _sums(after) if s not in _sums(before)]
    for one in old:
        for other in new:
            if not other.free_symbols <= one.free_symbols:
                continue
            if sp.count_ops(other) >= sp.count_ops(one):
                continue
            try:
                quotient = sp.cancel(one / other)
            except (sp.PolynomialError, TypeError):
                continue
            if quotient not in (1, -1) and sp.fraction(quotient)[1].is_number:
                return True
    return False


def _structural(
    before: sp.Expr, after: sp.Expr, written_before: sp.Expr, written_after: sp.Expr
) -> RewriteClass:
    """The class of a rewrite that neither cancels nor changes a function's argument: by
    its fractions (counted with their groups, so 1/u · v/u is two), then its sums."""
    if _factored(written_before, written_after) or _out_of_branches(before, after):
        return RewriteClass.FACTOR
    before, after = _plain_numbers(before), _plain_numbers(after)
    fractions_before, fractions_after = _fraction_count(before), _fraction_count(after)
    if fractions_after < fractions_before or _denominators(before) > _denominators(after):
        return RewriteClass.COMBINE_FRACTIONS
    if fractions_after > fractions_before:
        return RewriteClass.SPLIT_FRACTION
    sums_before, sums_after = _sums_in_products(written_before), _sums_in_products(written_after)
    if sums_after < sums_before:
        return RewriteClass.EXPAND
    if sums_after > sums_before:
        return RewriteClass.FACTOR
    if _expand_equal(evaluate(before), evaluate(after)):
        return RewriteClass.ARITHMETIC
    return RewriteClass.OTHER


def _plain_numbers(expr: sp.Expr) -> sp.Expr:
    """``expr`` with its grouped numbers (the exponent of u^(-1)) released."""
    return expr.replace(
        lambda n: isinstance(n, sp.UnevaluatedExpr) and n.args[0].is_Number,
        lambda n: n.args[0],
    )


def _expand_equal(one: sp.Expr, other: sp.Expr) -> bool:
    if same_up_to_order(one, other):
        return True
    try:
        return sp.expand(one - other) == 0
    except (sp.PolynomialError, TypeError):
        return False


def _applications(expr: sp.Expr) -> set[sp.Expr]:
    """The functions applied in ``expr`` with their arguments (ln(z), tanh(a - y)) and its
    symbols: a substitution or a function identity brings new ones, algebra does not."""
    return {
        node
        for node in sp.preorder_traversal(expr)
        if isinstance(node, (sp.Function, sp.Symbol)) and not isinstance(node, sp.Piecewise)
    }


def _denominators(expr: sp.Expr) -> int:
    """How many different denominators the fractions of the written tree have."""
    return len(_denominator_set(expr))


def _denominator_set(expr: sp.Expr) -> set[sp.Expr]:
    found = set()
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Mul) and any(_is_reciprocal(f) for f in node.args):
            found.add(evaluate(sp.fraction(node, exact=True)[1]))
    return found


def _over_the_same_denominator(before: sp.Expr, after: sp.Expr) -> bool:
    """Whether fractions over one denominator were written as one (n₁/d + n₂/d = (n₁ + n₂)/d):
    fewer fractions over d, the sum of their numerators the same."""
    over_before, over_after = _numerators(before), _numerators(after)
    for denominator, numerators in over_before.items():
        written = over_after.get(denominator, [])
        if len(written) < len(numerators) and written:
            if _expand_equal(sp.Add(*numerators), sp.Add(*written)):
                return True
    return False


def _numerators(expr: sp.Expr) -> dict[sp.Expr, list[sp.Expr]]:
    """The numerators of the written tree's fractions, by denominator (all evaluated)."""
    found: dict[sp.Expr, list[sp.Expr]] = {}

    def walk(node: sp.Expr, in_product: bool) -> None:
        if isinstance(node, sp.Mul) and any(_is_reciprocal(f) for f in node.args):
            numerator, denominator = sp.fraction(node, exact=True)
            found.setdefault(evaluate(denominator), []).append(evaluate(numerator))
        elif _is_reciprocal(node) and not in_product:
            found.setdefault(evaluate(node.base**-node.exp), []).append(sp.S.One)
        for arg in node.args:
            walk(arg, isinstance(node, sp.Mul))

    walk(_plain_numbers(expr), False)
    return found


def _out_of_branches(before: sp.Expr, after: sp.Expr) -> bool:
    """Whether a factor common to every branch of a piecewise function was taken out."""
    plain_before, plain_after = evaluate(before), evaluate(after)
    if not isinstance(plain_before, sp.Piecewise) or not isinstance(plain_after, sp.Mul):
        return False
    inner = [f for f in plain_after.args if isinstance(f, sp.Piecewise)]
    return len(inner) == 1 and len(inner[0].args) == len(plain_before.args)


def _fraction_count(expr: sp.Expr) -> int:
    """How many fractions the written tree shows: each product with factors below counts
    once, each lone reciprocal once."""
    count = 0
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Mul):
            count += any(_is_reciprocal(f) for f in node.args)
        elif _is_reciprocal(node):
            count += 1
    inside = sum(
        _is_reciprocal(f)
        for node in sp.preorder_traversal(expr)
        if isinstance(node, sp.Mul)
        for f in node.args
    )
    return count - inside
