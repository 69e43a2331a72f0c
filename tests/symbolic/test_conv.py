"""chainrule derive conv: three routes, every line proven, wrong lines and shapes caught, and
the results checked against PyTorch's conv2d (an independent oracle, where installed)."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from chainrule.errors import ProofError
from chainrule.render import expr_text
from chainrule.symbolic.core.model import Verdict
from chainrule.symbolic.core.trees import add, mul
from chainrule.symbolic.derivations.layers import conv_im2col as im2col
from chainrule.symbolic.derivations.layers import conv_routes as routes
from chainrule.symbolic.derivations.layers.conv_instance import (
    NOTATION,
    SIZES,
    A_pad,
    W,
    W_rot,
    c,
    dA_prev,
    dW,
    dZ,
    dZ_dil,
    f,
    h,
    i,
    instance,
    k,
    n_H,
    n_W,
    p,
    s,
    u,
    v,
    w,
    x,
    y,
)
from chainrule.symbolic.proof.evaluation import evaluate_entry
from chainrule.symbolic.proof.instances import check_claim, check_matrix_claim


@pytest.fixture(scope="module")
def derivation(layer_derivations):
    return layer_derivations["conv"]


@pytest.fixture(scope="module")
def layers():
    return [instance(size) for size in SIZES]


def test_three_routes_every_line_proved(derivation):
    assert derivation.id == "conv"
    names = [route.name for route in derivation.routes]
    assert names == ["chain rule", "im2col", "full convolution"]
    assert [len(route.steps) for route in derivation.routes] == [10, 8, 8]
    assert all(step.verdict is Verdict.PROVED for step in derivation.steps())
    assert derivation.routes_agree and derivation.oracle.verdict is Verdict.PROVED
    assert "207 entries" in derivation.oracle.method
    assert derivation.oracle_source == "J differentiated term by term"


def test_shapes_are_shown_and_the_course_shapes_stated(derivation):
    texts = [step.text for step in derivation.steps()]
    assert any("Shapes: dW (f, f, n_C_prev, n_C); dZ (m, n_H, n_W, n_C)" in t for t in texts)
    product = "(n_C, f² n_C_prev) = (n_C, m n_H n_W)·(m n_H n_W, f² n_C_prev)"
    assert any(product in t for t in texts), "dW_col = dZ_col colᵀ shows its shapes"
    course = "A_prev (m, n_H_prev, n_W_prev, n_C_prev), W (f, f, n_C_prev, n_C), b (1, 1, 1, n_C)"
    assert course in derivation.notes[0]
    first = derivation.routes[0].steps[0]
    assert expr_text(first.after) == "floor((n_H_prev - f + 2p)/s) + 1"


def test_im2col_route_has_the_matrix_equations(derivation):
    im2col = derivation.routes[1]
    shown = [sp.sstr(step.after) for step in im2col.steps]
    assert "dZ_col*col.T" in shown and "W_col.T*dZ_col" in shown
    assert any("col2im" in step.text for step in im2col.steps)


# --- planted wrong lines -------------------------------------------------------------------

_SPAN = {letter: (letter, *NOTATION.ranges[letter]) for letter in (i, h, w, c, u, v)}


def _sum(body, *letters):
    return sp.Sum(body, *(_SPAN[letter] for letter in letters))


_SHIFTED = dZ_dil[i, add(y, u, mul(-1, add(f, -1, -p))), add(x, v, mul(-1, add(f, -1, -p))), c]


@pytest.mark.parametrize(
    ("lhs", "rhs"),
    [
        # the full convolution with the kernel as it is, not rotated
        (dA_prev[i, y, x, k], _sum(_SHIFTED * W[u, v, k, c], u, v, c)),
        # dW reading the window without the stride
        (dW[u, v, k, c], _sum(dZ[i, h, w, c] * A_pad[i, h + u, w + v, k], i, h, w)),
        # dA_prev with the offset the wrong way round
        (
            dA_prev[i, y, x, k],
            _sum(dZ[i, h, w, c] * W[s * h - p - y, s * w - p - x, k, c], h, w, c),
        ),
        # dW summed over the examples once too often (missing the example index)
        (dW[u, v, k, c], _sum(dZ[0, h, w, c] * A_pad[0, s * h + u, s * w + v, k], h, w)),
    ],
    ids=["unrotated-kernel", "no-stride", "offset-sign", "first-example-only"],
)
def test_a_planted_wrong_line_fails_its_check(layers, lhs, rhs):
    try:
        check = check_claim(lhs, rhs, NOTATION, layers)
    except ProofError as error:  # an index off its array is caught as well
        assert "outside the array" in str(error)
        return
    assert check.verdict is Verdict.FAILED and "differs from" in check.method


def test_the_unrotated_kernel_fails_entry_by_entry(layers):
    check = check_claim(
        dA_prev[i, y, x, k], _sum(_SHIFTED * W[u, v, k, c], u, v, c), NOTATION, layers
    )
    assert check.verdict is Verdict.FAILED
    assert check_claim(dA_prev[i, y, x, k], routes.FULL_RESULT[2], NOTATION, layers).ok
    assert routes.FULL_RESULT[2].has(W_rot)


@pytest.mark.parametrize(
    ("lhs", "rhs", "message"),
    [
        (
            dW[u, v, k, c],
            _sum(sp.Sum(dZ[i, h, w, c], (h, 0, n_W - 1)), i, w),
            "h runs over 0..n_W - 1",
        ),
        (dW[u, v, k, c], dZ[i, h, w, c], "free indices the left lacks"),
        (dW[u, v, k], W[u, v, k, 0], "dW has 4 axes"),
    ],
)
def test_a_shape_error_is_refused(layers, lhs, rhs, message):
    with pytest.raises(ProofError, match=message):
        check_claim(lhs, rhs, NOTATION, layers)


def test_a_matrix_equation_with_a_missing_transpose_is_refused(layers):
    with pytest.raises(ProofError, match="does not conform"):
        check_matrix_claim(im2col.DW_COL, mul(im2col.DZ_COL, im2col.COL), NOTATION, layers)
    wrong, _ = check_matrix_claim(
        im2col.DCOL, mul(2, im2col.W_COL.T, im2col.DZ_COL), NOTATION, layers
    )
    assert wrong.verdict is Verdict.FAILED


# --- an independent oracle: PyTorch --------------------------------------------------------


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"stride{size.s}")
def test_every_route_matches_pytorch_conv2d(layers, size):
    torch = pytest.importorskip("torch")
    layer = layers[SIZES.index(size)]
    rng = np.random.default_rng(size.s)
    names = {
        name
        for array in layer.arrays.values()
        for value in array.values()
        for monomial in value.terms
        for name, _ in monomial
        if name[0] in "awbg"
    }
    point = {name: float(rng.normal()) for name in names}

    def array(name, shape):
        out = np.zeros(shape)
        for index, value in layer.arrays[name].items():
            out[index] = value.at(point)
        return out

    a_prev = array("A_prev", (size.m, size.n_H_prev, size.n_W_prev, size.n_C_prev))
    kernel = array("W", (size.f, size.f, size.n_C_prev, size.n_C))
    bias = array("b", (size.n_C,))
    upstream = array(
        "dZ", tuple(layer.sizes[n] for n in (sp.Symbol("m"), n_H, n_W, sp.Symbol("n_C")))
    )
    inputs = torch.tensor(a_prev.transpose(0, 3, 1, 2), requires_grad=True)
    weights = torch.tensor(kernel.transpose(3, 2, 0, 1), requires_grad=True)
    shift = torch.tensor(bias, requires_grad=True)
    out = torch.nn.functional.conv2d(inputs, weights, shift, stride=size.s, padding=size.p)
    (out * torch.tensor(upstream.transpose(0, 3, 1, 2))).sum().backward()
    expected = {
        "dW": weights.grad.numpy().transpose(2, 3, 1, 0),
        "db": shift.grad.numpy(),
        "dA_prev": inputs.grad.numpy().transpose(0, 2, 3, 1),
    }
    goal = (dW[u, v, k, c], sp.IndexedBase("db")[c], dA_prev[i, y, x, k])
    for result in (routes.CHAIN_RESULT, im2col.IM2COL_RESULT, routes.FULL_RESULT):
        for lhs, rhs in zip(goal, result, strict=True):
            name = str(lhs.base.label)
            found = np.zeros(expected[name].shape)
            letters = [index for index in lhs.indices]
            for index in np.ndindex(found.shape):
                env = dict(zip(letters, index, strict=True))
                found[index] = evaluate_entry(rhs, env, layer, NOTATION).at(point)
            np.testing.assert_allclose(found, expected[name], rtol=1e-10, atol=1e-12)
