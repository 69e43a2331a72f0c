"""Size bounds for expressions built from user text, checked before SymPy builds anything.

Hostile text such as ``9**9**9**9`` or ``exp(exp(exp(100)))`` must not hang SymPy (or whoever
evaluates the result). Every power, including the ``exp(k*log(x))`` that SymPy turns into
``x**k``, is checked before it is built: exponents at most :data:`MAX_EXPONENT`, numbers raised
to at most ``10**MAX_DIGITS``, and a constant function argument at most ``10**MAX_DIGITS``.
"""

from __future__ import annotations

import math

import sympy as sp

__all__ = [
    "MAX_DIGITS",
    "MAX_EXPONENT",
    "Refused",
    "bounded_exp",
    "bounded_power",
    "checked_argument",
]

MAX_EXPONENT = 1000
MAX_DIGITS = 100


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
