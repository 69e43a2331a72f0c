"""Batch normalisation in training mode: dγ, dβ, dx̂, dσ², dμ and dx, derived twice.

For one unit (one row of Z[l]) over a mini-batch of m examples x_1..x_m::

    μ = (1/m) Σ_j x_j      σ² = (1/m) Σ_j (x_j - μ)²      x̂_i = (x_i - μ)/√(σ² + ε)
    y_i = γ x̂_i + β

The route "chain rule" walks the computational graph back from dy (the staged route of the
batch-norm paper and of Kratzert's and Karpathy's write-ups): dβ, dγ, dx̂, dσ², dμ, dx, then
substitutes and collapses dx into one line,
dx_i = γ/(m √(σ² + ε)) · (m dy_i - Σ_j dy_j - x̂_i Σ_j dy_j x̂_j). The route "direct"
differentiates y_j by x_i through μ and σ² (the Jacobian) and reaches the same line.

Every line is proven at m = 2 and 3 with symbolic x, γ, β, ε and upstream gradient
(:mod:`.batchnorm_instance`): each entry against the partial derivative of J = Σ_i G_i y_i
taken directly with ``sympy.diff``.
"""

from __future__ import annotations

import dataclasses

import sympy as sp

from chainrule.symbolic.core.model import Derivation
from chainrule.symbolic.core.recipes import DerivationSet
from chainrule.symbolic.core.trees import add, frac, group, mul, neg
from chainrule.symbolic.derivations.layers.assembly import Line, assemble, build_route
from chainrule.symbolic.derivations.layers.batchnorm_instance import (
    NOTATION,
    beta,
    dbeta,
    dgamma,
    dmu,
    dsigma2,
    dx,
    dxhat,
    dy,
    epsilon,
    gamma,
    i,
    instances,
    j,
    m,
    mu,
    sigma2,
    x,
    xhat,
    y,
)

__all__ = ["DERIVATIONS", "SIZES", "batchnorm"]

#: The batch sizes m at which every line is proven.
SIZES = (2, 3)

_root = sp.sqrt(add(sigma2, epsilon))
_three_halves = sp.Pow(add(sigma2, epsilon), sp.Rational(-3, 2), evaluate=False)
_centred_j, _centred_i = group(add(x[j], -mu)), group(add(x[i], -mu))


def _sum(body: sp.Expr) -> sp.Sum:
    """Σ_j over the mini-batch, j = 1..m."""
    return sp.Sum(body, (j, 1, m))


_ONE_LINE = mul(
    frac(gamma, mul(m, _root)),
    group(add(mul(m, dy[i]), -_sum(dy[j]), -mul(xhat[i], _sum(mul(dy[j], xhat[j]))))),
)
_DGAMMA, _DBETA = _sum(mul(dy[j], xhat[j])), _sum(dy[j])

_FORWARD = (
    Line(
        mu,
        mul(frac(1, m), _sum(x[j])),
        "definition",
        "Forward: the mean of the unit over the mini-batch of m examples.",
    ),
    Line(
        sigma2,
        mul(frac(1, m), _sum(_centred_j**2)),
        "definition",
        "Forward: the variance over the mini-batch, divided by m (not m - 1; see the notes).",
    ),
    Line(
        xhat[i],
        frac(_centred_i, _root),
        "definition",
        "Forward: normalise; ε > 0 keeps the square root away from 0.",
    ),
    Line(
        y[i],
        add(mul(gamma, xhat[i]), beta),
        "definition",
        "Forward: scale by γ and shift by β, the layer's two parameters (one pair per unit).",
    ),
)

