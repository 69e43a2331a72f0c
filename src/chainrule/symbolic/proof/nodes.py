"""Exact polynomials over function nodes: the algebra of the sequence layers' proofs.

An RNN, an LSTM and attention apply tanh, the sigmoid σ, exp and 1/u to polynomials in their
weights and inputs. :class:`Nodes` gives each such application ``tanh(z)`` a variable of its
own, a *node* (the same argument gives the same node), so that every value of the layer is an
exact :class:`~chainrule.symbolic.proof.polynomials.Polynomial` in the weights, the inputs and
the nodes. Two values equal as polynomials are equal as functions, so comparing entries stays
a proof (the converse may fail, which can only make a true claim fail, never a false one
pass).

Derivatives are taken the way ``sympy.diff`` takes them, by the chain rule through every
node, with the derivatives of the functions themselves::

    tanh' = 1 - tanh²      σ' = σ(1 - σ)      exp' = exp      (1/u)' = -(1/u)²

:meth:`Nodes.diff` is that total derivative by one variable; :meth:`Nodes.substitute` puts
values in for variables and re-applies the functions above them (setting a perturbation to 0
gives back the unperturbed nodes). :func:`node_algebra` is the
:class:`~chainrule.symbolic.proof.algebras.Algebra` that evaluates claims in these values.
"""

from __future__ import annotations

import functools
import math
import operator
from collections.abc import Callable, Mapping
from fractions import Fraction

from chainrule.errors import ProofError
from chainrule.symbolic.proof.algebras import Algebra
from chainrule.symbolic.proof.polynomials import Coefficient, Monomial, Polynomial, variable

__all__ = ["BY_NODES", "FUNCTIONS", "Nodes", "node_algebra"]

#: How the derivatives of a layer over nodes are taken (the oracle's label).
BY_NODES = (
    "J differentiated exactly by the chain rule through tanh' = 1 - tanh², σ' = σ(1 - σ), "
    "exp' = exp and (1/u)' = -1/u², every tanh, σ, exp and 1/u a variable of its own"
)

_Slope = Callable[[Polynomial], Polynomial]

#: Each function's derivative, in terms of its own value.
FUNCTIONS: dict[str, _Slope] = {
    "tanh": lambda value: 1 - value * value,
    "sigma": lambda value: value - value * value,
    "exp": lambda value: value,
    "reciprocal": lambda value: -(value * value),
}

#: Each function in floating point, for :meth:`Nodes.at`.
_FLOATS: dict[str, Callable[[float], float]] = {
    "tanh": math.tanh,
    "sigma": lambda u: 1 / (1 + math.exp(-u)),
    "exp": math.exp,
    "reciprocal": lambda u: 1 / u,
}

#: Each function's exact value at the argument 0.
_AT_ZERO = {"tanh": Fraction(0), "sigma": Fraction(1, 2), "exp": Fraction(1)}


