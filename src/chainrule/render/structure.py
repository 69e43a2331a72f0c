"""Printing rules that keep an expression's stored structure, shared by every printer.

A derivation step is only readable if it prints as it was built: ``-(y ln a + (1-y) ln(1-a))``
must not lose its outer minus, and ``1/(1+e^{-z}) · e^{-z}/(1+e^{-z})`` must not merge into one
fraction. SymPy's printers sort terms and merge factors, so :class:`StructuredPrinter` replaces
their rules for sums, products, derivatives and ``UnevaluatedExpr`` with these:

- the terms of a sum print in stored order, except that a negative number SymPy stored first
  is written last (``σ(z) - 1``, ``y - 1``, as the course writes them); a sum stored inside a
  sum keeps its parentheses;
- a product reads as one fraction, numerator over denominator, as SymPy prints it, when it is
  *flat* (no nested product, no wrapped product or fraction, at most one number and only in
  front) or when it is ``N · 1/D`` (``frac(N, D)``), whatever ``N`` is;
- any other product prints factor by factor, in stored order, joined by a visible dot; so
  does a flat product stored out of SymPy's order with two or more fraction factors. A
  leading ``-1`` becomes a minus sign, so ``Mul(-1, Add)`` reads ``-( ... )``;
- ``UnevaluatedExpr`` is transparent: it may change which rule applies (``1/D`` wrapped
  inside a product stays a factor of its own), never what is printed;
- a power whose exponent is an ``UnevaluatedExpr`` stays a power: ``(1+e^{-z})^{-1}``;
- ``Derivative(L, a)`` reads ``dL/da``, ``Derivative(σ(z), z)`` reads ``σ'(z)`` and a
  derivative of a compound expression reads ``d/da[ ... ]``; a derivative of or by an array
  entry is partial: ``∂y[j]/∂γ``.

The printers differ only in the small ``_fmt_*`` primitives each one supplies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sympy as sp

from chainrule.render.forms import (
    is_fraction_of_sum,
    is_prime_form,
    is_reciprocal,
    negated,
    reads_as_one_fraction,
    separator,
    shows_dot,
    starts_negative,
    unwrap,
)

__all__ = ["StructuredPrinter"]


def _negative_number(term: sp.Basic) -> bool:
    """A term that is a negative number (SymPy stores a sum's number first: -1 + y)."""
    inner = unwrap(term)
    return bool(inner.is_Number and inner.is_negative)


class StructuredPrinter:
    """Mixin for a SymPy printer: sums, products and derivatives printed as stored.

    Subclasses implement the ``_fmt_*`` primitives; a *piece* is whatever the printer
    builds (a string for text and LaTeX, a DOM node for MathML).
    """

    #: Parenthesize ``(p + q)/r`` before a dot (a linear printer needs it; 2-D ones do not).
    _group_fractions_in_chains = False

    if TYPE_CHECKING:

        def _print(self, expr: Any, **kwargs: Any) -> Any: ...

    # --- primitives supplied by each printer -------------------------------------------------

    def _fmt_row(self, parts: list[Any]) -> Any:
        raise NotImplementedError

    def _fmt_op(self, op: str) -> Any:
        """``op``: ``+ - ·``, ``neg`` (a prefix minus), or the silent products ``space`` (``w x``),
        ``thin`` (before a named function: ``y ln(a)``) and ``glue`` (``x(a - y)``)."""
        raise NotImplementedError

    def _fmt_paren(self, body: Any) -> Any:
        raise NotImplementedError

    def _fmt_frac(self, num: Any, den: Any, num_compound: bool, den_compound: bool) -> Any:
        raise NotImplementedError

    def _fmt_leibniz(self, top: Any | None, variables: list[tuple[Any, int]], partial: bool):
        """``dL/da``; with ``top`` None the bare operator ``d/da``."""
        raise NotImplementedError

    def _fmt_apply(self, operator: Any, body: Any) -> Any:
        """An operator applied to a bracketed body: ``d/da[body]``."""
        raise NotImplementedError

    def _fmt_prime(self, name: Any, order: int, args: Any) -> Any:
        raise NotImplementedError

    def _fmt_function_name(self, name: str) -> Any:
        raise NotImplementedError

    # --- shared rules ---------------------------------------------------------------------------

    def _print_UnevaluatedExpr(self, expr: sp.UnevaluatedExpr, **kwargs: Any) -> Any:
        return self._print(expr.args[0])

    def _print_Add(self, expr: sp.Add, order: str | None = None) -> Any:
        terms = list(expr.args)
        if len(terms) > 1 and _negative_number(terms[0]):  # σ(z) - 1, not -1 + σ(z)
            terms.append(terms.pop(0))
        signed = [self._signed(term) for term in terms]
        if isinstance(expr, sp.MatAdd):  # SymPy sorts matrix sums; show A - Y, not -Y + A
            signed.sort(key=lambda pair: pair[0])
        parts: list[Any] = []
        for index, (negative, body) in enumerate(signed):
            if index == 0:
                parts.extend([self._fmt_op("neg"), body] if negative else [body])
            else:
                parts.extend([self._fmt_op("-" if negative else "+"), body])
        return self._fmt_row(parts)

    def _print_Mul(self, expr: sp.Expr) -> Any:
        negative, body = self._signed(expr)
        return self._fmt_row([self._fmt_op("neg"), body]) if negative else body

    def _signed(self, term: sp.Basic) -> tuple[bool, Any]:
        """Split a leading minus off ``term``: (negative, piece printed without it)."""
        inner = unwrap(term)
        if inner.is_Add:
            return False, self._fmt_paren(self._print(inner))
        if inner.is_Number and inner.is_negative:
            return True, self._print(-inner)
        if inner.is_Mul or is_reciprocal(inner) or (inner.is_Rational and not inner.is_Integer):
            return self._signed_product(sp.Mul.make_args(inner))
        return False, self._print(inner)

    def _signed_product(self, factors: tuple[sp.Basic, ...]) -> tuple[bool, Any]:
        one_fraction = reads_as_one_fraction(factors)
        negative = False
        rest = list(factors)
        if rest[0].is_Number and rest[0].is_negative:
            negative = True
            magnitude = -rest[0]
            rest = rest[1:] if magnitude == 1 and len(rest) > 1 else [magnitude, *rest[1:]]
        if one_fraction and not negative and starts_negative(rest[0]):
            negative, rest[0] = True, negated(unwrap(rest[0]))
        if one_fraction:
            return negative, self._fraction(rest, negative)
        body = self._chain(rest, negative)
        if negative and len(rest) == 1 and unwrap(rest[0]).is_Add:
            body = self._fmt_paren(body)
        return negative, body

    def _fraction(self, factors: list[sp.Basic], negative: bool) -> Any:
        """A product read as one fraction: numerator factors over denominator factors."""
        num: list[sp.Basic] = []
        den: list[sp.Basic] = []
        for factor in factors:
            if factor.is_Rational and not factor.is_Integer:
                if factor.p != 1:
                    num.append(sp.Integer(factor.p))
                den.append(sp.Integer(factor.q))
            elif is_reciprocal(factor):
                power = -factor.exp
                den.append(
                    factor.base if power == 1 else sp.Pow(factor.base, power, evaluate=False)
                )
            else:
                num.append(factor)
        if not num:
            num = [sp.Integer(1)]
        top = self._juxtapose(num, len(num) > 1 or (negative and not den), negative)
        if not den:
            return top
        single = unwrap(num[0])
        num_compound = len(num) == 1 and bool(
            single.is_Add or (single.is_Mul and not reads_as_one_fraction(single.args))
        )
        lone = unwrap(den[0])
        den_compound = len(den) > 1 or bool(lone.is_Add or lone.is_Mul or isinstance(lone, sp.Sum))
        bottom = self._juxtapose(den, len(den) > 1, False)
        return self._fmt_frac(top, bottom, num_compound, den_compound)

    def _juxtapose(self, factors: list[sp.Basic], wrap_sums: bool, after_sign: bool) -> Any:
        """Factors side by side, with a visible dot only where they would run together."""
        parts: list[Any] = []
        for index, factor in enumerate(factors):
            if index:
                parts.append(self._fmt_op(separator(factors[index - 1], factor)))
            wrap_negative = bool(index) or after_sign
            open_sum = _is_sum(factor) and index < len(factors) - 1
            parts.append(self._factor(factor, wrap_sums, wrap_negative, force_paren=open_sum))
        return self._fmt_row(parts)

    def _chain(self, factors: list[sp.Basic], after_sign: bool) -> Any:
        """Stored factors, in order, joined by a visible dot."""
        parts: list[Any] = []
        for index, factor in enumerate(factors):
            if index:
                parts.append(self._fmt_op("·"))
            inner = unwrap(factor)
            chained = len(factors) > 1 and shows_dot(inner)
            if self._group_fractions_in_chains and index < len(factors) - 1:
                chained = chained or is_fraction_of_sum(inner)
            chained = chained or (_is_sum(factor) and index < len(factors) - 1)
            wrap_negative = bool(index) or after_sign
            parts.append(self._factor(factor, True, wrap_negative, force_paren=bool(chained)))
        return self._fmt_row(parts)

    def _factor(
        self, factor: sp.Basic, wrap_sums: bool, wrap_negative: bool, force_paren: bool = False
    ) -> Any:
        inner = unwrap(factor)
        piece = self._print(inner)
        negative = wrap_negative and starts_negative(inner)
        if force_paren or negative or (wrap_sums and inner.is_Add):
            return self._fmt_paren(piece)
        return piece

    def _print_Derivative(self, expr: sp.Derivative, **kwargs: Any) -> Any:
        inner = unwrap(expr.expr)
        counts = [(self._print(v), int(n)) for v, n in expr.variable_count]
        partial = len(counts) > 1 or _has_entries(expr)
        if is_prime_form(expr):
            order = counts[0][1]
            args = self._fmt_paren(self._print(inner.args[0]))
            return self._fmt_prime(self._fmt_function_name(type(inner).__name__), order, args)
        if inner.is_Symbol or isinstance(inner, (sp.MatrixSymbol, sp.Indexed)):
            return self._fmt_leibniz(self._print(inner), counts, partial)
        return self._fmt_apply(self._fmt_leibniz(None, counts, partial), self._print(inner))


def _has_entries(expr: sp.Derivative) -> bool:
    """Whether the derivative is of or by an array entry (``∂y[j]/∂γ``, ``∂μ/∂x[i]``): one
    entry among many, so a partial derivative, and ``d`` would read as a gradient's name."""
    return any(isinstance(node, sp.Indexed) for node in (expr.expr, *expr.variables))


def _is_sum(factor: sp.Basic) -> bool:
    """A Σ, whose summand would seem to run on into the factors after it unless bracketed."""
    return isinstance(unwrap(factor), sp.Sum)