_STAGED = (
    Line(
        dbeta,
        _DBETA,
        "chain_rule",
        "Back through y_j = γ x̂_j + β: ∂y_j/∂β = 1, and β reaches J through every y_j, so "
        "the upstream gradients add up (numpy: dy.sum()).",
    ),
    Line(
        dgamma,
        _DGAMMA,
        "chain_rule",
        "∂y_j/∂γ = x̂_j, summed over the mini-batch like dβ.",
    ),
    Line(dxhat[i], mul(gamma, dy[i]), "chain_rule", "∂y_i/∂x̂_i = γ; x̂_i reaches J only via y_i."),
    Line(
        dsigma2,
        _sum(mul(dxhat[j], _centred_j, sp.Rational(-1, 2), _three_halves)),
        "chain_rule",
        "σ² reaches J through every x̂_j = (x_j - μ)(σ² + ε)^(-1/2), whose derivative by σ² "
        "(x and μ held) is (x_j - μ) · (-1/2)(σ² + ε)^(-3/2).",
    ),
    Line(
        dmu,
        add(
            _sum(mul(dxhat[j], neg(frac(1, _root)))),
            mul(dsigma2, frac(-2, m), _sum(_centred_j)),
        ),
        "chain_rule",
        "μ reaches J through every x̂_j (∂x̂_j/∂μ = -1/√(σ² + ε)) and through σ² "
        "(∂σ²/∂μ = (-2/m) Σ_j (x_j - μ)).",
    ),
    Line(
        dmu,
        mul(neg(frac(1, _root)), _sum(dxhat[j])),
        "zero_sum",
        "Σ_j (x_j - μ) = m μ - m μ = 0: the path through σ² adds nothing.",
    ),
    Line(
        dx[i],
        add(frac(dxhat[i], _root), mul(dsigma2, frac(mul(2, _centred_i), m)), frac(dmu, m)),
        "chain_rule",
        "x_i reaches J three ways: through x̂_i (∂x̂_i/∂x_i = 1/√(σ² + ε) with μ and σ² "
        "held), through σ² (∂σ²/∂x_i = 2(x_i - μ)/m) and through μ (∂μ/∂x_i = 1/m).",
    ),
)

_COLLAPSE = (
    Line(
        dx[i],
        add(
            frac(mul(gamma, dy[i]), _root),
            mul(
                group(_sum(mul(gamma, dy[j], _centred_j, sp.Rational(-1, 2), _three_halves))),
                frac(mul(2, _centred_i), m),
            ),
            frac(group(mul(neg(frac(1, _root)), _sum(mul(gamma, dy[j])))), m),
        ),
        "substitute",
        "Substitute dx̂ = γ dy, dσ² and dμ: dx_i in the upstream gradient alone.",
    ),
    Line(
        dx[i],
        add(
            frac(mul(gamma, dy[i]), _root),
            neg(frac(mul(xhat[i], _sum(mul(gamma, dy[j], xhat[j]))), mul(m, _root))),
            neg(frac(_sum(mul(gamma, dy[j])), mul(m, _root))),
        ),
        "recognise",
        "(x_j - μ)(x_i - μ)(σ² + ε)^(-3/2) = x̂_j x̂_i/√(σ² + ε): recognise x̂ twice; the "
        "factors 2 and -1/2 cancel.",
    ),
    Line(
        dx[i],
        _ONE_LINE,
        "factor",
        "Take out γ/(m √(σ² + ε)): the one-line form. Three terms: the gradient itself, minus "
        "its mean (μ moves with every x_j), minus its projection on x̂ (so does σ²).",
    ),
)

_JACOBIAN_ENTRY = frac(
    add(mul(m, sp.KroneckerDelta(i, j)), -1, -mul(xhat[i], xhat[j])), mul(m, _root)
)

_DIRECT = (
    Line(
        dgamma,
        _sum(mul(dy[j], sp.Derivative(y[j], gamma))),
        "chain_rule",
        "γ reaches J through every y_j.",
    ),
    Line(dgamma, _DGAMMA, "differentiate", "∂y_j/∂γ = x̂_j."),
    Line(
        dbeta,
        _sum(mul(dy[j], sp.Derivative(y[j], beta))),
        "chain_rule",
        "β reaches J through every y_j.",
    ),
    Line(dbeta, _DBETA, "differentiate", "∂y_j/∂β = 1."),
    Line(
        sp.Derivative(mu, x[i]),
        frac(1, m),
        "differentiate",
        "x_i is one of the m terms of the mean.",
    ),
    Line(
        sp.Derivative(sigma2, x[i]),
        mul(frac(2, m), _sum(mul(_centred_j, group(add(sp.KroneckerDelta(i, j), -frac(1, m)))))),
        "chain_rule",
        "Each term (x_j - μ)² changes by 2(x_j - μ)(δ_ij - 1/m), with δ_ij = 1 if i = j "
        "and 0 otherwise: x_i moves x_j only for j = i, and moves μ by 1/m.",
    ),
    Line(
        sp.Derivative(sigma2, x[i]),
        frac(mul(2, _centred_i), m),
        "zero_sum",
        "The δ keeps the term j = i; the rest is -(2/m²) Σ_j (x_j - μ) = 0.",
    ),
    Line(
        sp.Derivative(xhat[j], x[i]),
        add(
            frac(group(add(sp.KroneckerDelta(i, j), -frac(1, m))), _root),
            neg(frac(mul(_centred_j, _centred_i), mul(m, sp.Pow(_root, 3, evaluate=False)))),
        ),
        "quotient",
        "Differentiate x̂_j = (x_j - μ)(σ² + ε)^(-1/2) by x_i, both factors depending on it: "
        "the numerator by δ_ij - 1/m, the variance by 2(x_i - μ)/m, times -(1/2)(σ² + ε)^(-3/2).",
    ),
    Line(
        sp.Derivative(xhat[j], x[i]),
        _JACOBIAN_ENTRY,
        "recognise",
        "Over m √(σ² + ε), and (x_j - μ)(x_i - μ)/(σ² + ε) = x̂_j x̂_i: the Jacobian of the "
        "normalisation, an m×m matrix (it is not diagonal: every x̂_j depends on every x_i).",
    ),
    Line(
        dx[i],
        _sum(mul(dy[j], sp.Derivative(y[j], x[i]))),
        "chain_rule",
        "x_i reaches J through every y_j, via μ and σ².",
    ),
    Line(
        dx[i],
        _sum(mul(dy[j], gamma, _JACOBIAN_ENTRY)),
        "substitute",
        "∂y_j/∂x_i = γ ∂x̂_j/∂x_i, with the Jacobian above.",
    ),
    Line(
        dx[i],
        _ONE_LINE,
        "factor",
        "Take out γ/(m √(σ² + ε)); δ_ij keeps the term j = i of m Σ_j δ_ij dy_j.",
    ),
)

