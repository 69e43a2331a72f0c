"""chainrule derive maxpool / avgpool: every line proven, wrong lines caught, the tie
convention, and the results checked against PyTorch's pooling (where installed)."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from chainrule.errors import ProofError
from chainrule.symbolic.core.model import Verdict
from chainrule.symbolic.core.trees import frac, mul
from chainrule.symbolic.derivations.layers import pooling, pooling_instance
from chainrule.symbolic.derivations.layers.pooling_instance import (
    NOTATION,
    SIZES,
    A,
    A_prev,
    M,
    PoolSizes,
    c,
    dA,
    dA_prev,
    f,
    h,
    i,
    u,
    v,
    w,
    x,
    y,
)
from chainrule.symbolic.proof.evaluation import evaluate_entry
from chainrule.symbolic.proof.instances import check_claim


@pytest.fixture(scope="module")
def derivations(layer_derivations):
    return layer_derivations


@pytest.fixture(scope="module")
def layers():
    return {
        mode: [pooling_instance.instance(size, mode) for size in SIZES]
        for mode in ("average", "max")
    }


@pytest.mark.parametrize("name", ["avgpool", "maxpool"])
def test_every_line_is_proved(derivations, name):
    derivation = derivations[name]
    (route,) = derivation.routes
    assert route.name == "chain rule" and len(route.steps) == 6
    assert all(step.verdict is Verdict.PROVED for step in derivation.steps())
    assert derivation.oracle.verdict is Verdict.PROVED
    assert "128 entries" in derivation.oracle.method
    assert [size.s for size in SIZES] == [1, 2, 2]  # overlapping windows and the classic 2x2


def test_the_tie_convention_is_stated(derivations):
    notes = " ".join(derivations["maxpool"].notes)
    assert "first maximal entry in row-major order" in notes and "np.argmax" in notes
    assert "create_mask_from_window (x == np.max(x))" in notes
    assert derivations["maxpool"].oracle_source == "exact difference quotients of J"


def _scatter(body):
    spans = [(letter, *NOTATION.ranges[letter]) for letter in (h, w, u, v)]
    deltas = mul(sp.KroneckerDelta(pooling.at(h, u), y), sp.KroneckerDelta(pooling.at(w, v), x))
    return sp.Sum(mul(deltas, body), *spans)


@pytest.mark.parametrize(
    ("mode", "rhs"),
    [
        ("average", _scatter(dA[i, h, w, c])),  # not divided by the window's size
        ("average", _scatter(frac(dA[i, h, w, c], f))),  # divided by f, not f²
        ("max", _scatter(dA[i, h, w, c])),  # every entry of the window, no mask
        ("max", _scatter(frac(dA[i, h, w, c], f * f))),  # the max spread like the mean
    ],
    ids=["avg-undivided", "avg-by-f", "max-without-mask", "max-as-mean"],
)
def test_a_planted_wrong_gradient_fails(layers, mode, rhs):
    check = check_claim(dA_prev[i, y, x, c], rhs, NOTATION, layers[mode])
    assert check.verdict is Verdict.FAILED and "differs from ∂J/∂A_prev" in check.method


def test_the_mask_is_the_derivative_where_the_max_is_unique(layers):
    entry = A_prev[i, pooling.at(h, u), pooling.at(w, v), c]
    check = check_claim(
        sp.Derivative(A[i, h, w, c], entry), M[i, h, w, c, u, v], NOTATION, layers["max"]
    )
    assert check.verdict is Verdict.PROVED
    wrong = check_claim(
        sp.Derivative(A[i, h, w, c], entry), frac(1, f * f), NOTATION, layers["max"]
    )
    assert wrong.verdict is Verdict.FAILED


def test_at_a_tie_max_is_not_differentiable():
    size = PoolSizes(1, 2, 2, 1, 2, 2)
    tie = {(0, 0, 0, 0): 1, (0, 0, 1, 0): 3, (0, 1, 0, 0): 3, (0, 1, 1, 0): 2}
    with pytest.raises(ProofError, match=r"not differentiable at A_prev\[0, 0, 1, 0\]"):
        pooling_instance.max_layer(size, tie)
    unique = {**tie, (0, 1, 0, 0): 0}
    layer = pooling_instance.max_layer(size, unique)
    mask = [layer.arrays["M"][0, 0, 0, 0, u_, v_].at({}) for u_ in range(2) for v_ in range(2)]
    assert mask == [0, 1, 0, 0]
    assert layer.derivative(("A", (0, 0, 0, 0)), ("A_prev", (0, 0, 1, 0))) == 1


# --- an independent oracle: PyTorch --------------------------------------------------------


@pytest.mark.parametrize("mode", ["average", "max"])
def test_the_result_matches_pytorch_pooling(derivations, layers, mode):
    torch = pytest.importorskip("torch")
    result = derivations["avgpool" if mode == "average" else "maxpool"].result
    rng = np.random.default_rng(3)
    for size, layer in zip(SIZES, layers[mode], strict=True):
        point = {name: float(rng.normal()) for name in _variables(layer)}
        shape = (size.m, size.n_H_prev, size.n_W_prev, size.n_C)
        inputs = np.zeros(shape)
        for index, value in layer.arrays["A_prev"].items():
            inputs[index] = float(value.at(point))
        upstream = np.zeros(
            (size.m, layer.sizes[sp.Symbol("n_H")], layer.sizes[sp.Symbol("n_W")], size.n_C)
        )
        for index, value in layer.arrays["dA"].items():
            upstream[index] = float(value.at(point))
        tensor = torch.tensor(inputs.transpose(0, 3, 1, 2), requires_grad=True)
        pool = (
            torch.nn.functional.avg_pool2d if mode == "average" else torch.nn.functional.max_pool2d
        )
        out = pool(tensor, size.f, stride=size.s)
        (out * torch.tensor(upstream.transpose(0, 3, 1, 2))).sum().backward()
        expected = tensor.grad.numpy().transpose(0, 2, 3, 1)
        found = np.zeros(shape)
        for index in np.ndindex(shape):
            env = dict(zip((i, y, x, c), index, strict=True))
            found[index] = float(evaluate_entry(result, env, layer, NOTATION).at(point))
        np.testing.assert_allclose(found, expected, rtol=1e-12, atol=1e-12)


def _variables(layer):
    return {
        name
        for array in layer.arrays.values()
        for value in array.values()
        for monomial in value.terms
        for name, _ in monomial
    }
