"""Exact sparse polynomials over the rationals: the fast arithmetic of the layer proofs.

A convolution layer with symbolic entries has a cost J = Σ G ⊙ Z of thousands of products
g·a·w, and its proof compares hundreds of entries. SymPy builds every product as a new
expression and consults its assumption system on each, which makes such a proof take tens of
seconds; the same arithmetic on a dict of monomials takes a fraction of one. A
:class:`Polynomial` maps monomials (sorted tuples of (variable name, power)) to
``fractions.Fraction`` coefficients; addition, multiplication and differentiation are exact,
and a polynomial is 0 exactly when it has no terms, so comparing two entries is a proof.

:data:`POLYNOMIALS` is the algebra that :mod:`chainrule.symbolic.proof.instances` evaluates
claims in for such layers; :meth:`Polynomial.to_sympy` gives the SymPy expression back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from fractions import Fraction

import sympy as sp

__all__ = ["Polynomial", "variable"]

Monomial = tuple[tuple[str, int], ...]
Coefficient = int | Fraction


class Polynomial:
    """A polynomial with rational coefficients: ``{monomial: coefficient}``, no zero terms."""

    __slots__ = ("terms",)

    def __init__(self, terms: dict[Monomial, Coefficient] | None = None) -> None:
        self.terms = terms or {}

    @classmethod
    def constant(cls, value: int | Fraction) -> Polynomial:
        if isinstance(value, Fraction) and value.denominator == 1:
            value = int(value)
        return cls({(): value} if value else {})

    @classmethod
    def total(cls, parts: Iterable[Polynomial | int | Fraction]) -> Polynomial:
        """The sum of ``parts``, accumulated in one dict."""
        terms: dict[Monomial, Coefficient] = {}
        for part in parts:
            for monomial, coefficient in _lift(part).terms.items():
                terms[monomial] = terms.get(monomial, 0) + coefficient
        return cls({mono: co for mono, co in terms.items() if co})

    def __add__(self, other: object) -> Polynomial:
        return Polynomial.total((self, _lift(other)))

    __radd__ = __add__

    def __neg__(self) -> Polynomial:
        return Polynomial({mono: -co for mono, co in self.terms.items()})

    def __sub__(self, other: object) -> Polynomial:
        return self + -_lift(other)

    def __rsub__(self, other: object) -> Polynomial:
        return _lift(other) + -self

    def __mul__(self, other: object) -> Polynomial:
        other = _lift(other)
        if len(self.terms) == 1 and len(other.terms) == 1:
            ((left, a),) = self.terms.items()
            ((right, b),) = other.terms.items()
            return Polynomial({_product(left, right): a * b})
        terms: dict[Monomial, Coefficient] = {}
        for left, a in self.terms.items():
            for right, b in other.terms.items():
                monomial = _product(left, right)
                terms[monomial] = terms.get(monomial, 0) + a * b
        return Polynomial({mono: co for mono, co in terms.items() if co})

    __rmul__ = __mul__

    def __pow__(self, exponent: int) -> Polynomial:
        if not isinstance(exponent, int) or exponent < 0:
            if not self.terms or set(self.terms) != {()}:
                raise ValueError(f"a polynomial has no power {exponent}")
            return Polynomial.constant(Fraction(self.terms[()]) ** exponent)
        result = Polynomial.constant(1)
        for _ in range(exponent):
            result = result * self
        return result

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (int, Fraction)):
            other = Polynomial.constant(other)
        return isinstance(other, Polynomial) and self.terms == other.terms

    def __hash__(self) -> int:
        return hash(frozenset(self.terms.items()))

    def __bool__(self) -> bool:
        return bool(self.terms)

    def name(self) -> str | None:
        """The variable's name, where the polynomial is one variable."""
        if len(self.terms) == 1:
            ((monomial, coefficient),) = self.terms.items()
            if coefficient == 1 and len(monomial) == 1 and monomial[0][1] == 1:
                return monomial[0][0]
        return None

    def diff(self, name: str) -> Polynomial:
        """∂/∂``name``, term by term."""
        terms: dict[Monomial, Coefficient] = {}
        for monomial, coefficient in self.terms.items():
            powers = dict(monomial)
            power = powers.get(name, 0)
            if power:
                powers[name] = power - 1
                reduced = tuple(sorted((n, e) for n, e in powers.items() if e))
                terms[reduced] = terms.get(reduced, 0) + coefficient * power
        return Polynomial({mono: co for mono, co in terms.items() if co})

    def at(self, values: Mapping[str, float | Fraction]) -> float | Fraction:
        """The polynomial's value where each variable takes ``values[name]``."""
        total: float | Fraction = 0
        for monomial, coefficient in self.terms.items():
            term: float | Fraction = coefficient
            for name, power in monomial:
                term *= values[name] ** power
            total += term
        return total

    def to_sympy(self) -> sp.Expr:
        return sp.Add(
            *(
                sp.Rational(Fraction(co).numerator, Fraction(co).denominator)
                * sp.Mul(*(sp.Symbol(n) ** e for n, e in monomial))
                for monomial, co in self.terms.items()
            )
        )

    def __repr__(self) -> str:
        return f"Polynomial({sp.sstr(self.to_sympy())})"


def variable(name: str) -> Polynomial:
    """The polynomial that is the variable ``name``."""
    return Polynomial({((name, 1),): 1})


def _lift(value: object) -> Polynomial:
    if isinstance(value, Polynomial):
        return value
    if isinstance(value, (int, Fraction)):
        return Polynomial.constant(value)
    if isinstance(value, sp.Rational):
        return Polynomial.constant(Fraction(int(value.p), int(value.q)))
    raise TypeError(f"cannot use {value!r} in a polynomial")


def _product(left: Monomial, right: Monomial) -> Monomial:
    if not left:
        return right
    if not right:
        return left
    powers = dict(left)
    for name, power in right:
        powers[name] = powers.get(name, 0) + power
    return tuple(sorted(powers.items()))
