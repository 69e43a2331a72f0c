"""The LSTM over a sequence, the fast path: the four gates in one matrix product per step.

The same equations as :mod:`chainrule.numeric.sequence.lstm` (the course's cells), computed
with the gate weights stacked into one W = [Wo; Wi; Wf; Wc] (4n_a, n_a + n_x) and
b = [bo; bi; bf; bc] (4n_a,), the three σ gates side by side. W splits into the columns acting
on a⟨t-1⟩, Wa (4n_a, n_a), and those acting on x⟨t⟩, Wx (4n_a, n_x).

- Each step's product takes the column block [a⟨t-1⟩; x⟨t⟩; 1] (n_a + n_x + 1, m), the
  inputs of all steps written in place once before the loop and each a⟨t⟩ written into the
  next step's block: one product [Wa Wx b] [a⟨t-1⟩; x⟨t⟩; 1] gives the four gates'
  pre-activations, bias included, with no separate projection or sum (and the same blocks
  give [dW db] backward).
- All four gates come from one tanh: σ(z) = (1 + tanh(z/2))/2,
  the halving folded into the σ gates' rows of W and b, so that one np.tanh over the step's
  (4n_a, m) block gives the candidate and tanh(z/2) of the σ gates, which two passes over their
  rows (× 1/2, + 1/2) turn into σ(z). NumPy's tanh is vectorised.
- The cell update c⟨t⟩ = Γf c⟨t-1⟩ + Γu c̃ is one product and one sum: every step's block keeps
  c⟨t-1⟩ right after c̃, so [Γu; Γf] ⊙ [c̃; c⟨t-1⟩] is one product of adjacent rows.
- Backward, the factors of every gate's gradient (σ'(z) = σ(1 - σ) and the like, from the
  stored gate values) are computed for all steps at once, next to Γf and to what a⟨t⟩ adds to
  dc; each step then takes four array operations and the product da⟨t-1⟩ = Waᵀ dG⟨t⟩;
  after the loop come [dW db] = Σ dG⟨t⟩ [a⟨t-1⟩; x⟨t⟩; 1]ᵀ and dx = Wxᵀ dG.

Inside the loop the buffers take the course's own layout, features by examples (a⟨t⟩ as
(n_a, m)), time first, so that every gate's block of rows is one contiguous array (NumPy runs a
strided block row by row, several times slower). The large ones come from
:data:`~chainrule.numeric.sequence.buffer_pool.SEQUENCE_POOL`, reused once nothing refers to
them (the cache holds its own until it is dropped); what the functions return is freshly
allocated. The dtype (float32 or float64) is the input's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from chainrule.numeric.sequence.blas import prime_blas
from chainrule.numeric.sequence.buffer_pool import SEQUENCE_POOL
from chainrule.numeric.sequence.lstm import LSTM_KEYS, check_lstm_input
from chainrule.numeric.sequence.shapes import check_like

__all__ = ["GATE_ORDER", "LSTMCache", "lstm_backward", "lstm_forward", "stack_gates"]

Array = np.ndarray
Parameters = dict[str, Array]
#: The order of the gates in the stacked W and b: the three σ gates, then the candidate.
GATE_ORDER = ("o", "i", "f", "c")


def stack_gates(parameters: Parameters) -> tuple[Array, Array]:
    """W (4n_a, n_a + n_x) and b (4n_a,), the gates' weights and biases in :data:`GATE_ORDER`."""
    W = np.concatenate([parameters[f"W{gate}"] for gate in GATE_ORDER])
    b = np.concatenate([parameters[f"b{gate}"] for gate in GATE_ORDER])
    return W, b


@dataclass
class LSTMCache:
    """Buffers of the forward pass (n = n_a), in the course's layout, features by examples.

    HX (T+1, n + n_x + 1, m), step t's input to the product, [a⟨t-1⟩; x⟨t⟩; 1] (HX[0] holds
    a0ᵀ; of HX[T] only the rows of a⟨T⟩ are used); S (T, 5n, m), step t's rows being Γo, Γu,
    Γf, c̃ (in :data:`GATE_ORDER`) and c⟨t-1⟩ (c⟨0⟩ = 0); TC (T, n, m) tanh c⟨t⟩; W the
    stacked weights, unscaled.
    """

    HX: Array
    S: Array
    TC: Array
    W: Array


