"""Textbook differentiation rules, one small class per rule; the docstring is the rule.

:func:`differentiate` picks one rule per node of an expression (sum, constant multiple,
product, quotient, power and chain rule through the derivative table of
:mod:`chainrule.symbolic.rules.table`, general power, max/min), differentiates the parts the
rule needs and combines their derivatives the way the rule says: the combination is kept
unevaluated at the top (``c · 1/u · u'``, as a textbook writes it) while everything inside it is
evaluated by SymPy. Which applications become steps, and how they are named, is
:mod:`chainrule.symbolic.rules.layout`. Every symbol other than the variable is a constant;
symbols are taken to be real.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from chainrule.errors import InputError
from chainrule.symbolic.rules.layout import Derived, Differentiation, RuleStep, Session, derive
from chainrule.symbolic.rules.table import ELEMENTARY, Elementary, extremum, show

__all__ = ["Differentiation", "RuleStep", "differentiate", "product", "rule_sentences", "show"]


def product(*factors: sp.Expr) -> sp.Expr:
    """``f₁ · f₂ · ...`` unevaluated, factors equal to 1 left out."""
    kept = [f for f in factors if f != 1]
    if not kept:
        return sp.S.One
    return kept[0] if len(kept) == 1 else sp.Mul(*kept, evaluate=False)


def _total(*terms: sp.Expr) -> sp.Expr:
    return terms[0] if len(terms) == 1 else sp.Add(*terms, evaluate=False)


# --------------------------------------------------------------------------- the rules


class Rule:
    """A rule applied to one node: the parts it differentiates and how it combines them."""

    id = "rule"
    merges = False  # a constant multiple or a constant term joins the step of its one part
    quotes_inner = False  # a chain rule may quote its inner derivative instead of a step

    def parts(self) -> tuple[sp.Expr, ...]:
        return ()

    def combine(self, d: tuple[Derived, ...]) -> sp.Expr:
        raise NotImplementedError

    def sentence(self, s: Session, d: tuple[Derived, ...]) -> str:
        raise NotImplementedError

    def conditions(self) -> tuple[str, ...]:
        return ()


@dataclass(frozen=True)
class Constant(Rule):
    """d/dv c = 0 for c free of v."""

    c: sp.Expr
    id = "constant"

    def combine(self, d):
        return sp.S.Zero

    def sentence(self, s, d):
        return f"constant rule: {show(self.c)} does not depend on {s.v}, so its derivative is 0"


@dataclass(frozen=True)
class Variable(Rule):
    """d/dv v = 1."""

    v: sp.Symbol
    id = "variable"

    def combine(self, d):
        return sp.S.One

    def sentence(self, s, d):
        return f"variable rule: d/d{s.v} {s.v} = 1"


@dataclass(frozen=True)
class Sum(Rule):
    """d/dv (f + g) = df/dv + dg/dv; constant terms have derivative 0 (difference alike)."""

    terms: tuple[sp.Expr, ...]
    dropped: tuple[sp.Expr, ...]
    id = "sum"

    @property
    def merges(self):
        return len(self.terms) == 1

    def parts(self):
        return self.terms

    def combine(self, d):
        return d[0].shown if self.merges else _total(*(x.value for x in d))

    def sentence(self, s, d):
        dropped = ", ".join(show(t) for t in self.dropped)
        constants = f"the constant term {dropped} has derivative 0" if dropped else ""
        if self.merges:
            return constants
        rule = "sum rule: differentiate term by term"
        return f"{rule}; {constants}" if constants else rule


@dataclass(frozen=True)
class ConstantMultiple(Rule):
    """d/dv (c f) = c · df/dv for c free of v."""

    c: sp.Expr
    rest: sp.Expr
    id = "constant_multiple"
    merges = True

    def parts(self):
        return (self.rest,)

    def combine(self, d):
        shown = d[0].shown
        if isinstance(shown, sp.Mul) and not isinstance(self.rest, sp.Add):
            return product(self.c, *shown.args)
        return product(self.c, d[0].value)

    def sentence(self, s, d):
        return f"constant multiple rule: the factor {show(self.c)} stays"


@dataclass(frozen=True)
class Product(Rule):
    """d/dv (f g) = df/dv · g + f · dg/dv (one factor differentiated at a time)."""

    factors: tuple[sp.Expr, ...]
    id = "product"

    def parts(self):
        return self.factors

    def combine(self, d):
        fs = self.factors
        return _total(*(product(*fs[:i], d[i].value, *fs[i + 1 :]) for i in range(len(fs))))

    def sentence(self, s, d):
        return f"product rule: d/d{s.v} (f·g) = df/d{s.v} · g + f · dg/d{s.v}"


@dataclass(frozen=True)
class Quotient(Rule):
    """d/dv (f/g) = (df/dv · g - f · dg/dv) / g^2."""

    numerator: sp.Expr
    denominator: sp.Expr
    id = "quotient"

    def parts(self):
        return (self.numerator, self.denominator)

    def combine(self, d):
        f, g = self.numerator, self.denominator
        top = _total(product(d[0].value, g), product(sp.S.NegativeOne, f, d[1].value))
        return sp.Mul(top, sp.Pow(g, -2), evaluate=False)

    def sentence(self, s, d):
        v = s.v
        return f"quotient rule: d/d{v} (f/g) = (df/d{v} · g - f · dg/d{v})/g^2"


@dataclass(frozen=True)
class GeneralPower(Rule):
    """d/dv f^g = f^g · (dg/dv · ln f + g/f · df/dv), from f^g = e^(g ln f), for f > 0."""

    base: sp.Expr
    exponent: sp.Expr
    id = "general_power"

    def parts(self):
        return (self.base, self.exponent)

    def combine(self, d):
        f, g = self.base, self.exponent
        inner = _total(product(d[1].value, sp.log(f)), product(g, sp.Pow(f, -1), d[0].value))
        return sp.Mul(sp.Pow(f, g), inner, evaluate=False)

    def sentence(self, s, d):
        v = s.v
        return (
            f"general power rule, f^g = e^(g ln f): "
            f"d/d{v} f^g = f^g · (dg/d{v} · ln f + g/f · df/d{v})"
        )

    def conditions(self):
        return (f"{show(self.base)} > 0 (a power with a varying exponent is e^(g ln f))",)


@dataclass(frozen=True)
class Chain(Rule):
    """d/dv F(u) = F'(u) · du/dv; without a chain when u is v itself."""

    outer: Elementary
    inner: sp.Expr
    variable: sp.Symbol

    @property
    def direct(self) -> bool:
        return self.inner == self.variable

    @property
    def id(self):
        return self.outer.id if self.direct else "chain_rule"

    @property
    def quotes_inner(self):
        return not self.direct

    def parts(self):
        return () if self.direct else (self.inner,)

    def combine(self, d):
        outer = self.outer.derivative(self.inner)
        return outer if self.direct else product(outer, d[0].value)

    def sentence(self, s, d):
        if self.direct:
            return f"{self.outer.id} rule: " + self.outer.identity(s.v, s.v, with_chain=False)
        u = s.name()
        text = f"chain rule with {u} = {show(self.inner)}: " + self.outer.identity(u, s.v)
        if d[0].step is None:
            text += f", where d{u}/d{s.v} = {show(d[0].value)}"
        return text

    def conditions(self):
        return self.outer.condition(self.inner)


