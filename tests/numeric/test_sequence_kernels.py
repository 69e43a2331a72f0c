"""The sequence kernels: the fast paths equal the textbook ones, every gradient matches central
differences of a scalar cost J = Σ G ⊙ output (G a random upstream gradient), and a planted
fault (the published LSTM erratum for dc_prev) is caught by the same comparison."""

from __future__ import annotations

import numpy as np
import pytest
from sequence_problems import lstm_params, numeric_gradient, relative_error, rnn_params

from chainrule.errors import InputError
from chainrule.numeric.sequence.attention import (
    attention_backward,
    attention_backward_jacobian,
    attention_forward,
)
from chainrule.numeric.sequence.embedding import (
    embedding_backward,
    embedding_backward_one_hot,
    embedding_forward,
    embedding_forward_one_hot,
)
from chainrule.numeric.sequence.lstm import lstm_backward_cells, lstm_forward_cells
from chainrule.numeric.sequence.lstm_fused import lstm_backward, lstm_forward
from chainrule.numeric.sequence.rnn import (
    rnn_backward,
    rnn_backward_cells,
    rnn_forward,
    rnn_forward_cells,
)

TOLERANCE = 1e-7
SHAPES = [(1, 1, 1, 1), (3, 4, 2, 5), (4, 6, 3, 2)]  # (m, T, n_x, n_a)

RECURRENT = {
    "rnn": (rnn_params, rnn_forward, rnn_backward, rnn_forward_cells, rnn_backward_cells),
    "lstm": (lstm_params, lstm_forward, lstm_backward, lstm_forward_cells, lstm_backward_cells),
}


@pytest.mark.parametrize("kind", sorted(RECURRENT))
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("with_a0", [True, False])
def test_fast_path_equals_textbook_cells(rng, kind, shape, with_a0) -> None:
    make, forward, backward, forward_cells, backward_cells = RECURRENT[kind]
    m, T, n_x, n_a = shape
    params = make(rng, n_x, n_a)
    x = rng.standard_normal((m, T, n_x))
    a0 = rng.standard_normal((m, n_a)) if with_a0 else None
    A, cache = forward(x, a0, params)
    A_cells, caches = forward_cells(x, a0, params)
    np.testing.assert_allclose(A, A_cells, rtol=0, atol=1e-13)
    dA = rng.standard_normal(A.shape)
    fast, cells = backward(dA, cache), backward_cells(dA, caches)
    np.testing.assert_allclose(fast[0], cells[0], rtol=0, atol=1e-12)
    np.testing.assert_allclose(fast[1], cells[1], rtol=0, atol=1e-12)
    assert fast[2].keys() == cells[2].keys()
    for key in fast[2]:
        np.testing.assert_allclose(fast[2][key], cells[2][key], rtol=0, atol=1e-12, err_msg=key)


@pytest.mark.parametrize("kind", sorted(RECURRENT))
def test_float32_stays_float32_and_close_to_float64(rng, kind) -> None:
    make, forward, backward, *_ = RECURRENT[kind]
    params = make(rng, 3, 4)
    x, dA = rng.standard_normal((2, 5, 3)), rng.standard_normal((2, 5, 4))
    A64, cache64 = forward(x, None, params)
    params32 = {k: v.astype("float32") for k, v in params.items()}
    A32, cache32 = forward(x.astype("float32"), None, params32)
    dx32, _, grads32 = backward(dA.astype("float32"), cache32)
    dx64, _, grads64 = backward(dA, cache64)
    assert A32.dtype == dx32.dtype == np.float32
    assert all(g.dtype == np.float32 for g in grads32.values())
    np.testing.assert_allclose(A32, A64, atol=1e-5)
    np.testing.assert_allclose(dx32, dx64, atol=1e-4)


@pytest.mark.parametrize("kind", sorted(RECURRENT))
def test_recurrent_gradients_match_central_differences(rng, kind) -> None:
    make, forward, backward, *_ = RECURRENT[kind]
    m, T, n_x, n_a = 2, 4, 3, 3
    params = make(rng, n_x, n_a)
    x, a0 = rng.standard_normal((m, T, n_x)), rng.standard_normal((m, n_a))
    G = rng.standard_normal((m, T, n_a))

    def cost() -> float:
        return float(np.sum(G * forward(x, a0, params)[0]))

    dx, da0, grads = backward(G, forward(x, a0, params)[1])
    assert relative_error(dx, numeric_gradient(cost, x)) < TOLERANCE
    assert relative_error(da0, numeric_gradient(cost, a0)) < TOLERANCE
    for key, value in params.items():
        error = relative_error(grads[f"d{key}"], numeric_gradient(cost, value))
        assert error < TOLERANCE, (key, error)