_NOTES = (
    "One unit at a time: each row of Z[l] (n[l] units, m columns) is normalised over its m "
    "examples with its own γ and β; in numpy with columns as examples, Σ_j is "
    "np.sum(..., axis=1, keepdims=True), and γ, β, μ, σ² are (n[l], 1) columns.",
    "dy is the upstream gradient ∂J/∂y, and every other d• is ∂J/∂•; dσ² holds x and μ "
    "fixed and dμ holds x fixed (the staged graph), dx is the whole derivative.",
    "Variance: training mode divides by m, the biased variance of the mini-batch, and the "
    "derivation uses exactly that (∂σ²/∂x_i = 2(x_i - μ)/m). With Bessel's correction, "
    "σ² = (1/(m-1)) Σ (x_j - μ)², ∂σ²/∂x_i becomes 2(x_i - μ)/(m - 1), and the one-line form "
    "changes: x̂_i Σ_j dy_j x̂_j is multiplied by m/(m-1). Frameworks normalise with the "
    "1/m variance and keep the (m/(m-1))-corrected one only for the running estimate.",
    "Inference mode uses running averages of μ and σ² gathered in training, constants "
    "with respect to x, so x̂_i depends on x_i alone: dx_i = γ dy_i/√(var + ε), "
    "dγ = Σ dy x̂ and dβ = Σ dy as here.",
    "Proof: every line is checked at m = 2 and 3 with symbolic x_j, γ, β, ε and a "
    "symbolic upstream gradient G (J = Σ_i G_i y_i, so dy = G): each entry is compared with "
    "the derivative of J taken directly with sympy.diff, with ε held fixed while "
    "differentiating; the comparison writes √(σ² + ε) as one positive symbol, a change of "
    "variables from ε.",
)


def _plain(lines: tuple[Line, ...]) -> tuple[Line, ...]:
    """The lines without a shape sentence: every array here is one row of m entries."""
    return tuple(dataclasses.replace(line, shapes=False) for line in lines)


def batchnorm(sizes: tuple[int, ...] = SIZES) -> Derivation:
    """The derivation "batchnorm": both routes, every line proven at the batch sizes ``sizes``."""
    layers = instances(sizes)
    chain = build_route("chain rule", _plain(_FORWARD + _STAGED + _COLLAPSE), NOTATION, layers)
    direct = build_route("direct", _plain(_DIRECT), NOTATION, layers)
    goal = sp.Tuple(dgamma, dbeta, dx[i])
    result = sp.Tuple(_DGAMMA, _DBETA, _ONE_LINE)
    return assemble(
        ("batchnorm", "Batch normalisation (training mode) — dγ, dβ, dx"),
        [(chain, result), (direct, result)],
        goal,
        NOTATION,
        layers,
        _NOTES,
    )


#: The family shown by ``chainrule derive batchnorm``.
DERIVATIONS = DerivationSet({"batchnorm": lambda need: batchnorm()})
