"""The sequence kernels against PyTorch autograd, float64, at random shapes.

Independent oracles: ``torch.nn.RNN`` and ``torch.nn.LSTM`` with chainrule's weights copied in
(torch stacks its LSTM gates as i, f, g, o, keeps weight_ih (4n_a, n_x) and weight_hh
(4n_a, n_a) apart where the course concatenates [a⟨t-1⟩, x⟨t⟩], and has two biases, whose sum
is the course's one), ``scaled_dot_product_attention`` with ``is_causal`` and
``torch.nn.Embedding``. The cost is Σ G ⊙ output for a random G; autograd's gradients must match.
"""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from sequence_problems import lstm_params, rnn_params  # noqa: E402

from chainrule.numeric.sequence.attention import attention_backward, attention_forward  # noqa: E402
from chainrule.numeric.sequence.embedding import embedding_backward, embedding_forward  # noqa: E402
from chainrule.numeric.sequence.lstm_fused import lstm_backward, lstm_forward  # noqa: E402
from chainrule.numeric.sequence.rnn import rnn_backward, rnn_forward  # noqa: E402

ATOL = 1e-10
TORCH_GATES = ("i", "f", "c", "o")  # torch's i, f, g, o; g is the course's candidate c̃


def random_sizes(seed: int) -> tuple[int, int, int, int]:
    sizes = np.random.default_rng(seed).integers(1, 7, size=4)
    return tuple(int(s) for s in sizes)  # type: ignore[return-value]


def tensor(array: np.ndarray, grad: bool = True) -> torch.Tensor:
    return torch.tensor(array, dtype=torch.float64, requires_grad=grad)


def split_bias(rng: np.random.Generator, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two biases that sum to ``b``, as torch's b_ih + b_hh."""
    part = rng.standard_normal(b.shape)
    return part, b - part


def assert_close(ours: np.ndarray, theirs: torch.Tensor, what: str) -> None:
    np.testing.assert_allclose(ours, theirs.detach().numpy(), rtol=0, atol=ATOL, err_msg=what)


@pytest.mark.parametrize("seed", range(4))
def test_rnn_matches_torch_rnn(seed) -> None:
    rng = np.random.default_rng(seed)
    m, T, n_x, n_a = random_sizes(seed)
    params = rnn_params(rng, n_x, n_a)
    x, a0, G = (rng.standard_normal(s) for s in ((m, T, n_x), (m, n_a), (m, T, n_a)))
    rnn = torch.nn.RNN(n_x, n_a, nonlinearity="tanh", batch_first=True).double()
    b_ih, b_hh = split_bias(rng, params["ba"])
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(torch.from_numpy(params["Wax"]))
        rnn.weight_hh_l0.copy_(torch.from_numpy(params["Waa"]))
        rnn.bias_ih_l0.copy_(torch.from_numpy(b_ih))
        rnn.bias_hh_l0.copy_(torch.from_numpy(b_hh))
    tx, ta0 = tensor(x), tensor(a0)
    out, _ = rnn(tx, ta0[None])
    (out * tensor(G, grad=False)).sum().backward()
    A, cache = rnn_forward(x, a0, params)
    dx, da0, grads = rnn_backward(G, cache)
    assert_close(A, out, "A")
    assert_close(dx, tx.grad, "dx")
    assert_close(da0, ta0.grad, "da0")
    assert_close(grads["dWax"], rnn.weight_ih_l0.grad, "dWax")
    assert_close(grads["dWaa"], rnn.weight_hh_l0.grad, "dWaa")
    assert_close(grads["dba"], rnn.bias_ih_l0.grad, "dba")


@pytest.mark.parametrize("seed", range(4))
def test_lstm_matches_torch_lstm(seed) -> None:
    rng = np.random.default_rng(100 + seed)
    m, T, n_x, n_a = random_sizes(100 + seed)
    params = lstm_params(rng, n_x, n_a)
    x, a0, G = (rng.standard_normal(s) for s in ((m, T, n_x), (m, n_a), (m, T, n_a)))
    lstm = torch.nn.LSTM(n_x, n_a, batch_first=True).double()
    weights = np.concatenate([params[f"W{gate}"] for gate in TORCH_GATES])  # (4n_a, n_a + n_x)
    b_ih, b_hh = split_bias(rng, np.concatenate([params[f"b{gate}"] for gate in TORCH_GATES]))
    with torch.no_grad():
        lstm.weight_hh_l0.copy_(torch.from_numpy(weights[:, :n_a]))
        lstm.weight_ih_l0.copy_(torch.from_numpy(weights[:, n_a:]))
        lstm.bias_ih_l0.copy_(torch.from_numpy(b_ih))
        lstm.bias_hh_l0.copy_(torch.from_numpy(b_hh))
    tx, ta0 = tensor(x), tensor(a0)
    out, _ = lstm(tx, (ta0[None], torch.zeros(1, m, n_a, dtype=torch.float64)))
    (out * tensor(G, grad=False)).sum().backward()
    A, cache = lstm_forward(x, a0, params)
    dx, da0, grads = lstm_backward(G, cache)
    assert_close(A, out, "A")
    assert_close(dx, tx.grad, "dx")
    assert_close(da0, ta0.grad, "da0")
    for k, gate in enumerate(TORCH_GATES):
        rows = slice(k * n_a, (k + 1) * n_a)
        assert_close(grads[f"dW{gate}"][:, :n_a], lstm.weight_hh_l0.grad[rows], f"dW{gate} (a)")
        assert_close(grads[f"dW{gate}"][:, n_a:], lstm.weight_ih_l0.grad[rows], f"dW{gate} (x)")
        assert_close(grads[f"db{gate}"], lstm.bias_ih_l0.grad[rows], f"db{gate}")


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("seed", range(3))
def test_attention_matches_scaled_dot_product_attention(seed, causal) -> None:
    rng = np.random.default_rng(200 + seed)
    m, T_q, d, d_v = random_sizes(200 + seed)
    T_k = T_q if causal else int(rng.integers(1, 7))
    Q, K = rng.standard_normal((m, T_q, d)), rng.standard_normal((m, T_k, d))
    V, G = rng.standard_normal((m, T_k, d_v)), rng.standard_normal((m, T_q, d_v))
    tQ, tK, tV = tensor(Q), tensor(K), tensor(V)
    out = torch.nn.functional.scaled_dot_product_attention(tQ, tK, tV, is_causal=causal)
    (out * tensor(G, grad=False)).sum().backward()
    out_ours, cache = attention_forward(Q, K, V, causal)
    dQ, dK, dV = attention_backward(G, cache)
    assert_close(out_ours, out, "O")
    assert_close(dQ, tQ.grad, "dQ")
    assert_close(dK, tK.grad, "dK")
    assert_close(dV, tV.grad, "dV")


def test_embedding_matches_torch_embedding() -> None:
    rng = np.random.default_rng(300)
    E = rng.standard_normal((7, 4))
    ids = rng.integers(0, 7, size=(5, 6))
    G = rng.standard_normal((5, 6, 4))
    embedding = torch.nn.Embedding.from_pretrained(torch.from_numpy(E), freeze=False)
    out = embedding(torch.from_numpy(ids))
    (out * tensor(G, grad=False)).sum().backward()
    X, cache = embedding_forward(ids, E)
    assert_close(X, out, "X")
    assert_close(embedding_backward(G, cache), embedding.weight.grad, "dE")
