"""Evaluating index notation in a concrete layer, in one of two exact algebras.

:func:`evaluate_entry` gives the value of an expression such as
``Σ_h Σ_w dZ[i, h, w, c] A_pad[i, s h + u, s w + v, k]`` once the free index letters are
fixed: sums are written out term by term, each array entry is looked up in the layer, a
``KroneckerDelta`` is 1 or 0 and a ``Derivative`` is taken of the looked-up value. Index
arithmetic (``s h + u``, sum bounds, ``⌊(n - f + 2p)/s⌋``, an entry of an integer array
such as ``ids[i, t]``) is done on integers; a function (tanh, σ, exp) is applied by the
algebra where it has functions.

Values are combined in the layer's algebra (:mod:`chainrule.symbolic.proof.algebras`): SymPy
expressions, the exact polynomials of convolution and pooling, or those over function nodes
of the sequence layers (:mod:`chainrule.symbolic.proof.nodes`).
"""

from __future__ import annotations

import functools
import math
import operator
from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import sympy as sp

from chainrule.errors import ProofError
from chainrule.symbolic.proof.algebras import SYMPY

if TYPE_CHECKING:
    from chainrule.symbolic.proof.instances import Instance
    from chainrule.symbolic.proof.tensors import Notation

__all__ = ["evaluate_entry", "index_value"]


def index_value(expr: sp.Basic, env: Mapping[sp.Symbol, int], sizes: Mapping) -> Fraction:
    """An index or size expression (``s h + u``, ``n_H - 1``, ``⌊(n - f + 2p)/s⌋ + 1``) as an
    exact number."""
    if isinstance(expr, sp.Symbol):
        if expr in env:
            return Fraction(env[expr])
        if expr in sizes:
            return Fraction(sizes[expr])
        raise ProofError(f"the index {expr} has no value here")
    if expr.is_Rational:
        return Fraction(int(expr.p), int(expr.q))
    if isinstance(expr, sp.UnevaluatedExpr):
        return index_value(expr.args[0], env, sizes)
    values = [index_value(arg, env, sizes) for arg in expr.args]
    if isinstance(expr, sp.Add):
        return sum(values, Fraction(0))
    if isinstance(expr, sp.Mul):
        return functools.reduce(operator.mul, values, Fraction(1))
    if isinstance(expr, sp.Pow) and values[1].denominator == 1:
        return values[0] ** int(values[1])
    if isinstance(expr, sp.floor):
        return Fraction(math.floor(values[0]))
    raise ProofError(f"{sp.sstr(expr)} is not an index expression")


Env = dict[str, int]
Compiled = Callable[[Env], Any]


def evaluate_entry(
    expr: sp.Basic, env: Mapping[sp.Symbol, int], instance: Instance, notation: Notation
) -> Any:
    """The value of ``expr`` in ``instance`` with the index letters of ``env`` fixed."""
    compiled = instance.compiled.get(expr)
    if compiled is None:
        compiled = instance.compiled[expr] = _Compiler(instance, notation).value(expr)
    try:
        return compiled({**instance.names, **{str(k): v for k, v in env.items()}})
    except KeyError as missing:
        raise ProofError(f"{missing.args[0]} has no value in {instance.description}") from None