class Nodes:
    """The function nodes of one concrete layer: which function of which argument each is."""

    def __init__(self) -> None:
        self._named: dict[tuple[str, Polynomial], str] = {}
        self._nodes: dict[str, tuple[str, Polynomial]] = {}
        self._slopes: dict[tuple[str, str], Polynomial] = {}
        self._numbers: tuple[Mapping[str, float] | None, dict[str, float]] = (None, {})

    def apply(self, function: str, argument: Polynomial) -> Polynomial:
        """The node ``function(argument)`` (the same node for the same argument); a constant
        argument gives its exact value where there is one."""
        if function not in FUNCTIONS:
            raise ProofError(f"the layer checker knows no function {function}")
        if set(argument.terms) <= {()}:
            return _constant(function, Fraction(argument.terms.get((), 0)))
        key = (function, argument)
        name = self._named.get(key)
        if name is None:
            name = f"{function}#{len(self._nodes)}"
            self._named[key], self._nodes[name] = name, key
        return variable(name)

    def is_node(self, name: str) -> bool:
        return name in self._nodes

    def diff(self, value: Polynomial, by: str) -> Polynomial:
        """d ``value`` / d ``by``: the variable's own terms, and every node's through the chain
        rule (the node's slope times the derivative of its argument)."""
        parts: list[Polynomial] = []
        for monomial, coefficient in value.terms.items():
            for k, (name, power) in enumerate(monomial):
                if name == by:
                    inner = Polynomial.constant(1)
                elif name in self._nodes:
                    inner = self._slope(name, by)
                    if not inner:
                        continue
                else:
                    continue
                parts.append(Polynomial({_lower(monomial, k): coefficient * power}) * inner)
        return Polynomial.total(parts)

    def _slope(self, node: str, by: str) -> Polynomial:
        """d node / d ``by``, kept: a node sits under many others."""
        key = (node, by)
        if key not in self._slopes:
            function, argument = self._nodes[node]
            inner = self.diff(argument, by)
            self._slopes[key] = FUNCTIONS[function](variable(node)) * inner if inner else inner
        return self._slopes[key]

    def substitute(
        self,
        value: Polynomial,
        values: Mapping[str, Polynomial],
        images: dict[str, Polynomial | None] | None = None,
    ) -> Polynomial:
        """``value`` with ``values`` put in for variables, the nodes above them re-applied.

        ``images`` keeps each node's new value (None where it stays) for the next call with
        the same ``values``: the nodes of a layer sit under one another and under every
        gradient.
        """
        images = {} if images is None else images

        def image(name: str) -> Polynomial | None:
            """The new value of a variable, or None where it stays."""
            if name in values:
                return values[name]
            if name not in images:
                images[name] = None
                if name in self._nodes:
                    function, argument = self._nodes[name]
                    changed = rewrite(argument)
                    if changed is not None:
                        images[name] = self.apply(function, changed)
            return images[name]

        def rewrite(polynomial: Polynomial) -> Polynomial | None:
            renamed: dict[Monomial, Coefficient] = {}
            parts, changed = [], False
            for monomial, coefficient in polynomial.terms.items():
                factors = [(image(name), name, power) for name, power in monomial]
                if all(new is None for new, _, _ in factors):
                    renamed[monomial] = renamed.get(monomial, 0) + coefficient
                    continue
                changed = True
                if any(new is not None and not new.terms for new, _, _ in factors):
                    continue  # a factor is now 0
                if all(new is None or new.name() is not None for new, _, _ in factors):
                    powers: dict[str, int] = {}
                    for new, name, power in factors:
                        key = (new.name() if new is not None else None) or name
                        powers[key] = powers.get(key, 0) + power
                    mono = tuple(sorted(powers.items()))
                    renamed[mono] = renamed.get(mono, 0) + coefficient
                    continue
                term = Polynomial.constant(coefficient)
                for new, name, power in factors:
                    term = term * ((variable(name) if new is None else new) ** power)
                parts.append(term)
            if not changed:
                return None
            return Polynomial.total([Polynomial({m: c for m, c in renamed.items() if c}), *parts])

        rewritten = rewrite(value)
        return value if rewritten is None else rewritten

    def at(self, value: Polynomial, point: Mapping[str, float]) -> float:
        """``value`` in floating point where the inputs take the numbers of ``point``, each
        node computed from its argument (to compare a layer with a framework's); the nodes'
        numbers are kept for the next value at the same point."""
        if self._numbers[0] is not point:
            self._numbers = (point, dict(point))
        values = self._numbers[1]

        def number(name: str) -> float:
            if name not in values:
                function, argument = self._nodes[name]
                values[name] = _FLOATS[function](evaluate(argument))
            return values[name]

        def evaluate(polynomial: Polynomial) -> float:
            return sum(
                float(coefficient) * math.prod(number(name) ** power for name, power in monomial)
                for monomial, coefficient in polynomial.terms.items()
            )

        return evaluate(value)


def _lower(monomial: Monomial, k: int) -> Monomial:
    """``monomial`` with the power of its ``k``-th variable one less."""
    name, power = monomial[k]
    if power == 1:
        return monomial[:k] + monomial[k + 1 :]
    return monomial[:k] + ((name, power - 1),) + monomial[k + 1 :]


def _constant(function: str, number: Fraction) -> Polynomial:
    if function == "reciprocal":
        if number == 0:
            raise ProofError("1/u of u = 0")
        return Polynomial.constant(1 / number)
    if number != 0:
        raise ProofError(f"{function}({number}) has no exact value here")
    return Polynomial.constant(_AT_ZERO[function])


def _power(nodes: Nodes, base: Polynomial, exponent: Fraction) -> Polynomial:
    """``base ** exponent``: a negative power through the node 1/base; a fractional power of
    a constant only where it is exact (√4 = 2)."""
    if exponent.denominator != 1:
        if set(base.terms) - {()}:
            raise ProofError(f"a layer over nodes has no power {exponent} of a variable")
        number = Fraction(base.terms.get((), 0))
        root = _exact_root(number, exponent.denominator)
        return Polynomial.constant(root) ** exponent.numerator
    if exponent < 0:
        return nodes.apply("reciprocal", base) ** int(-exponent)
    return base ** int(exponent)


def _exact_root(number: Fraction, degree: int) -> Fraction:
    top, bottom = (round(abs(n) ** (1 / degree)) for n in (number.numerator, number.denominator))
    root = Fraction(top, bottom)
    if number < 0 or root**degree != number:
        raise ProofError(f"{number} has no exact root of degree {degree}")
    return root


def node_algebra(nodes: Nodes) -> Algebra:
    """The algebra of a layer whose functions are the ``nodes``."""
    return Algebra(
        "polynomials over nodes",
        total=Polynomial.total,
        product=lambda values: functools.reduce(operator.mul, values, Polynomial.constant(1)),
        number=Polynomial.constant,
        power=lambda base, exponent: _power(nodes, base, exponent),
        diff=lambda value, by: nodes.diff(value, by.name()),
        variable=lambda value: value if _is_input(nodes, value) else None,
        is_zero=lambda value: not value.terms,
        apply=lambda function, args: nodes.apply(function, *args),
        at=nodes.at,
    )


def _is_input(nodes: Nodes, value: Polynomial) -> bool:
    """A variable of the layer that is not a node (derivatives are by inputs only)."""
    name = value.name()
    return name is not None and not nodes.is_node(name)
