"""The LSTM over a sequence, the fast path: the four gates in one matrix product per step.

The same equations as :mod:`chainrule.numeric.sequence.lstm` (the course's cells), computed
with the gate weights stacked into one W = [Wo; Wf; Wi; Wc] (4n_a, n_a + n_x) and
b = [bo; bf; bi; bc] (4n_a,), the three σ gates side by side. W splits into the columns acting
on a⟨t-1⟩, Wa (4n_a, n_a), and those acting on x⟨t⟩, Wx (4n_a, n_x).

- Before the loop, one (batched) product projects every step's input: Wx x⟨t⟩ + b for all t.
- Each step adds Wa a⟨t-1⟩ and evaluates all four gates with one exponential
  (σ(z) = 1/(1 + e^(-z)), tanh z = 2σ(2z) - 1; NumPy's exp is vectorised where its tanh is
  not, several times faster in float64).
- Backward, the factors of every gate's gradient (σ'(z) = σ(1 - σ) and the like) are
  computed for all steps at once; each step multiplies them by da and dc into one block
  dG⟨t⟩ of the four gates' pre-activation gradients and sends da⟨t-1⟩ = Waᵀ dG⟨t⟩ back;
  after the loop come dW = Σ dG⟨t⟩ [a⟨t-1⟩; x⟨t⟩]ᵀ and dx = Wxᵀ dG.

Inside the loop the buffers take the course's own layout, features by examples (a⟨t⟩ as
(n_a, m)), time first, so that every gate's block of rows is one contiguous array (NumPy runs a
strided block row by row, several times slower). They are allocated once per call; the dtype
(float32 or float64) is the input's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from chainrule.numeric.sequence.blas import prime_blas
from chainrule.numeric.sequence.lstm import LSTM_KEYS, check_lstm_input
from chainrule.numeric.sequence.shapes import check_like

__all__ = ["GATE_ORDER", "LSTMCache", "lstm_backward", "lstm_forward", "stack_gates"]

Array = np.ndarray
Parameters = dict[str, Array]
#: The order of the gates in the stacked W and b: the three σ gates, then the candidate.
GATE_ORDER = ("o", "f", "i", "c")


def _tanh(z: Array, out: Array) -> Array:
    """tanh z = 2/(1 + e^(-2z)) - 1 into ``out`` (one exp; call under errstate(over="ignore"))."""
    np.multiply(z, -2.0, out=out)
    np.exp(out, out=out)
    out += 1.0
    np.divide(2.0, out, out=out)
    out -= 1.0
    return out


def _gate_factors(G: Array, C: Array, TC: Array) -> tuple[Array, Array]:
    """What multiplies da and dc in every step's gate gradients, for all steps at once.

    Returns dG (T, 4n, m) holding Γo(1 - Γo) tanh c⟨t⟩ (times da gives dΓo),
    Γf(1 - Γf) c⟨t-1⟩, Γu(1 - Γu) c̃ and Γu(1 - c̃²) (times dc give dΓf, dΓu, dc̃), and
    carry (T, n, m) = Γo(1 - tanh² c⟨t⟩) (times da gives what a⟨t⟩ adds to dc).
    """
    n = TC.shape[1]
    output, forget, update, cand = (G[:, k * n : (k + 1) * n] for k in range(4))
    dG = np.empty_like(G)
    d_o, d_f, d_i, d_c = (dG[:, k * n : (k + 1) * n] for k in range(4))
    for factor, gate, other in ((d_o, output, TC), (d_f, forget, C[:-1]), (d_i, update, cand)):
        np.subtract(1.0, gate, out=factor)
        factor *= gate
        factor *= other
    np.multiply(cand, cand, out=d_c)
    np.subtract(1.0, d_c, out=d_c)
    d_c *= update
    carry = np.multiply(TC, TC)
    np.subtract(1.0, carry, out=carry)
    carry *= output
    return dG, carry


def _weight_gradient(dG: Array, H_prev: Array, X: Array) -> Array:
    """dW = Σ_t dG⟨t⟩ [a⟨t-1⟩; x⟨t⟩]ᵀ (4n, n + n_x) from dG (T, 4n, m), H_prev (T, n, m) and
    X (T, n_x, m), summed step by step: OpenBLAS runs T products of depth m several times
    faster than one product of depth T·m."""
    T, n, m = H_prev.shape
    inputs = np.empty((T, m, n + X.shape[1]), dtype=dG.dtype)  # [a⟨t-1⟩, x⟨t⟩] by examples
    inputs[:, :, :n] = H_prev.transpose(0, 2, 1)
    inputs[:, :, n:] = X.transpose(0, 2, 1)
    dW = np.zeros((dG.shape[1], inputs.shape[2]), dtype=dG.dtype)
    work = np.empty_like(dW)
    for t in range(T):
        np.matmul(dG[t], inputs[t], out=work)
        dW += work
    return dW


def stack_gates(parameters: Parameters) -> tuple[Array, Array]:
    """W (4n_a, n_a + n_x) and b (4n_a,), the gates' weights and biases in :data:`GATE_ORDER`."""
    W = np.concatenate([parameters[f"W{gate}"] for gate in GATE_ORDER])
    b = np.concatenate([parameters[f"b{gate}"] for gate in GATE_ORDER])
    return W, b