@dataclass(frozen=True)
class Extremum(Rule):
    """d/dv max(p, q) = H(p - q) · dp/dv + H(q - p) · dq/dv (min: H(q - p), H(p - q))."""

    expr: sp.Expr
    variable: sp.Symbol

    @property
    def id(self):
        return "max" if isinstance(self.expr, sp.Max) else "min"

    def parts(self):
        return (self.expr.args[0], self.expr.func(*self.expr.args[1:]))

    def combine(self, d):
        p, q = self.parts()
        first, second = (p - q, q - p) if self.id == "max" else (q - p, p - q)
        terms = [
            product(sp.Heaviside(first, 0), d[0].value),
            product(sp.Heaviside(second, 0), d[1].value),
        ]
        return _total(
            *(t for t, part in zip(terms, (p, q), strict=True) if part.has(self.variable))
        )

    def sentence(self, s, d):
        v, (one, other) = s.v, ("p - q", "q - p") if self.id == "max" else ("q - p", "p - q")
        return f"{self.id} rule: d/d{v} {self.id}(p, q) = H({one}) · dp/d{v} + H({other}) · dq/d{v}"

    def conditions(self):
        p, q = self.parts()
        return (
            f"{show(self.expr)} is not differentiable where {show(p)} = {show(q)}; "
            f"its derivative there is taken as 0 (the convention H(0) = 0)",
        )


# --------------------------------------------------------------------------- choosing a rule


