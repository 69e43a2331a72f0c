"""Size bounds for expressions built from user text, checked before SymPy builds anything.

Hostile text such as ``9**9**9**9`` or ``exp(exp(exp(100)))`` must not hang SymPy (or whoever
evaluates the result). Every power, including the ``exp(k*log(x))`` that SymPy turns into
``x**k``, is checked before it is built: exponents at most :data:`MAX_EXPONENT`, numbers raised
to at most ``10**MAX_DIGITS``, and a constant function argument at most ``10**MAX_DIGITS``.

A built expression is then measured before anything differentiates it
(:func:`check_expression_size`): functions and roots nested at most
:data:`MAX_FUNCTION_NESTING` deep, rational exponents with numerator and denominator at most
:data:`MAX_EXPONENT` (``sqrt`` nested 40 deep is ``z**(1/2**40)``), and at most
:data:`MAX_EXPANDED_TERMS` terms in any part once multiplied out, so that
``(z+1)**50*(z+2)**50*(z+3)**50`` (degree 150, about 10**5 terms) or
``(z + z**2 + ... + z**99)**10`` cannot keep the derivation busy for minutes.
"""

from __future__ import annotations

import math

import sympy as sp

__all__ = [
    "MAX_DIGITS",
    "MAX_EXPANDED_TERMS",
    "MAX_EXPONENT",
    "MAX_FUNCTION_NESTING",
    "Refused",
    "bounded_exp",
    "bounded_power",
    "check_expression_size",
    "checked_argument",
]

MAX_EXPONENT = 1000
MAX_DIGITS = 100
MAX_FUNCTION_NESTING = 12
MAX_EXPANDED_TERMS = 5000


class Refused(Exception):
    """A bound was hit while building; the builder adds the parameter and the text."""


def _power_digits(base: sp.Expr) -> float:
    """Digits of the numbers SymPy computes when it raises ``base`` to the power 1.

    SymPy evaluates powers of numbers, distributes powers over products and multiplies
    exponents of powers; it keeps powers of sums, symbols and functions unevaluated.
    """
    if base.is_Rational:
        return math.log10(max(abs(int(base.p)), int(base.q)))
    if base.is_Mul:
        return sum(_power_digits(factor) for factor in base.args)
    if base.is_Pow and base.exp.is_Number:
        return _power_digits(base.base) * abs(float(base.exp))
    return 0.0


def _largest_exponent(base: sp.Expr) -> float:
    """The largest numeric exponent that raising ``base`` to a power multiplies."""
    if base.is_Pow and base.exp.is_Number:
        return abs(float(base.exp))
    if base.is_Mul:
        return max(_largest_exponent(factor) for factor in base.args)
    return 1.0


def _log10_size(value: sp.Expr) -> float:
    """``log10 |value|`` of a symbol-free value, from a few digits of it (or exactly).

    Cheap because every function argument inside ``value`` was itself checked small.
    """
    if value.is_Rational:
        return math.log10(abs(int(value.p))) - math.log10(int(value.q)) if value else -math.inf
    approximate = value.evalf(15)  # σ evaluates itself (sigma._eval_evalf)
    magnitude = max(abs(part) for part in approximate.as_real_imag())
    if not isinstance(magnitude, sp.Float):
        return math.inf
    _, mantissa, exponent, bits = magnitude._mpf_
    return (exponent + bits) * math.log10(2) if mantissa else -math.inf


def _check_size(value: sp.Expr, largest: float, problem: str) -> None:
    """Refuse a symbol-free ``value`` larger than ``largest`` in size."""
    if value.is_number and not value.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        if _log10_size(value) > math.log10(largest):
            raise Refused(problem)


def checked_argument(value: sp.Expr) -> sp.Expr:
    """``value``, unless it is a constant function argument too large to evaluate quickly."""
    _check_size(value, 10.0**MAX_DIGITS, f"argument too large (at most 10**{MAX_DIGITS})")
    return value


