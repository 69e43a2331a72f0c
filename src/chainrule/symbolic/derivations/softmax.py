"""Softmax with categorical cross-entropy: the Jacobian and dL/dz_j = a_j - y_j, derived.

For K classes, a_i = e^(z_i) / Σ_k e^(z_k) and L = -Σ_i y_i ln a_i with one-hot labels
(Σ_i y_i = 1). The derivations, in order:

- ``s1``: the diagonal of the Jacobian, ∂a_i/∂z_i = a_i(1 - a_i);
- ``s2``: off the diagonal, ∂a_i/∂z_j = -a_i a_j for i ≠ j;
- ``s3``: both at once, ∂a_i/∂z_j = a_i(δ_ij - a_j);
- ``s4``: ∂L/∂z_j = Σ_i ∂L/∂a_i · ∂a_i/∂z_j, which collapses to a_j - y_j;
- ``layers``: the output layer's dZ[L] = A[L] - Y.

``s1`` and ``s2`` hold for every K: the sum is written S = e^(z_i) + e^(z_j) + r, where r, the
rest of the sum, depends on neither z_i nor z_j, and the engine proves each step. The steps of
``s3`` and ``s4``, written in index notation, are proven at K = 2, 3 and 4 with symbolic entries
(:mod:`chainrule.symbolic.proof.indexed`), and every result is compared there with
``sympy.diff`` of the softmax and of L.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterable

import sympy as sp

from chainrule.errors import ProofError
from chainrule.symbolic.core.engine import RouteBuilder, finish
from chainrule.symbolic.core.model import Check, Definition, Derivation, Verdict
from chainrule.symbolic.core.recipes import DerivationSet, Need
from chainrule.symbolic.core.trees import add, frac, group, mul, neg
from chainrule.symbolic.proof.check import Context, prove_equal
from chainrule.symbolic.proof.indexed import (
    SIZES,
    K,
    check_instances,
    concrete,
    indexed,
    softmax_context,
)

__all__ = ["JACOBIAN", "SOFTMAX", "SOFTMAX_IDS", "check_jacobian", "softmax_derivations"]


L = sp.Symbol("L", real=True)
S, r = sp.Symbol("S", positive=True), sp.Symbol("r", positive=True)
i, j = sp.Symbol("i", integer=True, positive=True), sp.Symbol("j", integer=True, positive=True)
a_i, a_j, y_i, y_j = indexed("a", "i"), indexed("a", "j"), indexed("y", "i"), indexed("y", "j")
z_i, z_j, delta = indexed("z", "i"), indexed("z", "j"), indexed("delta", "ij")

#: The softmax Jacobian entry ∂a_i/∂z_j = a_i(δ_ij - a_j).
JACOBIAN = mul(a_i, group(add(delta, -a_j)))

_NOTE_SUM = "S = Σ_k e^(z_k) = e^(z_i) + e^(z_j) + r, where r, the other terms, is free of z_i, z_j"


def _diagonal() -> Derivation:
    """s1: ∂a_i/∂z_i = a_i(1 - a_i), by the quotient rule."""
    givens = (Definition(a_i, sp.exp(z_i) / S), Definition(S, sp.exp(z_i) + r))
    route = RouteBuilder("direct", Context(givens, unit_interval=()))
    e_i, dS = sp.exp(z_i), sp.Derivative(S, z_i)
    route.state(a_i, frac(e_i, S), "given", "softmax: a_i = e^(z_i)/S, S = Σ_k e^(z_k)")
    route.state(dS, e_i, "sum", "only the term k = i of S depends on z_i")
    goal = sp.Derivative(a_i, z_i)
    route.state(goal, frac(add(mul(e_i, S), -mul(e_i, dS)), S**2), "quotient", "quotient rule")
    route.claim(frac(add(mul(e_i, S), -mul(e_i, e_i)), S**2), "substitute", "∂S/∂z_i = e^(z_i)")
    route.claim(mul(frac(e_i, S), frac(add(S, -e_i), S)), "split", "a product of two fractions")
    route.claim(mul(frac(e_i, S), group(add(1, -frac(e_i, S)))), "split", "split the fraction")
    route.claim(mul(a_i, group(add(1, -a_i))), "recognise", "recognise a_i = e^(z_i)/S")
    title = "∂a_i/∂z_i: the diagonal of the softmax Jacobian"
    context = Context(givens, unit_interval=())
    return finish("s1", title, goal, givens, [route.route()], context, (_NOTE_SUM,))


def _off_diagonal() -> Derivation:
    """s2: ∂a_i/∂z_j = -a_i a_j for i ≠ j, by the quotient rule."""
    givens = (
        Definition(a_i, sp.exp(z_i) / S),
        Definition(a_j, sp.exp(z_j) / S),
        Definition(S, sp.exp(z_i) + sp.exp(z_j) + r),
    )
    context = Context(givens, unit_interval=())
    route = RouteBuilder("direct", context)
    e_i, e_j, dS = sp.exp(z_i), sp.exp(z_j), sp.Derivative(S, z_j)
    route.state(a_i, frac(e_i, S), "given", "softmax: a_i = e^(z_i)/S, S = Σ_k e^(z_k)")
    route.state(dS, e_j, "sum", "only the term k = j of S depends on z_j")
    goal = sp.Derivative(a_i, z_j)
    top = add(mul(sp.Derivative(e_i, z_j), S), -mul(e_i, dS))
    route.state(goal, frac(top, S**2), "quotient", "quotient rule")
    route.claim(
        frac(-mul(e_i, e_j), S**2),
        "substitute",
        "e^(z_i) does not depend on z_j (i ≠ j), so the first term is 0; ∂S/∂z_j = e^(z_j)",
    )
    route.claim(neg(mul(frac(e_i, S), frac(e_j, S))), "split", "a product of two fractions")
    route.claim(neg(mul(a_i, a_j)), "recognise", "recognise a_i and a_j")
    title = "∂a_i/∂z_j for i ≠ j: off the diagonal of the softmax Jacobian"
    return finish("s2", title, goal, givens, [route.route()], context, (_NOTE_SUM,))


def check_jacobian(entry: sp.Expr, sizes: Iterable[int] = SIZES) -> Check:
    """Check ∂a_i/∂z_j = ``entry`` (in a_i, a_j, delta_ij) at every K in ``sizes``, every
    i and j, against ``sympy.diff`` of the softmax a_i = e^(z_i)/Σ_k e^(z_k)."""
    return check_instances(sp.Derivative(a_i, z_j), entry, ("i", "j"), sizes=sizes)


def _jacobian(diagonal: Derivation, off: Derivation) -> Derivation:
    """s3: ∂a_i/∂z_j = a_i(δ_ij - a_j), the two cases in one formula."""
    goal = sp.Derivative(a_i, z_j)
    route = RouteBuilder("cases", Context())
    text = (
        "i = j: a_i(1 - a_i) [s1]; i ≠ j: -a_i a_j [s2]; with δ_ij = 1 where i = j and 0 "
        "elsewhere, both are a_i(δ_ij - a_j)"
    )
    route.record(goal, JACOBIAN, "cases", text, check_jacobian(JACOBIAN))
    step = dataclasses.replace(route.steps[-1], subderivations=(diagonal, off))
    route.steps[-1] = step
    return Derivation(
        id="s3",
        title="∂a_i/∂z_j: the softmax Jacobian",
        goal=goal,
        givens=(Definition(a_i, sp.exp(z_i) / sp.Sum(sp.exp(indexed("z", "k")), _k_limits())),),
        routes=(route.route(),),
        result=JACOBIAN,
        routes_agree=True,
        oracle=step.check,
        notes=(f"proven entry by entry at K = {', '.join(map(str, SIZES))} by sympy.diff",),
    )


def _k_limits():
    return (sp.Symbol("k", integer=True, positive=True), 1, K)


def _sum(body: sp.Expr) -> sp.Expr:
    return sp.Sum(body, (i, 1, K))


def _loss_gradient(jacobian: Derivation) -> Derivation:
    """s4: ∂L/∂z_j = Σ_i ∂L/∂a_i · ∂a_i/∂z_j = a_j - y_j, using Σ_i y_i = 1."""
    loss = neg(_sum(y_i * sp.log(a_i)))
    dL_da, goal = sp.Derivative(L, a_i), sp.Derivative(L, z_j)
    route = RouteBuilder("chain rule", Context())

    def line(lhs, after, move, text, before=None, indices=("j",)):
        claimed = lhs if before is None else before
        route.record(lhs, after, move, text, check_instances(claimed, after, indices, loss=L))
        route.steps[-1] = dataclasses.replace(route.steps[-1], before=claimed)

    line(L, loss, "given", "categorical cross-entropy", indices=())
    line(dL_da, -y_i / a_i, "log", "only the term i of the sum holds a_i", indices=("i",))
    chain = _sum(mul(dL_da, sp.Derivative(a_i, z_j)))
    line(goal, chain, "chain_rule", "chain rule: z_j reaches L through every a_i")
    steps = [
        (_sum(mul(-y_i / a_i, JACOBIAN)), "substitute", "substitute ∂L/∂a_i and the Jacobian [s3]"),
        (neg(_sum(mul(y_i, group(add(delta, -a_j))))), "cancel", "a_i cancels"),
        (
            add(-_sum(y_i * delta), mul(a_j, _sum(y_i))),
            "split_sum",
            "split the sum; a_j does not depend on i",
        ),
        (add(-y_j, mul(a_j, _sum(y_i))), "kronecker", "δ_ij keeps only the term i = j"),
        (add(a_j, -y_j), "given", "Σ_i y_i = 1: the labels are one-hot"),
    ]
    for after, move, text in steps:
        line(goal, after, move, text, before=route.current)
    result = route.current
    oracle = _gradient_oracle(result)
    givens = (
        Definition(L, loss),
        Definition(a_i, sp.exp(z_i) / sp.Sum(sp.exp(indexed("z", "k")), _k_limits())),
    )
    return Derivation(
        id="s4",
        title="∂L/∂z_j for softmax + categorical cross-entropy",
        goal=goal,
        givens=givens,
        routes=(route.route(),),
        result=result,
        routes_agree=True,
        oracle=oracle,
        notes=(
            "given: Σ_i y_i = 1 (one-hot labels); it is used in the last step",
            "each step is proven at K = 2, 3, 4 and every j, with y_K = 1 - Σ_(k<K) y_k",
        ),
    )


def _gradient_oracle(result: sp.Expr) -> Check:
    """a_j - y_j against sympy.diff of L(softmax(z)) at every K in SIZES and every j."""
    start = time.perf_counter()
    count = 0
    for size in SIZES:
        context = softmax_context(size)
        z = [sp.Symbol(f"z_{k}", real=True) for k in range(1, size + 1)]
        y = [sp.Symbol(f"y_{k}", real=True) for k in range(1, size + 1)]
        total = sp.Add(*(sp.exp(v) for v in z))
        labels = y[:-1] + [1 - sp.Add(*y[:-1])]
        cost = -sp.Add(*(yk * (zk - sp.log(total)) for yk, zk in zip(labels, z, strict=True)))
        for index in range(1, size + 1):
            check = prove_equal(
                sp.diff(cost, z[index - 1]), concrete(result, {"j": index}, size), context
            )
            if check.verdict is Verdict.FAILED:
                raise ProofError(f"s4 disagrees with sympy.diff at K = {size}, j = {index}")
            count += 1
    method = f"exact: equals sympy.diff of L at K = 2, 3, 4, every j ({count} entries)"
    return Check(Verdict.PROVED, method, time.perf_counter() - start)


def _layers(need: Need) -> Derivation:
    from chainrule.symbolic.derivations.softmax_layer import softmax_output_layer

    return softmax_output_layer()


#: The softmax derivations by id: the Jacobian's two cases, the Jacobian, dL/dz_j, dZ[L].
SOFTMAX = DerivationSet(
    {
        "s1": lambda need: _diagonal(),
        "s2": lambda need: _off_diagonal(),
        "s3": lambda need: _jacobian(need("s1"), need("s2")),
        "s4": lambda need: _loss_gradient(need("s3")),
        "layers": _layers,
    }
)
SOFTMAX_IDS = SOFTMAX.ids


def softmax_derivations(ids: Iterable[str] | None = None) -> list[Derivation]:
    """The softmax derivations with the given ids (all of :data:`SOFTMAX_IDS` by default)."""
    return SOFTMAX.build(ids)