def _step_inputs(x: Array, a0: Array) -> Array:
    """HX (T+1, n + n_x + 1, m) with x⟨t⟩ᵀ and a row of ones in every step's block and a0ᵀ in
    the first. x (m, T, n_x) goes through (T, m, n_x): a direct transposing copy reads x at a
    stride of T·n_x elements, which maps every read to the same few cache sets and runs
    several times slower than two copies that each read along rows."""
    m, T, n_x = x.shape
    n = a0.shape[1]
    HX = SEQUENCE_POOL.take((T + 1, n + n_x + 1, m), x.dtype)
    by_step = SEQUENCE_POOL.take((T, m, n_x), x.dtype)
    np.copyto(by_step, x.transpose(1, 0, 2))
    np.copyto(HX[:T, n : n + n_x], by_step.transpose(0, 2, 1))
    HX[:, -1] = 1.0
    HX[0, :n] = a0.T
    return HX


def lstm_forward(x: Array, a0: Array | None, parameters: Parameters) -> tuple[Array, LSTMCache]:
    """A (m, T, n_a), every hidden state, from x (m, T, n_x) and a0 (m, n_a) or None (zeros);
    c⟨0⟩ = 0 as in the course."""
    a0 = check_lstm_input(x, a0, parameters)
    prime_blas()
    m, T, n_x = x.shape
    n = a0.shape[1]
    dtype = x.dtype
    W, b = stack_gates(parameters)
    half = np.ones((4 * n, 1), dtype=dtype)
    half[: 3 * n] = 0.5  # the σ gates' rows yield z/2: σ(z) = (1 + tanh(z/2))/2
    Wb = np.concatenate([W, b[:, None]], axis=1) * half  # [Wa Wx b] acting on [a; x; 1]
    HX = _step_inputs(x, a0)
    S = SEQUENCE_POOL.take((T, 5 * n, m), dtype)
    S[0, 4 * n :] = 0.0
    TC = SEQUENCE_POOL.take((T, n, m), dtype)
    products = np.empty((2 * n, m), dtype=dtype)
    c_last = np.empty((n, m), dtype=dtype)
    half_0d = np.array(0.5, dtype=dtype)  # a 0-d array, not a Python float: no conversion
    sums = (products[:n], products[n:])
    cells = [*S[1:, 4 * n : 5 * n], c_last]  # c⟨t⟩ goes where step t+1 reads c⟨t-1⟩
    # Every step's views made before the loop, in one pass each over the time axis.
    for z, sigmoid, gates, values, output, c, tanh_c, inputs, a in zip(
        S[:, : 4 * n], S[:, : 3 * n], S[:, n : 3 * n], S[:, 3 * n :], S[:, :n], cells, TC,
        HX[:-1], HX[1:, :n], strict=True
    ):  # fmt: skip
        np.matmul(Wb, inputs, out=z)
        np.tanh(z, out=z)
        np.multiply(sigmoid, half_0d, out=sigmoid)
        np.add(sigmoid, half_0d, out=sigmoid)
        np.multiply(gates, values, out=products)  # Γu c̃, Γf c⟨t-1⟩
        np.add(*sums, out=c)
        np.tanh(c, out=tanh_c)
        np.multiply(output, tanh_c, out=a)
    A = np.ascontiguousarray(HX[1:, :n].transpose(2, 0, 1))
    return A, LSTMCache(HX, S, TC, W)


def _gate_factors(S: Array, TC: Array) -> Array:
    """What multiplies da and dc in every step's gradients, for all steps at once.

    Returns D (T, 6n, m); step t's rows are, in order, Γo(1 - tanh² c⟨t⟩) (times da gives
    what a⟨t⟩ adds to dc), Γo(1 - Γo) tanh c⟨t⟩ (times da gives dΓo), Γu(1 - Γu) c̃,
    Γf(1 - Γf) c⟨t-1⟩, Γu(1 - c̃²) (times dc give dΓu, dΓf, dc̃) and Γf (times dc gives the
    part of dc⟨t-1⟩ that flows through the cell). Rows n to 5n are thus in :data:`GATE_ORDER`.
    """
    T, n, m = TC.shape
    D = SEQUENCE_POOL.take((T, 6 * n, m), S.dtype)
    output, update, forget, cand = (S[:, k * n : (k + 1) * n] for k in range(4))
    sigmoids = S[:, : 3 * n]
    factors = D[:, n : 4 * n]  # o, u, f
    np.subtract(1.0, sigmoids, out=factors)
    factors *= sigmoids
    D[:, 2 * n : 4 * n] *= S[:, 3 * n :]  # Γu(1 - Γu) c̃ and Γf(1 - Γf) c⟨t-1⟩
    D[:, n : 2 * n] *= TC
    for target, value, gate in ((D[:, 4 * n : 5 * n], cand, update), (D[:, :n], TC, output)):
        np.multiply(value, value, out=target)
        np.subtract(1.0, target, out=target)
        target *= gate
    np.copyto(D[:, 5 * n :], forget)
    return D