def _check_power(base: sp.Expr, exponent: sp.Expr) -> None:
    """Refuse ``base**exponent`` if it would build a huge number or exponent."""
    exponent_problem = f"exponent too large (at most {MAX_EXPONENT} in size)"
    if not exponent.is_Number:
        _check_size(exponent, MAX_EXPONENT, exponent_problem)
        return
    if abs(exponent) <= 1:
        return  # roots and reciprocals never grow numbers or exponents
    size = abs(float(exponent))
    if size * _largest_exponent(base) > MAX_EXPONENT:
        raise Refused(exponent_problem)
    if size * _power_digits(base) > MAX_DIGITS:
        raise Refused(f"power too large (numbers must stay below 10**{MAX_DIGITS})")


def _check_exp(argument: sp.Expr) -> None:
    """Refuse ``exp(argument)`` if SymPy would turn a ``k*log(x)`` term into a huge ``x**k``."""
    for term in sp.Add.make_args(argument):
        for factor in sp.Mul.make_args(term):
            combined = sp.logcombine(factor) if factor.has(sp.log) else factor
            if isinstance(combined, sp.log):
                _check_power(combined.args[0], term / factor)


def bounded_exp(argument: sp.Expr) -> sp.Expr:
    _check_exp(checked_argument(argument))
    return sp.exp(argument)


def bounded_power(base: sp.Expr, exponent: sp.Expr) -> sp.Expr:
    if base == sp.E:
        return bounded_exp(exponent)
    _check_power(base, exponent)
    return base**exponent


def _expanded_terms(node: sp.Basic, parts: list[float]) -> float:
    """How many terms ``node`` has once multiplied out, from its parts' counts ``parts``.

    A product multiplies its factors' counts; an integer power n of t terms has at most
    C(n + t - 1, t - 1) (the multinomial count; a negative power is a denominator as large);
    a function or root is one term of its own (its argument is measured where it stands).
    """
    if node.is_Add:
        return sum(parts)
    if node.is_Mul:
        return math.prod(parts)
    if node.is_Pow and node.exp.is_Integer:
        n, t = abs(int(node.exp)), parts[0]
        if t <= 1 or n == 0:
            return 1.0
        if not math.isfinite(t):
            return math.inf
        log_count = math.lgamma(n + t) - math.lgamma(n + 1) - math.lgamma(t)
        return math.exp(min(log_count, 700.0))
    return 1.0


def _is_nesting(node: sp.Basic) -> bool:
    """Whether ``node`` adds a level of nesting: a function, or a root or symbolic power."""
    return isinstance(node, sp.Function) or (node.is_Pow and not node.exp.is_Integer)


def _check_rational_exponent(node: sp.Basic) -> None:
    """Refuse a power whose exponent is a fraction with a huge numerator or denominator."""
    if node.is_Pow and node.exp.is_Rational:
        if max(abs(int(node.exp.p)), int(node.exp.q)) > MAX_EXPONENT:
            raise Refused(
                f"exponent too large: {node.exp} (numerator and denominator at most "
                f"{MAX_EXPONENT}; roots nested too deeply?)"
            )


def check_expression_size(expression: sp.Expr) -> None:
    """Refuse an expression too large to differentiate and prove in reasonable time.

    Raises
    ------
    Refused
        When functions nest deeper than :data:`MAX_FUNCTION_NESTING` or some part multiplies
        out to more than :data:`MAX_EXPANDED_TERMS` terms. Walks the tree without recursion.
    """
    pending: list[tuple[sp.Basic, int, bool]] = [(expression, 0, False)]
    counts: list[float] = []
    while pending:
        node, depth, visited = pending.pop()
        if not visited:
            _check_rational_exponent(node)
            depth += _is_nesting(node)
            if depth > MAX_FUNCTION_NESTING:
                raise Refused(
                    f"functions nested too deeply (at most {MAX_FUNCTION_NESTING} levels)"
                )
            pending.append((node, depth, True))
            pending.extend((arg, depth, False) for arg in reversed(node.args))
            continue
        parts = [counts.pop() for _ in node.args][::-1]
        count = _expanded_terms(node, parts)
        if count > MAX_EXPANDED_TERMS:
            raise Refused(
                f"expression too large to derive: it multiplies out to about {count:.2g} "
                f"terms (at most {MAX_EXPANDED_TERMS})"
            )
        counts.append(count)
