"""How the values of a concrete layer combine: SymPy expressions or exact polynomials.

:data:`SYMPY` serves layers whose values need SymPy's functions (the square root of batch
norm); :data:`POLYNOMIALS` the layers of convolution and pooling, whose thousands of products
SymPy would take tens of seconds to build (see :mod:`chainrule.symbolic.proof.polynomials`).
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import sympy as sp

from chainrule.errors import ProofError
from chainrule.symbolic.proof.polynomials import Polynomial

__all__ = ["POLYNOMIALS", "SYMPY", "Algebra"]


@dataclass(frozen=True)
class Algebra:
    """How a layer's values are added, multiplied and differentiated.

    ``variable`` names the variable a value is, or None (a derivative must be by a variable);
    ``apply`` applies a named function (``tanh``, ``exp``) to values, where the algebra has
    functions (:mod:`chainrule.symbolic.proof.nodes`); ``at`` gives a value's number where
    the variables, named, take the numbers of a point (to compare a layer with a framework).
    """

    name: str
    total: Callable[[list[Any]], Any]
    product: Callable[[list[Any]], Any]
    number: Callable[[Fraction | int], Any]
    power: Callable[[Any, Fraction], Any]
    diff: Callable[[Any, Any], Any]
    variable: Callable[[Any], object | None]
    is_zero: Callable[[Any], bool]
    apply: Callable[[str, list[Any]], Any] | None = None
    at: Callable[[Any, Mapping[str, float]], float] | None = None


def _sympy_number(q: Fraction | int) -> sp.Rational:
    q = Fraction(q)
    return sp.Rational(q.numerator, q.denominator)


SYMPY = Algebra(
    "sympy",
    total=lambda values: sp.Add(*values),
    product=lambda values: sp.Mul(*values),
    number=_sympy_number,
    power=lambda base, exponent: base ** _sympy_number(exponent),
    diff=sp.diff,
    variable=lambda value: value if isinstance(value, sp.Symbol) else None,
    is_zero=lambda value: value == 0,
)


def _polynomial_power(base: Polynomial, exponent: Fraction) -> Polynomial:
    if exponent.denominator != 1:
        raise ProofError(f"a polynomial layer has no power {exponent}")
    return base ** int(exponent)


POLYNOMIALS = Algebra(
    "polynomials",
    total=Polynomial.total,
    product=lambda values: functools.reduce(operator.mul, values, Polynomial.constant(1)),
    number=Polynomial.constant,
    power=_polynomial_power,
    diff=lambda value, variable: value.diff(variable.name()),
    variable=lambda value: value if value.name() is not None else None,
    is_zero=lambda value: not value.terms,
    at=lambda value, point: float(value.at(point)),
)
