"""What an exported backward pass computes and what it keeps (SymPy only; no array library).

An autograd framework runs a function forward, keeps some tensors, and later multiplies the
incoming gradient by the derivative. :func:`activation_backward` and :func:`loss_backward`
decide both from chainrule's own derivation, for any activation or loss of the catalogue or
any formula:

- the derivative is the proven result of the derivation (``chainrule derive 2 --activation
  A`` for da/dz, ``chainrule derive 1 --loss L`` for dL/da), put through the stable rewrites
  and the kink conventions of :mod:`~chainrule.codegen.stable`;
- what is saved is the least the derivative needs: nothing when it is a constant, the output
  a = g(z) when it has a form in a alone (σ' = a(1 - a), tanh' = 1 - a², relu' = H(a)),
  else the input z (the backward then recomputes what it needs from z).

A kink condition such as z > 0 is written as a > g(0) only where the two are proven to hold
for the same z: g(c + p) > g(c) for every p > 0 and g(c - q) <= g(c) for every q >= 0
(each either settled by SymPy's assumptions directly, or from a zero at the end point and a
derivative of the right sign). relu, leaky ReLU and ELU with any α then save a.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import sympy as sp

from chainrule.codegen.compiled import _checked_derivative, _identifier
from chainrule.codegen.stable import Step, kink_steps, stabilize
from chainrule.errors import ProofError
from chainrule.symbolic.catalog import CatalogEntry, get_activation, get_loss
from chainrule.symbolic.core.symbols import a, sigma, y, z
from chainrule.symbolic.proof.check import off_the_jumps

__all__ = ["ActivationBackward", "LossBackward", "activation_backward", "loss_backward"]

#: What an activation's backward saves: nothing, the output a, or the input z.
SAVES_NOTHING, SAVES_OUTPUT, SAVES_INPUT = "nothing", "a", "z"


@dataclass(frozen=True)
class ActivationBackward:
    """An activation g and its backward pass, ready to print for any framework.

    Attributes
    ----------
    name : str
        The catalogue name, or the formula as typed.
    identifier : str
        A Python identifier for it (``elu_2`` for ``elu(2)``).
    formula : sympy.Expr
        g(z) as written.
    forward : sympy.Expr
        g(z) in its stable form, kinks set.
    proven : sympy.Expr
        da/dz as the derivation ends it (in a = g(z) where it has such a form).
    derivative : sympy.Expr
        da/dz in its stable form, in the one tensor :attr:`saves` names.
    saves : str
        ``"a"`` (the output), ``"z"`` (the input) or ``"nothing"``.
    notes : tuple of str
        The derivation's notes: kinks and the values taken there.
    """

    name: str
    identifier: str
    formula: sp.Expr
    forward: sp.Expr
    proven: sp.Expr
    derivative: sp.Expr
    saves: str
    notes: tuple[str, ...]

    @property
    def command(self) -> str:
        """The command that shows the proof of :attr:`proven`, step by step."""
        return f"chainrule derive 2 --activation {_quoted(self.name)}"


@dataclass(frozen=True)
class LossBackward:
    """A loss L(a, y) and its backward pass, ready to print for any framework.

    Attributes
    ----------
    name, identifier : str
        As for :class:`ActivationBackward`.
    formula : sympy.Expr
        L(a, y) as written.
    loss : sympy.Expr
        L(a, y) in its stable form, kinks set.
    proven : sympy.Expr
        dL/da as the derivation ends it.
    gradient : sympy.Expr
        dL/da in its stable form.
    label_gradient : sympy.Expr
        dL/dy in its stable form: -dL/da where L is a function of a - y, else ``sympy.diff``.
    notes : tuple of str
        The derivation's notes.
    """

    name: str
    identifier: str
    formula: sp.Expr
    loss: sp.Expr
    proven: sp.Expr
    gradient: sp.Expr
    label_gradient: sp.Expr
    notes: tuple[str, ...]

    @property
    def command(self) -> str:
        """The command that shows the proof of :attr:`proven`, step by step."""
        return f"chainrule derive 1 --loss {_quoted(self.name)}"


@functools.lru_cache(maxsize=64)
def activation_backward(
    spec: str | CatalogEntry, name: str | None = None, parameter: str = "activation"
) -> ActivationBackward:
    """The backward pass of the activation ``spec`` (a catalogue name, ``elu(2)``, a formula
    in z or an entry), named ``name`` (default: its own name); kept once derived."""
    entry = get_activation(spec, parameter)
    proven, notes = _proven(entry, "2")
    forward = kink_steps(stabilize(entry.expr), z)
    in_output = _in_output(kink_steps(stabilize(proven).subs(forward, a), z), entry.expr)
    if not in_output.has(z):
        derivative, saves = in_output, SAVES_OUTPUT if in_output.has(a) else SAVES_NOTHING
    else:
        derivative = kink_steps(stabilize(proven.xreplace({a: entry.expr})), z)
        saves = SAVES_INPUT
    _checked_derivative(off_the_jumps(sp.diff(entry.expr, z)), derivative, {a: entry.expr})
    label = name or entry.name
    return ActivationBackward(
        label,
        _identifier(label, "activation"),
        entry.expr,
        forward,
        proven,
        derivative,
        saves,
        notes,
    )


@functools.lru_cache(maxsize=64)
def loss_backward(
    spec: str | CatalogEntry, name: str | None = None, parameter: str = "loss"
) -> LossBackward:
    """The backward pass of the loss ``spec`` (a catalogue name, a formula in a and y, or an
    entry), named ``name`` (default: its own name); kept once derived. The loss is taken as
    the catalogue writes it (the hinge loss for labels y ∈ {-1, 1})."""
    entry = get_loss(spec, parameter)
    proven, notes = _proven(entry, "1")
    gradient = kink_steps(stabilize(proven), a)
    inside = {a: sigma(z)}  # a in (0, 1), where every catalogue loss is defined
    _checked_derivative(
        off_the_jumps(sp.diff(entry.expr, a)).xreplace(inside), gradient.xreplace(inside), {}
    )
    by_label = off_the_jumps(sp.diff(entry.expr, y))
    if (
        sp.simplify(by_label + off_the_jumps(sp.diff(entry.expr, a))) == 0
    ):  # L is a function of a - y
        by_label = -proven
    label = name or entry.name
    return LossBackward(
        label,
        _identifier(label, "loss"),
        entry.expr,
        kink_steps(stabilize(entry.expr), a),
        proven,
        gradient,
        kink_steps(stabilize(by_label), None),
        notes,
    )


def _proven(entry: CatalogEntry, derivation_id: str) -> tuple[sp.Expr, tuple[str, ...]]:
    """The result of derivation [2] (da/dz) of an activation or [1] (dL/da) of a loss, every
    step proven, its routes proven equal and its result checked against ``sympy.diff``; and
    the derivation's notes (kinks and the values taken there, domains)."""
    from chainrule.symbolic.derivations.pair import derive_pair

    if entry.kind == "activation":
        (derivation,) = derive_pair(entry, "mean_squared_error", [derivation_id])
    else:
        (derivation,) = derive_pair("linear", entry, [derivation_id])
    if not derivation.routes_agree or (derivation.oracle is not None and not derivation.oracle.ok):
        raise ProofError(f"the derivation of {entry.name!r} did not prove its result")
    # the derivation keeps its result as built; the code wants it evaluated
    result = derivation.result.replace(sp.UnevaluatedExpr, lambda inner: inner)
    return result, tuple(derivation.notes)