def _weight_gradient(dG: Array, HX: Array) -> Array:
    """[dW db] = Σ_t dG⟨t⟩ [a⟨t-1⟩; x⟨t⟩; 1]ᵀ (4n, n + n_x + 1) from dG (T, 4n, m) and the
    steps' inputs HX (T+1, n + n_x + 1, m), summed step by step: OpenBLAS runs T products of
    depth m several times faster than one product of depth T·m."""
    dW = np.zeros((dG.shape[1], HX.shape[1]), dtype=dG.dtype)
    work = np.empty_like(dW)
    for t in range(dG.shape[0]):
        np.matmul(dG[t], HX[t].T, out=work)
        dW += work
    return dW


def _steps_first(dA: Array) -> Array:
    """dA (m, T, n) as (T, n, m), through (T, m, n): a direct copy reads dA at a stride of
    T·n elements, which maps every read to the same few cache sets and runs several times
    slower than two copies that each read along rows."""
    m, T, n = dA.shape
    by_step = SEQUENCE_POOL.take((T, m, n), dA.dtype)
    np.copyto(by_step, dA.transpose(1, 0, 2))
    steps = SEQUENCE_POOL.take((T, n, m), dA.dtype)
    np.copyto(steps, by_step.transpose(0, 2, 1))
    return steps


def lstm_backward(dA: Array, cache: LSTMCache) -> tuple[Array, Array, dict[str, Array]]:
    """dx (m, T, n_x), da0 (m, n_a) and dWf, dbf, ..., dWo, dbo (the course's keys) from
    dA (m, T, n_a), the cost's gradient by every hidden state (zero where a state feeds no
    output)."""
    HX, S, TC, W = cache.HX, cache.S, cache.TC, cache.W
    T, n, m = TC.shape
    check_like("dA", dA, (m, T, n), TC.dtype, "(those of the forward output)")
    dtype = TC.dtype
    dA_steps = _steps_first(dA)
    WaT = np.ascontiguousarray(W[:, :n].T)
    D = _gate_factors(S, TC)
    da = np.empty((n, m), dtype=dtype)
    dc = np.empty((n, m), dtype=dtype)
    back = np.zeros((n, m), dtype=dtype)  # Waᵀ dG⟨t+1⟩, zero after the last step
    through_cell = np.zeros((n, m), dtype=dtype)  # dc⟨t+1⟩ Γf⟨t+1⟩, zero after the last step
    heads = D[:, : 2 * n].reshape(T, 2, n, m)  # views: the rows split, nothing copied
    tails = D[:, 2 * n :].reshape(T, 4, n, m)
    for t in reversed(range(T)):
        head, tail = heads[t], tails[t]
        np.add(back, dA_steps[t], out=da)
        np.multiply(head, da, out=head)  # what a⟨t⟩ adds to dc, and dΓo
        np.add(head[0], through_cell, out=dc)
        np.multiply(tail, dc, out=tail)  # dΓu, dΓf, dc̃ and dc⟨t⟩ Γf
        through_cell = tail[3]
        np.matmul(WaT, D[t, n : 5 * n], out=back)
    dG = D[:, n : 5 * n]
    dWb = _weight_gradient(dG, HX)
    n_x = HX.shape[1] - n - 1
    dx = np.empty((m, T, n_x), dtype=dtype)
    np.matmul(dG.transpose(0, 2, 1), W[:, n:], out=dx.transpose(1, 0, 2))
    grads = {}
    for k, gate in enumerate(GATE_ORDER):
        rows = dWb[k * n : (k + 1) * n]
        grads[f"dW{gate}"] = rows[:, :-1]
        grads[f"db{gate}"] = rows[:, -1]
    return dx, np.ascontiguousarray(back.T), {f"d{key}": grads[f"d{key}"] for key in LSTM_KEYS}
