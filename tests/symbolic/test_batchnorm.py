"""chainrule derive batchnorm: every line proven, wrong lines caught, and the result checked
against PyTorch's batch norm (an independent oracle, where PyTorch is installed)."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from chainrule.symbolic.core.model import Verdict
from chainrule.symbolic.core.trees import add, frac, mul
from chainrule.symbolic.derivations.layers import batchnorm as bn
from chainrule.symbolic.derivations.layers.batchnorm_instance import (
    NOTATION,
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
)
from chainrule.symbolic.proof.evaluation import evaluate_entry
from chainrule.symbolic.proof.instances import Instance, check_claim

ROOT = sp.sqrt(add(sigma2, epsilon))


@pytest.fixture(scope="module")
def derivation(layer_derivations):
    return layer_derivations["batchnorm"]


@pytest.fixture(scope="module")
def layers():
    return instances((3,))


def test_both_routes_are_proved_line_by_line(derivation):
    assert derivation.id == "batchnorm"
    assert [route.name for route in derivation.routes] == ["chain rule", "direct"]
    assert [len(route.steps) for route in derivation.routes] == [14, 12]
    assert all(step.verdict is Verdict.PROVED for step in derivation.steps())
    assert derivation.routes_agree
    assert derivation.oracle.verdict is Verdict.PROVED
    assert derivation.oracle_source == "sympy.diff"
    assert "at m = 2; m = 3" in derivation.oracle.method


def test_the_staged_route_walks_the_graph_then_collapses(derivation):
    chain = derivation.routes[0]
    lhs = [sp.sstr(step.lhs) for step in chain.steps]
    assert lhs[:4] == ["mu", "sigma__2", "xhat[i]", "y[i]"]
    assert lhs[4:11] == ["dbeta", "dgamma", "dxhat[i]", "dsigma__2", "dmu", "dmu", "dx[i]"]
    assert lhs[11:] == ["dx[i]"] * 3
    assert chain.steps[-1].after == derivation.result[2]
    methods = {sp.sstr(s.lhs): s.check.method for s in chain.steps}
    assert methods["dsigma__2"].startswith("exact: every entry equals ∂J/∂σ² (x and μ held)")


def test_the_result_is_the_one_line_form(derivation):
    goal, result = derivation.goal, derivation.result
    assert goal == sp.Tuple(bn.dgamma, bn.dbeta, dx[i])
    one_line = result[2]
    assert one_line.has(sp.Sum(dy[j], (j, 1, m)))
    assert any("Bessel" in note and "m/(m-1)" in note for note in derivation.notes)
    assert any("Inference" in note and "√(var + ε)" in note for note in derivation.notes)


# --- planted wrong lines -------------------------------------------------------------------


def _sum(body):
    return sp.Sum(body, (j, 1, m))


@pytest.mark.parametrize(
    ("lhs", "rhs"),
    [
        # dx without the -Σ dy term
        (
            dx[i],
            mul(
                frac(gamma, mul(m, ROOT)), add(mul(m, dy[i]), -mul(xhat[i], _sum(dy[j] * xhat[j])))
            ),
        ),
        # Bessel's m - 1 where training divides by m
        (
            dx[i],
            add(
                frac(dxhat[i], ROOT),
                mul(dsigma2, frac(2 * add(x[i], -mu), m - 1)),
                frac(dmu, m),
            ),
        ),
        # dσ² without its -1/2
        (dsigma2, _sum(dxhat[j] * add(x[j], -mu) * add(sigma2, epsilon) ** sp.Rational(-3, 2))),
        # dμ without the minus sign
        (dmu, mul(frac(1, ROOT), _sum(dxhat[j]))),
        # the Jacobian without the -1/m that μ brings
        (sp.Derivative(xhat[j], x[i]), frac(sp.KroneckerDelta(i, j), ROOT)),
    ],
    ids=["dx-without-sum-dy", "bessel", "dsigma2-without-half", "dmu-sign", "jacobian-no-mean"],
)
def test_a_planted_wrong_line_fails_its_check(layers, lhs, rhs):
    check = check_claim(lhs, rhs, NOTATION, layers)
    assert check.verdict is Verdict.FAILED
    assert "differs from" in check.method and "m = 3" in check.method


# --- an independent oracle: PyTorch --------------------------------------------------------


def test_the_one_line_form_matches_pytorch_batch_norm(derivation):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    size, eps = 6, 1e-3
    data, upstream = rng.normal(size=size), rng.normal(size=size)
    g_value, b_value = 1.7, -0.4
    inputs = torch.tensor(data.reshape(size, 1), requires_grad=True)
    scale = torch.tensor([g_value], dtype=torch.float64, requires_grad=True)
    shift = torch.tensor([b_value], dtype=torch.float64, requires_grad=True)
    out = torch.nn.functional.batch_norm(inputs, None, None, scale, shift, True, 0.0, eps)
    (out * torch.tensor(upstream.reshape(size, 1))).sum().backward()

    mean, variance = data.mean(), data.var()
    normalised = (data - mean) / np.sqrt(variance + eps)

    def rows(values):
        return {(k + 1,): sp.Float(v, 30) for k, v in enumerate(values)}

    layer = Instance(
        f"m = {size}, numbers",
        {m: size},
        {"dy": rows(upstream), "xhat": rows(normalised)},
        scalars={gamma: sp.Float(g_value), sigma2: sp.Float(variance, 30), epsilon: sp.Float(eps)},
    )
    formula = [
        float(evaluate_entry(derivation.result[2], {i: k + 1}, layer, NOTATION))
        for k in range(size)
    ]
    np.testing.assert_allclose(formula, inputs.grad.numpy().ravel(), rtol=1e-9, atol=1e-12)
    dgamma = float(evaluate_entry(derivation.result[0], {}, layer, NOTATION))
    dbeta = float(evaluate_entry(derivation.result[1], {}, layer, NOTATION))
    np.testing.assert_allclose([dgamma, dbeta], [scale.grad.item(), shift.grad.item()], rtol=1e-9)