def _quoted(name: str) -> str:
    return name if re.fullmatch(r"[\w.()]+", name) else f'"{name}"'


# ----------------------------------------------------------------------------- kinks in a
def _in_output(expr: sp.Expr, g: sp.Expr) -> sp.Expr:
    """``expr`` with each kink condition on z (a step of u, a comparison u > 0 or u >= 0,
    u linear in z) written as the same condition on a = g(z) where that is proven (see the
    module docstring); other conditions are left in z."""

    def step(u: sp.Expr, at_zero: sp.Expr) -> sp.Expr:
        moved = _condition_in_output(u, strict=at_zero == 0, g=g)
        return Step(u if moved is None else moved, at_zero, evaluate=False)

    def relation(rel: sp.Rel) -> sp.Expr:
        u = rel.lhs - rel.rhs
        if isinstance(rel, (sp.StrictLessThan, sp.LessThan)):
            u = -u
        strict = isinstance(rel, (sp.StrictGreaterThan, sp.StrictLessThan))
        moved = _condition_in_output(u, strict=strict, g=g)
        if moved is None:
            return rel
        return sp.StrictGreaterThan(moved, 0) if strict else sp.GreaterThan(moved, 0)

    def is_comparison(e: sp.Basic) -> bool:
        return isinstance(e, sp.Rel) and e.has(z) and type(e) not in (sp.Eq, sp.Ne)

    translated = expr.replace(Step, step).replace(is_comparison, relation)
    return kink_steps(translated, None) if translated != expr else expr