@dataclass
class LSTMCache:
    """Buffers of the forward pass (n = n_a), in the course's layout, features by examples:
    the inputs X (T, n_x, m), the gate values G (T, 4n, m) in
    :data:`GATE_ORDER`, cell states C (T+1, n, m) and hidden states H (T+1, n, m) with
    C[0] = 0 and H[0] = a0ᵀ, and tanh c⟨t⟩ as TC (T, n, m); the stacked W."""

    X: Array
    G: Array
    C: Array
    H: Array
    TC: Array
    W: Array


def lstm_forward(x: Array, a0: Array | None, parameters: Parameters) -> tuple[Array, LSTMCache]:
    """A (m, T, n_a), every hidden state, from x (m, T, n_x) and a0 (m, n_a) or None (zeros);
    c⟨0⟩ = 0 as in the course."""
    a0 = check_lstm_input(x, a0, parameters)
    prime_blas()
    m, T, n_x = x.shape
    n = a0.shape[1]
    W, b = stack_gates(parameters)
    # Rows scaled so that one exp gives every gate: σ(z) = 1/(1 + e^(-z)) for the three
    # gates and tanh(z) = 2σ(2z) - 1 for the candidate, so the products yield -z and -2z.
    scale = np.repeat(np.array([-1.0, -1.0, -1.0, -2.0], dtype=x.dtype), n)
    Ws = W * scale[:, None]
    Wa = np.ascontiguousarray(Ws[:, :n])
    X = np.ascontiguousarray(x.transpose(1, 2, 0))  # (T, n_x, m)
    G = np.matmul(np.ascontiguousarray(Ws[:, n:]), X)  # every step's input before the loop
    G += (b * scale)[:, None]
    C = np.zeros((T + 1, n, m), dtype=x.dtype)
    H = np.empty((T + 1, n, m), dtype=x.dtype)
    TC = np.empty((T, n, m), dtype=x.dtype)
    H[0] = a0.T
    work = np.empty((4 * n, m), dtype=x.dtype)
    candidate = np.empty((n, m), dtype=x.dtype)
    with np.errstate(over="ignore"):  # e^(-z) = inf for z << 0 gives σ = 1/inf = 0, exactly
        for t in range(T):
            g = G[t]
            np.matmul(Wa, H[t], out=work)
            g += work
            np.exp(g, out=g)
            g += 1.0
            np.reciprocal(g, out=g)
            output, forget, update, cand = g[:n], g[n : 2 * n], g[2 * n : 3 * n], g[3 * n :]
            cand *= 2.0
            cand -= 1.0
            np.multiply(forget, C[t], out=C[t + 1])
            np.multiply(update, cand, out=candidate)
            C[t + 1] += candidate
            _tanh(C[t + 1], TC[t])
            np.multiply(output, TC[t], out=H[t + 1])
    A = np.ascontiguousarray(H[1:].transpose(2, 0, 1))
    return A, LSTMCache(X, G, C, H, TC, W)


def lstm_backward(dA: Array, cache: LSTMCache) -> tuple[Array, Array, dict[str, Array]]:
    """dx (m, T, n_x), da0 (m, n_a) and dWf, dbf, ..., dWo, dbo (the course's keys) from
    dA (m, T, n_a), the cost's gradient by every hidden state (zero where a state feeds no
    output)."""
    X, G, C, H, TC, W = cache.X, cache.G, cache.C, cache.H, cache.TC, cache.W
    T, n, m = TC.shape
    check_like("dA", dA, (m, T, n), H.dtype, "(those of the forward output)")
    dA_steps = np.ascontiguousarray(dA.transpose(1, 2, 0))  # (T, n, m)
    WaT = np.ascontiguousarray(W[:, :n].T)
    dG, carry = _gate_factors(G, C, TC)
    forget = G[:, n : 2 * n]
    da = np.zeros((n, m), dtype=H.dtype)
    dc = np.zeros((n, m), dtype=H.dtype)
    work = np.empty((n, m), dtype=H.dtype)
    for t in reversed(range(T)):
        d = dG[t]
        da += dA_steps[t]
        np.multiply(da, carry[t], out=work)
        dc += work  # dc: from the next step and through a⟨t⟩
        d[:n] *= da  # dΓo
        d[n:].reshape(3, n, m)[...] *= dc  # dΓf, dΓu, dc̃
        dc *= forget[t]  # dc⟨t-1⟩ = dc ⊙ Γf
        np.matmul(WaT, d, out=da)
    dW = _weight_gradient(dG, H[:-1], X)
    db = dG.sum(axis=(0, 2))
    dx = np.ascontiguousarray(np.matmul(np.ascontiguousarray(W[:, n:].T), dG).transpose(2, 0, 1))
    grads = {}
    for k, gate in enumerate(GATE_ORDER):
        grads[f"dW{gate}"] = dW[k * n : (k + 1) * n]
        grads[f"db{gate}"] = db[k * n : (k + 1) * n]
    return dx, np.ascontiguousarray(da.T), {f"d{key}": grads[f"d{key}"] for key in LSTM_KEYS}
