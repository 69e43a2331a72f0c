"""The output layer of softmax with categorical cross-entropy: dZ[L] = A[L] - Y, proven entry
by entry in a layer of :data:`UNITS` classes and :data:`EXAMPLES_SHOWN` examples.

Unlike an element-wise activation, the softmax mixes the units of a column, so dZ[L] is not
dA[L] ⊙ g'(Z[L]): per column it is the Jacobian's transpose times dA[L], which result [s4]
collapses to a - y. The check takes J = (1/m) Σ over columns of -Σ_k y_k ln a_k with one-hot
columns (the last label of each column is 1 minus the others) and compares every entry of
m·∂J/∂Z[L], taken with ``sympy.diff``, with A[L] - Y.
"""

from __future__ import annotations

import time

import sympy as sp

from chainrule.symbolic.core.engine import RouteBuilder
from chainrule.symbolic.core.model import Check, Derivation, Verdict
from chainrule.symbolic.proof.check import Context, prove_equal

__all__ = ["EXAMPLES_SHOWN", "UNITS", "check_softmax_layer", "softmax_output_layer"]

UNITS, EXAMPLES_SHOWN = 3, 2

A_L = sp.Symbol("A^{[L]}", real=True)
Y = sp.Symbol("Y", real=True)
dZ_L = sp.Symbol("dZ^{[L]}", real=True)


def check_softmax_layer(formula: sp.Expr, units: int = UNITS, examples: int = EXAMPLES_SHOWN):
    """Check dZ[L] = ``formula`` (in A[L] and Y, entry by entry) against m·∂J/∂Z[L]."""
    start = time.perf_counter()
    Z = sp.Matrix(units, examples, lambda k, c: sp.Symbol(f"z_{k + 1}{c + 1}", real=True))
    free = sp.Matrix(units, examples, lambda k, c: sp.Symbol(f"y_{k + 1}{c + 1}", real=True))
    labels = free.copy()
    for c in range(examples):
        labels[units - 1, c] = 1 - sum(free[k, c] for k in range(units - 1))
    cost = sp.S.Zero
    for c in range(examples):
        total = sum(sp.exp(Z[k, c]) for k in range(units))
        cost += -sum(labels[k, c] * (Z[k, c] - sp.log(total)) for k in range(units))
    cost /= examples
    for k in range(units):
        for c in range(examples):
            total = sum(sp.exp(Z[q, c]) for q in range(units))
            entry = formula.xreplace({A_L: sp.exp(Z[k, c]) / total, Y: labels[k, c]})
            check = prove_equal(entry, examples * sp.diff(cost, Z[k, c]), Context(unit_interval=()))
            if check.verdict is Verdict.FAILED:
                method = f"entry ({k + 1}, {c + 1}) differs from m·∂J/∂Z[L]: {check.method}"
                return Check(Verdict.FAILED, method, time.perf_counter() - start)
    method = (
        f"exact: every entry equals m·∂J/∂Z[L] ({units * examples} entries) in a softmax layer "
        f"of {units} classes and {examples} examples with one-hot labels, by sympy.diff"
    )
    return Check(Verdict.PROVED, method, time.perf_counter() - start)


def softmax_output_layer() -> Derivation:
    """The derivation "layers" for softmax + categorical cross-entropy: dZ[L] = A[L] - Y."""
    route = RouteBuilder("chain rule", Context())
    text = (
        "Backward, output layer: for each column (example), ∂L/∂z_j = Σ_i ∂L/∂a_i · ∂a_i/∂z_j "
        "= a_j - y_j (result [s4]); so the whole layer is dZ[L] = A[L] - Y, one column per "
        "example. The softmax mixes the units of a column, so this is not dA[L] ⊙ g'(Z[L])."
    )
    formula = A_L - Y
    check = check_softmax_layer(formula)
    route.record(dZ_L, formula, "output_error", text, check)
    chain = route.route()
    return Derivation(
        id="layers",
        title="Wrap-up — the output layer dZ[L] for softmax + categorical cross-entropy",
        goal=dZ_L,
        givens=(),
        routes=(chain,),
        result=formula,
        routes_agree=True,
        oracle=check,
        notes=(
            "dZ[L] is the per-example derivative m·∂J/∂Z[L], J = (1/m) Σ over examples of L",
            "labels one-hot in every column: Σ_k y_k = 1",
            "The other layer equations do not depend on the loss: see the wrap-up "
            "(chainrule derive layers).",
        ),
    )