def _condition_in_output(u: sp.Expr, strict: bool, g: sp.Expr) -> sp.Expr | None:
    """v in a with (v > 0 iff u > 0) when ``strict``, else (v >= 0 iff u >= 0), for every z,
    when u = k(z - c) for numbers k ≠ 0, c and that is proven of a = g(z); else None.

    For k > 0, u > 0 is z > c, which is a > g(c) when g(c + p) > g(c) for p > 0 and
    g(c - q) <= g(c) for q >= 0; u >= 0 is z >= c, which is a >= g(c) when g(c + p) >= g(c)
    and g(c - q) < g(c) for p, q > 0. For k < 0 the roles swap: u > 0 is z < c, the negation
    of z >= c, so it is g(c) - a > 0 under the second proof.
    """
    if not u.has(z) or not u.is_polynomial(z) or sp.degree(u, z) != 1:
        return None
    k, offset = sp.Poly(u, z).all_coeffs()
    if not (k.is_number and k.is_nonzero and offset.is_number):
        return None
    c = -offset / k
    at_c = sp.simplify(g.subs(z, c))
    if not at_c.is_number:
        return None
    rising = strict if k.is_positive else not strict
    if not _crosses_at(g, c, at_c, strict=rising):
        return None
    return a - at_c if k.is_positive else at_c - a


def _crosses_at(g: sp.Expr, c: sp.Expr, at_c: sp.Expr, strict: bool) -> bool:
    """Whether (z > c iff g(z) > g(c)) for every z (``strict``), or else
    (z >= c iff g(z) >= g(c)), is proven."""
    p = sp.Symbol("p", positive=True)
    q = sp.Symbol("q", positive=True) if not strict else sp.Symbol("q", nonnegative=True)
    above = sp.simplify(g.subs(z, c + p) - at_c)
    below = sp.simplify(g.subs(z, c - q) - at_c)
    if strict:
        return _has_sign(above, p, "positive") and _has_sign(below, q, "nonpositive")
    return _has_sign(above, p, "nonnegative") and _has_sign(below, q, "negative")


def _has_sign(f: sp.Expr, variable: sp.Symbol, sign: str) -> bool:
    """Whether f has ``sign`` (``positive``, ``nonnegative``, ``nonpositive``, ``negative``)
    for every value of ``variable``: by SymPy's assumptions, or from f = 0 at variable = 0
    and a derivative df/dvariable of that sign (f then moves away from 0 that way)."""
    if getattr(f, f"is_{sign}") is True:
        return True
    if f.free_symbols != {variable} or sp.simplify(f.subs(variable, 0)) != 0:
        return False
    slope = sp.simplify(off_the_jumps(sp.diff(f, variable)))
    return getattr(slope, f"is_{sign}") is True