def test_the_published_dc_prev_erratum_is_caught(rng) -> None:
    """dc_prev = dc_next ⊙ Γf alone (missing the path through a⟨t⟩) must fail the check."""
    params = lstm_params(rng, 2, 3)
    x = rng.standard_normal((2, 3, 2))
    G = rng.standard_normal((2, 3, 3))
    _, caches = lstm_forward_cells(x, None, params)
    from chainrule.numeric.sequence import lstm as textbook

    right = lstm_backward_cells(G, caches)[0]
    original = textbook.lstm_cell_backward

    def erratum(da_next, dc_next, cache):
        step = original(da_next, dc_next, cache)
        step["dc_prev"] = dc_next * cache[4]
        return step

    textbook.lstm_cell_backward = erratum
    try:
        wrong = lstm_backward_cells(G, caches)[0]
    finally:
        textbook.lstm_cell_backward = original

    def cost() -> float:
        return float(np.sum(G * lstm_forward_cells(x, None, params)[0]))

    numeric = numeric_gradient(cost, x)
    assert relative_error(right, numeric) < TOLERANCE
    assert relative_error(wrong, numeric) > 1e-3


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("sizes", [(1, 1, 1, 1, 1), (2, 4, 5, 3, 2), (3, 5, 5, 4, 4)])
def test_attention_gradients(rng, causal, sizes) -> None:
    m, T_q, T_k, d, d_v = sizes
    Q, K = rng.standard_normal((m, T_q, d)), rng.standard_normal((m, T_k, d))
    V, G = rng.standard_normal((m, T_k, d_v)), rng.standard_normal((m, T_q, d_v))

    def cost() -> float:
        return float(np.sum(G * attention_forward(Q, K, V, causal)[0]))

    _, cache = attention_forward(Q, K, V, causal)
    fast, jacobian = attention_backward(G, cache), attention_backward_jacobian(G, cache)
    for got, textbook, array in zip(fast, jacobian, (Q, K, V), strict=True):
        np.testing.assert_allclose(got, textbook, rtol=0, atol=1e-12)
        assert relative_error(got, numeric_gradient(cost, array)) < TOLERANCE


def test_causal_attention_ignores_later_keys(rng) -> None:
    Q, K, V = (rng.standard_normal((2, 4, 3)) for _ in range(3))
    out, _ = attention_forward(Q, K, V, causal=True)
    changed = V.copy()
    changed[:, 3] += 10.0
    out_changed, _ = attention_forward(Q, K, changed, causal=True)
    np.testing.assert_allclose(out[:, :3], out_changed[:, :3], rtol=0, atol=1e-14)
    assert not np.allclose(out[:, 3], out_changed[:, 3])


def test_embedding_scatter_add_sums_repeated_ids(rng) -> None:
    E = rng.standard_normal((5, 3))
    ids = np.array([[0, 2, 2], [4, 2, 0]])
    X, cache = embedding_forward(ids, E)
    np.testing.assert_array_equal(X, embedding_forward_one_hot(ids, E))
    dX = rng.standard_normal(X.shape)
    dE = embedding_backward(dX, cache)
    np.testing.assert_allclose(dE, embedding_backward_one_hot(dX, cache), atol=1e-14)
    np.testing.assert_allclose(dE[2], dX[0, 1] + dX[0, 2] + dX[1, 1], atol=1e-14)
    np.testing.assert_array_equal(dE[[1, 3]], 0.0)

    def cost() -> float:
        return float(np.sum(dX * embedding_forward(ids, E)[0]))

    assert relative_error(dE, numeric_gradient(cost, E)) < TOLERANCE


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda p, x: rnn_forward(x[..., :2], None, p), r"'parameters\['Wax'\]' must have shape"),
        (lambda p, x: rnn_forward(x[0], None, p), r"'x' must have shape \(m, T, n_x\)"),
        (lambda p, x: rnn_forward(x.astype(int), None, p), "'x' must be a float32 or float64"),
        (lambda p, x: rnn_forward(x.astype("float32"), None, p), "must be float32 like the input"),
        (lambda p, x: rnn_forward(x, np.zeros((9, 4)), p), "'a0' must have shape"),
        (lambda p, x: rnn_forward(x, None, {}), "'parameters' must hold a 2-D array 'Waa'"),
        (lambda p, x: lstm_forward(x, None, p), "'parameters' must hold a 2-D array 'Wf'"),
        (
            lambda p, x: embedding_forward(np.array([[0, 7]]), p["Waa"]),
            r"'ids' must lie in \[0, 4\)",
        ),
        (lambda p, x: embedding_forward(np.zeros((2, 2)), p["Waa"]), "'ids' must be an integer"),
        (lambda p, x: attention_forward(x, x[:, :, :2], x), "'K' must have shape"),
        (lambda p, x: rnn_backward(x, rnn_forward(x, None, p)[1]), "'dA' must have shape"),
    ],
)
def test_bad_input_names_the_argument(rng, call, message) -> None:
    params = rnn_params(rng, 3, 4)
    with pytest.raises(InputError, match=message):
        call(params, rng.standard_normal((2, 5, 3)))