class _Compiler:
    """Turns an expression into a closure over the index letters, once per layer: the
    evaluation of a line then costs Python arithmetic, not a walk of the SymPy tree."""

    def __init__(self, instance: Instance, notation: Notation) -> None:
        self.instance, self.notation, self.algebra = instance, notation, instance.algebra
        self.zero, self.one = self.algebra.number(0), self.algebra.number(1)

    def index(self, expr: sp.Basic) -> Callable[[Env], Fraction | int]:
        """An index or size expression as a closure giving an exact number (an int where
        the expression has no division)."""
        if isinstance(expr, sp.Symbol):
            return operator.itemgetter(expr.name)
        if expr.is_Rational:
            number = int(expr) if expr.is_Integer else Fraction(int(expr.p), int(expr.q))
            return lambda env: number
        if isinstance(expr, sp.UnevaluatedExpr):
            return self.index(expr.args[0])
        if isinstance(expr, sp.Indexed):
            return self._integer_entry(expr)
        parts = [self.index(arg) for arg in expr.args]
        if isinstance(expr, sp.Add):
            if len(parts) == 2:
                first, second = parts
                return lambda env: first(env) + second(env)
            return lambda env: sum(part(env) for part in parts)
        if isinstance(expr, sp.Mul):
            if len(parts) == 2:
                first, second = parts
                return lambda env: first(env) * second(env)
            return lambda env: functools.reduce(operator.mul, (part(env) for part in parts), 1)
        if isinstance(expr, sp.Pow) and expr.exp.is_Integer:
            base, exponent = parts[0], int(expr.exp)
            return lambda env: Fraction(base(env)) ** exponent
        if isinstance(expr, sp.floor):
            return lambda env: math.floor(parts[0](env))
        raise ProofError(f"{sp.sstr(expr)} is not an index expression")

    def _integer_entry(self, expr: sp.Indexed) -> Callable[[Env], int]:
        """An entry of an array of integers used as an index (``E[k, ids[i, t]]``)."""
        locate = self.entry(expr)

        def lookup(env: Env) -> int:
            name, index = locate(env)
            found = self.instance.arrays[name].get(index)
            if not isinstance(found, int):
                raise ProofError(f"{name}{list(index)} is not an integer index here")
            return found

        return lookup

    def integer(self, expr: sp.Basic) -> Callable[[Env], int]:
        value = self.index(expr)
        if not any(node.is_Rational and not node.is_Integer for node in _numbers(expr)):
            return value  # type: ignore[return-value]

        def integer(env: Env) -> int:
            number = value(env)
            if isinstance(number, Fraction):
                if number.denominator != 1:
                    raise ProofError(f"the index {sp.sstr(expr)} is not an integer: {number}")
                return int(number)
            return number

        return integer

    def value(self, expr: sp.Basic) -> Compiled:
        """A value expression as a closure over the index letters."""
        algebra, instance = self.algebra, self.instance
        if isinstance(expr, sp.Symbol):
            if expr in instance.scalars:
                scalar = instance.scalars[expr]
                return lambda env: scalar
            letter = operator.itemgetter(expr.name)
            return lambda env: algebra.number(letter(env))
        if expr.is_Rational:
            number = algebra.number(Fraction(int(expr.p), int(expr.q)))
            return lambda env: number
        if isinstance(expr, sp.Indexed):
            return self._lookup(expr)
        if isinstance(expr, sp.Sum):
            return self._sum(expr)
        if isinstance(expr, sp.UnevaluatedExpr):
            return self.value(expr.args[0])
        if isinstance(expr, sp.KroneckerDelta):
            left, right = (self.integer(arg) for arg in expr.args)
            one, zero = self.one, self.zero
            return lambda env: one if left(env) == right(env) else zero
        if isinstance(expr, sp.Derivative):
            return self._derivative(expr)
        if isinstance(expr, sp.floor):
            number = self.index(expr)
            return lambda env: algebra.number(number(env))
        if isinstance(expr, sp.Mul):
            return self._product(expr)
        if isinstance(expr, sp.Add):
            terms = [self.value(arg) for arg in expr.args]
            return lambda env: algebra.total([term(env) for term in terms])
        if isinstance(expr, sp.Pow):
            base, exponent = self.value(expr.base), self.index(expr.exp)
            return lambda env: algebra.power(base(env), Fraction(exponent(env)))
        if algebra is SYMPY and isinstance(expr, sp.Function):
            args = [self.value(arg) for arg in expr.args]
            return lambda env: expr.func(*(arg(env) for arg in args))
        if algebra.apply is not None and isinstance(expr, sp.Function):
            args, name, apply = (
                [self.value(arg) for arg in expr.args],
                expr.func.__name__,
                algebra.apply,
            )
            return lambda env: apply(name, [arg(env) for arg in args])
        raise ProofError(f"the layer checker cannot evaluate {type(expr).__name__} in {expr}")

    def entry(self, expr: sp.Indexed) -> Callable[[Env], tuple[str, tuple[int, ...]]]:
        """The array name and the concrete index tuple of an entry such as ``W[u, v, k, c]``."""
        name = str(expr.base.label)
        if name not in self.instance.arrays:
            raise ProofError(f"{name} has no value in {self.instance.description}")
        indices = [self.integer(index) for index in expr.indices]
        return lambda env: (name, tuple(index(env) for index in indices))

    def _lookup(self, expr: sp.Indexed) -> Compiled:
        locate = self.entry(expr)
        name = str(expr.base.label)
        entries, tensor = self.instance.arrays[name], self.notation.tensor(name)

        def lookup(env: Env) -> Any:
            _, index = locate(env)
            found = entries.get(index)
            if found is not None:
                return found
            if tensor.zero_outside:
                return self.zero
            raise ProofError(
                f"{name}{list(index)} is outside the array {name} {tensor.shape_text()} "
                f"in {self.instance.description}"
            )

        return lookup

    def _sum(self, expr: sp.Sum) -> Compiled:
        body = self.value(expr.function)
        limits = [(var, self.integer(low), self.integer(high)) for var, low, high in expr.limits]

        def total(env: Env) -> Any:
            terms: list[Any] = []
            self._loop(limits, 0, env, body, terms)
            return self.algebra.total(terms)

        return total

    def _loop(self, limits, depth: int, env: Env, body: Compiled, terms: list[Any]) -> None:
        symbol, low, high = limits[depth]
        letter = symbol.name
        saved = env.get(letter)
        for value in range(low(env), high(env) + 1):
            env[letter] = value
            if depth + 1 < len(limits):
                self._loop(limits, depth + 1, env, body, terms)
            else:
                terms.append(body(env))
        if saved is None:
            env.pop(letter, None)
        else:
            env[letter] = saved

    def _product(self, expr: sp.Mul) -> Compiled:
        """The factors' product; a Kronecker δ is looked at first, and a zero factor ends it."""
        ordered = sorted(expr.args, key=lambda a: not isinstance(a, sp.KroneckerDelta))
        factors = [self.value(arg) for arg in ordered]
        algebra, zero, is_zero = self.algebra, self.zero, self.algebra.is_zero

        def product(env: Env) -> Any:
            values = []
            for factor in factors:
                value = factor(env)
                if is_zero(value):
                    return zero
                values.append(value)
            return algebra.product(values)

        return product

    def _variable(self, locate: Callable[[Env], tuple[str, tuple[int, ...]]]) -> Compiled:
        return lambda env: self.instance.variable(*locate(env))

    def _derivative(self, expr: sp.Derivative) -> Compiled:
        hook = self.instance.derivative
        if hook is not None:
            ((variable, count),) = expr.variable_count
            if count != 1 or not isinstance(expr.expr, sp.Indexed):
                raise ProofError(f"the layer {self.instance.description} cannot take {expr}")
            of, by = self.entry(expr.expr), self.entry(variable)
            return lambda env: hook(of(env), by(env))
        inner = self.value(expr.expr)
        variables = []
        for variable, count in expr.variable_count:
            if isinstance(variable, sp.Indexed):
                by = self._variable(self.entry(variable))
            else:
                by = self.value(variable)
            variables.append((variable, by, int(count)))

        def derivative(env: Env) -> Any:
            value = inner(env)
            for variable, by, count in variables:
                point = by(env)
                if self.algebra.variable(point) is None:
                    raise ProofError(f"{variable} is not a variable in {self.instance.description}")
                for _ in range(count):
                    value = self.algebra.diff(value, point)
            return value

        return derivative


def _numbers(expr: sp.Basic):
    """The numbers of an index expression, the exponents of its powers included (a negative
    power divides)."""
    for node in sp.preorder_traversal(expr):
        if node.is_Number:
            yield node
        if isinstance(node, sp.Pow) and node.exp.is_negative:
            yield sp.S.Half