def _choose(expr: sp.Expr, v: sp.Symbol) -> Rule:
    if not expr.has(v):
        return Constant(expr)
    if expr == v:
        return Variable(v)
    if isinstance(expr, sp.Add):
        varying = tuple(t for t in expr.args if t.has(v))
        return Sum(varying, tuple(t for t in expr.args if not t.has(v)))
    if isinstance(expr, sp.Mul):
        return _choose_product(expr, v)
    if isinstance(expr, sp.Pow):
        return _choose_power(expr, v)
    kind = type(expr)
    if kind in ELEMENTARY and (len(expr.args) == 1 or kind is sp.Heaviside):
        return Chain(ELEMENTARY[kind], expr.args[0], v)
    if isinstance(expr, (sp.Max, sp.Min)):
        found = extremum(expr, v)
        return Extremum(expr, v) if found is None else Chain(*found, v)
    raise InputError(
        f"'expr' must use only functions with a differentiation rule "
        f"({', '.join(sorted(e.id for e in ELEMENTARY.values()))}, max, min, powers); "
        f"got {kind.__name__} in {show(expr)}"
    )


def _choose_product(expr: sp.Mul, v: sp.Symbol) -> Rule:
    constants = [f for f in expr.args if not f.has(v)]
    varying = [f for f in expr.args if f.has(v)]
    if constants:
        return ConstantMultiple(sp.Mul(*constants), sp.Mul(*varying))
    below = [f for f in varying if _is_reciprocal(f)]
    above = [f for f in varying if not _is_reciprocal(f)]
    if below and above:
        return Quotient(sp.Mul(*above), sp.Mul(*(sp.Pow(f.base, -f.exp) for f in below)))
    return Product(tuple(varying))


def _is_reciprocal(factor: sp.Expr) -> bool:
    return isinstance(factor, sp.Pow) and factor.exp.is_number and factor.exp.is_negative


def _choose_power(expr: sp.Pow, v: sp.Symbol) -> Rule:
    base, exponent = expr.args
    if not exponent.has(v):
        return Chain(Elementary.power(exponent), base, v)
    if not base.has(v):
        return Chain(Elementary.exponential(base), exponent, v)
    return GeneralPower(base, exponent)


def differentiate(expr: sp.Expr, variable: sp.Symbol) -> Differentiation:
    """Differentiate ``expr`` by ``variable`` with textbook rules, recording each step.

    Parameters
    ----------
    expr : sympy.Expr
        The function; every symbol other than ``variable`` is a constant.
    variable : sympy.Symbol
        The variable of differentiation.

    Returns
    -------
    Differentiation
        ``result`` is the top rule's combination (unevaluated at the top, evaluated inside);
        ``steps`` are the rule steps, innermost first, the last one for ``expr`` itself.

    Raises
    ------
    InputError
        When ``expr`` is not a SymPy expression, ``variable`` not a symbol, or ``expr`` uses a
        function with no rule here.
    """
    if not isinstance(expr, sp.Expr):
        raise InputError(f"'expr' must be a SymPy expression (got {type(expr).__name__})")
    if not isinstance(variable, sp.Symbol):
        raise InputError(f"'variable' must be a SymPy Symbol (got {variable!r})")
    return derive(expr, variable, _choose)


def rule_sentences() -> dict[str, str]:
    """Every id a rule step carries, with the rule it names in one line (``"sum"``: d/dv
    (f + g) = df/dv + dg/dv; ``"tanh"``: d/du tanh(u) = 1 - tanh(u)^2; ...).

    The outer functions of the derivative table applied to the variable itself are rules of
    their own (their ids are the function's); through an inner function they are the chain
    rule.
    """
    rules = (Constant, Variable, Sum, ConstantMultiple, Product, Quotient, GeneralPower)
    sentences = {rule.id: _first_paragraph(rule.__doc__) for rule in rules}
    sentences["chain_rule"] = _first_paragraph(Chain.__doc__)
    sentences["max"] = sentences["min"] = _first_paragraph(Extremum.__doc__)
    u, n, c = sp.symbols("u n c")
    outer = [*ELEMENTARY.values(), Elementary.power(n), Elementary.exponential(c)]
    kinked = (extremum(f(0, u), u) for f in (sp.Max, sp.Min))  # relu; min(0, u)
    outer += [found[0] for found in kinked if found is not None]
    for function in outer:
        sentences.setdefault(function.id, function.identity("u", "u", with_chain=False))
    return sentences


def _first_paragraph(doc: str | None) -> str:
    return " ".join((doc or "").strip().split("\n\n")[0].split())
