"""The notation of the batch-norm derivation, and the concrete mini-batches it is proven in.

Indices count from 1 (i, j = 1..m), as in the batch-norm paper. An :func:`instance` of size m
has symbolic inputs x_1..x_m, parameters γ, β, ε and upstream gradient G_1..G_m, the cost
J = Σ_i G_i y_i and, for every gradient, its partial derivative taken directly:

- dy, dγ, dβ, dx: ∂J/∂y, ∂J/∂γ, ∂J/∂β, ∂J/∂x of the whole layer (dx through μ and σ²);
- dx̂: ∂J/∂x̂ with x̂ free; dσ²: ∂J/∂σ² with x and μ held, as a node of the graph;
  dμ: ∂J/∂μ with x held, through x̂ and σ².

ε is held fixed in every derivative. The instance writes √(σ² + ε) as s(x), a positive
function of x, and ε as s² - σ² (a change of variables from ε to s); ``sympy.diff`` then
leaves ∂s/∂x_i, which is (∂σ²/∂x_i)/(2s) because ε is fixed. Graph nodes (σ² with x and μ
held, μ with x held) are differentiated as free symbols with ε as it stands. Both sides of a
claim are then polynomials in x, G, γ, β and 1/s, and ``expand`` decides.
"""

from __future__ import annotations

from collections.abc import Iterable

import sympy as sp

from chainrule.symbolic.proof.instances import Instance
from chainrule.symbolic.proof.tensors import Notation, Tensor

__all__ = ["NOTATION", "instance", "instances"]

i, j, m = sp.Symbol("i"), sp.Symbol("j"), sp.Symbol("m")
gamma, beta, epsilon = sp.Symbol("gamma"), sp.Symbol("beta"), sp.Symbol("epsilon")
mu, sigma2 = sp.Symbol("mu"), sp.Symbol("sigma__2")
dgamma, dbeta, dmu, dsigma2 = (sp.Symbol(n) for n in ("dgamma", "dbeta", "dmu", "dsigma__2"))


def _row(name: str, meaning: str = "the forward pass") -> Tensor:
    return Tensor(name, (m,), meaning, first=1)


_TENSORS = (
    _row("x", "the input"),
    _row("xhat"),
    _row("y"),
    _row("dy", "∂J/∂y"),
    _row("dxhat", "∂J/∂x̂"),
    _row("dx", "∂J/∂x"),
)
x, xhat, y, dy, dxhat, dx = (t.base for t in _TENSORS)

NOTATION = Notation(
    _TENSORS,
    {i: (sp.Integer(1), m), j: (sp.Integer(1), m)},
    {
        mu: "the forward pass",
        sigma2: "the forward pass",
        dgamma: "∂J/∂γ",
        dbeta: "∂J/∂β",
        dsigma2: "∂J/∂σ² (x and μ held)",
        dmu: "∂J/∂μ (x held)",
    },
)

_s = sp.Symbol("s", positive=True)


def instance(size: int) -> Instance:
    """A mini-batch of ``size`` examples with symbolic entries (see the module docstring)."""
    xs = [sp.Symbol(f"x{k}") for k in range(1, size + 1)]
    gs = [sp.Symbol(f"G{k}") for k in range(1, size + 1)]
    mean = sp.Add(*xs) / size
    variance = sp.expand(sp.Add(*((v - mean) ** 2 for v in xs)) / size)
    # s(x) = √(σ² + ε) for a fixed ε; sympy.diff leaves its derivatives to be filled in
    root = sp.Function("s", positive=True)(*xs)
    slopes = {sp.Derivative(root, v): sp.diff(variance, v) / (2 * _s) for v in xs}
    normalised = [(v - mean) / root for v in xs]
    outputs = [gamma * n + beta for n in normalised]
    cost = sp.Add(*(g * o for g, o in zip(gs, outputs, strict=True)))

    free_mean, free_variance = sp.Dummy("M"), sp.Dummy("V")
    graph = sp.Add(
        *(
            g * (gamma * (v - free_mean) * (free_variance + epsilon) ** sp.Rational(-1, 2) + beta)
            for g, v in zip(gs, xs, strict=True)
        )
    )
    through_mean = graph.xreplace(
        {free_variance: sp.Add(*((v - free_mean) ** 2 for v in xs)) / size}
    )
    at_point = {free_mean: mean, free_variance: variance}
    free_y = [sp.Dummy(f"y{k}") for k in range(size)]
    free_xhat = [sp.Dummy(f"xhat{k}") for k in range(size)]
    cost_of_y = sp.Add(*(g * v for g, v in zip(gs, free_y, strict=True)))
    cost_of_xhat = sp.Add(*(g * (gamma * v + beta) for g, v in zip(gs, free_xhat, strict=True)))

    def rows(values: Iterable[sp.Expr]) -> dict[tuple[int, ...], sp.Expr]:
        return {(k,): value for k, value in enumerate(values, start=1)}

    def settle(expr: sp.Expr) -> sp.Expr:
        plain = expr.xreplace(slopes).xreplace({root: _s, epsilon: _s**2 - variance})
        return plain.replace(
            lambda e: e.is_Pow and not e.exp.is_Integer,
            lambda e: sp.Pow(sp.expand(e.base), e.exp),
        )

    return Instance(
        description=f"m = {size}",
        sizes={m: size},
        arrays={
            "x": rows(xs),
            "xhat": rows(normalised),
            "y": rows(outputs),
            "dy": rows(sp.diff(cost_of_y, v) for v in free_y),
            "dxhat": rows(sp.diff(cost_of_xhat, v) for v in free_xhat),
            "dx": rows(sp.diff(cost, v) for v in xs),
        },
        scalars={
            gamma: gamma,
            beta: beta,
            epsilon: root**2 - variance,
            mu: mean,
            sigma2: variance,
            dgamma: sp.diff(cost, gamma),
            dbeta: sp.diff(cost, beta),
            dsigma2: sp.diff(graph, free_variance).xreplace(at_point),
            dmu: sp.diff(through_mean, free_mean).xreplace(at_point),
        },
        settle=settle,
    )


def instances(sizes: Iterable[int]) -> list[Instance]:
    """One :func:`instance` per batch size."""
    return [instance(size) for size in sizes]
